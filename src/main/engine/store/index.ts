import { openDatabase } from './connection'
import { createLiveStore } from './live'
import type { Store } from './types'

export { defaultDbPath } from './paths'
export { StoreError } from './errors'
export type { StoreErrorCode } from './errors'
export { APPLICATION_ID, MIGRATIONS } from './migrations'
export type * from './types'

export interface OpenStoreOptions {
  /** the database file (see defaultDbPath); ':memory:' for a throwaway store */
  path: string
  /** clock for created_at and the name of a moved corrupt file; Date.now by default */
  now?: () => number
  /** how often (at most) reads check that the path still names the open file; 1000 by default */
  checkEveryMs?: number
}

/**
 * Opens the store: creates the folder (0700) and file when missing; refuses, untouched, a path that is
 * not a file, a file that is not ours (StoreError NOT_OURS: not SQLite, or another program's database)
 * and a file from a newer version (NEWER_SCHEMA); moves a damaged file of ours aside and starts fresh
 * (see `recoveredFrom`: the caller must tell the user), then migrates. While open, it follows the file
 * when another process moves it aside (see Store.onReopen). Plain Node: the CLI uses it as is.
 */
export function openStore(opts: OpenStoreOptions): Store {
  const now = opts.now ?? Date.now
  return createLiveStore(opts.path, openDatabase(opts.path, now), now, opts.checkEveryMs)
}
