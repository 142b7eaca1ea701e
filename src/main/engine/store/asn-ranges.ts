import type Database from 'better-sqlite3'

export interface AsnRange {
  /** 16-byte big-endian addresses (IPv4 as ::ffff:a.b.c.d) */
  start: Buffer
  end: Buffer
  asn: number
  org: string
}

/** Statements of the asn_ranges and asn_import tables (migration 5), prepared once per connection. */
export function asnRangesTable(db: Database.Database) {
  const insert = db.prepare<AsnRange>(
    'INSERT INTO asn_ranges (start, end, asn, org) VALUES (@start, @end, @asn, @org) ON CONFLICT DO NOTHING',
  )
  const lookup = db.prepare<[Buffer], { end: Buffer; asn: number; org: string }>(
    'SELECT end, asn, org FROM asn_ranges WHERE start <= ? ORDER BY start DESC LIMIT 1',
  )
  const imported = db.prepare<[string], number>('SELECT rows FROM asn_import WHERE source = ?').pluck()
  const markImported = db.prepare<[string, number, number]>(
    `INSERT INTO asn_import (source, rows, at) VALUES (?, ?, ?)
     ON CONFLICT (source) DO UPDATE SET rows = excluded.rows, at = excluded.at`,
  )
  const clear = db.prepare('DELETE FROM asn_ranges')
  const clearImports = db.prepare('DELETE FROM asn_import')
  const insertMany = db.transaction((rows: readonly AsnRange[]) => {
    for (const r of rows) insert.run(r)
  })
  return {
    /** one chunk, one transaction */
    insertMany(rows: readonly AsnRange[]): void {
      insertMany.immediate(rows)
    },
    lookup(addr: Buffer): { asn: number; org: string } | null {
      const r = lookup.get(addr)
      return r && Buffer.compare(r.end, addr) >= 0 ? { asn: r.asn, org: r.org } : null
    },
    /** the rows imported from this source (its name carries the data's version), or null */
    importedRows(source: string): number | null {
      return imported.get(source) ?? null
    },
    markImported(source: string, rows: number, at: number): void {
      markImported.run(source, rows, at)
    },
    /** a new source replaces the old ranges */
    clear(): void {
      db.transaction(() => {
        clear.run()
        clearImports.run()
      }).immediate()
    },
  }
}
