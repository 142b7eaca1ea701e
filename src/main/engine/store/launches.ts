import type Database from 'better-sqlite3'

export interface Launch {
  pid: number
  processStart: number
  resourceId: number
}

/** Statements of the launches table, prepared once per connection. */
export function launchesTable(db: Database.Database) {
  // A pid reused with the same start time is the same process: refresh rather than fail.
  const add = db.prepare<{ pid: number; processStart: number; resourceId: number; at: number }>(
    `INSERT INTO launches (pid, process_start, resource_id, at) VALUES (@pid, @processStart, @resourceId, @at)
     ON CONFLICT (pid, process_start) DO UPDATE SET resource_id = excluded.resource_id, at = excluded.at`,
  )
  const all = db.prepare<[], { pid: number; process_start: number; resource_id: number }>(
    'SELECT pid, process_start, resource_id FROM launches ORDER BY at, pid',
  )
  const remove = db.prepare<[number, number]>('DELETE FROM launches WHERE pid = ? AND process_start = ?')

  return {
    add(l: Launch & { at: number }): void {
      add.run({ pid: l.pid, processStart: l.processStart, resourceId: l.resourceId, at: l.at })
    },
    list(): Launch[] {
      return all.all().map((r) => ({ pid: r.pid, processStart: r.process_start, resourceId: r.resource_id }))
    },
    remove(pid: number, processStart: number): void {
      remove.run(pid, processStart)
    },
  }
}
