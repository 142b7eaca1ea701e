/**
 * Everything a launcher starts is tracked here: `stopAll()` ends it (process trees included) and removes
 * its temp dirs; a process 'exit' / signal hook does the same synchronously if a test run dies first.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { readdirSync, readFileSync, rmSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { sleep, waitFor } from './common'
import { descendantsIn, procTable, procTableSync, readStatSync, type ProcStat } from './proc'

export interface Resource {
  label: string
  /** Process-group leaders we spawned (detached) and other pids we must end (an ssh mux master). */
  pids: Map<number, string> // pid -> start time (guards against pid reuse)
  dirs: Set<string>
  closers: Array<() => Promise<void>>
  order: StopOrder
  /** Also end processes whose command line contains this (Chromium's crashpad handlers leave the tree). */
  cmdlineMarker?: string
  stopping?: Promise<void>
}

const resources = new Set<Resource>()

export function newResource(label: string, order: StopOrder = 'leaves-first'): Resource {
  const r: Resource = { label, pids: new Map(), dirs: new Set(), closers: [], order }
  resources.add(r)
  return r
}

export function adoptPid(r: Resource, pid: number): void {
  const s = readStatSync(pid)
  if (s) r.pids.set(pid, s.startTime)
}

/** pids (other than ours) whose command line contains `marker`. */
function pidsMentioningSync(marker: string): number[] {
  const out: number[] = []
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue
    try {
      if (readFileSync(`/proc/${name}/cmdline`, 'utf8').includes(marker)) out.push(Number(name))
    } catch {
      // gone
    }
  }
  return out
}

function adoptStrays(r: Resource): void {
  if (r.cmdlineMarker !== undefined) for (const pid of pidsMentioningSync(r.cmdlineMarker)) adoptPid(r, pid)
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig)
  } catch {
    // already gone
  }
}

/** SIGKILL the process groups led by our (still the same) spawned processes. */
function killGroups(roots: Map<number, string>): void {
  for (const [pid, start] of roots) {
    if (readStatSync(pid)?.startTime === start) signal(-pid, 'SIGKILL')
  }
}

/** Snapshot: the tracked pids still alive (same start time) plus all their live descendants. */
function treeSnapshot(table: ProcStat[], roots: Map<number, string>): Map<number, string> {
  const byPid = new Map(table.map((p) => [p.pid, p]))
  const live = [...roots].filter(([pid, start]) => byPid.get(pid)?.startTime === start).map(([pid]) => pid)
  const all = new Map<number, string>()
  for (const pid of [...live, ...descendantsIn(table, live)]) {
    const p = byPid.get(pid)
    if (p && p.state !== 'Z') all.set(pid, p.startTime)
  }
  // whole process groups we created (detached children lead their own group)
  for (const p of table) {
    if (roots.has(p.pgid) && byPid.get(p.pgid)?.startTime === roots.get(p.pgid) && p.state !== 'Z') {
      all.set(p.pid, p.startTime)
    }
  }
  return all
}

function stillRunning(snapshot: Map<number, string>): number[] {
  return [...snapshot]
    .filter(([pid, start]) => {
      const s = readStatSync(pid)
      return s !== undefined && s.startTime === start && s.state !== 'Z' && s.state !== 'X'
    })
    .map(([pid]) => pid)
}

/**
 * How a resource's processes are ended (`stop()` / `stopAll()`):
 * - 'leaves-first': SIGTERM the deepest processes first, so each parent is still alive to reap its
 *   children (sshd's per-connection children, a ProxyJump's `ssh -W`, sftp's ssh) — no orphaned zombies;
 * - 'root-first': SIGTERM the root and let it take its own tree down (Chromium, which would relaunch a
 *   killed network service); leftovers then go leaves-first;
 * - 'kill': SIGKILL at once (a client started with SIGTERM ignored).
 * Whatever is still running after the grace period gets SIGKILL (and so does each whole process group).
 */
export type StopOrder = 'leaves-first' | 'root-first' | 'kill'

async function killTrees(roots: Map<number, string>, graceMs: number, order: StopOrder): Promise<void> {
  const seen = new Map<number, string>() // every process of the trees, even after it was orphaned
  const collect = (table: ProcStat[]) => {
    for (const [pid, start] of treeSnapshot(table, roots)) seen.set(pid, start)
  }
  collect(await procTable())
  if (stillRunning(seen).length === 0) return
  const deadline = Date.now() + (order === 'kill' ? 0 : graceMs)
  const termed = new Set<number>()
  if (order === 'root-first') {
    for (const pid of stillRunning(roots)) {
      signal(pid, 'SIGTERM')
      termed.add(pid)
    }
    const rootDeadline = Date.now() + graceMs / 2
    while (Date.now() < rootDeadline && stillRunning(roots).length > 0) await sleep(50)
  }
  while (Date.now() < deadline) {
    const table = await procTable()
    collect(table) // children forked meanwhile are caught too
    const live = new Set(stillRunning(seen))
    if (live.size === 0) return
    const hasLiveChild = new Set(table.filter((p) => live.has(p.pid)).map((p) => p.ppid))
    for (const pid of live) {
      if (!hasLiveChild.has(pid) && !termed.has(pid)) {
        signal(pid, 'SIGTERM')
        termed.add(pid)
      }
    }
    await sleep(25)
  }
  collect(await procTable())
  killGroups(roots)
  for (const pid of stillRunning(seen)) signal(pid, 'SIGKILL')
  await waitFor(() => stillRunning(seen).length === 0, 5000, 'killed processes to exit').catch(
    (e: unknown) => {
      throw new Error(`could not kill ${stillRunning(seen).join(', ')}: ${String(e)}`, { cause: e })
    },
  )
}

