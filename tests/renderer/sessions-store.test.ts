import { flushPromises } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { WardenError, type IdleWarning, type SessionsSnapshot } from '@shared/contract'
import type { EndResult } from '@shared/model'
import { deferred, installFakeWarden } from './support/fake-warden'
import { makeSession, snapshot } from './support/sessions'

// window.warden must exist before @renderer/api is evaluated
const fake = installFakeWarden()
const { useSessionsStore } = await import('@renderer/stores/sessions')

const a = makeSession({ resourceName: 'alpha', status: 'active' })
const b = makeSession({ resourceName: 'beta', status: 'idle' })
const c = makeSession({ resourceName: 'gamma', status: 'active' })
const browser = makeSession({ resourceName: 'tab', status: 'active', endable: false, flags: ['in-browser'] })
const gone = makeSession({ resourceName: 'gone', status: 'disconnected' })

function ids(rows: readonly { id: string }[]): string[] {
  return rows.map((s) => s.id)
}

let store: ReturnType<typeof useSessionsStore>

beforeEach(() => {
  fake.reset()
  setActivePinia(createPinia())
  store = useSessionsStore()
})

afterEach(() => {
  store.stop()
  vi.restoreAllMocks()
})

describe('start / stop', () => {
  it('loads the snapshot, dropping disconnected sessions, and subscribes once', async () => {
    fake.on('listSessions', () => snapshot([a, gone, b]))
    expect(store.loaded).toBe(false)
    await store.start()
    expect(ids(store.sessions)).toEqual([a.id, b.id])
    expect(ids(store.active)).toEqual([a.id])
    expect(ids(store.idle)).toEqual([b.id])
    expect(store.loaded).toBe(true)
    expect(store.error).toBeNull()
    expect(fake.listenerCount('onSessionsChanged')).toBe(1)
    expect(fake.listenerCount('onIdleWarning')).toBe(1)
    expect(fake.listenerCount('onSessionEnded')).toBe(1)
    expect(fake.listenerCount('onShowSession')).toBe(1)

    // starting again reloads but does not subscribe twice
    await store.start()
    expect(fake.calls('listSessions')).toHaveLength(2)
    expect(fake.listenerCount('onSessionsChanged')).toBe(1)
    expect(fake.listenerCount('onIdleWarning')).toBe(1)
  })

  it('a pushed snapshot replaces the rows and restarts the live clock', async () => {
    fake.on('listSessions', () => snapshot([a, b]))
    const clock = vi.spyOn(Date, 'now').mockReturnValue(1_000)
    await store.start()
    expect(store.receivedAt).toBe(1_000)

    clock.mockReturnValue(5_000)
    const c2 = { ...c, durationMs: 42 }
    fake.emit('onSessionsChanged', snapshot([c2, gone]))
    expect(ids(store.sessions)).toEqual([c.id])
    expect(store.sessions[0]?.durationMs).toBe(42)
    expect(store.receivedAt).toBe(5_000)
  })

  it('keeps a row whose shown fields did not change (only its duration), so it is not redrawn', async () => {
    const clock = vi.spyOn(Date, 'now').mockReturnValue(1_000)
    fake.on('listSessions', () => snapshot([a, b]))
    await store.start()
    const [firstA, firstB] = store.sessions
    if (!firstA || !firstB) throw new Error('rows missing')
    expect(store.receivedAtOf(firstA)).toBe(1_000)

    clock.mockReturnValue(9_000)
    fake.emit(
      'onSessionsChanged',
      snapshot([
        { ...a, durationMs: a.durationMs + 8_000 },
        { ...b, status: 'active' },
      ]),
    )
    const [nextA, nextB] = store.sessions
    if (!nextA || !nextB) throw new Error('rows missing')
    // a: same object, its live duration still counts from when it arrived
    expect(nextA).toBe(firstA)
    expect(store.receivedAtOf(nextA)).toBe(1_000)
    // b changed status: a new object, counted from now
    expect(nextB).not.toBe(firstB)
    expect(nextB.status).toBe('active')
    expect(store.receivedAtOf(nextB)).toBe(9_000)
  })

  it('keeps the latest idle warning', async () => {
    fake.on('listSessions', () => snapshot([a]))
    await store.start()
    const w: IdleWarning = { session: b, idleMs: 600_000, disconnectInMs: null }
    fake.emit('onIdleWarning', w)
    expect(store.lastWarning).toEqual(w)
  })

  it('keeps the last session the engine ended on its own, not the ones the user ended', async () => {
    fake.on('listSessions', () => snapshot([a]))
    await store.start()
    fake.emit('onSessionEnded', { ...a, status: 'disconnected', endReason: 'user' })
    expect(store.lastAutoEnded).toBeNull()
    const timedOut = { ...b, status: 'disconnected' as const, endReason: 'idle-timeout' as const }
    fake.emit('onSessionEnded', timedOut)
    expect(store.lastAutoEnded).toEqual(timedOut)
  })

  it('keeps each request to show a session as a new object, even for the same id', async () => {
    fake.on('listSessions', () => snapshot([a]))
    await store.start()
    fake.emit('onShowSession', { id: a.id })
    const first = store.showRequest
    expect(first).toEqual({ id: a.id })
    fake.emit('onShowSession', { id: a.id })
    expect(store.showRequest).toEqual({ id: a.id })
    expect(store.showRequest).not.toBe(first)
  })

  it('stop() unsubscribes: a later push changes nothing', async () => {
    fake.on('listSessions', () => snapshot([a]))
    await store.start()
    store.stop()
    expect(fake.listenerCount('onSessionsChanged')).toBe(0)
    expect(fake.listenerCount('onIdleWarning')).toBe(0)
    expect(fake.listenerCount('onShowSession')).toBe(0)
    fake.emit('onSessionsChanged', snapshot([b, c]))
    expect(ids(store.sessions)).toEqual([a.id])
    // and start() subscribes again
    await store.start()
    expect(fake.listenerCount('onSessionsChanged')).toBe(1)
  })

  it('a failed first load shows the error, still subscribed for pushes', async () => {
    fake.on('listSessions', () => {
      throw new WardenError('INTERNAL', 'engine not ready')
    })
    await store.start()
    expect(store.error).toBe('engine not ready')
    expect(store.loaded).toBe(false)
    fake.emit('onSessionsChanged', snapshot([a]))
    expect(ids(store.sessions)).toEqual([a.id])
    expect(store.loaded).toBe(true)
  })
})

