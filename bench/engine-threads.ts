// `npx tsx bench/engine-threads.ts [seconds] [--busy] [--engine-repo=<dir>]` — the engine's CPU at
// 1 s polling over time, split by thread, in the engine bench's process (bench/engine-child.ts:
// the real engine, bundled, under plain node) on the bench's scene (1 000 idle processes, 50 real
// ssh sessions; `--busy` adds the busy desktop). One JSON line per 30 s of the loop: % of one core
// for the main thread (JavaScript, syscalls, GC pauses), V8's and libuv's other threads (TurboFan
// compiles, concurrent marking, parallel scavenges) and the reaped children (`ss`), from
// /proc/<pid>/task/<tid>/stat and /proc/<pid>/stat (proc(5), fields 14–17). It shows how long the
// loop's warm-up lasts: V8 optimizes a function once it has run often enough (its tiering budget),
// and code that runs once a second gets there over minutes, not in the bench's 15 s warm-up.
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sshBatch, startSshd, stopAll } from '../tests/support/peers'
import { startBusyDesktop, startIdleProcesses } from './busy-desktop'
import { EngineProcess, engineRepo } from './engine-process'
import { round, sleep } from './stats'

const seconds = Number(process.argv.slice(2).find((a) => !a.startsWith('--')) ?? 300)
const BUSY = process.argv.includes('--busy')
const STEP_MS = 30_000

/** CPU seconds of one task (thread) or process: utime + stime, and cutime + cstime */
function ticks(statPath: string): [number, number] {
  const stat = readFileSync(statPath, 'utf8')
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return [(Number(f[11]) + Number(f[12])) / 100, (Number(f[13]) + Number(f[14])) / 100]
}

/** [main thread, other threads, reaped children] CPU seconds of the process so far */
function split(pid: number): [number, number, number] {
  let main = 0
  let others = 0
  for (const tid of readdirSync(`/proc/${String(pid)}/task`)) {
    try {
      const [own] = ticks(`/proc/${String(pid)}/task/${tid}/stat`)
      if (tid === String(pid)) main = own
      else others += own
    } catch {
      // the thread ended meanwhile (its time is in the process's, not split here)
    }
  }
  return [main, others, ticks(`/proc/${String(pid)}/stat`)[1]]
}

async function watch(engine: EngineProcess): Promise<void> {
  await engine.loop()
  let last = split(engine.pid)
  let wall = performance.now()
  for (let t = STEP_MS; t <= seconds * 1000; t += STEP_MS) {
    await sleep(STEP_MS)
    const now = split(engine.pid)
    const nowWall = performance.now()
    const secs = (nowWall - wall) / 1000
    const pct = (a: number, b: number): number => round(((a - b) / secs) * 100, 2)
    const line = {
      atS: t / 1000,
      main: pct(now[0], last[0]),
      otherThreads: pct(now[1], last[1]),
      children: pct(now[2], last[2]),
    }
    process.stdout.write(
      `${JSON.stringify({ ...line, total: round(line.main + line.otherThreads + line.children, 2) })}\n`,
    )
    last = now
    wall = nowWall
  }
  await engine.stop()
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'warden-threads-'))
  const idle = startIdleProcesses()
  let engine: EngineProcess | null = null
  try {
    const sshd = await startSshd()
    await sshBatch(sshd, 50)
    engine = await EngineProcess.start(engineRepo(process.argv), {
      dbPath: join(dir, 'w.db'),
      port: sshd.port,
    })
    await engine.settle(50)
    const busy = BUSY ? await startBusyDesktop() : null
    try {
      await watch(engine)
    } finally {
      await busy?.stop()
    }
  } finally {
    await engine?.close()
    idle.stop()
    await stopAll()
    rmSync(dir, { recursive: true, force: true })
  }
}

await main()
