export type StoreErrorCode =
  /** the file was written by a newer Session Warden: refused, left untouched */
  | 'NEWER_SCHEMA'
  /** the file is damaged and could not be moved aside */
  | 'CORRUPT'
  /** not SQLite, or another program's SQLite database: refused, left untouched */
  | 'NOT_OURS'
  /** the path is a directory or another non-file: refused */
  | 'NOT_A_FILE'
  /** ours, but with a schema version no Session Warden writes (negative, or 0 with tables): refused, untouched */
  | 'BAD_SCHEMA'
  /**
   * The store found its file replaced or damaged while running and reopened the live file. Thrown once,
   * by the next read, when no onReopen listener hears it (see Store.onReopen); the call after works.
   */
  | 'REOPENED'
  | 'BAD_CURSOR'
  | 'BAD_SETTING'
  | 'BAD_RESOURCE'
  | 'NOT_FOUND'
  /** a recorder's row refused: a bad file name, a second finish (src/main/engine/store/recordings.ts) */
  | 'BAD_RECORDING'

/** Errors the caller is expected to show the user; `code` is stable, `message` is human-readable. */
export class StoreError extends Error {
  override readonly name = 'StoreError'

  constructor(
    readonly code: StoreErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options)
  }
}

/** SQLite result codes (better-sqlite3 puts the extended name in `code`, e.g. SQLITE_CORRUPT_INDEX). */
export function sqliteCode(err: unknown): string | null {
  if (err instanceof Error && 'code' in err && typeof err.code === 'string') return err.code
  return null
}

export function isCorruptionError(err: unknown): boolean {
  const code = sqliteCode(err)
  return code !== null && (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB')
}
