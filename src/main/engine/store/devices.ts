import type Database from 'better-sqlite3'
import type { DeviceRow } from './types'

/** Statements of the devices table, prepared once per connection. */
export function devicesTable(db: Database.Database) {
  const upsert = db.prepare<DeviceRow>(
    `INSERT INTO devices (id, name, os, model) VALUES (@id, @name, @os, @model)
     ON CONFLICT (id) DO UPDATE SET name = excluded.name, os = excluded.os, model = excluded.model`,
  )
  const byId = db.prepare<[string], DeviceRow>('SELECT id, name, os, model FROM devices WHERE id = ?')

  return {
    upsert(d: DeviceRow): void {
      upsert.run({ id: d.id, name: d.name, os: d.os, model: d.model })
    },
    get(id: string): DeviceRow | null {
      return byId.get(id) ?? null
    },
  }
}
