import fs from 'node:fs'
import Database from 'better-sqlite3'
import { isCorruptionError, StoreError } from './errors'
import { APPLICATION_ID, LEGACY_TABLES, MIGRATIONS, newerSchemaError, userVersion } from './migrations'

/** Which file a path names: compared to notice that another process moved ours away. */
export interface FileIdentity {
  dev: bigint
  ino: bigint
}

export function identityOf(file: string): FileIdentity | null {
  const st = fs.statSync(file, { bigint: true, throwIfNoEntry: false })
  return st === undefined ? null : { dev: st.dev, ino: st.ino }
}

export function sameFile(a: FileIdentity | null, b: FileIdentity | null): boolean {
  return a !== null && b !== null && a.dev === b.dev && a.ino === b.ino
}

/** What the file at a path is, before SQLite writes anything to it. */
export type Verdict =
  /** missing, empty, or a blank SQLite file: ours to fill */
  | 'new'
  /** ours, and quick_check finds it sound */
  | 'sound'
  /** ours (by application_id, or by our tables before there was one), and damaged */
  | 'damaged'

// https://www.sqlite.org/fileformat.html#the_database_header
const HEADER_SIZE = 100
const MAGIC = Buffer.from('SQLite format 3\0', 'latin1')
const APPLICATION_ID_OFFSET = 68

function notOurs(file: string, why: string): StoreError {
  return new StoreError(
    'NOT_OURS',
    `${file} is not a Session Warden database (${why}); it was not changed. Give --db or WARDEN_DB another path.`,
  )
}

/**
 * Reads the 100-byte header straight from the file, so a file that is not SQLite, or another program's
 * SQLite file, is refused before SQLite opens it (a read-write open would add a -wal and -shm, and
 * migrating would add our tables). null: missing or empty, which counts as new.
 */
function readHeader(file: string): Buffer | null {
  const st = fs.statSync(file, { throwIfNoEntry: false })
  if (st === undefined) return null
  if (st.isDirectory()) throw new StoreError('NOT_A_FILE', `${file} is a directory, not a database file`)
  if (!st.isFile()) throw new StoreError('NOT_A_FILE', `${file} is not a regular file`)
  if (st.size === 0) return null
  const fd = fs.openSync(file, 'r')
  try {
    const buf = Buffer.alloc(HEADER_SIZE)
    const n = fs.readSync(fd, buf, 0, HEADER_SIZE, 0)
    if (n < HEADER_SIZE || !buf.subarray(0, MAGIC.length).equals(MAGIC)) throw notOurs(file, 'not SQLite')
    return buf
  } finally {
    fs.closeSync(fd)
  }
}

/**
 * A read-only look at the file that changes nothing on disk. With a -wal beside it, SQLite must read
 * through it (it holds the latest commits) and the -wal and -shm already exist. Without one the main
 * file is the whole database: it is read into memory instead, because a read-only connection to a file
 * in WAL mode would create a -wal and -shm next to it (and leave them, since it cannot checkpoint).
 */
function openForLook(file: string, timeoutMs: number): Database.Database {
  if (fs.existsSync(`${file}-wal`)) {
    return new Database(file, { readonly: true, fileMustExist: true, timeout: timeoutMs })
  }
  const image = fs.readFileSync(file)
  // An in-memory image cannot be in WAL mode (bytes 18-19 = 2): mark it a rollback-journal file.
  if (image.length >= HEADER_SIZE) image.fill(1, 18, 20)
  return new Database(image, { readonly: true })
}

/** A file without our application_id is ours only as a file from before it (our tables, a known version). */
function checkOwner(db: Database.Database, file: string): 'blank' | 'ours' {
  const appId = db.pragma('application_id', { simple: true }) as number
  const version = userVersion(db)
  if (appId !== APPLICATION_ID && appId !== 0) {
    throw notOurs(file, `another program's SQLite database, application_id ${appId}`)
  }
  const objects = db.prepare<[], number>('SELECT count(*) FROM sqlite_schema').pluck().get() ?? 0
  if (objects === 0 && version === 0) return 'blank'
  if (appId === 0) {
    const tables = db
      .prepare<[], string>(
        "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'",
      )
      .pluck()
      .all()
    const foreign = tables.filter((t) => !LEGACY_TABLES.includes(t))
    if (tables.length === 0 || foreign.length > 0) {
      throw notOurs(file, `an SQLite database with other tables: ${foreign.slice(0, 5).join(', ') || 'none'}`)
    }
  }
  if (version <= 0) {
    throw new StoreError(
      'BAD_SCHEMA',
      `${file} has schema version ${version}, which no version of Session Warden writes; it was not changed`,
    )
  }
  if (version > MIGRATIONS.length) throw newerSchemaError(version, MIGRATIONS.length, file)
  return 'ours'
}

function quickCheckPasses(db: Database.Database): boolean {
  const rows = db.pragma('quick_check') as { quick_check: string }[]
  return rows.length === 1 && rows[0]?.quick_check === 'ok'
}

/**
 * Tells what the file at `file` is without changing it: new, ours and sound, ours and damaged, or
 * refused (StoreError NOT_A_FILE, NOT_OURS, BAD_SCHEMA or NEWER_SCHEMA: the caller must leave it alone).
 * A file whose header is destroyed cannot be told from someone else's file and is refused too; a
 * running store that opened it knows better (see recovery.ts).
 */
export function identify(file: string, timeoutMs: number): Verdict {
  const header = readHeader(file)
  if (header === null) return 'new'
  const headerId = header.readInt32BE(APPLICATION_ID_OFFSET)
  if (headerId !== 0 && headerId !== APPLICATION_ID) {
    throw notOurs(file, `another program's SQLite database, application_id ${headerId}`)
  }
  let owner: 'blank' | 'ours' | null = null
  let db: Database.Database | null = null
  try {
    db = openForLook(file, timeoutMs)
    owner = checkOwner(db, file)
    if (owner === 'blank') return 'new'
    return quickCheckPasses(db) ? 'sound' : 'damaged'
  } catch (err) {
    if (!isCorruptionError(err)) throw err
    // Damage before we could tell whose file it is: ours only if its header already said so.
    if (owner === 'ours' || headerId === APPLICATION_ID) return 'damaged'
    throw notOurs(file, 'a damaged SQLite file without our application_id')
  } finally {
    db?.close()
  }
}

/** For a running store: whether the file it opened (so known to be ours) is really damaged. */
export function isDamaged(file: string, timeoutMs: number): boolean {
  let db: Database.Database | null = null
  try {
    db = openForLook(file, timeoutMs)
    // integrity_check, not quick_check: the store saw SQLITE_CORRUPT, which may be in an index.
    const rows = db.pragma('integrity_check(1)') as { integrity_check: string }[]
    return !(rows.length === 1 && rows[0]?.integrity_check === 'ok')
  } catch (err) {
    if (isCorruptionError(err)) return true
    throw err
  } finally {
    db?.close()
  }
}
