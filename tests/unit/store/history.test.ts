import { describe, expect, it } from 'vitest'
import type { EndReason, ResourceType } from '@shared/model'
import { StoreError } from '@engine/store'
import type { HistoryQuery, SessionUpdate, Store } from '@engine/store'
import { encodeCursor } from '@engine/store/sessions'
import { newSession, useTempDir } from './helpers'

const t = useTempDir()

interface Expected {
  id: string
  type: ResourceType
  name: string
  host: string
  ip: string
  location: string
  start: number
  reason: EndReason | null
}

const REASONS: EndReason[] = ['user', 'idle-timeout', 'process-exit', 'network-lost']
const LOCATIONS = ['Berlin, DE', 'Paris, FR', '100% Remote', 'a_b']

/** 240 sessions over 3 types, many sharing a start time (so the id tie-break matters), 1 in 6 open. */
function populate(s: Store): Expected[] {
  const resources = (['ssh', 'rdp', 'web'] as const).map((type) =>
    s.ensureResource(type, `${type}-box`, type === 'web' ? 'https://box.example' : 'box.example'),
  )
  const all: Expected[] = []
  const created = []
  const updates: SessionUpdate[] = []
  for (let n = 0; n < 240; n++) {
    const r = resources[n % 3]
    if (r === undefined) throw new Error('unreachable')
    const id = `s-${String((n * 7919) % 1000).padStart(3, '0')}` // ids not in start order
    const start = 1_000_000 + Math.floor(n / 4) * 1000 // four sessions per start time
    const host = n % 5 === 0 ? 'axb.example' : `host${n}.example`
    const location = LOCATIONS[n % LOCATIONS.length] ?? ''
    const ip = `198.51.100.${n}`
    const reason = n % 6 === 0 ? null : (REASONS[n % REASONS.length] ?? 'user')
    created.push(newSession(r.id, { id, startTime: start, host, location, ipAddress: ip }))
    if (reason !== null) updates.push({ kind: 'end', id, at: start + 500, reason, actor: 'engine' })
    all.push({ id, type: r.type, name: r.name, host, ip, location, start, reason })
  }
  s.applyTick(created, updates, 0)
  return all
}

