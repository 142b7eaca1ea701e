import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'
import { WardenError, type HistoryPageResult } from '@shared/contract'
import { HISTORY_LIMIT } from '@shared/history'
import type { Session } from '@shared/model'
import { deferred, installFakeWarden } from './support/fake-warden'
import { makeSession } from './support/sessions'

// window.warden must exist before @renderer/api is evaluated
const fake = installFakeWarden()
const { useHistoryStore, localDayStart, EXPORT_MAX, HISTORY_PAGE } = await import('@renderer/stores/history')

const DAY = 86_400_000

function rowsOf(n: number, name = 'h'): Session[] {
  return Array.from({ length: n }, (_, i) =>
    makeSession({ status: 'disconnected', resourceName: `${name}${i}` }),
  )
}

function page(rows: Session[], nextCursor: string | null): HistoryPageResult {
  return { rows, nextCursor }
}

let store: ReturnType<typeof useHistoryStore>

beforeEach(() => {
  fake.reset()
  setActivePinia(createPinia())
  store = useHistoryStore()
})

describe('the query sent', () => {
  it('without filters: one page, nothing else', async () => {
    fake.on('queryHistory', () => page([], null))
    await store.reload()
    expect(fake.calls('queryHistory')).toEqual([[{ limit: HISTORY_PAGE }]])
  })

  it('with every filter: type, reason, trimmed text, and a range through the end of its last day', async () => {
    fake.on('queryHistory', () => page([], null))
    const from = new Date(2026, 2, 1).getTime()
    const to = new Date(2026, 2, 4).getTime()
    store.filters = {
      type: 'rdp',
      reason: 'idle-timeout',
      text: '  db prod  ',
      from: '2026-03-01',
      to: '2026-03-04',
    }
    await store.reload()
    expect(fake.calls('queryHistory')).toEqual([
      [
        {
          limit: HISTORY_PAGE,
          type: 'rdp',
          reason: 'idle-timeout',
          text: 'db prod',
          since: from,
          until: to + DAY,
        },
      ],
    ])
  })

  it('leaves out blank text and cuts text to the 200 characters the engine accepts', async () => {
    fake.on('queryHistory', () => page([], null))
    store.filters.text = '   '
    await store.reload()
    store.filters.text = ` ${'x'.repeat(250)} `
    await store.reload()
    const [blank, long] = fake.calls('queryHistory')
    expect(blank).toEqual([{ limit: HISTORY_PAGE }])
    expect(long?.[0].text).toBe('x'.repeat(200))
  })

  it('a single-day range covers that whole day', async () => {
    fake.on('queryHistory', () => page([], null))
    const day = new Date(2026, 5, 10).getTime()
    store.filters.from = '2026-06-10'
    store.filters.to = '2026-06-10'
    await store.reload()
    expect(fake.calls('queryHistory')[0]?.[0]).toMatchObject({ since: day, until: day + DAY })
  })

  it('one bound alone: from a day on, or up to the end of a day', async () => {
    fake.on('queryHistory', () => page([], null))
    store.filters.from = '2026-06-10'
    await store.reload()
    store.filters.from = ''
    store.filters.to = '2026-06-10'
    await store.reload()
    const [since, until] = fake.calls('queryHistory')
    expect(since).toEqual([{ limit: HISTORY_PAGE, since: new Date(2026, 5, 10).getTime() }])
    expect(until).toEqual([{ limit: HISTORY_PAGE, until: new Date(2026, 5, 11).getTime() }])
  })
})

