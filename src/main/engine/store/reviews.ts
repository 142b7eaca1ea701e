import type Database from 'better-sqlite3'
import type { ReviewHit } from '@shared/review'

export type ReviewState = 'flagged' | 'clear' | 'accepted' | 'reported'

export interface ReviewRow {
  sessionId: string
  at: number
  score: number
  state: ReviewState
  /** what the rules saw (anomaly/context.ts), as JSON */
  context: string
}

/** A flagged session's hits that no allow-list entry silences, as the review list reads them. */
export interface FlaggedRow {
  sessionId: string
  at: number
  resourceName: string
  resourceType: string
  startTime: number
  open: boolean
  hits: ReviewHit[]
}

interface FlaggedDbRow {
  session_id: string
  at: number
  name: string
  type: string
  start_time: number
  open: number
  rule: ReviewHit['rule']
  key: string
  reason: string
  weight: number
}

/** Statements of the reviews table (migration 5), prepared once per connection. */
export function reviewsTable(db: Database.Database) {
  const upsert = db.prepare<ReviewRow>(
    `INSERT INTO reviews (session_id, at, score, state, context) VALUES (@sessionId, @at, @score, @state, @context)
     ON CONFLICT (session_id) DO UPDATE SET at = excluded.at, score = excluded.score, state = excluded.state,
       context = excluded.context`,
  )
  const get = db.prepare<
    [string],
    { session_id: string; at: number; score: number; state: ReviewState; context: string }
  >('SELECT session_id, at, score, state, context FROM reviews WHERE session_id = ?')
  const setState = db.prepare<[ReviewState, string]>('UPDATE reviews SET state = ? WHERE session_id = ?')
  // One pass over the flagged reviews (few, by reviews_state) and their hits; allow-listed hits drop out.
  const flagged = db.prepare<[number], FlaggedDbRow>(
    `SELECT r.session_id, r.at, res.name, res.type, s.start_time, (s.end_time IS NULL) AS open,
            h.rule, h.key, h.reason, h.weight
     FROM (SELECT session_id, at FROM reviews WHERE state = 'flagged' ORDER BY at DESC LIMIT ?) r
     JOIN sessions s ON s.id = r.session_id
     JOIN resources res ON res.id = s.resource_id
     JOIN review_hits h ON h.session_id = r.session_id
     WHERE NOT EXISTS (SELECT 1 FROM allow_list a WHERE a.rule = h.rule AND a.key = h.key)
     ORDER BY r.at DESC, r.session_id, h.weight DESC, h.rule`,
  )
  const purge = db.prepare<[number]>(
    `DELETE FROM reviews WHERE session_id IN
       (SELECT id FROM sessions WHERE end_time IS NOT NULL AND end_time < ?)`,
  )
  return {
    upsert(r: ReviewRow): void {
      upsert.run(r)
    },
    get(sessionId: string): ReviewRow | null {
      const r = get.get(sessionId)
      return r
        ? { sessionId: r.session_id, at: r.at, score: r.score, state: r.state, context: r.context }
        : null
    },
    setState(sessionId: string, state: ReviewState): boolean {
      return setState.run(state, sessionId).changes === 1
    },
    /** flagged sessions, newest review first, with their hits not on the allow-list */
    flagged(limit: number): FlaggedRow[] {
      const out: FlaggedRow[] = []
      for (const r of flagged.all(limit)) {
        let last = out.at(-1)
        if (last?.sessionId !== r.session_id) {
          last = {
            sessionId: r.session_id,
            at: r.at,
            resourceName: r.name,
            resourceType: r.type,
            startTime: r.start_time,
            open: r.open === 1,
            hits: [],
          }
          out.push(last)
        }
        last.hits.push({ rule: r.rule, key: r.key, reason: r.reason, weight: r.weight })
      }
      return out
    },
    purgeBefore(before: number): number {
      return purge.run(before).changes
    },
  }
}
