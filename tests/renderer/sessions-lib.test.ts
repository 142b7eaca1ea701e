import { describe, expect, it } from 'vitest'
import type { EndResult, Session } from '@shared/model'
import {
  endableOpen,
  endAllText,
  endOutcomeText,
  liveDuration,
  liveDurationMs,
  liveTotalActiveMs,
  notEndableReason,
  shortTime,
  sorters,
  type SortKey,
} from '@renderer/lib/sessions'
import { makeSession, sessionId } from './support/sessions'

const M = 60_000
const H = 60 * M

/** Sorts with the ascending comparator of `key` and returns the resource names in order. */
function order(key: SortKey, rows: Session[]): string[] {
  return [...rows].sort(sorters[key]).map((s) => s.resourceName)
}

describe('liveDurationMs / liveDuration', () => {
  const received = 1_000_000

  it('counts on from the engine figure for an open session', () => {
    const active = makeSession({ status: 'active', durationMs: 10 * M })
    const idle = makeSession({ status: 'idle', durationMs: 10 * M })
    expect(liveDurationMs(active, received, received)).toBe(10 * M)
    expect(liveDurationMs(active, received, received + 90_000)).toBe(10 * M + 90_000)
    expect(liveDurationMs(idle, received, received + 5 * M)).toBe(15 * M)
    expect(liveDuration(active, received, received + 55 * M)).toBe('1h 05m')
  })

  it('keeps a disconnected session at its final duration', () => {
    const gone = makeSession({ status: 'disconnected', durationMs: 2 * H })
    expect(liveDurationMs(gone, received, received + 10 * H)).toBe(2 * H)
    expect(liveDuration(gone, received, received + 10 * H)).toBe('2h 00m')
  })

  it('never counts backwards when the clock goes back', () => {
    const s = makeSession({ status: 'active', durationMs: 10 * M })
    expect(liveDurationMs(s, received, received - 5 * M)).toBe(10 * M)
    expect(liveDuration(s, received, received - 5 * M)).toBe('10m')
  })
})

describe('liveTotalActiveMs', () => {
  it('sums only active sessions, each ticking on', () => {
    const rows = [
      makeSession({ status: 'active', durationMs: 10 * M }),
      makeSession({ status: 'active', durationMs: 20 * M }),
      makeSession({ status: 'idle', durationMs: 5 * H }),
      makeSession({ status: 'disconnected', durationMs: 7 * H }),
    ]
    expect(liveTotalActiveMs(rows, 0, 0)).toBe(30 * M)
    // two active sessions, each one minute older
    expect(liveTotalActiveMs(rows, 0, M)).toBe(32 * M)
    expect(liveTotalActiveMs([], 0, M)).toBe(0)
  })
})

