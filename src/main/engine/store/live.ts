import { BUSY_TIMEOUT_MS, isMemory, openDatabase, type OpenedDatabase } from './connection'
import { isCorruptionError, StoreError } from './errors'
import { identityOf, isDamaged, sameFile } from './identify'
import { findMovedAside, moveAsideOnce } from './recovery'
import { closeConnection, createTables } from './store'
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

/**
 * The Store over a file that other processes share and may move aside (a damaged file is moved by
 * whichever process finds it first: recovery.ts). A process that kept its connection would go on
 * reading and writing the moved file, seeing nothing the others write. So every call first checks,
 * cheaply, that the path still names the file this store opened (dev + inode: at most once per
 * `checkEveryMs` for reads, before every write), and a call that meets SQLITE_CORRUPT has the file
 * moved aside once; either way the store reopens the live file, says so once, and carries on.
 */
export function createLiveStore(
  file: string,
  opened: OpenedDatabase,
  now: () => number,
  checkEveryMs = CHECK_EVERY_MS,
): Store {
  let { db, identity } = opened
  let tables = createTables(db, now)
  let checkedAt = performance.now()
  let closed = false
  const memory = isMemory(file)
  const devices = new Map<string, DeviceRow>()
  const listeners = new Set<(n: ReopenNotice) => void>()
  const reopens: ReopenNotice[] = []
  let unheard: ReopenNotice | null = null

  /** Swaps to the file now at the path. The old connection closes only once the new one is open. */
  function reopen(reason: ReopenNotice['reason'], movedTo: string | null): void {
    const next = openDatabase(file, now)
    const old = db
    ;({ db, identity } = next)
    tables = createTables(db, now)
    // Its path now names another file: SQLite sees that and neither checkpoints into the old file nor
    // deletes the -wal that now belongs to the new one (databaseIsUnmoved() in SQLite's pager.c).
    old.close()
    // What this process wrote that the new file should have too (the engine writes its device once).
    for (const d of devices.values()) tables.api.upsertDevice(d)
    const moved = next.recoveredFrom ?? movedTo
    const notice: ReopenNotice = {
      at: now(),
      reason,
      path: file,
      movedTo: moved,
      message: describe(reason, file, moved),
    }
    reopens.push(notice)
    if (reopens.length > KEEP_NOTICES) reopens.shift()
    if (listeners.size === 0) unheard = notice
    for (const listener of listeners) listener(notice)
  }

  function followPath(write: boolean): void {
    const t = performance.now()
    if (!write && t - checkedAt < checkEveryMs) return
    checkedAt = t
    if (!sameFile(identityOf(file), identity)) reopen('replaced', findMovedAside(file, identity))
  }

  function recoverFromDamage(): void {
    const moved = moveAsideOnce(file, identity, now, () => isDamaged(file, BUSY_TIMEOUT_MS))
    reopen('damaged', moved ?? findMovedAside(file, identity))
  }

  const invoke = (name: keyof StoreApi, args: unknown[]): unknown =>
    (tables.api[name] as (...a: unknown[]) => unknown)(...args)

  /** With no listener, the next read says it instead (once): see Store.onReopen. */
  function throwUnheard(write: boolean): void {
    if (write || unheard === null) return
    const n = unheard
    unheard = null
    throw new StoreError('REOPENED', n.message)
  }

  function call(name: keyof StoreApi, args: unknown[]): unknown {
    if (closed || memory) return invoke(name, args)
    const write = tables.writes(name)
    followPath(write)
    let result: unknown
    try {
      throwUnheard(write)
      result = invoke(name, args)
    } catch (err) {
      if (!isCorruptionError(err)) throw err
      recoverFromDamage()
      throwUnheard(write)
      // The failed call wrote and returned nothing: it is made again, once, on the live file.
      result = invoke(name, args)
    }
    if (name === 'upsertDevice') devices.set((args[0] as DeviceRow).id, args[0] as DeviceRow)
    return result
  }

  const store = {
    path: file,
    recoveredFrom: opened.recoveredFrom,
    get reopens(): readonly ReopenNotice[] {
      return [...reopens]
    },
    onReopen(listener: (n: ReopenNotice) => void): () => void {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    close(): void {
      closed = true
      closeConnection(db)
    },
  }
  const methods = Object.fromEntries(
    (Object.keys(tables.api) as (keyof StoreApi)[]).map((name) => [
      name,
      (...args: unknown[]) => call(name, args),
    ]),
  )
  return Object.assign(store, methods) as unknown as Store
}
