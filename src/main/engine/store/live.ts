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

  /** Swaps to the file now at the path. The old connection closes only once the new one is open. */
  function reopen(reason: ReopenNotice['reason'], movedTo: string | null): ReopenNotice {
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
    const notice = { at: now(), reason, path: file, movedTo: moved, message: describe(reason, file, moved) }
    reopens.push(notice)
    if (reopens.length > KEEP_NOTICES) reopens.shift()
    for (const listener of listeners) listener(notice)
    return notice
  }

  function followPath(write: boolean): ReopenNotice | null {
    const t = performance.now()
    if (!write && t - checkedAt < checkEveryMs) return null
    checkedAt = t
    if (sameFile(identityOf(file), identity)) return null
    return reopen('replaced', findMovedAside(file, identity))
  }

  function recoverFromDamage(): ReopenNotice {
    const moved = moveAsideOnce(file, identity, now, () => isDamaged(file, BUSY_TIMEOUT_MS))
    return reopen('damaged', moved ?? findMovedAside(file, identity))
  }

  const invoke = (name: keyof StoreApi, args: unknown[]): unknown =>
    (tables.api[name] as (...a: unknown[]) => unknown)(...args)

  function call(name: keyof StoreApi, args: unknown[]): unknown {
    if (closed || memory) return invoke(name, args)
    const write = tables.writes(name)
    const notice = followPath(write)
    if (notice !== null && listeners.size === 0) throw new StoreError('REOPENED', notice.message)
    try {
      const result = invoke(name, args)
      if (name === 'upsertDevice') devices.set((args[0] as DeviceRow).id, args[0] as DeviceRow)
      return result
    } catch (err) {
      if (!isCorruptionError(err)) throw err
      const n = recoverFromDamage()
      // A read can be answered from the live file; a write did not happen and must say so.
      if (listeners.size > 0 && !write) return invoke(name, args)
      throw new StoreError('REOPENED', n.message, { cause: err })
    }
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
