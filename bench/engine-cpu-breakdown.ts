// `npx tsx bench/engine-cpu-breakdown.ts [seconds]` — where the engine's CPU at 1 s polling goes,
// on the engine bench's quiet desktop and then its busy one (1 000 idle processes, 50 real ssh
// sessions; bench/engine-bench.ts). Per scene, over one window (60 s by default):
// - this process's user+system time against its reaped children's (cutime+cstime, what `ss`
//   costs: engine-bench's cpuPercent counts both, from /proc/self/stat);
// - child spawns by command, per second;
// - this process's own time by phase, from process.cpuUsage() around each phase: the probe's
//   process scan, its socket reading (without `ss`), the `ss` call (the parent's side of the
//   spawn: fork/exec, pipes, parsing), detection, the store, the rest of the tick, and outside
//   any tick (timers, GC, the event loop).
// Process-wide times include libuv and GC threads running meanwhile; phases are synchronous but
// for `ss` and detection, whose awaits are short. Prints one JSON line per scene.
import { ChildProcess } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { getHeapStatistics } from 'node:v8'
import { PerformanceObserver, constants as perf } from 'node:perf_hooks'
import { createEngine, type Engine } from '@engine/index'
import type { Detected } from '@engine/detect/types'
import { Detection } from '@engine/detection'
import { ProcessTable } from '@engine/probe/linux-procs'
import { SessionSocketReader } from '@engine/probe/linux-sockets'
import { sshBatch, startSshd, stopAll } from '../tests/support/peers'
import { startBusyDesktop, startIdleProcesses } from './busy-desktop'
import { collectGarbage, round, sleep } from './stats'

const seconds = Number(process.argv.slice(2).find((a) => !a.startsWith('--')) ?? 60)

