// Small procfs readers shared by the Linux probe's process table (linux-procs.ts) and its socket
// reader (linux-sockets.ts).
import fs from 'node:fs'
import type { ProcessInfo } from './types'

export function errCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    return typeof error.code === 'string' ? error.code : undefined
  }
  return undefined
}

/** the process (or the file) is gone: it exited between two reads */
export function isGone(error: unknown): boolean {
  const code = errCode(error)
  return code === 'ENOENT' || code === 'ESRCH'
}

export function readOrNull(path: string): string | null {
  try {
    return fs.readFileSync(path, 'utf8')
  } catch {
    return null
  }
}

/** the same reading of the same process (argv compared by content: a re-read makes a new array) */
export function sameProcess(a: ProcessInfo, b: ProcessInfo): boolean {
  return (
    a.ppid === b.ppid &&
    a.sid === b.sid &&
    a.startTime === b.startTime &&
    a.comm === b.comm &&
    a.exe === b.exe &&
    a.uid === b.uid &&
    (a.argv === b.argv || a.argv.join('\0') === b.argv.join('\0'))
  )
}

/** one buffer for the small per-process files read every poll (a stat line is ~300 bytes) */
const small = Buffer.allocUnsafe(4096)

/**
 * A small procfs file in one read: open, read, close. readFileSync also fstat()s and reads again
 * until an empty read, ~25 % more CPU per file, and stat files are most of a poll's reads. A file
 * that fills the buffer is read whole.
 */
export function readSmall(path: string): string | null {
  let fd: number
  try {
    fd = fs.openSync(path, 'r')
  } catch {
    return null
  }
  try {
    const n = fs.readSync(fd, small, 0, small.length, 0)
    return n < small.length ? small.toString('utf8', 0, n) : readOrNull(path)
  } catch {
    return null
  } finally {
    fs.closeSync(fd)
  }
}

export function isPidName(name: string): boolean {
  const c = name.charCodeAt(0)
  return c >= 48 && c <= 57 && /^\d+$/.test(name)
}

/** PROC_SUPER_MAGIC (include/uapi/linux/magic.h): the filesystem type of a real procfs */
const PROC_SUPER_MAGIC = 0x9fa0
/** kept stat files at most (the processes read every poll are usually under a hundred) */
const MAX_KEPT = 256

/**
 * /proc/<pid>/stat files kept open between polls for the processes read every poll: one pread
 * instead of an open, a read and a close (the path walk through procfs and the file's set-up are
 * most of a stat read's system time: ~5 µs of CPU per read against ~13 µs here).
 *
 * A procfs file is bound to the process it was opened on, not to its number: proc_single_show
 * (fs/proc/base.c) finds the task from the struct pid kept in the inode (get_pid_task), and a
 * process that exited leaves that struct pid with no task, so every later read fails with ESRCH,
 * even when the number has gone to a new process (alloc_pid hands out a new struct pid). A kept
 * file therefore never reads another process; `read` says null when its process is gone and the
 * caller looks the number up again by path. Only a real procfs keeps that promise (a copy of
 * /proc in a test keeps reading a removed file): anywhere else every read goes by path.
 */
export class StatFiles {
  private readonly kept = new Map<number, { fd: number; gen: number }>()
  private gen = 0
  private readonly procfs: boolean

  /** `file`: the per-process file kept, `stat` or `schedstat` (the same binding to its process) */
  constructor(
    private readonly procRoot: string,
    private readonly file = 'stat',
  ) {
    let procfs = false
    try {
      procfs = fs.statfsSync(procRoot).type === PROC_SUPER_MAGIC
    } catch {
      // no statfs: read by path
    }
    this.procfs = procfs
  }

  /**
   * The stat line of the process this pid's kept file was opened on (opened now if none), or by
   * path where files are not kept; null when that process is gone or the file cannot be read.
   */
  read(pid: number): string | null {
    if (!this.procfs) return readSmall(this.path(pid))
    let k = this.kept.get(pid)
    if (k === undefined) {
      if (this.kept.size >= MAX_KEPT) return readSmall(this.path(pid))
      try {
        k = { fd: fs.openSync(this.path(pid), 'r'), gen: this.gen }
      } catch {
        return null
      }
      this.kept.set(pid, k)
    }
    k.gen = this.gen
    let n = 0
    try {
      n = fs.readSync(k.fd, small, 0, small.length, 0)
    } catch {
      // ESRCH: the process exited (its number may belong to another one by now)
    }
    if (n > 0 && n < small.length) return small.toString('utf8', 0, n)
    this.drop(pid)
    return null
  }

  private path(pid: number): string {
    return `${this.procRoot}/${String(pid)}/${this.file}`
  }

  /** closes the files not read since the last call: those processes are no longer read every poll */
  sweep(): void {
    this.kept.forEach((k, pid) => k.gen === this.gen || this.drop(pid))
    this.gen++
  }

  close(): void {
    for (const pid of [...this.kept.keys()]) this.drop(pid)
  }

  private drop(pid: number): void {
    const k = this.kept.get(pid)
    if (k === undefined) return
    this.kept.delete(pid)
    try {
      fs.closeSync(k.fd)
    } catch {
      // already closed
    }
  }
}
