// The engine the bench measures, alone in a process of its own: createEngine with the real probe,
// the real `ss` and the real SQLite store in the bench's temp dir, exactly as the app and the CLI
// build it. The bench's CPU window is this process's /proc/<pid>/stat utime + stime + cutime +
// cstime: the engine's JavaScript, V8's threads, and the children it reaps (`ss`); not the bench's
// own work (its ssh client handles, the floor and naive scans, the busy desktop's load generators).
//
// bench/engine-process.ts bundles this file with esbuild against one repository's tsconfig (its
// `@engine/*` and `@shared/*` resolve to that checkout: an A/B run measures another worktree's
// engine with this same bench) and runs the bundle with plain node, as the app runs its built main
// bundle (electron.vite.config.ts): no tsx loader in the measured process (its module-hooks thread
// costs ~0.05 % of a core while idle, measured with /proc/self/task over 60 s, and the app has none).
import { createEngine, type Engine } from '@engine/index'
import type { Detected } from '@engine/detect/types'
import type { ChildRequest, ChildReply, ChildInit } from './engine-process'
import { collectGarbage, sleep } from './stats'

/**
 * The idle rules the bench's engine runs with: an hour, two and four (the defaults are 5, 10 and
 * 30 minutes). The bench's 50 sessions carry no traffic, so with the defaults all 50 reach the
 * idle threshold together 5 minutes after they open, inside the busy scene's CPU window: within a
 * poll and a counter interval of a threshold the engine reads counters on every tick, by design
 * (activity.ts countersDue), an `ss` a second for ~22 s, and the 50 status changes are written.
 * That read 1.07 and 1.20 % where the steady state reads ~0.65 % (--trace-gc showed the scavenges
 * doubling from the window's first second). Counters are still read every 10 s, as with the
 * defaults: a tenth of the shortest idle limit, capped at 10 s, is 10 s for both.
 */
const BENCH_RULES = [
  ['disconnectAfterSec', 4 * 3600],
  ['warnAfterSec', 2 * 3600],
  ['idleAfterSec', 3600],
] as const

async function load(init: ChildInit): Promise<Engine> {
  const engine = await createEngine({
    dbPath: init.dbPath,
    actor: 'bench',
    scope: (d: Detected): boolean => d.remotePort === init.port,
    terminate: { graceMs: 3000 },
  })
  // the order keeps every step valid: an end after the warning, a warning not before idle
  for (const [key, value] of BENCH_RULES) engine.setSetting(key, value)
  return engine
}

/** the bench's sessions (those to its sshd) */
const ours = (engine: Engine, port: number): { id: string; pid: number }[] =>
  engine
    .list()
    .filter((s) => s.remotePort === port)
    .map((s) => ({ id: s.id, pid: s.pid }))

async function settle(engine: Engine, port: number, count: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    await engine.tick()
    if (ours(engine, port).length >= count) return
    await sleep(100)
  }
  throw new Error(`engine did not see ${String(count)} sessions`)
}

/** polls the store every 5 ms until a new row of this pid is there (the detection latency) */
async function waitForRow(engine: Engine, pid: number, before: readonly string[]): Promise<void> {
  const old = new Set(before)
  while (!engine.list().some((s) => s.pid === pid && !old.has(s.id))) await sleep(5)
}

async function run(engine: Engine, port: number, req: ChildRequest): Promise<unknown> {
  switch (req.op) {
    case 'tick':
      return (await engine.tick()).scanMs
    case 'settle':
      return settle(engine, port, req.count)
    case 'processes':
      return engine.snapshot?.processes.size ?? 0
    case 'loop':
      // the CPU window's start: 1 s polling, after one full collection of this process's setup
      engine.setSetting('pollIntervalMs', 1000)
      collectGarbage()
      engine.start()
      return null
    case 'stop':
      return engine.stop()
    case 'sessions':
      return ours(engine, port)
    case 'waitForRow':
      return waitForRow(engine, req.pid, req.before)
    case 'end':
      return engine.end(req.id, 'bench')
    case 'endAll':
      return engine.endAll('bench')
    case 'close':
      await engine.close()
      setImmediate(() => process.exit(0))
      return null
  }
}

const reply = (r: ChildReply): void => {
  process.send?.(r)
}

process.once('message', (init: ChildInit) => {
  load(init).then(
    (engine) => {
      process.on('message', (req: ChildRequest & { seq: number }) => {
        run(engine, init.port, req).then(
          (value) => reply({ seq: req.seq, value }),
          (e: unknown) => reply({ seq: req.seq, error: e instanceof Error ? e.message : String(e) }),
        )
      })
      reply({ seq: 0, value: process.pid })
    },
    (e: unknown) => {
      reply({ seq: 0, error: e instanceof Error ? (e.stack ?? e.message) : String(e) })
    },
  )
})

// the bench went away (a crash, Ctrl-C): no engine is left polling behind it
process.once('disconnect', () => process.exit(0))
