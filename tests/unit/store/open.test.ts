import fs from 'node:fs'
import path from 'node:path'
import { randomBytes } from 'node:crypto'
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { APPLICATION_ID, MIGRATIONS, StoreError, defaultDbPath, openStore } from '@engine/store'
import { openDatabase } from '@engine/store/connection'
import { migrate, userVersion } from '@engine/store/migrations'
import { newSession, seed, sha1, useTempDir, writeWal } from './helpers'

const t = useTempDir()

function expectStoreError(fn: () => unknown, code: string): StoreError {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(StoreError)
    expect((err as StoreError).code).toBe(code)
    return err as StoreError
  }
  throw new Error(`expected StoreError ${code}`)
}

const FIXED_NOW = Date.UTC(2024, 0, 2, 3, 4, 5, 6)
const MOVED_SUFFIX = '.corrupt-2024-01-02T03-04-05-006Z'

describe('opening and migrating', () => {
  it('creates the folder (0700) and a private file, migrates from 0 and sets the pragmas', () => {
    const file = path.join(t.dir(), 'a', 'b', 'warden.db')
    const { db } = openDatabase(file, Date.now)
    try {
      expect(userVersion(db)).toBe(MIGRATIONS.length)
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal')
      expect(db.pragma('synchronous', { simple: true })).toBe(2) // FULL
      expect(db.pragma('busy_timeout', { simple: true })).toBe(5000)
      expect(db.pragma('foreign_keys', { simple: true })).toBe(1)
      const tables = db
        .prepare<[], string>("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
        .pluck()
        .all()
      expect(tables).toEqual([
        'allow_list',
        'asn_import',
        'asn_ranges',
        'devices',
        'events',
        'exe_hashes',
        'launches',
        'recordings',
        'resources',
        'review_hits',
        'reviews',
        'sessions',
        'settings',
      ])
    } finally {
      db.close()
    }
    expect(fs.statSync(path.dirname(file)).mode & 0o777).toBe(0o700)
    expect(fs.statSync(file).mode & 0o777).toBe(0o600)
  })

  it('migrates an existing empty database (user_version 0) and reopens idempotently', () => {
    new Database(t.db()).close()
    const a = t.open()
    const r = a.ensureResource('rdp', 'desk', 'desk.example.com')
    a.applyTick([newSession(r.id, { id: 'kept' })], [], 5)
    a.close()
    const b = t.open()
    expect(b.getSession('kept')?.resourceName).toBe('desk')
    expect(b.recoveredFrom).toBeNull()
    b.close()
    const raw = new Database(t.db(), { readonly: true })
    expect(userVersion(raw)).toBe(MIGRATIONS.length)
    raw.close()
  })

  it('applies each migration in one transaction with its version bump', () => {
    const db = new Database(t.db())
    try {
      const ok = [
        (d: Database.Database) => d.exec('CREATE TABLE a (x)'),
        (d: Database.Database) => d.exec('CREATE TABLE b (x)'),
      ]
      expect(migrate(db, ok)).toBe(2)
      expect(migrate(db, ok)).toBe(2) // nothing left to do

      const failing = [
        ...ok,
        (d: Database.Database) => {
          d.exec('CREATE TABLE c (x)')
          throw new Error('boom')
        },
      ]
      expect(() => migrate(db, failing)).toThrow('boom')
      expect(userVersion(db)).toBe(2)
      expect(db.prepare("SELECT count(*) FROM sqlite_schema WHERE name = 'c'").pluck().get()).toBe(0)

      db.pragma('user_version = 7')
      expect(expectStoreError(() => migrate(db, ok), 'NEWER_SCHEMA').message).toMatch(/newer version/)
    } finally {
      db.close()
    }
  })

  it('refuses a database from a newer version and leaves it byte-identical (WAL included)', () => {
    // A newer app that stopped without checkpointing: its last commit lives only in the -wal.
    const src = path.join(t.dir(), 'src.db')
    const db = new Database(src)
    db.pragma('journal_mode = WAL')
    db.exec('CREATE TABLE future (x)')
    db.pragma(`application_id = ${APPLICATION_ID}`) // every version from 3 on marks its files
    db.pragma('wal_checkpoint(TRUNCATE)')
    db.prepare('INSERT INTO future VALUES (1)').run()
    db.pragma(`user_version = ${MIGRATIONS.length + 5}`)
    for (const suffix of ['', '-wal']) fs.copyFileSync(src + suffix, t.db() + suffix)
    db.close()

    const before = { main: sha1(t.db()), wal: sha1(`${t.db()}-wal`) }
    const err = expectStoreError(() => openStore({ path: t.db() }), 'NEWER_SCHEMA')
    expect(err.message).toContain(t.db())
    expect({ main: sha1(t.db()), wal: sha1(`${t.db()}-wal`) }).toEqual(before)
    expect(fs.readdirSync(t.dir()).filter((f) => f.includes('corrupt'))).toEqual([])
  })

  it('supports :memory: for throwaway stores', () => {
    const s = openStore({ path: ':memory:' })
    expect(s.ensureResource('ssh', 'x', 'x').id).toBe(1)
    s.close()
  })
})

describe('corrupt files', () => {
  function expectRecovered(moved: Record<string, string>): void {
    const s = t.open({ now: () => FIXED_NOW })
    const dest = t.db() + MOVED_SUFFIX
    expect(s.recoveredFrom).toBe(dest)
    // Moved together, so the bad copy can still be examined as it was. The -shm is only an index SQLite
    // rebuilds from the -wal (the check itself rewrites it): moved too, but its bytes are not evidence.
    for (const [suffix, hash] of Object.entries(moved)) {
      if (suffix === '-shm') expect(fs.existsSync(dest + suffix)).toBe(true)
      else expect(sha1(dest + suffix)).toBe(hash)
    }
    expect(fs.existsSync(`${t.db()}-shm`) && fs.existsSync(`${t.db()}-wal`)).toBe(true) // the fresh store's own
    // …and the fresh store works.
    expect(s.getSession('seeded')).toBeNull()
    const r = s.ensureResource('ssh', 'prod', 'prod.example.com')
    expect(s.applyTick([newSession(r.id, { id: 'fresh' })], [], 2).inserted).toEqual(['fresh'])
    s.close()
    const raw = new Database(t.db(), { readonly: true })
    expect(raw.pragma('integrity_check', { simple: true })).toBe('ok')
    raw.close()
  }

  it('refuses a file of garbage bytes untouched: without a header it cannot be told from a stranger', () => {
    seed(t.db())
    fs.writeFileSync(t.db(), randomBytes(fs.statSync(t.db()).size))
    fs.writeFileSync(`${t.db()}-wal`, randomBytes(5000))
    const before = { main: sha1(t.db()), wal: sha1(`${t.db()}-wal`) }
    expect(expectStoreError(() => openStore({ path: t.db() }), 'NOT_OURS').message).toMatch(/not SQLite/)
    expect({ main: sha1(t.db()), wal: sha1(`${t.db()}-wal`) }).toEqual(before)
    expect(fs.readdirSync(t.dir()).sort()).toEqual(['warden.db', 'warden.db-wal'])
  })

  it('moves aside a file whose header is fine but whose pages are garbage (quick_check)', () => {
    seed(t.db())
    const buf = fs.readFileSync(t.db())
    randomBytes(buf.length - 4096).copy(buf, 4096)
    fs.writeFileSync(t.db(), buf)
    expectRecovered({ '': sha1(t.db()) })
  })

  it('moves aside a database whose -wal carries garbage pages', () => {
    seed(t.db())
    const raw = new Database(t.db(), { readonly: true })
    const pageSize = raw.pragma('page_size', { simple: true }) as number
    const pages = raw.pragma('page_count', { simple: true }) as number
    raw.close()
    const frames = Array.from({ length: pages - 1 }, (_, i) => ({ pgno: i + 2, data: randomBytes(pageSize) }))
    writeWal(`${t.db()}-wal`, pageSize, pages, frames)
    fs.writeFileSync(`${t.db()}-shm`, randomBytes(32768))
    expectRecovered({ '': sha1(t.db()), '-wal': sha1(`${t.db()}-wal`), '-shm': sha1(`${t.db()}-shm`) })
  })

  it('keeps the database when the -wal is unframed noise (SQLite ignores a WAL whose checksums fail)', () => {
    seed(t.db())
    fs.writeFileSync(`${t.db()}-wal`, randomBytes(20_000))
    const s = t.open()
    expect(s.recoveredFrom).toBeNull()
    expect(s.getSession('seeded')?.resourceName).toBe('prod')
  })
})

describe('files that are not ours (refused untouched)', () => {
  /** Opening must fail with `code`, leaving the folder exactly as it was (no -wal, -shm or lock file). */
  function expectRefused(code: string, pattern: RegExp): void {
    const names = fs.readdirSync(t.dir()).sort()
    const hash = (n: string): string => {
      const p = path.join(t.dir(), n)
      return fs.statSync(p).isDirectory() ? 'a directory' : sha1(p)
    }
    const hashes = names.map(hash)
    const err = expectStoreError(() => openStore({ path: t.db() }), code)
    expect(err.message).toMatch(pattern)
    expect(err.message.split('\n')).toHaveLength(1)
    expect(fs.readdirSync(t.dir()).sort()).toEqual(names)
    expect(names.map(hash)).toEqual(hashes)
  }

  /** Another program's database: its own tables, user_version 0, in the given journal mode. */
  function foreign(mode: 'delete' | 'wal', appId = 0): void {
    const db = new Database(t.db())
    db.pragma(`journal_mode = ${mode}`)
    db.exec("CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('keep me')")
    if (appId !== 0) db.pragma(`application_id = ${appId}`)
    db.close()
  }

  it('refuses a text file', () => {
    fs.writeFileSync(t.db(), 'shopping list\n- milk\n')
    expectRefused('NOT_OURS', /is not a Session Warden database \(not SQLite\)/)
  })

  it("refuses another program's SQLite database (other tables, user_version 0) instead of adopting it", () => {
    foreign('delete')
    expectRefused('NOT_OURS', /other tables: notes/)
  })

  it('refuses it in WAL mode too, without leaving a -wal or -shm behind', () => {
    foreign('wal')
    expect(fs.readdirSync(t.dir())).toEqual(['warden.db'])
    expectRefused('NOT_OURS', /other tables: notes/)
  })

  it('refuses a database with another application_id', () => {
    foreign('delete', 0x1234)
    expectRefused('NOT_OURS', /application_id 4660/)
  })

  it('says a directory is a directory (not "disk I/O error")', () => {
    fs.mkdirSync(t.db())
    expectRefused('NOT_A_FILE', /warden\.db is a directory/)
  })

  it('says a user_version of -1 is no version of ours (not "no such table"), and changes nothing', () => {
    seed(t.db())
    const db = new Database(t.db())
    db.pragma('user_version = -1')
    db.close()
    expectRefused('BAD_SCHEMA', /schema version -1, which no version of Session Warden writes/)
  })

  it('takes an empty file, a blank SQLite file and a file of ours from before application_id', () => {
    fs.writeFileSync(t.db(), '')
    t.open().close()
    fs.rmSync(t.db())
    const blank = new Database(t.db())
    blank.pragma('journal_mode = WAL') // writes the header page, nothing else
    blank.close()
    t.open().close()
    fs.rmSync(t.db())
    // Version 2, as written before migration 3 marked files: recognised by its tables.
    const old = new Database(t.db())
    migrate(old, MIGRATIONS.slice(0, 2))
    old.close()
    const s = t.open()
    expect(s.ensureResource('ssh', 'x', 'x').id).toBe(1)
    s.close()
    const raw = new Database(t.db(), { readonly: true })
    expect(raw.pragma('application_id', { simple: true })).toBe(APPLICATION_ID)
    expect(userVersion(raw)).toBe(MIGRATIONS.length)
    raw.close()
  })
})

describe('defaultDbPath', () => {
  it('prefers WARDEN_DB', () => {
    expect(defaultDbPath({ WARDEN_DB: '/x/y.db' }, 'linux', '/home/u')).toBe('/x/y.db')
    expect(defaultDbPath({ WARDEN_DB: '' }, 'linux', '/home/u')).toBe(
      '/home/u/.config/Session Warden/warden.db',
    )
  })
  it("matches Electron's userData folder per platform", () => {
    expect(defaultDbPath({}, 'linux', '/home/u')).toBe('/home/u/.config/Session Warden/warden.db')
    expect(defaultDbPath({ XDG_CONFIG_HOME: '/cfg' }, 'linux', '/home/u')).toBe(
      '/cfg/Session Warden/warden.db',
    )
    expect(defaultDbPath({}, 'darwin', '/Users/u')).toBe(
      '/Users/u/Library/Application Support/Session Warden/warden.db',
    )
    expect(defaultDbPath({ APPDATA: 'C:\\Users\\u\\AppData\\Roaming' }, 'win32', 'C:\\Users\\u')).toBe(
      'C:\\Users\\u\\AppData\\Roaming\\Session Warden\\warden.db',
    )
    expect(defaultDbPath({}, 'win32', 'C:\\Users\\u')).toBe(
      'C:\\Users\\u\\AppData\\Roaming\\Session Warden\\warden.db',
    )
  })
})
