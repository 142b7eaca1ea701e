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
