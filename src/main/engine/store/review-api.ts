import type Database from 'better-sqlite3'
import { allowListTable } from './allow-list'
import { asnRangesTable } from './asn-ranges'
import { eventsTable } from './events'
import { exeHashesTable } from './exe-hashes'
import { reviewHitsTable } from './review-hits'
import { reviewHistoryQueries } from './review-history'
import { reviewsTable } from './reviews'
import type { StoreApi } from './types'

type ReviewMethods = Pick<
  StoreApi,
  | 'exeHash'
  | 'putExeHash'
  | 'otherExeHash'
  | 'recordReview'
  | 'getReview'
  | 'setReviewState'
  | 'acceptReview'
  | 'flaggedReviews'
  | 'allow'
  | 'disallow'
  | 'isAllowed'
  | 'allowList'
  | 'lastNoticed'
  | 'markNoticed'
  | 'learnedHistory'
  | 'asnLookup'
  | 'asnImportedRows'
  | 'asnInsert'
  | 'asnMarkImported'
  | 'asnClear'
>

type Writer = <A extends unknown[], R>(fn: (...a: A) => R) => (...a: A) => R

/** The anomaly review's part of the store (migration 5): its tables' statements and transactions. */
export function reviewTables(db: Database.Database) {
  const hashes = exeHashesTable(db)
  const reviews = reviewsTable(db)
  const hits = reviewHitsTable(db)
  const allowed = allowListTable(db)
  const asn = asnRangesTable(db)
  const history = reviewHistoryQueries(db)
  const events = eventsTable(db)

  // The review is written after awaits (hashing, the ASN lookup): by then the session may be gone from
  // this file (another process moved a damaged file aside and the store followed the live one).
  const sessionKnown = db.prepare('SELECT 1 FROM sessions WHERE id = ?').pluck()
  const record = db.transaction((...[review, list]: Parameters<StoreApi['recordReview']>): boolean => {
    if (sessionKnown.get(review.sessionId) === undefined) return false
    reviews.upsert(review)
    hits.insert(review.sessionId, list, review.at)
    if (review.state === 'flagged')
      events.insert({
        sessionId: review.sessionId,
        at: review.at,
        kind: 'flagged',
        detail: list.map((h) => h.reason).join(' · '),
        actor: 'engine',
      })
    return true
  })
  const accept = db.transaction((sessionId: string, at: number, actor: string): boolean => {
    const list = hits.forSession(sessionId)
    if (!reviews.get(sessionId) || list.length === 0) return false
    for (const h of list) allowed.add(h.rule, h.key, at, h.reason)
    reviews.setState(sessionId, 'accepted')
    events.insert({ sessionId, at, kind: 'accepted', detail: list.map((h) => h.key).join(' '), actor })
    return true
  })

  return {
    purgeBefore(before: number): void {
      hits.purgeBefore(before)
      reviews.purgeBefore(before)
    },
    api(write: Writer): ReviewMethods {
      return {
        exeHash: (stamp) => hashes.get(stamp),
        putExeHash: write((row) => {
          hashes.put(row)
        }),
        otherExeHash: (path, sha256) => hashes.otherHash(path, sha256),
        recordReview: write((review, list) => record.immediate(review, list)),
        getReview: (sessionId) => {
          const review = reviews.get(sessionId)
          return review ? { review, hits: hits.forSession(sessionId) } : null
        },
        setReviewState: write((sessionId, state) => reviews.setState(sessionId, state)),
        acceptReview: write((sessionId, at, actor) => accept.immediate(sessionId, at, actor)),
        flaggedReviews: (limit) => reviews.flagged(limit),
        allow: write((rule, key, at, note) => allowed.add(rule, key, at, note)),
        disallow: write((rule, key) => allowed.remove(rule, key)),
        isAllowed: (rule, key) => allowed.has(rule, key),
        allowList: () => allowed.list(),
        lastNoticed: (rule, key) => hits.lastNoticed(rule, key),
        markNoticed: write((sessionId, rule, key) => {
          hits.markNoticed(sessionId, rule, key)
        }),
        learnedHistory: (type, resourceId, before) => history.learned(type, resourceId, before),
        asnLookup: (addr) => asn.lookup(addr),
        asnImportedRows: (source) => asn.importedRows(source),
        asnInsert: write((rows) => {
          asn.insertMany(rows)
        }),
        asnMarkImported: write((source, rows, at) => {
          asn.markImported(source, rows, at)
        }),
        asnClear: write(() => {
          asn.clear()
        }),
      }
    },
  }
}
