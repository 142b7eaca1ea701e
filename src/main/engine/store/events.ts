import type Database from 'better-sqlite3'
import type { EventKind, EventRow } from './types'

interface EventDbRow {
  id: number
  session_id: string
  at: number
  kind: EventKind
  detail: string | null
  actor: string | null
}

export interface EventInsert {
  sessionId: string
  at: number
  kind: EventKind
  detail: string | null
  actor: string | null
}

/** Statements of the events table (the audit trail), prepared once per connection. */
export function eventsTable(db: Database.Database) {
  // Guarded by EXISTS: an event for an unknown session is dropped rather than failing the whole tick.
  const insert = db.prepare<EventInsert>(
    `INSERT INTO events (session_id, at, kind, detail, actor)
     SELECT @sessionId, @at, @kind, @detail, @actor WHERE EXISTS (SELECT 1 FROM sessions WHERE id = @sessionId)`,
  )
  const bySession = db.prepare<[string], EventDbRow>(
    'SELECT id, session_id, at, kind, detail, actor FROM events WHERE session_id = ? ORDER BY id',
  )
  const purge = db.prepare<[number]>(
    `DELETE FROM events WHERE session_id IN
       (SELECT id FROM sessions WHERE end_time IS NOT NULL AND end_time < ?)`,
  )

  return {
    insert(e: EventInsert): boolean {
      return insert.run(e).changes === 1
    },
    forSession(sessionId: string): EventRow[] {
      return bySession.all(sessionId).map((r) => ({
        id: r.id,
        sessionId: r.session_id,
        at: new Date(r.at).toISOString(),
        kind: r.kind,
        detail: r.detail,
        actor: r.actor,
      }))
    },
    /** events of the sessions purgeSessions(before) will delete; run first (no cascade) */
    purgeBefore(before: number): number {
      return purge.run(before).changes
    },
  }
}