export async function release(r: Resource, graceMs = 1500): Promise<void> {
  r.stopping ??= (async () => {
    for (const close of r.closers) {
      await close().catch(() => undefined)
    }
    try {
      adoptStrays(r)
      await killTrees(r.pids, graceMs, r.order)
    } finally {
      for (const dir of r.dirs) await rm(dir, { recursive: true, force: true })
      resources.delete(r)
    }
  })()
  return r.stopping
}

/** Stop everything started by this module (process trees, servers) and remove every temp dir. */
export async function stopAll(): Promise<void> {
  const results = await Promise.allSettled([...resources].map((r) => release(r, 1000)))
  const failed = results.filter((x): x is PromiseRejectedResult => x.status === 'rejected')
  if (failed.length > 0) throw new Error(`stopAll: ${failed.map((f) => String(f.reason)).join('; ')}`)
}

/** Synchronous last-resort cleanup for process 'exit' and fatal signals. */
function cleanupSync(): void {
  if (resources.size === 0) return
  let table: ProcStat[] = []
  try {
    table = procTableSync()
  } catch {
    // /proc unreadable: fall back to the groups
  }
  for (const r of resources) {
    try {
      adoptStrays(r)
    } catch {
      // best effort
    }
    const snapshot = treeSnapshot(table, r.pids)
    killGroups(r.pids)
    for (const pid of snapshot.keys()) signal(pid, 'SIGKILL')
    for (const dir of r.dirs) {
      try {
        rmSync(dir, { recursive: true, force: true })
      } catch {
        // best effort
      }
    }
  }
  resources.clear()
}

process.on('exit', cleanupSync)
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(sig, () => {
    cleanupSync()
    process.kill(process.pid, sig) // default action now that our listener is gone
  })
}

// ---------------------------------------------------------------------------------------------------------
// Spawning

export interface Spawned {
  proc: ChildProcess
  pid: number
  exited: Promise<number | null>
  /** Last 16 KiB of stdout + stderr, for error messages. */
  output: () => string
}

export function spawnTracked(
  r: Resource,
  file: string,
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; cwd?: string; stdin?: 'pipe' | 'ignore'; extraFds?: number } = {},
): Spawned {
  const stdio: Array<'pipe' | 'ignore'> = [opts.stdin ?? 'ignore', 'pipe', 'pipe']
  for (let i = 0; i < (opts.extraFds ?? 0); i++) stdio.push('pipe')
  const proc = spawn(file, args, {
    stdio,
    env: opts.env ?? process.env,
    cwd: opts.cwd,
    detached: true, // own process group: stop() can end the whole tree
  })
  let out = ''
  const keep = (chunk: Buffer) => {
    out = (out + chunk.toString('utf8')).slice(-16_384)
  }
  proc.stdout?.on('data', keep)
  proc.stderr?.on('data', keep)
  const exited = new Promise<number | null>((resolve) => {
    proc.once('exit', (code) => {
      resolve(code)
    })
    proc.once('error', (e) => {
      out += `\nspawn error: ${e.message}`
      resolve(null)
    })
  })
  const pid = proc.pid
  if (pid === undefined) {
    throw new Error(`could not spawn ${file}`)
  }
  adoptPid(r, pid)
  return { proc, pid, exited, output: () => out }
}

export function hasExited(p: Spawned): boolean {
  return p.proc.exitCode !== null || p.proc.signalCode !== null
}

export function failIfExited(p: Spawned, what: string): void {
  if (hasExited(p)) {
    const how = p.proc.signalCode ?? `code ${String(p.proc.exitCode)}`
    throw new Error(`${what} exited early (${how}):\n${p.output().trim()}`)
  }
}

// ---------------------------------------------------------------------------------------------------------

/** Number of resources (servers, clients) currently tracked: 0 after `stopAll()`. */
export function trackedCount(): number {
  return resources.size
}

/** Every pid currently tracked, with its live descendants (for leak checks in tests). */
export async function trackedPids(): Promise<number[]> {
  const table = await procTable()
  const all = new Set<number>()
  for (const r of resources) {
    adoptStrays(r)
    for (const pid of treeSnapshot(table, r.pids).keys()) all.add(pid)
  }
  return [...all]
}

/** Temp dirs currently owned by tracked resources. */
export function trackedDirs(): string[] {
  return [...resources].flatMap((r) => [...r.dirs])
}
