import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import fc from 'fast-check'
import { describe, expect, it, onTestFailed } from 'vitest'
import { useTempDir } from '../../unit/store/helpers'

const t = useTempDir()
const ROOT = fileURLToPath(new URL('../../..', import.meta.url))
const CHILD = fileURLToPath(new URL('./writer-child.ts', import.meta.url))

interface Child {
  /** lines received so far (complete lines only: an id is acknowledged once its newline arrived) */
  lines: string[]
  stderr: () => string
  kill: () => void
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  /** resolves once n lines arrived, or the child is gone */
  lineCount: (n: number) => Promise<void>
}

function startWriter(args: string[]): Child {
  const proc = spawn(process.execPath, ['--import', 'tsx', CHILD, ...args], {
    cwd: ROOT, // tsx reads tsconfig.json (the @engine/@shared paths) from here
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const lines: string[] = []
  let partial = ''
  let err = ''
  let gone = false
  const waiting: { n: number; resolve: () => void }[] = []
  const wake = (): void => {
    for (const w of waiting.splice(0)) {
      if (gone || lines.length >= w.n) w.resolve()
      else waiting.push(w)
    }
  }
  proc.stdout.setEncoding('utf8')
  proc.stdout.on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n')
    partial = parts.pop() ?? ''
    lines.push(...parts)
    wake()
  })
  proc.stderr.setEncoding('utf8')
  proc.stderr.on('data', (chunk: string) => (err += chunk))
  // 'close' (not 'exit'): fires after stdout has been read to the end.
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.on('close', (code, signal) => {
      gone = true
      wake()
      resolve({ code, signal })
    }),
  )
  const lineCount = (n: number): Promise<void> =>
    new Promise((resolve) => {
      waiting.push({ n, resolve })
      wake()
    })
  return { lines, stderr: () => err, kill: () => proc.kill('SIGKILL'), exited, lineCount }
}

function check(file: string): { ids: Set<string>; integrity: string } {
  const db = new Database(file) // read-write: replays the WAL the killed writer left
  try {
    const integrity = db.pragma('integrity_check', { simple: true }) as string
    // Killed before the first migration committed: no table yet, and nothing can have been acknowledged.
    const migrated =
      db.prepare("SELECT count(*) FROM sqlite_schema WHERE name = 'sessions'").pluck().get() === 1
    const ids = new Set(migrated ? db.prepare<[], string>('SELECT id FROM sessions').pluck().all() : [])
    return { ids, integrity }
  } finally {
    db.close()
  }
}

describe('crash safety (real child processes)', () => {
  it('keeps every acknowledged session through kill -9 at random moments', { timeout: 30_000 }, async () => {
    // Seeded, so a failure can be replayed: WARDEN_CRASH_SEED=<the printed seed>.
    const seed = Number(process.env['WARDEN_CRASH_SEED'] ?? Math.floor(Math.random() * 2 ** 31))
    onTestFailed(() => console.error(`crash.test.ts seed ${seed} (rerun with WARDEN_CRASH_SEED=${seed})`))
    const rounds = 12
    // Per round: ms after start for the start-up rounds; acknowledged sessions for the mid-write ones.
    const plan = fc.sample(fc.record({ afterMs: fc.nat(700), afterLines: fc.integer({ min: 1, max: 40 }) }), {
      seed,
      numRuns: rounds,
    })
    const acked: string[] = []
    for (const [round, { afterMs, afterLines }] of plan.entries()) {
      const child = startWriter([t.db(), `r${round}`, '0'])
      // Half the rounds die at any moment from start (startup, migration, open); half mid-write.
      if (round % 2 === 0) await new Promise((r) => setTimeout(r, afterMs))
      else await child.lineCount(afterLines)
      child.kill()
      const exit = await child.exited
      expect(exit.signal, child.stderr()).toBe('SIGKILL')
      acked.push(...child.lines)

      const { ids, integrity } = check(t.db())
      expect(integrity, `round ${round}`).toBe('ok')
      const missing = acked.filter((id) => !ids.has(id))
      expect(missing, `round ${round}`).toEqual([])
    }
    // The mid-write rounds really were writing when killed, or this test proves little.
    const planned = plan.reduce((n, p, round) => n + (round % 2 === 1 ? p.afterLines : 0), 0)
    expect(acked.length).toBeGreaterThanOrEqual(planned)
  })

  it(
    'two writers on one file: no SQLITE_BUSY escapes, nothing lost, shared keys recorded once',
    { timeout: 30_000 },
    async () => {
      const n = 800
      // Both open the same, not yet existing, file at once: creation, WAL switch and migration race too.
      const startAt = String(Date.now() + 800)
      const a = startWriter([t.db(), 'a', String(n), 'shared', startAt])
      const b = startWriter([t.db(), 'b', String(n), 'shared', startAt])
      const [ea, eb] = await Promise.all([a.exited, b.exited])
      expect(a.stderr()).toBe('')
      expect(b.stderr()).toBe('')
      expect(ea.code).toBe(0)
      expect(eb.code).toBe(0)

      const summary = (c: Child) => {
        const m = /^done duplicates=(\d+) sharedInserted=(\d+)$/.exec(c.lines.at(-1) ?? '')
        if (m === null) throw new Error(`no summary from child: ${c.lines.at(-1) ?? ''}`)
        return { duplicates: Number(m[1]), sharedInserted: Number(m[2]) }
      }
      const sa = summary(a)
      const sb = summary(b)
      // Each shared key was inserted by exactly one writer; the other was told it was a duplicate.
      expect(sa.sharedInserted + sb.sharedInserted).toBe(n)
      expect(sa.duplicates + sb.duplicates).toBe(n)

      const { ids, integrity } = check(t.db())
      expect(integrity).toBe('ok')
      const acked = [...a.lines.slice(0, -1), ...b.lines.slice(0, -1)]
      expect(acked).toHaveLength(2 * n)
      expect(acked.filter((id) => !ids.has(id))).toEqual([])

      const db = new Database(t.db(), { readonly: true })
      try {
        const perKey = db
          .prepare<[], number>(
            "SELECT count(*) FROM sessions WHERE key LIKE 'shared-%' GROUP BY key HAVING count(*) <> 1",
          )
          .pluck()
          .all()
        expect(perKey).toEqual([])
        expect(db.prepare("SELECT count(*) FROM sessions WHERE key LIKE 'shared-%'").pluck().get()).toBe(n)
      } finally {
        db.close()
      }
    },
  )
})
