import type Database from 'better-sqlite3'
import type { ReviewHit, ReviewRule } from '@shared/review'

/** Statements of the review_hits table (migration 5), prepared once per connection. */
export function reviewHitsTable(db: Database.Database) {
  const insert = db.prepare<{
    sessionId: string
    rule: string
    key: string
    reason: string
    weight: number
    at: number
  }>(
    `INSERT INTO review_hits (session_id, rule, key, reason, weight, at)
     VALUES (@sessionId, @rule, @key, @reason, @weight, @at) ON CONFLICT DO NOTHING`,
  )
  const bySession = db.prepare<[string], ReviewHit>(
    'SELECT rule, key, reason, weight FROM review_hits WHERE session_id = ? ORDER BY weight DESC, rule',
  )
  const lastNotice = db
    .prepare<[string, string], number | null>(
      'SELECT max(at) FROM review_hits WHERE rule = ? AND key = ? AND noticed = 1',
    )
    .pluck()
  const noticed = db.prepare<[string, string, string]>(
    'UPDATE review_hits SET noticed = 1 WHERE session_id = ? AND rule = ? AND key = ?',
  )
  const purge = db.prepare<[number]>(
    `DELETE FROM review_hits WHERE session_id IN
       (SELECT id FROM sessions WHERE end_time IS NOT NULL AND end_time < ?)`,
  )
  return {
    insert(sessionId: string, hits: readonly ReviewHit[], at: number): void {
      for (const h of hits)
        insert.run({ sessionId, at, rule: h.rule, key: h.key, reason: h.reason, weight: h.weight })
    },
    forSession(sessionId: string): ReviewHit[] {
      return bySession.all(sessionId)
    },
    /** when a notice was last shown for this rule and key (alert fatigue), or null */
    lastNoticed(rule: ReviewRule, key: string): number | null {
      return lastNotice.get(rule, key) ?? null
    },
    markNoticed(sessionId: string, rule: ReviewRule, key: string): void {
      noticed.run(sessionId, rule, key)
    },
    purgeBefore(before: number): number {
      return purge.run(before).changes
    },
  }
}