describe('refresh', () => {
  it('applies the refreshed snapshot and clears an earlier error', async () => {
    fake.on('listSessions', () => {
      throw new WardenError('INTERNAL', 'first load failed')
    })
    await store.start()
    expect(store.error).toBe('first load failed')
    fake.on('refreshSessions', () => snapshot([b]))
    const p = store.refresh()
    expect(store.refreshing).toBe(true)
    await p
    expect(store.refreshing).toBe(false)
    expect(ids(store.sessions)).toEqual([b.id])
    expect(store.error).toBeNull()
  })

  it('a failure sets the error and keeps the rows', async () => {
    fake.on('listSessions', () => snapshot([a, b]))
    await store.start()
    fake.on('refreshSessions', () => {
      throw new WardenError('INTERNAL', 'scan failed')
    })
    await store.refresh()
    expect(store.error).toBe('scan failed')
    expect(store.refreshing).toBe(false)
    expect(ids(store.sessions)).toEqual([a.id, b.id])
  })
})

describe('end / endMany', () => {
  async function startWith(rows = [a, b, c, browser]): Promise<void> {
    fake.on('listSessions', () => snapshot(rows))
    await store.start()
  }

  it('hides the row at once while the end is pending, and keeps it hidden once ended', async () => {
    await startWith()
    const pending = deferred<EndResult>()
    fake.on('endSession', () => pending.promise)

    const result = store.end(a.id)
    expect(ids(store.sessions)).toEqual([b.id, c.id, browser.id])
    expect(ids(store.active)).toEqual([c.id, browser.id])
    expect(ids(store.endable)).toEqual([b.id, c.id])

    // a push made before the engine noticed still lists it: it stays hidden
    fake.emit('onSessionsChanged', snapshot([a, b, c, browser]))
    await flushPromises()
    expect(ids(store.sessions)).toEqual([b.id, c.id, browser.id])
    expect(fake.calls('endSession')).toEqual([[a.id]])

    fake.on('listSessions', () => snapshot([b, c, browser]))
    pending.resolve({ id: a.id, ok: true, result: 'ended' })
    await expect(result).resolves.toEqual({ id: a.id, ok: true, result: 'ended' })
    expect(ids(store.sessions)).toEqual([b.id, c.id, browser.id])
  })

  it('keeps an ended row hidden even when the list fetched right after is stale', async () => {
    await startWith()
    fake.on('endSession', (id) => ({ id, ok: true, result: 'ended' }))
    await store.end(a.id)
    // listSessions still answers with a: the row must not come back
    expect(ids(store.sessions)).toEqual([b.id, c.id, browser.id])
  })

  it('brings the row back when the outcome is not ok', async () => {
    await startWith()
    const pending = deferred<EndResult>()
    fake.on('endSession', () => pending.promise)
    const result = store.end(c.id)
    await flushPromises()
    expect(ids(store.sessions)).not.toContain(c.id)

    pending.resolve({ id: c.id, ok: false, result: 'failed', error: 'EPERM' })
    expect(await result).toEqual({ id: c.id, ok: false, result: 'failed', error: 'EPERM' })
    expect(ids(store.sessions)).toEqual([a.id, b.id, c.id, browser.id])
  })

  it('a failed list reload after a successful end reports the end, not a failure', async () => {
    await startWith()
    fake.on('endSession', (id) => ({ id, ok: true, result: 'ended' }))
    fake.on('listSessions', () => {
      throw new WardenError('INTERNAL', 'listSessions failed: database is locked')
    })
    await expect(store.end(a.id)).resolves.toEqual({ id: a.id, ok: true, result: 'ended' })
    expect(ids(store.sessions)).toEqual([b.id, c.id, browser.id])
    expect(store.error).toBe('listSessions failed: database is locked')
  })

  it('brings the row back and rethrows when the call itself fails', async () => {
    await startWith()
    fake.on('endSession', () => {
      throw new WardenError('UNKNOWN_SESSION', 'no such session')
    })
    await expect(store.end(b.id)).rejects.toThrow('no such session')
    expect(ids(store.sessions)).toEqual([a.id, b.id, c.id, browser.id])
  })

  it('endMany passes exactly the ids, hides them while pending and brings back the failures', async () => {
    await startWith()
    const pending = deferred<EndResult[]>()
    fake.on('endSessions', () => pending.promise)

    const chosen = [c.id, a.id]
    const result = store.endMany(chosen)
    await flushPromises()
    expect(fake.calls('endSessions')).toEqual([[[c.id, a.id]]])
    expect(ids(store.sessions)).toEqual([b.id, browser.id])

    const outcomes: EndResult[] = [
      { id: c.id, ok: true, result: 'ended' },
      { id: a.id, ok: false, result: 'failed', error: 'EPERM' },
    ]
    fake.on('listSessions', () => snapshot([a, b, browser]))
    pending.resolve(outcomes)
    expect(await result).toEqual(outcomes)
    expect(ids(store.sessions)).toEqual([a.id, b.id, browser.id])
  })

  it('endMany does not hide or send sessions the user did not confirm', async () => {
    await startWith()
    fake.on('endSessions', (list) => list.map((id) => ({ id, ok: true, result: 'ended' as const })))
    // a session arrives after the dialog froze its list
    const late = makeSession({ resourceName: 'late' })
    fake.emit('onSessionsChanged', snapshot([a, b, c, browser, late]))
    fake.on('listSessions', () => snapshot([browser, late]))
    await store.endMany([a.id, b.id, c.id])
    expect(fake.calls('endSessions')).toEqual([[[a.id, b.id, c.id]]])
    expect(ids(store.sessions)).toEqual([browser.id, late.id])
  })

  it('forgets ended ids once the engine no longer lists them: a reused row can show again', async () => {
    await startWith()
    fake.on('endSession', (id) => ({ id, ok: true, result: 'ended' }))
    fake.on('listSessions', () => snapshot([b, c, browser]))
    await store.end(a.id)
    expect(ids(store.sessions)).toEqual([b.id, c.id, browser.id])
    const next: SessionsSnapshot = snapshot([a, b])
    fake.emit('onSessionsChanged', next)
    expect(ids(store.sessions)).toEqual([a.id, b.id])
  })
})