describe('sorters', () => {
  it('resource: by name, numbers in names compared as numbers, case-insensitive, then type', () => {
    const rows = [
      makeSession({ resourceName: 'host10' }),
      makeSession({ resourceName: 'host2' }),
      makeSession({ resourceName: 'Alpha', resourceType: 'web' }),
      makeSession({ resourceName: 'alpha', resourceType: 'rdp' }),
      makeSession({ resourceName: 'host1' }),
    ]
    expect(order('resource', rows)).toEqual(['alpha', 'Alpha', 'host1', 'host2', 'host10'])
    // the tie on the name is broken by type: rdp before web
    expect(
      [...rows]
        .sort(sorters.resource)
        .map((s) => s.resourceType)
        .slice(0, 2),
    ).toEqual(['rdp', 'web'])
  })

  it('device: by device name (numeric-aware), then IP address', () => {
    const rows = [
      makeSession({ resourceName: 'a', device: 'pc10', ipAddress: '10.0.0.1' }),
      makeSession({ resourceName: 'b', device: 'pc2', ipAddress: '10.0.0.9' }),
      makeSession({ resourceName: 'c', device: 'pc2', ipAddress: '10.0.0.10' }),
    ]
    expect(order('device', rows)).toEqual(['b', 'c', 'a'])
  })

  it('duration: open sessions by start time (latest start = shortest), ended ones by their figure', () => {
    const at = (ms: number) => new Date(1_700_000_000_000 - ms).toISOString()
    // stale durationMs figures (rows keep older objects) must not decide the order
    const rows = [
      makeSession({ resourceName: 'long', startTime: at(3 * H), durationMs: M }),
      makeSession({ resourceName: 'short', startTime: at(M), durationMs: 2 * H }),
      makeSession({ resourceName: 'mid', startTime: at(H), durationMs: H }),
    ]
    expect(order('duration', rows)).toEqual(['short', 'mid', 'long'])
    const ended = [
      makeSession({ resourceName: 'long', status: 'disconnected', durationMs: 3 * H, startTime: at(M) }),
      makeSession({ resourceName: 'short', status: 'disconnected', durationMs: M, startTime: at(3 * H) }),
    ]
    expect(order('duration', ended)).toEqual(['short', 'long'])
  })

  it('location: alphabetical', () => {
    const rows = [
      makeSession({ resourceName: 'z', location: 'Zurich, CH' }),
      makeSession({ resourceName: 'b', location: 'Berlin, DE' }),
      makeSession({ resourceName: 'l', location: 'lisbon, PT' }),
    ]
    expect(order('location', rows)).toEqual(['b', 'l', 'z'])
  })

  it('status: active < idle < disconnected', () => {
    const rows = [
      makeSession({ resourceName: 'd', status: 'disconnected' }),
      makeSession({ resourceName: 'a', status: 'active' }),
      makeSession({ resourceName: 'i', status: 'idle' }),
    ]
    expect(order('status', rows)).toEqual(['a', 'i', 'd'])
  })
})

describe('notEndableReason / endableOpen', () => {
  it('explains an in-browser session, a disconnected one and any other unendable one', () => {
    expect(notEndableReason({ status: 'active', endable: true, flags: [] })).toBeNull()
    expect(notEndableReason({ status: 'idle', endable: true, flags: ['tunnel'] })).toBeNull()
    expect(notEndableReason({ status: 'active', endable: false, flags: ['in-browser'] })).toMatch(
      /everyday browser; close its tab there/,
    )
    expect(notEndableReason({ status: 'active', endable: false, flags: [] })).toBe(
      'Session Warden cannot end this session.',
    )
    // disconnected wins over everything else
    expect(notEndableReason({ status: 'disconnected', endable: true, flags: [] })).toBe(
      'Already disconnected',
    )
    expect(notEndableReason({ status: 'disconnected', endable: false, flags: ['in-browser'] })).toBe(
      'Already disconnected',
    )
  })

  it('endableOpen keeps only open sessions that can be ended, in order', () => {
    const a = makeSession({ status: 'active' })
    const b = makeSession({ status: 'idle' })
    const browser = makeSession({ status: 'active', endable: false, flags: ['in-browser'] })
    const gone = makeSession({ status: 'disconnected' })
    expect(endableOpen([a, browser, gone, b]).map((s) => s.id)).toEqual([a.id, b.id])
    expect(endableOpen([])).toEqual([])
  })
})

