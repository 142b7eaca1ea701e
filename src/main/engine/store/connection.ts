import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { sqliteCode, StoreError } from './errors'
import { identify, identityOf, sameFile, type FileIdentity } from './identify'
import { migrate } from './migrations'
import { createPrivateFile, moveAsideOnce, waitForRecovery } from './recovery'

export const BUSY_TIMEOUT_MS = 5000
/** A path damaged again each time we start it afresh is given up on after this many moves. */
const MAX_ATTEMPTS = 3

export interface OpenedDatabase {
  db: Database.Database
  /** where a corrupt file was moved, or null */
  recoveredFrom: string | null
  /** the file the connection opened (null for :memory:): a running store compares it with the path */
  identity: FileIdentity | null
}

export function isMemory(file: string): boolean {
  return file === ':memory:' || file === ''
}

/**
 * Opens (creating when missing) the database file, checks it, sets the pragmas and migrates it.
 * A file that is not ours, or from a newer version, is refused untouched (see identify.ts); a damaged
 * file of ours is moved aside (once, across processes: recovery.ts) and replaced by a fresh database,
 * and the caller gets the moved path to tell the user.
 */
export function openDatabase(file: string, now: () => number): OpenedDatabase {
  if (isMemory(file)) {
    return { db: configure(new Database(':memory:'), true), recoveredFrom: null, identity: null }
  }
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 })
  let recoveredFrom: string | null = null
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    // Taken before the look: if another process swaps the file meanwhile, the move below is skipped.
    const found = identityOf(file)
    const verdict = identify(file, BUSY_TIMEOUT_MS)
    if (verdict === 'damaged') {
      const stillDamaged = (): boolean => identify(file, BUSY_TIMEOUT_MS) === 'damaged'
      recoveredFrom = moveAsideOnce(file, found, now, stillDamaged) ?? recoveredFrom
      continue
    }
    if (verdict === 'new') {
      waitForRecovery(file)
      createPrivateFile(file)
    }
    const before = identityOf(file)
    const db = openWritable(file)
    // Replaced between the look and the open: look again at what the path names now.
    if (sameFile(before, identityOf(file))) return { db, recoveredFrom, identity: before }
    db.close()
  }
  throw new StoreError(
    'CORRUPT',
    `${file} was damaged${recoveredFrom === null ? '' : ` and moved to ${recoveredFrom}`}, but a fresh database could not be started there`,
  )
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
