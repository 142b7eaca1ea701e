import type Database from 'better-sqlite3'
import { BUSY_TIMEOUT_MS, isMemory, openDatabase, type OpenedDatabase } from './connection'
import { isCorruptionError, StoreError } from './errors'
import { identityOf, isDamaged, sameFile, type FileIdentity } from './identify'
import { findMovedAside, moveAsideOnce } from './recovery'
import { closeConnection, createTables, type Tables } from './store'
import type { DeviceRow, ReopenNotice, Store, StoreApi } from './types'

/** How often (at most) a read checks that the path still names the open file; writes always check. */
export const CHECK_EVERY_MS = 1000
const KEEP_NOTICES = 10

function describe(reason: ReopenNotice['reason'], file: string, movedTo: string | null): string {
  if (reason === 'replaced') {
    const where = movedTo === null ? '' : ` (the old file is now ${movedTo})`
    return `the database ${file} was replaced while in use${where}; reopened the database now at ${file}`
  }
  return movedTo === null
    ? `the database ${file} reported damage that a fresh check does not find; reopened it`
    : `the database ${file} was damaged; it was moved to ${movedTo} and a new one was started`
}

/** Who hears about reopens: listeners, else the next read (once); and the last few, to query. */
class Notices {
  readonly listeners = new Set<(n: ReopenNotice) => void>()
  readonly recent: ReopenNotice[] = []
  private unheard: ReopenNotice | null = null

  announce(notice: ReopenNotice): void {
    this.recent.push(notice)
    if (this.recent.length > KEEP_NOTICES) this.recent.shift()
    if (this.listeners.size === 0) this.unheard = notice
    for (const listener of this.listeners) listener(notice)
  }

  /** With no listener, the next read says it instead (once): see Store.onReopen. */
  throwUnheard(write: boolean): void {
    if (write || this.unheard === null) return
    const n = this.unheard
    this.unheard = null
    throw new StoreError('REOPENED', n.message)
  }
}

/**
 * The connection of a Store over a file that other processes share and may move aside (a damaged file
 * is moved by whichever process finds it first: recovery.ts). A process that kept its connection would
 * go on reading and writing the moved file, seeing nothing the others write. So every call first checks,
 * cheaply, that the path still names the file this store opened (dev + inode: at most once per
 * `checkEveryMs` for reads, before every write), and a call that meets SQLITE_CORRUPT has the file moved
 * aside once; either way the store reopens the live file, says so once, and carries on.
 */
class LiveConnection {
  private db: Database.Database
  private identity: FileIdentity | null
  private tables: Tables
  private checkedAt = performance.now()
  private closed = false
  private readonly memory: boolean
  /** what this process wrote that a new file should have too (the engine writes its device once) */
  private readonly devices = new Map<string, DeviceRow>()

  constructor(
    private readonly file: string,
    opened: OpenedDatabase,
    private readonly now: () => number,
    private readonly checkEveryMs: number,
    readonly notices: Notices,
  ) {
    this.db = opened.db
    this.identity = opened.identity
    this.tables = createTables(this.db, now)
    this.memory = isMemory(file)
  }

  get methods(): (keyof StoreApi)[] {
    return Object.keys(this.tables.api) as (keyof StoreApi)[]
  }

  close(): void {
    this.closed = true
    closeConnection(this.db)
  }

  call(name: keyof StoreApi, args: unknown[]): unknown {
    if (this.closed || this.memory) return this.invoke(name, args)
    const write = this.tables.writes(name)
    this.followPath(write)
    let result: unknown
    try {
      this.notices.throwUnheard(write)
      result = this.invoke(name, args)
    } catch (err) {
      if (!isCorruptionError(err)) throw err
      this.recoverFromDamage()
      this.notices.throwUnheard(write)
      // The failed call wrote and returned nothing: it is made again, once, on the live file.
      result = this.invoke(name, args)
    }
    if (name === 'upsertDevice') this.devices.set((args[0] as DeviceRow).id, args[0] as DeviceRow)
    return result
  }

  private invoke(name: keyof StoreApi, args: unknown[]): unknown {
    return (this.tables.api[name] as (...a: unknown[]) => unknown)(...args)
  }

  private followPath(write: boolean): void {
    const t = performance.now()
    if (!write && t - this.checkedAt < this.checkEveryMs) return
    this.checkedAt = t
    if (sameFile(identityOf(this.file), this.identity)) return
    this.reopen('replaced', findMovedAside(this.file, this.identity))
  }

  private recoverFromDamage(): void {
    const stillDamaged = (): boolean => isDamaged(this.file, BUSY_TIMEOUT_MS)
    const moved = moveAsideOnce(this.file, this.identity, this.now, stillDamaged)
    this.reopen('damaged', moved ?? findMovedAside(this.file, this.identity))
  }

  /** Swaps to the file now at the path. The old connection closes only once the new one is open. */
  private reopen(reason: ReopenNotice['reason'], movedTo: string | null): void {
    const next = openDatabase(this.file, this.now)
    const old = this.db
    ;({ db: this.db, identity: this.identity } = next)
    this.tables = createTables(this.db, this.now)
    // Its path now names another file: SQLite sees that and neither checkpoints into the old file nor
    // deletes the -wal that now belongs to the new one (databaseIsUnmoved() in SQLite's pager.c).
    old.close()
    for (const d of this.devices.values()) this.tables.api.upsertDevice(d)
    const moved = next.recoveredFrom ?? movedTo
    const message = describe(reason, this.file, moved)
    this.notices.announce({ at: this.now(), reason, path: this.file, movedTo: moved, message })
  }
}

export function createLiveStore(
  file: string,
  opened: OpenedDatabase,
  now: () => number,
  checkEveryMs = CHECK_EVERY_MS,
): Store {
  const notices = new Notices()
  const live = new LiveConnection(file, opened, now, checkEveryMs, notices)
  const store = {
    path: file,
    recoveredFrom: opened.recoveredFrom,
    get reopens(): readonly ReopenNotice[] {
      return [...notices.recent]
    },
    onReopen(listener: (n: ReopenNotice) => void): () => void {
      notices.listeners.add(listener)
      return () => notices.listeners.delete(listener)
    },
    close: () => live.close(),
  }
  const methods: Record<string, (...args: unknown[]) => unknown> = Object.fromEntries(
    live.methods.map((name) => [name, (...args: unknown[]) => live.call(name, args)]),
  )
  return Object.assign(store, methods) as unknown as Store
}
