// `npx tsx bench/engine-profile.ts [seconds] [outDir]` — where one engine's CPU goes in the steady
// state at 1 s polling, on the bench's quiet desktop and then on its busy one (the same scene as
// bench/engine-bench.ts: 1 000 idle processes, 50 real ssh sessions). Writes one V8 .cpuprofile
// per scene (open it in Chrome DevTools, or summarise it with bench/profile-summary.ts) and prints
// per scene: CPU % of one core (children included), ticks, how many snapshots were unchanged and
// how many read counters. `--no-profile` takes the same figures without the profiler (its
// sampling thread costs far more CPU than the engine).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { Session } from 'node:inspector/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createEngine, type Engine } from '@engine/index'
import type { Detected } from '@engine/detect/types'
import { isBrowserProcess, isSessionProgram } from '@engine/detect'
import { createLinuxProbe } from '@engine/probe/linux'
import type { Probe, Snapshot } from '@engine/probe/types'
import { sshBatch, startSshd, stopAll } from '../tests/support/peers'
import { startBusyDesktop, startIdleProcesses } from './busy-desktop'
import { round, sleep } from './stats'

const NO_PROFILE = process.argv.includes('--no-profile')
const [secondsArg, outArg] = process.argv.slice(2).filter((a) => !a.startsWith('--'))
const seconds = Number(secondsArg ?? 30)
const outDir = outArg ?? tmpdir()

function cpuSeconds(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8')
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return [11, 12, 13, 14].reduce((sum, i) => sum + Number(f[i]), 0) / 100
}

interface Counts {
  snapshots: number
  unchanged: number
  counters: number
}

/** the engine's probe, counting what its snapshots say */
function counting(probe: Probe, counts: Counts): Probe {
  return {
    async snapshot(o): Promise<Snapshot> {
      const s = await probe.snapshot(o)
      counts.snapshots++
      if (s.unchanged === true) counts.unchanged++
      if (o?.counters === true) counts.counters++
      return s
    },
    readProcess: (pid) => probe.readProcess(pid),
  }
}

async function profileScene(engine: Engine, counts: Counts, name: string, inspector: Session): Promise<void> {
  engine.setSetting('pollIntervalMs', 1000)
  engine.start()
  await sleep(5000)
  Object.assign(counts, { snapshots: 0, unchanged: 0, counters: 0 })
  if (!NO_PROFILE) await inspector.post('Profiler.start')
  const cpu0 = cpuSeconds()
  const wall0 = performance.now()
  await sleep(seconds * 1000)
  const cpu = ((cpuSeconds() - cpu0) / ((performance.now() - wall0) / 1000)) * 100
  let file = ''
  if (!NO_PROFILE) {
    const { profile } = await inspector.post('Profiler.stop')
    file = join(outDir, `engine-${name}.cpuprofile`)
    writeFileSync(file, JSON.stringify(profile))
  }
  await engine.stop()
  process.stdout.write(`${JSON.stringify({ scene: name, cpuPercent: round(cpu, 2), ...counts, file })}\n`)
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'warden-profile-'))
  const idle: { stop: () => void }[] = []
  let engine: Engine | null = null
  const inspector = new Session()
  inspector.connect()
  await inspector.post('Profiler.enable')
  await inspector.post('Profiler.setSamplingInterval', { interval: 200 })
  try {
    const sshd = await startSshd()
    idle.push(startIdleProcesses())
    await sshBatch(sshd, 50)
    const counts: Counts = { snapshots: 0, unchanged: 0, counters: 0 }
    const probe = createLinuxProbe({ interesting: isSessionProgram, browser: isBrowserProcess })
    engine = await createEngine({
      dbPath: join(dir, 'w.db'),
      actor: 'bench',
      scope: (d: Detected) => d.remotePort === sshd.port,
      terminate: { graceMs: 3000 },
      probe: counting(probe, counts),
    })
    for (let i = 0; i < 100 && engine.list().length < 50; i++) {
      await engine.tick()
      await sleep(100)
    }
    await profileScene(engine, counts, 'quiet', inspector)
    const busy = await startBusyDesktop()
    try {
      await profileScene(engine, counts, 'busy', inspector)
    } finally {
      await busy.stop()
    }
  } finally {
    inspector.disconnect()
    if (engine) await engine.close()
    for (const c of idle) c.stop()
    await stopAll()
    rmSync(dir, { recursive: true, force: true })
  }
}

await main()