describe('keepActive', () => {
  it('sends the id and shows the session the engine returns at once', async () => {
    fake.on('listSessions', () => snapshot([a, b]))
    await store.start()
    const kept = { ...b, status: 'active' as const }
    fake.on('keepSessionActive', () => kept)
    expect(await store.keepActive(b.id)).toEqual(kept)
    expect(fake.calls('keepSessionActive')).toEqual([[b.id]])
    expect(store.sessions.find((s) => s.id === b.id)?.status).toBe('active')
    expect(ids(store.idle)).toEqual([])
  })

  it('rethrows the refusal and leaves the rows as they were', async () => {
    fake.on('listSessions', () => snapshot([a, b]))
    await store.start()
    fake.on('keepSessionActive', () => {
      throw new WardenError('SESSION_ENDED', 'beta has already ended')
    })
    await expect(store.keepActive(b.id)).rejects.toMatchObject({
      name: 'WardenError',
      code: 'SESSION_ENDED',
      message: 'beta has already ended',
    })
    expect(ids(store.idle)).toEqual([b.id])
  })
})

describe('highlight', () => {
  it('marks one row for HIGHLIGHT_MS; a second request starts the time over', async () => {
    const { HIGHLIGHT_MS } = await import('@renderer/stores/sessions')
    vi.useFakeTimers()
    try {
      store.highlight(a.id)
      const first = store.highlighted
      expect(first).toEqual({ id: a.id })
      vi.advanceTimersByTime(HIGHLIGHT_MS - 100)
      store.highlight(a.id)
      expect(store.highlighted).toEqual({ id: a.id })
      expect(store.highlighted).not.toBe(first)
      vi.advanceTimersByTime(HIGHLIGHT_MS - 100)
      expect(store.highlighted).toEqual({ id: a.id })
      vi.advanceTimersByTime(100)
      expect(store.highlighted).toBeNull()
    } finally {
      vi.useRealTimers()
    }
  })
})
