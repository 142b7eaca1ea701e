import { DeliverPolicy, jetstreamManager, type JetStreamClient } from '@nats-io/jetstream'
import { HISTORY_LIMIT, historyMatches, type HistoryFilter } from '@shared/history'
import type { FleetLink } from './connection'
import { ENDED_STREAM, endedSubject, withDuration, type FleetSession } from './protocol'

// History across devices (issue 14): pages of the ended stream WARDEN_ENDED, newest first.
// A JetStream consumer reads forwards only, so a page is read backwards in windows of stream
// sequences [lo, hi], each by one ordered consumer from lo (DeliverPolicy.StartSequence), and the
// cursor is the sequence the next page reads below. The history query's filters (the same rule as
// the database's, src/shared/history.ts) are applied to each window in memory; `since` also moves
// the floor: a message stored before `since` is of a session that ended, so started, before it.

/** Stream sequences read per window, and the most one call reads before it answers with what it has. */
export const ENDED_WINDOW = 1000
export const ENDED_SCAN_MAX = 20_000

/** A cursor of these pages: the stream sequence the next page reads below. */
export const ENDED_CURSOR_RE = /^[1-9]\d{0,14}$/

export interface EndedPage {
  /** newest ended first (stream order: when the device published the end) */
  rows: FleetSession[]
  /** the next page's cursor; null when the stream is read to its start */
  nextCursor: string | null
}

/** One page of the fleet's ended sessions (or one device's) matching `q`. */
export async function endedPage(
  link: FleetLink,
  q: HistoryFilter,
  o: { device?: string; now?: number } = {},
): Promise<EndedPage> {
  const limit = q.limit ?? HISTORY_LIMIT.default
  const filter = endedSubject(o.device ?? '*')
  const { state } = await (await jetstreamManager(link.nc)).streams.info(ENDED_STREAM)
  let hi = q.cursor === undefined ? state.last_seq : cursorSeq(q.cursor) - 1
  const floor = Math.max(
    state.first_seq,
    q.since === undefined ? 0 : await firstSeqSince(link.js, filter, q.since, state.last_seq),
  )
  const rows: { seq: number; s: FleetSession }[] = []
  let scanned = 0
  while (hi >= floor && rows.length < limit && scanned < ENDED_SCAN_MAX) {
    const lo = Math.max(floor, hi - ENDED_WINDOW + 1)
    const got = await readRange(link.js, filter, lo, hi)
    for (const m of got.reverse()) if (historyMatches(m.s, q)) rows.push(m)
    scanned += hi - lo + 1
    hi = lo - 1
  }
  const now = o.now ?? Date.now()
  const page = rows.slice(0, limit)
  const last = page.at(-1)
  const more = rows.length > limit ? last?.seq : hi >= floor ? hi + 1 : undefined
  return {
    rows: page.map((r) => withDuration(r.s, now)),
    nextCursor: more === undefined ? null : String(more),
  }
}

function cursorSeq(cursor: string): number {
  if (!ENDED_CURSOR_RE.test(cursor)) throw new Error(`not a cursor of the fleet's history: ${cursor}`)
  return Number(cursor)
}

/** The first sequence stored at or after `since` (past the end when none is). */
async function firstSeqSince(
  js: JetStreamClient,
  filter: string,
  since: number,
  last: number,
): Promise<number> {
  const c = await js.consumers.get(ENDED_STREAM, {
    filter_subjects: filter,
    deliver_policy: DeliverPolicy.StartTime,
    opt_start_time: new Date(since).toISOString(),
  })
  try {
    if ((await c.info(true)).num_pending === 0) return last + 1
    const m = await c.next({ expires: 2000 })
    return m ? m.seq : last + 1
  } finally {
    void c.delete().catch(() => undefined)
  }
}

/** The messages of [lo, hi] under `filter`, in stream order. */
async function readRange(
  js: JetStreamClient,
  filter: string,
  lo: number,
  hi: number,
): Promise<{ seq: number; s: FleetSession }[]> {
  const out: { seq: number; s: FleetSession }[] = []
  const c = await js.consumers.get(ENDED_STREAM, {
    filter_subjects: filter,
    deliver_policy: DeliverPolicy.StartSequence,
    opt_start_seq: lo,
  })
  try {
    let pending = (await c.info(true)).num_pending
    while (pending > 0) {
      const batch = await c.fetch({ max_messages: Math.min(pending, hi - lo + 1), expires: 2000 })
      let got = 0
      for await (const m of batch) {
        got++
        if (m.seq > hi) return out
        out.push({ seq: m.seq, s: JSON.parse(m.string()) as FleetSession })
        pending = m.info.pending
        if (pending === 0 || m.seq === hi) return out
      }
      if (got === 0) break
    }
    return out
  } finally {
    // the server drops an ordered consumer after its inactivity threshold anyway: do not wait for it
    void c.delete().catch(() => undefined)
  }
}
