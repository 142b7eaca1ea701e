import { openDatabase } from './connection'
import { createStore } from './store'
import type { Store } from './types'

export { defaultDbPath } from './paths'
export { StoreError } from './errors'
export type { StoreErrorCode } from './errors'
export { MIGRATIONS } from './migrations'
export type * from './types'

export interface OpenStoreOptions {
  /** the database file (see defaultDbPath); ':memory:' for a throwaway store */
  path: string
  /** clock for created_at and the name of a moved corrupt file; Date.now by default */
  now?: () => number
}

/**
 * Opens the store: creates the folder (0700) and file when missing, refuses a file from a newer version
 * (StoreError NEWER_SCHEMA, file untouched), moves a corrupt file aside and starts fresh (see
 * `recoveredFrom`: the caller must tell the user), then migrates. Plain Node: the CLI uses it as is.
 */
export function openStore(opts: OpenStoreOptions): Store {
  const now = opts.now ?? Date.now
  const { db, recoveredFrom } = openDatabase(opts.path, now)
  return createStore(db, opts.path, recoveredFrom, now)
}