function expected(all: Expected[], q: HistoryQuery): string[] {
  const text = q.text?.toLowerCase()
  return all
    .filter((e) => q.includeOpen === true || e.reason !== null)
    .filter((e) => q.type === undefined || e.type === q.type)
    .filter((e) => q.reason === undefined || e.reason === q.reason)
    .filter((e) => q.since === undefined || e.start >= q.since)
    .filter((e) => q.until === undefined || e.start < q.until)
    .filter(
      (e) =>
        text === undefined || [e.name, e.host, e.ip, e.location].some((f) => f.toLowerCase().includes(text)),
    )
    .sort((a, b) => b.start - a.start || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
    .map((e) => e.id)
}

function walk(s: Store, q: HistoryQuery): { ids: string[]; pages: number } {
  const ids: string[] = []
  let cursor: string | undefined
  let pages = 0
  for (;;) {
    const page = s.history({ ...q, cursor })
    pages++
    expect(page.rows.length).toBeLessThanOrEqual(q.limit ?? 50)
    ids.push(...page.rows.map((r) => r.id))
    if (page.nextCursor === null) return { ids, pages }
    cursor = page.nextCursor
    if (pages > 1000) throw new Error('paging does not end')
  }
}

describe('history', () => {
  const queries: HistoryQuery[] = [
    {},
    { limit: 7 },
    { includeOpen: true, limit: 11 },
    { type: 'rdp', limit: 5 },
    { reason: 'user', limit: 3 },
    { since: 1_010_000, until: 1_040_000, limit: 4 },
    { text: 'BERLIN', limit: 9 },
    { text: '100%', limit: 6 },
    { text: 'a_b', limit: 6 }, // _ is literal: 'axb.example' must not match
    { text: '198.51.100.7', includeOpen: true },
    { type: 'ssh', reason: 'process-exit', since: 1_005_000, text: 'host', includeOpen: true, limit: 2 },
  ]

  it.each(queries)('returns every matching row exactly once, in order, across pages: %j', (q) => {
    const s = t.open()
    const all = populate(s)
    const want = expected(all, q)
    const { ids, pages } = walk(s, q)
    expect(ids).toEqual(want)
    expect(new Set(ids).size).toBe(ids.length)
    expect(pages).toBe(Math.max(1, Math.ceil(want.length / (q.limit ?? 50))))
  })

  it('escapes LIKE wildcards', () => {
    const s = t.open()
    const all = populate(s)
    const ids = walk(s, { text: 'a_b', includeOpen: true }).ids
    expect(ids.length).toBeGreaterThan(0)
    for (const id of ids) expect(all.find((e) => e.id === id)?.location).toBe('a_b')
    expect(walk(s, { text: '%' }).ids).toEqual(expected(all, { text: '%' }))
  })

  it('defaults to 50 rows and caps at 500', () => {
    const s = t.open()
    const r = s.ensureResource('ssh', 'x', 'x')
    const created = Array.from({ length: 620 }, (_, i) => newSession(r.id, { id: `m-${i}`, startTime: i }))
    s.applyTick(created, [], 0)
    expect(s.history({ includeOpen: true }).rows).toHaveLength(50)
    expect(s.history({ includeOpen: true, limit: 10_000 }).rows).toHaveLength(500)
    expect(s.history({ includeOpen: true, limit: 0 }).rows).toHaveLength(1)
    expect(s.history({}).rows).toHaveLength(0) // none ended
  })

  it('keeps its place when rows are added while paging (keyset, not OFFSET)', () => {
    const s = t.open()
    const all = populate(s)
    const first = s.history({ limit: 10 })
    const r = s.ensureResource('ssh', 'late', 'late')
    // Newer sessions arrive: with OFFSET the next page would repeat rows.
    s.applyTick(
      [newSession(r.id, { id: 'late', startTime: 9_999_999 })],
      [{ kind: 'end', id: 'late', at: 9_999_999, reason: 'user', actor: 'cli' }],
      0,
    )
    const second = s.history({ limit: 10, cursor: first.nextCursor ?? undefined })
    expect(second.rows.map((x) => x.id)).toEqual(expected(all, {}).slice(10, 20))
  })

  it.each([
    '',
    'not a cursor!',
    'bm90IGpzb24',
    encodeCursor({ t: 1, i: '' }),
    'eyJ0IjoxfQ',
    'WzEuNSwieCJd',
    'WzEsIngiXQ==',
  ])('refuses a malformed cursor %j with BAD_CURSOR', (cursor) => {
    const s = t.open()
    let err: unknown
    try {
      s.history({ cursor })
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(StoreError)
    expect((err as StoreError).code).toBe('BAD_CURSOR')
  })
})

describe('purge', () => {
  it('deletes sessions ended before the cut with their events, keeping open and newer ones', () => {
    const s = t.open()
    const r = s.ensureResource('ssh', 'x', 'x')
    s.applyTick(
      [
        newSession(r.id, { id: 'old', startTime: 10 }),
        newSession(r.id, { id: 'edge', startTime: 10 }),
        newSession(r.id, { id: 'new', startTime: 10 }),
        newSession(r.id, { id: 'open', startTime: 0 }),
      ],
      [
        { kind: 'end', id: 'old', at: 50, reason: 'user', actor: 'cli' },
        { kind: 'end', id: 'edge', at: 100, reason: 'user', actor: 'cli' },
        { kind: 'end', id: 'new', at: 150, reason: 'user', actor: 'cli' },
      ],
      0,
    )
    expect(s.purge(100)).toBe(1)
    expect(s.getSession('old')).toBeNull()
    expect(s.events('old')).toEqual([])
    expect(s.getSession('edge')).not.toBeNull()
    expect(s.events('new').map((e) => e.kind)).toEqual(['created', 'ended'])
    expect(s.getSession('open')?.status).toBe('active')
    expect(s.purge(1_000)).toBe(2)
    expect(s.purge(1_000)).toBe(0)
    expect(s.openSessions().map((x) => x.id)).toEqual(['open'])
  })
})