/** µs of this process's own CPU per phase, and spawns per command, while `on` */
const phases = new Map<string, number>()
const spawns = new Map<string, number>()
const calls = new Map<string, number>()
const threadsS = new Map<string, number>()
/** garbage collections while `on`, by kind: how many, and their main-thread pause (ms) */
const gcs = new Map<string, { n: number; ms: number }>()
const GC_KINDS: Record<number, string> = {
  [perf.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [perf.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [perf.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [perf.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
}
new PerformanceObserver((list) => {
  if (!on) return
  for (const e of list.getEntries()) {
    const kind = GC_KINDS[(e as unknown as { detail: { kind: number } }).detail.kind] ?? 'other'
    const g = gcs.get(kind) ?? { n: 0, ms: 0 }
    gcs.set(kind, { n: g.n + 1, ms: round(g.ms + e.duration, 2) })
  }
}).observe({ entryTypes: ['gc'] })
let on = false

function own(): number {
  const u = process.cpuUsage()
  return u.user + u.system
}

/** heap growth per phase (bytes): what it allocated, less any collection meanwhile (a floor) */
const allocs = new Map<string, number>()
const heap = (): number => getHeapStatistics().used_heap_size

function add(name: string, us: number, bytes: number): void {
  if (!on) return
  phases.set(name, (phases.get(name) ?? 0) + us)
  calls.set(name, (calls.get(name) ?? 0) + 1)
  allocs.set(name, (allocs.get(name) ?? 0) + Math.max(0, bytes))
}

/** CPU and heap already given to phases: not counted again by the phase around them */
let nestedUs = 0
let nestedBytes = 0

type AnyFn = (this: unknown, ...args: unknown[]) => unknown

/** wraps proto[method] so its own CPU (minus nested phases) is added to `name` */
function phase(proto: object, method: string, name: string): void {
  const target = proto as Record<string, AnyFn>
  const orig = target[method]
  if (typeof orig !== 'function') throw new Error(`no ${method} to wrap`)
  target[method] = function (this: unknown, ...args: unknown[]): unknown {
    const t0 = own()
    const h0 = heap()
    const nested0 = nestedUs
    const nestedB0 = nestedBytes
    const done = (): void => {
      const inner = nestedUs - nested0
      const innerB = nestedBytes - nestedB0
      const us = own() - t0 - inner
      const bytes = Math.max(0, heap() - h0 - innerB)
      add(name, us, bytes)
      nestedUs = nested0 + inner + us
      nestedBytes = nestedB0 + innerB + bytes
    }
    const r = orig.apply(this, args)
    if (r instanceof Promise) return r.finally(done)
    done()
    return r
  }
}

function countSpawns(): void {
  const proto = ChildProcess.prototype as unknown as {
    spawn: (o: { file: string; args: string[] }) => unknown
  }
  const orig = proto.spawn
  proto.spawn = function (this: ChildProcess, o: { file: string; args: string[] }): unknown {
    if (on) {
      const cmd = `${basename(o.file)} ${o.args.slice(1, 2).join(' ')}`.trim()
      spawns.set(cmd, (spawns.get(cmd) ?? 0) + 1)
    }
    return orig.call(this, o)
  }
}

/** [self, children] CPU seconds from /proc/self/stat (utime+stime, cutime+cstime) */
function statCpu(): [number, number] {
  const stat = readFileSync('/proc/self/stat', 'utf8')
  const f = stat
    .slice(stat.lastIndexOf(')') + 2)
    .split(' ')
    .map(Number)
  return [((f[11] ?? 0) + (f[12] ?? 0)) / 100, ((f[13] ?? 0) + (f[14] ?? 0)) / 100]
}

/**
 * CPU seconds per thread kind (/proc/self/task/<tid>/stat, by comm): the main thread's JavaScript
 * and syscalls against V8's workers (GC, compilation) and libuv's pool
 */
function threadCpu(): Map<string, number> {
  const out = new Map<string, number>()
  for (const tid of readdirSync('/proc/self/task')) {
    let stat: string
    try {
      stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8')
    } catch {
      continue // ended meanwhile
    }
    const comm =
      tid === String(process.pid) ? 'main' : stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'))
    const f = stat
      .slice(stat.lastIndexOf(')') + 2)
      .split(' ')
      .map(Number)
    out.set(comm, (out.get(comm) ?? 0) + ((f[11] ?? 0) + (f[12] ?? 0)) / 100)
  }
  return out
}

function instrument(engine: Engine): void {
  phase(ProcessTable.prototype, 'scanProcesses', 'probeProcs')
  // inside it: the 30 s full sweep, and the steady state's new pids and session families
  phase(ProcessTable.prototype, 'listingScan', 'procsListing')
  phase(ProcessTable.prototype, 'newPidsScan', 'procsNewPids')
  phase(ProcessTable.prototype, 'readOne', 'procsReadOne')
  phase(SessionSocketReader.prototype, 'sessionSockets', 'probeSockets')
  phase(SessionSocketReader.prototype, 'readCounters', 'ss')
  phase(SessionSocketReader.prototype, 'heldSockets', 'socketsFdLinks')
  phase(SessionSocketReader.prototype, 'lookUp', 'socketsProcNet')
  phase(Detection.prototype, 'detect', 'detection')
  const store = (engine as unknown as { store: object }).store
  for (const m of ['applyTick', 'getSettings', 'listResources', 'openSessions']) phase(store, m, 'store')
  phase(engine, 'doTick', 'tick')
  countSpawns()
}

async function scene(engine: Engine, name: string): Promise<void> {
  engine.setSetting('pollIntervalMs', 1000)
  // the setup's garbage is collected first, as in engine-bench's CPU window
  collectGarbage()
  engine.start()
  await sleep(15_000) // past V8's memory-reducer collections after it (engine-bench CPU_WARMUP_MS)
  phases.clear()
  spawns.clear()
  calls.clear()
  gcs.clear()
  allocs.clear()
  const [self0, kids0] = statCpu()
  const threads0 = threadCpu()
  const own0 = own()
  const wall0 = performance.now()
  on = true
  await sleep(seconds * 1000)
  on = false
  const wallS = (performance.now() - wall0) / 1000
  const ownUs = own() - own0
  const [self1, kids1] = statCpu()
  threadsS.clear()
  for (const [k, v] of threadCpu()) threadsS.set(k, v - (threads0.get(k) ?? 0))
  await engine.stop()
  report(name, wallS, ownUs, self1 - self0, kids1 - kids0)
}

function report(name: string, wallS: number, ownUs: number, selfS: number, kidsS: number): void {
  const pct = (s: number): number => round((s / wallS) * 100, 3)
  const byPhase: Record<string, number> = {}
  let inPhases = 0
  for (const [k, us] of phases) {
    byPhase[k] = pct(us / 1e6)
    inPhases += us
  }
  // the tick's own share is what is left of it outside the named phases (reconcile, policy …)
  byPhase.outsideTicks = pct((ownUs - inPhases) / 1e6)
  const perSecond: Record<string, number> = {}
  for (const [k, n] of spawns) perSecond[k] = round(n / wallS, 3)
  const totalSpawns = [...spawns.values()].reduce((a, b) => a + b, 0)
  const line = {
    scene: name,
    wallS: round(wallS, 1),
    calls: Object.fromEntries(calls),
    cpuPercent: pct(selfS + kidsS),
    selfPercent: pct(selfS),
    childrenPercent: pct(kidsS),
    childMsPerSpawn: totalSpawns === 0 ? null : round((kidsS * 1000) / totalSpawns, 2),
    spawnsPerSecond: perSecond,
    ownPercentByPhase: byPhase,
    gc: Object.fromEntries(gcs),
    heapKbPerSecondByPhase: Object.fromEntries([...allocs].map(([k, b]) => [k, round(b / 1024 / wallS, 1)])),
    percentByThread: Object.fromEntries([...threadsS].map(([k, v]) => [k, pct(v)])),
  }
  process.stdout.write(`${JSON.stringify(line)}\n`)
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'warden-breakdown-'))
  const idle = startIdleProcesses()
  let engine: Engine | null = null
  try {
    const sshd = await startSshd()
    await sshBatch(sshd, 50)
    engine = await createEngine({
      dbPath: join(dir, 'w.db'),
      actor: 'bench',
      scope: (d: Detected) => d.remotePort === sshd.port,
      terminate: { graceMs: 3000 },
    })
    for (let i = 0; i < 100 && engine.list().length < 50; i++) {
      await engine.tick()
      await sleep(100)
    }
    instrument(engine)
    await scene(engine, 'quiet')
    const busy = await startBusyDesktop()
    try {
      await scene(engine, 'busy')
    } finally {
      await busy.stop()
    }
  } finally {
    if (engine) await engine.close()
    idle.stop()
    await stopAll()
    rmSync(dir, { recursive: true, force: true })
  }
}

await main()
