import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { isCorruptionError, sqliteCode, StoreError } from './errors'
import { MIGRATIONS, migrate, newerSchemaError, userVersion } from './migrations'

export const BUSY_TIMEOUT_MS = 5000

export interface OpenedDatabase {
  db: Database.Database
  /** where a corrupt file was moved, or null */
  recoveredFrom: string | null
}

/** Thrown (inside this module only) when quick_check reports damage without SQLite raising an error. */
class QuickCheckFailed extends Error {
  readonly code = 'SQLITE_CORRUPT'
}

function isMemory(file: string): boolean {
  return file === ':memory:' || file === ''
}

/**
 * Opens (creating when missing) the database file, checks it, sets the pragmas and migrates it.
 * A file from a newer version is refused untouched; a corrupt file is moved aside and replaced by a fresh
 * database, and the caller gets the moved path to tell the user.
 */
export function openDatabase(file: string, now: () => number): OpenedDatabase {
  if (isMemory(file)) return { db: configure(new Database(':memory:'), true), recoveredFrom: null }

  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 })
  try {
    inspect(file)
    return { db: openWritable(file), recoveredFrom: null }
  } catch (err) {
    if (!isCorruptionError(err)) throw err
    const movedTo = moveAside(file, now())
    try {
      inspect(file)
      return { db: openWritable(file), recoveredFrom: movedTo }
    } catch (again) {
      throw new StoreError(
        'CORRUPT',
        `${file} was damaged and moved to ${movedTo}, but a fresh database could not be started there`,
        { cause: again },
      )
    }
  }
}

/**
 * Reads the version and runs quick_check through a READ-ONLY connection: closing a read-write connection
 * checkpoints the WAL into the main file, which would change a newer version's file we must not touch
 * and the evidence in a corrupt one.
 */
function inspect(file: string): void {
  createPrivateFile(file)
  const db = new Database(file, { readonly: true, fileMustExist: true, timeout: BUSY_TIMEOUT_MS })
  try {
    // The first read of the header: a file that is not SQLite fails here with SQLITE_NOTADB.
    const v = userVersion(db)
    if (v > MIGRATIONS.length) throw newerSchemaError(v, MIGRATIONS.length, file)
    const rows = db.pragma('quick_check') as { quick_check: string }[]
    const first = rows[0]?.quick_check
    if (rows.length !== 1 || first !== 'ok') {
      throw new QuickCheckFailed(`quick_check: ${rows.map((r) => r.quick_check).join('; ')}`)
    }
  } finally {
    db.close()
  }
}

function openWritable(file: string): Database.Database {
  return configure(new Database(file, { fileMustExist: true, timeout: BUSY_TIMEOUT_MS }), false)
}

function configure(db: Database.Database, memory: boolean): Database.Database {
  try {
    // busy_timeout first: switching a fresh file to WAL needs a lock another process may hold.
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`)
    if (!memory) {
      const mode = retryBusy(() => db.pragma('journal_mode = WAL', { simple: true }))
      if (mode !== 'wal')
        throw new Error(`could not switch ${db.name} to WAL (journal_mode is ${String(mode)})`)
    }
    // FULL: a transaction the caller saw commit survives power loss, not just a process crash.
    db.pragma('synchronous = FULL')
    db.pragma('foreign_keys = ON')
    migrate(db)
    return db
  } catch (err) {
    db.close()
    throw err
  }
}

/**
 * Retries on SQLITE_BUSY until BUSY_TIMEOUT_MS. Needed for the switch of a fresh file to WAL: the file
 * is still in rollback mode, where two processes that both hold a read lock and want to write deadlock,
 * and SQLite answers one of them BUSY at once instead of calling the busy handler (seen when the app
 * and the CLI create the file together). Once the file is WAL, busy_timeout covers the rest.
 */
function retryBusy<T>(fn: () => T): T {
  const deadline = Date.now() + BUSY_TIMEOUT_MS
  for (let delay = 5; ; delay = Math.min(delay * 2, 100)) {
    try {
      return fn()
    } catch (err) {
      if (!(sqliteCode(err) ?? '').startsWith('SQLITE_BUSY') || Date.now() >= deadline) throw err
      // Synchronous like the rest of better-sqlite3; only ever on first open.
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, delay)
    }
  }
}

/** An empty file is a valid empty database; creating it ourselves lets us make it private (0600). */
function createPrivateFile(file: string): void {
  try {
    fs.closeSync(fs.openSync(file, 'wx', 0o600))
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
  }
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
