// Kept-open /proc/<pid>/stat fds for the processes the Linux probe re-reads every snapshot (the
// session programs, their children, shells): one positional read per poll instead of open, read and
// close (the path walk and the open are most of a small procfs read's cost). Their /proc/<pid>/fd
// directories are kept too, for the fd count the socket reader looks at every poll (fdCount).
//
// Why a kept fd is safe:
// - /proc/<pid>/stat is a seq_file (fs/proc/base.c proc_single_open → single_open); a read at
//   offset 0 resets the iterator and generates the text afresh (fs/seq_file.c seq_read_iter:
//   "if request is to read from zero offset, reset iterator to first record"), so each pread(fd,
//   …, 0) is a new reading of the process (fs/proc/array.c do_task_stat).
// - The open file is bound to the process's struct pid, not to its number: once the process is
//   reaped, proc_single_show (fs/proc/base.c) finds no task and the read fails with ESRCH, so a
//   reused pid is never read through an old fd. The start ticks kept beside each fd are checked
//   on every read all the same (ProcessTable.readOne).
// Only on a real procfs (statfs type PROC_SUPER_MAGIC, include/uapi/linux/magic.h): a copy of
// /proc in ordinary files (the unit tests) would keep showing a removed process.
import fs from 'node:fs'

const PROC_SUPER_MAGIC = 0x9fa0
/** an upper bound on the processes kept (two fds each), well under the usual soft limit of 1024 */
const MAX_KEPT = 256

function isProcfs(procRoot: string): boolean {
  try {
    return fs.statfsSync(procRoot).type === PROC_SUPER_MAGIC
  } catch {
    return false
  }
}

/** One kept fd per process: pid → fd and the start ticks of the process it was opened on. */
export class StatFds {
  readonly enabled: boolean
  private readonly fds = new Map<number, { fd: number; startTicks: number }>()
  /** kept processes' /proc/<pid>/fd directories, opened on the first fdCount */
  private readonly dirs = new Map<number, number>()
  /** reused across reads (a stat line is ~300 bytes) */
  private readonly buf = Buffer.allocUnsafe(4096)

  constructor(procRoot: string) {
    this.enabled = isProcfs(procRoot)
  }

  get size(): number {
    return this.fds.size
  }

  has(pid: number): boolean {
    return this.fds.has(pid)
  }

  /** the start ticks of the process the pid's fd was opened on (undefined: none kept) */
  startTicks(pid: number): number | undefined {
    return this.fds.get(pid)?.startTicks
  }

  /**
   * The stat text through the kept fd; null when none is kept, or when the read fails (the
   * process is gone: ESRCH), in which case the fd is closed and the caller reads by path.
   */
  read(pid: number): string | null {
    const k = this.fds.get(pid)
    if (k === undefined) return null
    try {
      const n = fs.readSync(k.fd, this.buf, 0, this.buf.length, 0)
      if (n > 0 && n < this.buf.length) return this.buf.toString('utf8', 0, n)
    } catch {
      // ESRCH: reaped
    }
    this.drop(pid)
    return null
  }

  /**
   * Keeps an fd on `path` (the pid's stat) when `verify` accepts what the new fd reads: the pid
   * may have been reused between the caller's reading and this open.
   */
  keep(pid: number, path: string, startTicks: number, verify: (text: string) => boolean): void {
    if (!this.enabled || this.fds.has(pid) || this.fds.size >= MAX_KEPT) return
    let fd: number
    try {
      fd = fs.openSync(path, 'r')
    } catch {
      return
    }
    this.fds.set(pid, { fd, startTicks })
    const text = this.read(pid)
    if (text === null || !verify(text)) this.drop(pid)
  }

  /**
   * The number of open fds of a kept process: an fstat of its kept /proc/<pid>/fd, whose size is
   * that count since Linux 6.2 (fs/proc/fd.c proc_fd_getattr; it fails with ENOENT once the
   * process is reaped). Undefined when the pid has no kept stat fd or the fstat fails (the fds
   * are closed then); the caller stats the path.
   */
  fdCount(pid: number, dirPath: string): number | undefined {
    if (!this.fds.has(pid)) return undefined
    let fd = this.dirs.get(pid)
    if (fd === undefined) {
      try {
        fd = fs.openSync(dirPath, 'r')
      } catch {
        return undefined // another user's process
      }
      this.dirs.set(pid, fd)
      // the stat fd still reads after the open: the process was alive all along, so the pid
      // number was its own and the directory opened is its (read closes both otherwise)
      if (this.read(pid) === null) return undefined
    }
    try {
      return fs.fstatSync(fd).size
    } catch {
      this.drop(pid)
      return undefined
    }
  }

  drop(pid: number): void {
    const k = this.fds.get(pid)
    const dir = this.dirs.get(pid)
    this.fds.delete(pid)
    this.dirs.delete(pid)
    for (const fd of [k?.fd, dir]) {
      if (fd === undefined) continue
      try {
        fs.closeSync(fd)
      } catch {
        // already closed: nothing held
      }
    }
  }

  /** closes the fds of the pids `wanted` rejects */
  retain(wanted: (pid: number) => boolean): void {
    for (const pid of [...this.fds.keys()]) if (!wanted(pid)) this.drop(pid)
  }

  close(): void {
    for (const pid of [...this.fds.keys(), ...this.dirs.keys()]) this.drop(pid)
  }
}
