import type Database from 'better-sqlite3'
import type { ResourceType } from '@shared/model'

/** What the learned rules know of one type's history before a session (src/main/engine/anomaly/learned.ts). */
export interface LearnedHistory {
  count: number
  /** ms of the first session of this type, null when none */
  firstAt: number | null
  /** sessions per remote address (with its stored location) */
  addresses: { ip: string; location: string; count: number }[]
  /** sessions per hour since the epoch (the caller maps them onto local hours of the week) */
  hours: { hour: number; count: number }[]
  /** the resource had a session before */
  hostSeen: boolean
}

/** Read-only queries over the sessions table for the learned rules (migration 5 adds their index). */
export function reviewHistoryQueries(db: Database.Database) {
  const ofType = 'SELECT id FROM resources WHERE type = @type'
  const totals = db.prepare<{ type: string; before: number }, { n: number; first: number | null }>(
    `SELECT count(*) AS n, min(start_time) AS first FROM sessions
     WHERE resource_id IN (${ofType}) AND start_time < @before`,
  )
  const addresses = db.prepare<{ type: string; before: number }, { ip: string; location: string; n: number }>(
    `SELECT ip_address AS ip, min(location) AS location, count(*) AS n FROM sessions
     WHERE resource_id IN (${ofType}) AND start_time < @before GROUP BY ip_address`,
  )
  const hours = db.prepare<{ type: string; before: number }, { hour: number; n: number }>(
    `SELECT start_time / 3600000 AS hour, count(*) AS n FROM sessions
     WHERE resource_id IN (${ofType}) AND start_time < @before GROUP BY hour`,
  )
  const hostSeen = db
    .prepare<[number, number], number>(
      'SELECT 1 FROM sessions WHERE resource_id = ? AND start_time < ? LIMIT 1',
    )
    .pluck()
  return {
    learned(type: ResourceType, resourceId: number, before: number): LearnedHistory {
      const p = { type, before }
      const t = totals.get(p) ?? { n: 0, first: null }
      return {
        count: t.n,
        firstAt: t.first,
        addresses: addresses.all(p).map((a) => ({ ip: a.ip, location: a.location, count: a.n })),
        hours: hours.all(p).map((h) => ({ hour: h.hour, count: h.n })),
        hostSeen: hostSeen.get(resourceId, before) !== undefined,
      }
    },
  }
}
