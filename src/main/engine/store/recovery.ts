import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { sqliteCode, StoreError } from './errors'
import { identityOf, sameFile, type FileIdentity } from './identify'

/** How long a process waits for another one that is moving a damaged file aside. */
export const RECOVERY_LOCK_WAIT_MS = 10_000

/** An empty file is a valid empty database; creating it ourselves lets us make it private (0600). */
export function createPrivateFile(file: string): void {
  try {
    fs.closeSync(fs.openSync(file, 'wx', 0o600))
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
  }
}

/**
 * Runs `fn` while holding the recovery lock of `file`: an EXCLUSIVE transaction on a small SQLite file
 * beside it (`<file>.lock`). SQLite's file locks (fcntl on POSIX, LockFileEx on Windows) are released by
 * the kernel when the holder dies, so a process killed while recovering cannot leave a stale lock the
 * way an O_EXCL lock file would. The lock file stays: deleting it while another process waits on it
 * would let a third lock a new file and two hold "the" lock.
 */
function withRecoveryLock<T>(file: string, fn: () => T): T {
  const lockFile = `${file}.lock`
  createPrivateFile(lockFile)
  const lock = new Database(lockFile, { fileMustExist: true, timeout: RECOVERY_LOCK_WAIT_MS })
  try {
    try {
      lock.exec('BEGIN EXCLUSIVE')
    } catch (err) {
      if (!(sqliteCode(err) ?? '').startsWith('SQLITE_BUSY')) throw err
      throw new StoreError('CORRUPT', `${file} is damaged and another process is still moving it aside`, {
        cause: err,
      })
    }
    try {
      return fn()
    } finally {
      lock.exec('ROLLBACK')
    }
  } finally {
    lock.close()
  }
}

/**
 * Waits until no process is moving this file aside. A mover renames the file, then its -wal: a process
 * that found the path empty in between and started a fresh file there would take the old -wal (its
 * frames checksum on their own) into the new database. Free when no recovery ever happened here.
 */
export function waitForRecovery(file: string): void {
  if (fs.existsSync(`${file}.lock`)) withRecoveryLock(file, () => undefined)
}

/** Moves the file and its -wal/-shm together, so the moved copy still opens as it was. */
function moveAside(file: string, at: number): string {
  const stamp = new Date(at).toISOString().replace(/[:.]/g, '-')
  let dest = `${file}.corrupt-${stamp}`
  for (let n = 1; fs.existsSync(dest); n++) dest = `${file}.corrupt-${stamp}-${n}`
  try {
    fs.renameSync(file, dest)
    for (const suffix of ['-wal', '-shm']) {
      if (fs.existsSync(file + suffix)) fs.renameSync(file + suffix, dest + suffix)
    }
  } catch (err) {
    throw new StoreError('CORRUPT', `${file} is damaged and could not be moved aside to ${dest}`, {
      cause: err,
    })
  }
  return dest
}

/**
 * Moves the damaged file aside, once across processes: under the recovery lock, and only if the path
 * still names the file that was found damaged (`found`) and a fresh look (`stillDamaged`) agrees. Two
 * processes that both saw the damage therefore cannot both move a file, nor the second one move the
 * fresh database the first one started. Returns where the file went, or null when there was nothing to
 * move (another process got there first, or the damage is gone).
 */
export function moveAsideOnce(
  file: string,
  found: FileIdentity | null,
  at: () => number,
  stillDamaged: () => boolean,
): string | null {
  return withRecoveryLock(file, () => {
    if (!sameFile(identityOf(file), found) || !stillDamaged()) return null
    return moveAside(file, at())
  })
}

/** Where another process moved the file we had open (found by its inode), or null when it is gone. */
export function findMovedAside(file: string, old: FileIdentity | null): string | null {
  const dir = path.dirname(file)
  const prefix = `${path.basename(file)}.corrupt-`
  let names: string[]
  try {
    names = fs.readdirSync(dir)
  } catch {
    return null
  }
  for (const name of names) {
    if (!name.startsWith(prefix) || name.endsWith('-wal') || name.endsWith('-shm')) continue
    const candidate = path.join(dir, name)
    if (sameFile(identityOf(candidate), old)) return candidate
  }
  return null
}
