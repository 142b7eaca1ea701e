// The bench's handle on the engine it measures, which runs in a child process (bench/engine-child.ts)
// so that the CPU counted is the engine's alone. What is counted: the child's utime + stime (its
// main thread, V8's GC and compiler threads, libuv's threads) and cutime + cstime (the children it
// has reaped: `ss`), from /proc/<pid>/stat (proc(5), fields 14–17). What is not: this process (the
// ssh client handles, the floor and naive scans, IPC bookkeeping) and the busy desktop's server,
// churn and Chromium (processes of their own, children of this one).
import { fork, type ChildProcess } from 'node:child_process'
import { readFileSync, rmSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import type { EndResult } from '@shared/model'

export interface ChildInit {
  dbPath: string
  /** the bench's sshd: its sessions are the engine's scope */
  port: number
}

export type ChildRequest =
  | { op: 'tick' | 'processes' | 'loop' | 'stop' | 'sessions' | 'endAll' | 'close' }
  | { op: 'settle'; count: number }
  | { op: 'waitForRow'; pid: number; before: string[] }
  | { op: 'end'; id: string }

/** `seq` pairs a reply with its request (not `id`: the 'end' request has an id of its own) */
export type ChildReply = { seq: number; value: unknown } | { seq: number; error: string }

const HERE = dirname(fileURLToPath(import.meta.url))

/** `--engine-repo=<dir>`: measure another checkout's engine (default: this one) */
export function engineRepo(argv: readonly string[]): string {
  const arg = argv.find((a) => a.startsWith('--engine-repo='))
  return arg ? resolve(arg.slice('--engine-repo='.length)) : join(HERE, '..')
}

/** CPU seconds of a live process and its reaped children, from /proc/<pid>/stat (CLK_TCK 100). */
export function cpuSecondsOf(pid: number | 'self'): number {
  const stat = readFileSync(`/proc/${String(pid)}/stat`, 'utf8')
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  // fields 14..17 (utime, stime, cutime, cstime) are at index 11..14 after the comm
  const ticks = [11, 12, 13, 14].reduce((sum, i) => sum + Number(f[i]), 0)
  return ticks / 100
}

/**
 * engine-child.ts and `repo`'s engine as one ES module, its dependencies left to node_modules as
 * in the app's main bundle (electron.vite.config.ts); written under this checkout's out/ (ignored
 * by git), where node resolves those dependencies. `repo`'s tsconfig.json gives the @engine/* and
 * @shared/* paths, so the engine is that checkout's and the harness is this one's.
 */
async function bundleChild(repo: string): Promise<string> {
  const outfile = join(HERE, '..', 'out', 'bench', `engine-child-${String(process.pid)}.mjs`)
  await build({
    entryPoints: [join(HERE, 'engine-child.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    tsconfig: join(repo, 'tsconfig.json'),
    absWorkingDir: repo,
    logLevel: 'error',
  })
  return outfile
}

export class EngineProcess {
  private next = 1
  private readonly waiting = new Map<number, { ok: (v: unknown) => void; fail: (e: Error) => void }>()
  private readonly exited: Promise<void>

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (r: ChildReply) => {
      const w = this.waiting.get(r.seq)
      this.waiting.delete(r.seq)
      if ('error' in r) w?.fail(new Error(`engine process: ${r.error}`))
      else w?.ok(r.value)
    })
    this.exited = new Promise((done) => child.once('exit', () => done()))
    void this.exited.then(() => {
      for (const w of this.waiting.values()) w.fail(new Error('engine process exited'))
      this.waiting.clear()
    })
  }

  /** forks the child, built from `repo`'s engine code, with plain node and waits for its engine */
  static async start(repo: string, init: ChildInit): Promise<EngineProcess> {
    const bundle = await bundleChild(repo)
    const child = fork(bundle, [], { cwd: repo, stdio: 'inherit', execArgv: [] })
    const p = new EngineProcess(child)
    const ready = p.expect(0)
    child.send(init)
    try {
      await ready
    } finally {
      rmSync(bundle, { force: true }) // loaded by now (or never will be)
    }
    return p
  }

  get pid(): number {
    return this.child.pid ?? 0
  }

  /** this engine's CPU seconds so far (the child and what it reaped) */
  cpuSeconds(): number {
    return cpuSecondsOf(this.pid)
  }

  tick = (): Promise<number> => this.call({ op: 'tick' }) as Promise<number>
  settle = (count: number): Promise<unknown> => this.call({ op: 'settle', count })
  processes = (): Promise<number> => this.call({ op: 'processes' }) as Promise<number>
  /** the loop at 1 s polling, after one full GC in the child */
  loop = (): Promise<unknown> => this.call({ op: 'loop' })
  stop = (): Promise<unknown> => this.call({ op: 'stop' })
  sessions = (): Promise<{ id: string; pid: number }[]> =>
    this.call({ op: 'sessions' }) as Promise<{ id: string; pid: number }[]>
  waitForRow = (pid: number, before: string[]): Promise<unknown> =>
    this.call({ op: 'waitForRow', pid, before })
  end = (id: string): Promise<EndResult> => this.call({ op: 'end', id }) as Promise<EndResult>
  endAll = (): Promise<EndResult[]> => this.call({ op: 'endAll' }) as Promise<EndResult[]>

  async close(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      await this.call({ op: 'close' }).catch(() => undefined)
    }
    await this.exited
  }

  private call(req: ChildRequest): Promise<unknown> {
    const seq = this.next++
    const p = this.expect(seq)
    this.child.send({ ...req, seq })
    return p
  }

  private expect(seq: number): Promise<unknown> {
    return new Promise((ok, fail) => this.waiting.set(seq, { ok, fail }))
  }
}