describe('localDayStart (the value of an <input type="date">)', () => {
  it('is local midnight, by the calendar across month and year ends', () => {
    expect(localDayStart('2026-03-01')).toBe(new Date(2026, 2, 1).getTime())
    expect(localDayStart('2026-12-31', 1)).toBe(new Date(2027, 0, 1).getTime())
    expect(localDayStart('2024-02-28', 1)).toBe(new Date(2024, 1, 29).getTime())
  })

  it('reads years below 100 as themselves, not 19xx', () => {
    expect(new Date(localDayStart('0099-01-01') ?? NaN).getFullYear()).toBe(99)
  })

  it('is null for an empty, partial or impossible day', () => {
    for (const bad of ['', '2026-3-1', '2026-02-30', '2026-13-01', 'yesterday'])
      expect(localDayStart(bad)).toBeNull()
  })
})

describe('reload / loadMore', () => {
  it('reload shows the first page; loadMore appends the next, passing the cursor', async () => {
    const first = rowsOf(3, 'first')
    const second = rowsOf(2, 'second')
    fake.on('queryHistory', (q) => (q.cursor === undefined ? page(first, 'c1') : page(second, null)))
    store.filters.type = 'ssh'

    expect(store.loaded).toBe(false)
    await store.reload()
    expect(store.rows).toEqual(first)
    expect(store.hasMore).toBe(true)
    expect(store.loaded).toBe(true)
    expect(store.loading).toBe(false)

    await store.loadMore()
    expect(store.rows).toEqual([...first, ...second])
    expect(store.hasMore).toBe(false)
    expect(fake.calls('queryHistory')[1]).toEqual([{ limit: HISTORY_PAGE, type: 'ssh', cursor: 'c1' }])

    // nothing more to load: no call
    await store.loadMore()
    expect(fake.calls('queryHistory')).toHaveLength(2)
  })

  it('reload starts over: the appended pages go', async () => {
    const first = rowsOf(2, 'a')
    fake.on('queryHistory', (q) => (q.cursor === undefined ? page(first, 'c1') : page(rowsOf(2, 'b'), 'c2')))
    await store.reload()
    await store.loadMore()
    expect(store.rows).toHaveLength(4)

    const fresh = rowsOf(1, 'fresh')
    fake.on('queryHistory', () => page(fresh, null))
    store.filters.reason = 'user'
    await store.reload()
    expect(store.rows).toEqual(fresh)
    expect(store.hasMore).toBe(false)
    expect(fake.calls('queryHistory').at(-1)).toEqual([{ limit: HISTORY_PAGE, reason: 'user' }])
  })

  it('loadMore does nothing while a load is in flight', async () => {
    const pending = deferred<HistoryPageResult>()
    fake.on('queryHistory', () => page(rowsOf(1), 'c1'))
    await store.reload()
    fake.on('queryHistory', () => pending.promise)
    const more = store.loadMore()
    expect(store.loading).toBe(true)
    await store.loadMore()
    pending.resolve(page(rowsOf(1), null))
    await more
    expect(fake.calls('queryHistory')).toHaveLength(2)
    expect(store.rows).toHaveLength(2)
    expect(store.loading).toBe(false)
  })

  it('a reload that was overtaken does not overwrite the newer result', async () => {
    const slow = deferred<HistoryPageResult>()
    const oldRows = rowsOf(2, 'old')
    const newRows = rowsOf(1, 'new')
    fake.on('queryHistory', (q) => (q.type === 'ssh' ? slow.promise : page(newRows, null)))

    store.filters.type = 'ssh'
    const stale = store.reload()
    expect(store.loading).toBe(true)
    store.filters.type = 'web'
    await store.reload()
    expect(store.rows).toEqual(newRows)
    expect(store.loading).toBe(false)

    slow.resolve(page(oldRows, 'old-cursor'))
    await stale
    expect(store.rows).toEqual(newRows)
    expect(store.hasMore).toBe(false)
    expect(store.loading).toBe(false)
  })

  it('an overtaken reload that fails does not show its error', async () => {
    const slow = deferred<HistoryPageResult>()
    fake.on('queryHistory', (q) => (q.type === 'ssh' ? slow.promise : page(rowsOf(1), null)))
    store.filters.type = 'ssh'
    const stale = store.reload()
    store.filters.type = null
    await store.reload()
    slow.reject(new WardenError('BAD_QUERY', 'too slow'))
    await stale
    expect(store.error).toBeNull()
  })

  it('a page loaded for older filters is not appended to newer results', async () => {
    fake.on('queryHistory', () => page(rowsOf(1, 'old'), 'c1'))
    await store.reload()
    const slow = deferred<HistoryPageResult>()
    fake.on('queryHistory', () => slow.promise)
    const more = store.loadMore()

    const newRows = rowsOf(2, 'new')
    fake.on('queryHistory', () => page(newRows, null))
    store.filters.text = 'new'
    await store.reload()
    slow.resolve(page(rowsOf(5, 'stale'), 'c2'))
    await more
    expect(store.rows).toEqual(newRows)
    expect(store.hasMore).toBe(false)
  })

  it('a page that fails for older filters leaves no error over newer results', async () => {
    fake.on('queryHistory', () => page(rowsOf(1, 'old'), 'c1'))
    await store.reload()
    const slow = deferred<HistoryPageResult>()
    fake.on('queryHistory', () => slow.promise)
    const more = store.loadMore()
    fake.on('queryHistory', () => page(rowsOf(2, 'new'), null))
    store.filters.text = 'new'
    await store.reload()
    slow.reject(new WardenError('BAD_QUERY', 'too slow'))
    await more
    expect(store.error).toBeNull()
    expect(store.rows).toHaveLength(2)
  })

  it('a failed reload shows the reason and keeps the rows; the next good one clears it', async () => {
    fake.on('queryHistory', () => page(rowsOf(2), null))
    await store.reload()
    fake.on('queryHistory', () => {
      throw new WardenError('BAD_QUERY', 'the database is busy')
    })
    await store.reload()
    expect(store.error).toBe('the database is busy')
    expect(store.rows).toHaveLength(2)
    expect(store.loading).toBe(false)
    fake.on('queryHistory', () => page([], null))
    await store.reload()
    expect(store.error).toBeNull()
  })
})

