import type Database from 'better-sqlite3'

/** A binary's identity on disk: the cache key of its hash (a rewrite changes mtime, size or inode). */
export interface FileStamp {
  dev: number
  ino: number
  size: number
  mtimeMs: number
}

export interface ExeHashRow extends FileStamp {
  path: string
  sha256: string
  firstSeen: number
}

/** Statements of the exe_hashes table (migration 5), prepared once per connection. */
export function exeHashesTable(db: Database.Database) {
  const byStamp = db
    .prepare<[number, number, number, number], string>(
      'SELECT sha256 FROM exe_hashes WHERE dev = ? AND ino = ? AND size = ? AND mtime_ms = ?',
    )
    .pluck()
  const insert = db.prepare<ExeHashRow>(
    `INSERT INTO exe_hashes (dev, ino, size, mtime_ms, path, sha256, first_seen)
     VALUES (@dev, @ino, @size, @mtimeMs, @path, @sha256, @firstSeen) ON CONFLICT DO NOTHING`,
  )
  const other = db.prepare<[string, string], { sha256: string; first_seen: number }>(
    `SELECT sha256, first_seen FROM exe_hashes WHERE path = ? AND sha256 <> ?
     ORDER BY first_seen DESC LIMIT 1`,
  )
  return {
    get(s: FileStamp): string | null {
      return byStamp.get(s.dev, s.ino, s.size, Math.trunc(s.mtimeMs)) ?? null
    },
    put(r: ExeHashRow): void {
      insert.run({ ...r, mtimeMs: Math.trunc(r.mtimeMs) })
    },
    /** the latest other hash this path had, if any */
    otherHash(path: string, sha256: string): { sha256: string; firstSeen: number } | null {
      const r = other.get(path, sha256)
      return r ? { sha256: r.sha256, firstSeen: r.first_seen } : null
    },
  }
}