describe('endOutcomeText', () => {
  const id = sessionId(1)
  const o = (x: Omit<EndResult, 'id'>): EndResult => ({ id, ...x })

  it('has a line for every result', () => {
    expect(endOutcomeText(o({ ok: true, result: 'ended' }), 'db1')).toEqual({ ok: true, text: 'Ended db1.' })
    expect(endOutcomeText(o({ ok: true, result: 'ended', killed: false }), 'db1').text).toBe('Ended db1.')
    expect(endOutcomeText(o({ ok: true, result: 'ended', killed: true }), 'db1')).toEqual({
      ok: true,
      text: 'Ended db1 (it had to be forced).',
    })
    expect(endOutcomeText(o({ ok: true, result: 'already-gone' }), 'db1')).toEqual({
      ok: true,
      text: 'db1 had already closed.',
    })
    expect(endOutcomeText(o({ ok: true, result: 'already-ended' }), 'db1')).toEqual({
      ok: true,
      text: 'db1 was already disconnected.',
    })
    expect(endOutcomeText(o({ ok: false, result: 'not-endable', error: 'in your browser' }), 'db1')).toEqual({
      ok: false,
      text: 'db1 was not ended: in your browser',
    })
    expect(endOutcomeText(o({ ok: false, result: 'not-endable' }), 'db1')).toEqual({
      ok: false,
      text: 'db1 was not ended: Session Warden cannot end it.',
    })
    expect(endOutcomeText(o({ ok: false, result: 'failed', error: 'EPERM' }), 'db1')).toEqual({
      ok: false,
      text: 'db1 could not be ended: EPERM',
    })
    expect(endOutcomeText(o({ ok: false, result: 'failed' }), 'db1')).toEqual({
      ok: false,
      text: 'db1 could not be ended: unknown error',
    })
  })
})

describe('endAllText', () => {
  const ok = (n: number): EndResult => ({ id: sessionId(n), ok: true, result: 'ended' })
  const bad = (n: number, error?: string): EndResult => ({
    id: sessionId(n),
    ok: false,
    result: 'failed',
    ...(error === undefined ? {} : { error }),
  })

  it('all ended: counts them, singular and plural', () => {
    expect(endAllText([ok(1), ok(2), ok(3)])).toEqual({ ok: true, text: 'Ended 3 sessions.' })
    expect(endAllText([ok(1)])).toEqual({ ok: true, text: 'Ended 1 session.' })
    // already closed counts as done
    expect(endAllText([ok(1), { id: sessionId(2), ok: true, result: 'already-gone' }]).text).toBe(
      'Ended 2 sessions.',
    )
  })

  it('some failed: says how many, with each reason once', () => {
    const r = endAllText([ok(1), bad(2, 'EPERM'), bad(3, 'EPERM'), bad(4, 'timed out'), ok(5)])
    expect(r).toEqual({
      ok: false,
      text: 'Ended 2 of 5 sessions; 3 could not be ended: EPERM; timed out',
    })
  })

  it('uses the result when a failure has no message, and the singular for one session', () => {
    expect(endAllText([bad(1)])).toEqual({
      ok: false,
      text: 'Ended 0 of 1 session; 1 could not be ended: failed',
    })
    const notEndable: EndResult = { id: sessionId(2), ok: false, result: 'not-endable' }
    expect(endAllText([bad(1), notEndable, bad(3)]).text).toBe(
      'Ended 0 of 3 sessions; 3 could not be ended: failed; not-endable',
    )
  })
})

describe('shortTime', () => {
  const now = new Date(2026, 2, 4, 18, 30).getTime() // local Mar 4 2026, 18:30

  it('shows a dash for no time or a bad one', () => {
    expect(shortTime(null, now)).toBe('—')
    expect(shortTime('not a date', now)).toBe('—')
    expect(shortTime('', now)).toBe('—')
  })

  it('says Today for a time on the same local day', () => {
    const t = new Date(2026, 2, 4, 9, 5)
    const time = t.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' })
    expect(shortTime(t.toISOString(), now)).toBe(`Today ${time}`)
    expect(time).toMatch(/0?9\D05/)
  })

  it('shows month and day for another day, even the same clock time', () => {
    const t = new Date(2026, 2, 3, 18, 30)
    const out = shortTime(t.toISOString(), now)
    expect(out.startsWith('Today')).toBe(false)
    const day = t.toLocaleDateString(undefined, { month: 'short', day: 'numeric' })
    const time = t.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' })
    expect(out).toBe(`${day}, ${time}`)
    expect(out).toMatch(/3/)
  })

  it('is not fooled by the same day of another month or year', () => {
    expect(shortTime(new Date(2026, 1, 4, 10, 0).toISOString(), now).startsWith('Today')).toBe(false)
    expect(shortTime(new Date(2025, 2, 4, 10, 0).toISOString(), now).startsWith('Today')).toBe(false)
  })
})
