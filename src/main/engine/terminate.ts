import { execFile } from 'node:child_process'
import type { ProcessInfo } from './probe/types'

/** The recorded identity of a process: a PID alone is never trusted. */
export interface ProcessIdentity {
  pid: number
  startTime: number
  exe: string
}

export type TerminateOutcome =
  | { ok: true; result: 'ended'; killed: boolean }
  | { ok: true; result: 'already-gone' }
  | { ok: false; result: 'refused' | 'permission-denied' | 'still-running' | 'error'; error: string }

export interface TerminatePorts {
  /** fresh, uncached read of one process; null when it is gone */
  readProcess(pid: number): Promise<ProcessInfo | null>
  /** the current descendants of a pid (children first-level and below) */
  descendants(pid: number): Promise<ProcessInfo[]>
  /** sends a signal; throws NodeJS.ErrnoException (ESRCH, EPERM) like process.kill */
  signal(pid: number, sig: 'SIGTERM' | 'SIGKILL'): void | Promise<void>
  sleep(ms: number): Promise<void>
}

export interface TerminateOptions {
  graceMs?: number
  pollMs?: number
  selfPid?: number
}

/** Refuses PIDs that must never be signalled, before any system call. */
export function checkPid(pid: unknown, selfPid = process.pid): string | null {
  if (typeof pid !== 'number' || !Number.isInteger(pid)) return `invalid pid ${String(pid)}`
  if (pid <= 1) return `refusing to signal pid ${pid}`
  if (pid === selfPid || pid === process.ppid) return `refusing to signal Session Warden itself (pid ${pid})`
  return null
}

export function sameProcess(a: ProcessIdentity, b: ProcessInfo | null): boolean {
  // exe may be unreadable ('') for a process of another user; then pid + start time decide.
  return (
    b !== null &&
    b.pid === a.pid &&
    b.startTime === a.startTime &&
    (a.exe === '' || b.exe === '' || a.exe === b.exe)
  )
}

/**
 * Ends a session's process tree: SIGTERM to the root and its descendants (a ProxyJump child, an
 * sftp's ssh) and extra members (ControlMaster clients), a grace period, then SIGKILL to what is
 * left. Every process's identity (pid + start time + exe) is checked right before each signal;
 * a process whose identity changed is never signalled. Idempotent: already gone = done.
 */
export async function terminateTree(
  root: ProcessIdentity,
  members: readonly ProcessIdentity[],
  ports: TerminatePorts,
  opts: TerminateOptions = {},
): Promise<TerminateOutcome> {
  const graceMs = opts.graceMs ?? 3000
  const pollMs = opts.pollMs ?? 50
  const selfPid = opts.selfPid ?? process.pid
  for (const p of [root, ...members]) {
    const bad = checkPid(p.pid, selfPid)
    if (bad) return { ok: false, result: 'refused', error: bad }
  }
  const current = await ports.readProcess(root.pid)
  if (!sameProcess(root, current)) return { ok: true, result: 'already-gone' }

  // Children first-level and below, read now (not from a stale scan): they are signalled too, so
  // nothing the session started outlives it.
  const tree: ProcessIdentity[] = [root]
  const seen = new Set([root.pid])
  for (const d of await ports.descendants(root.pid)) {
    if (!seen.has(d.pid) && !checkPid(d.pid, selfPid)) {
      seen.add(d.pid)
      tree.push({ pid: d.pid, startTime: d.startTime, exe: d.exe })
    }
  }
  for (const m of members) {
    if (!seen.has(m.pid)) {
      seen.add(m.pid)
      tree.push(m)
    }
  }

  const signalAlive = async (sig: 'SIGTERM' | 'SIGKILL'): Promise<TerminateOutcome | null> => {
    for (const p of tree) {
      const now = await ports.readProcess(p.pid)
      if (!sameProcess(p, now)) continue
      try {
        await ports.signal(p.pid, sig)
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code
        if (code === 'ESRCH') continue
        if (code === 'EPERM') {
          if (p === root)
            return {
              ok: false,
              result: 'permission-denied',
              error: `not permitted to signal pid ${p.pid} (it belongs to another user)`,
            }
          continue
        }
        return { ok: false, result: 'error', error: `signal ${sig} to pid ${p.pid} failed: ${String(e)}` }
      }
    }
    return null
  }
  const alive = async (p: ProcessIdentity): Promise<boolean> => sameProcess(p, await ports.readProcess(p.pid))

  const termErr = await signalAlive('SIGTERM')
  if (termErr) return termErr
  for (let waited = 0; waited < graceMs; waited += pollMs) {
    if (!(await alive(root))) {
      // The root is gone; its children had SIGTERM too: one more poll for them, then SIGKILL.
      await ports.sleep(pollMs)
      await killStragglers(tree.slice(1), ports, alive)
      return { ok: true, result: 'ended', killed: false }
    }
    await ports.sleep(pollMs)
  }
  const killErr = await signalAlive('SIGKILL')
  if (killErr) return killErr
  for (let waited = 0; waited < 2000; waited += pollMs) {
    if (!(await alive(root))) return { ok: true, result: 'ended', killed: true }
    await ports.sleep(pollMs)
  }
  return { ok: false, result: 'still-running', error: `pid ${root.pid} survived SIGKILL` }
}

async function killStragglers(
  rest: ProcessIdentity[],
  ports: TerminatePorts,
  alive: (p: ProcessIdentity) => Promise<boolean>,
): Promise<void> {
  for (const p of rest) {
    if (!(await alive(p))) continue
    try {
      await ports.signal(p.pid, 'SIGKILL')
    } catch {
      // already gone or not ours: nothing to do, the session itself has ended
    }
  }
}

/** Windows has no signals: taskkill /T ends the tree (/F after the grace period). */
export function windowsSignal(pid: number, sig: 'SIGTERM' | 'SIGKILL'): Promise<void> {
  const args = ['/PID', String(pid), '/T']
  if (sig === 'SIGKILL') args.push('/F')
  return new Promise((resolve, reject) => {
    execFile('taskkill', args, { timeout: 5000, windowsHide: true }, (err, _out, stderr) => {
      if (!err) {
        resolve()
        return
      }
      // taskkill exits 128 when there is no such process: the same as ESRCH from kill(2)
      const gone = err.code === 128 || /not found/i.test(stderr)
      const denied = /access is denied/i.test(stderr)
      reject(
        Object.assign(new Error(stderr.trim() || err.message), {
          code: gone ? 'ESRCH' : denied ? 'EPERM' : 'EFAIL',
        }),
      )
    })
  })
}

/** Every descendant of pid in a process table (children, grandchildren …). */
export function descendantsOf(processes: Iterable<ProcessInfo>, pid: number): ProcessInfo[] {
  const children = new Map<number, ProcessInfo[]>()
  for (const p of processes) {
    const list = children.get(p.ppid)
    if (list) list.push(p)
    else children.set(p.ppid, [p])
  }
  const out: ProcessInfo[] = []
  const stack = [pid]
  const seen = new Set(stack)
  for (let cur = stack.pop(); cur !== undefined; cur = stack.pop()) {
    for (const c of children.get(cur) ?? []) {
      if (seen.has(c.pid)) continue
      seen.add(c.pid)
      out.push(c)
      stack.push(c.pid)
    }
  }
  return out
}