describe('all (export)', () => {
  it('pages with the filters until there is no next cursor', async () => {
    const pages = [rowsOf(3, 'p1'), rowsOf(3, 'p2'), rowsOf(1, 'p3')]
    fake.on('queryHistory', (q) => {
      const i = q.cursor === undefined ? 0 : Number(q.cursor)
      return page(pages[i] ?? [], i + 1 < pages.length ? String(i + 1) : null)
    })
    store.filters.type = 'web'
    store.filters.text = ' wiki '
    const out = await store.all()
    expect(out).toEqual({ rows: pages.flat(), truncated: false })
    expect(fake.calls('queryHistory')).toEqual([
      [{ limit: HISTORY_LIMIT.max, type: 'web', text: 'wiki' }],
      [{ limit: HISTORY_LIMIT.max, type: 'web', text: 'wiki', cursor: '1' }],
      [{ limit: HISTORY_LIMIT.max, type: 'web', text: 'wiki', cursor: '2' }],
    ])
    // export does not disturb what the table shows
    expect(store.rows).toEqual([])
  })

  it('stops at the export maximum and says so', async () => {
    const one = makeSession({ status: 'disconnected' })
    const full = Array.from({ length: 1000 }, () => one)
    let n = 0
    fake.on('queryHistory', () => page(full, `c${++n}`))
    const out = await store.all()
    expect(out.truncated).toBe(true)
    expect(out.rows).toHaveLength(EXPORT_MAX)
    expect(fake.calls('queryHistory')).toHaveLength(EXPORT_MAX / 1000)
  })

  it('fails when a page fails', async () => {
    fake.on('queryHistory', (q) => {
      if (q.cursor !== undefined) throw new WardenError('BAD_QUERY', 'bad cursor')
      return page(rowsOf(1), 'c1')
    })
    await expect(store.all()).rejects.toThrow('bad cursor')
  })
})
