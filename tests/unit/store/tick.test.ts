import { describe, expect, it } from 'vitest'
import type { Store } from '@engine/store'
import { newSession, useTempDir } from './helpers'

const t = useTempDir()

function kinds(s: Store, id: string): string[] {
  return s.events(id).map((e) => e.kind)
}

describe('applyTick', () => {
  it('records new sessions with a created event, and maps the joined names', () => {
    const s = t.open()
    s.upsertDevice({ id: 'dev-1', name: 'laptop', os: 'Linux', model: 'X1' })
    const r = s.ensureResource('ssh', 'prod', 'prod.example.com')
    const res = s.applyTick([newSession(r.id, { id: 'a', flags: ['tunnel', 'jump'], user: null })], [], 42)
    expect(res).toEqual({ inserted: ['a'], duplicates: [], ended: [] })
    const row = s.getSession('a')
    expect(row).toMatchObject({
      resourceName: 'prod',
      resourceType: 'ssh',
      deviceName: 'laptop',
      flags: ['tunnel', 'jump'],
      user: null,
      endable: true,
      endTime: null,
      warnedAt: null,
    })
    expect(s.events('a')).toMatchObject([{ kind: 'created', at: new Date(42).toISOString() }])
    expect(s.openSessions().map((x) => x.id)).toEqual(['a'])
  })

  it('falls back to an empty device name when the device is unknown', () => {
    const s = t.open()
    const r = s.ensureResource('ssh', 'prod', 'p')
    s.applyTick([newSession(r.id, { id: 'a', deviceId: 'nobody' })], [], 1)
    expect(s.getSession('a')?.deviceName).toBe('')
  })

  it('never records one live session twice, even from two Store instances on one file', () => {
    const app = t.open()
    const cli = t.open()
    const r = app.ensureResource('ssh', 'prod', 'p')
    expect(cli.ensureResource('ssh', 'prod', 'p').id).toBe(r.id)

    expect(
      app.applyTick([newSession(r.id, { id: 'from-app', key: 'pid:1:start:1' })], [], 1).inserted,
    ).toEqual(['from-app'])
    const dup = cli.applyTick([newSession(r.id, { id: 'from-cli', key: 'pid:1:start:1' })], [], 2)
    expect(dup).toEqual({
      inserted: [],
      duplicates: [{ key: 'pid:1:start:1', existingId: 'from-app' }],
      ended: [],
    })
    expect(cli.getSession('from-cli')).toBeNull()
    expect(cli.events('from-cli')).toEqual([])

    // Within one tick too.
    const both = app.applyTick(
      [newSession(r.id, { id: 'x1', key: 'same' }), newSession(r.id, { id: 'x2', key: 'same' })],
      [],
      3,
    )
    expect(both.inserted).toEqual(['x1'])
    expect(both.duplicates).toEqual([{ key: 'same', existingId: 'x1' }])

    // Once ended, the key is free again (the partial index covers open rows only).
    app.applyTick([], [{ kind: 'end', id: 'from-app', at: 5, reason: 'process-exit', actor: 'engine' }], 5)
    expect(cli.applyTick([newSession(r.id, { id: 'again', key: 'pid:1:start:1' })], [], 6).inserted).toEqual([
      'again',
    ])
  })

  it('ends once: a second end (from either process) changes nothing and writes no event', () => {
    const a = t.open()
    const b = t.open()
    const r = a.ensureResource('ssh', 'prod', 'p')
    a.applyTick([newSession(r.id, { id: 's', startTime: 100, lastSeen: 100, lastActivity: 100 })], [], 100)
    const first = a.applyTick([], [{ kind: 'end', id: 's', at: 200, reason: 'user', actor: 'tray' }], 200)
    const second = b.applyTick(
      [],
      [{ kind: 'end', id: 's', at: 300, reason: 'process-exit', actor: 'engine' }],
      300,
    )
    expect(first.ended).toEqual(['s'])
    expect(second.ended).toEqual([])
    expect(a.getSession('s')).toMatchObject({
      status: 'disconnected',
      endTime: 200,
      endReason: 'user',
      endedBy: 'tray',
    })
    expect(s(a)).toEqual(['created', 'ended'])
    expect(a.events('s')[1]).toMatchObject({ kind: 'ended', detail: 'user', actor: 'tray' })
    expect(a.openSessions()).toEqual([])

    // Status, touch and warned leave an ended row alone.
    a.applyTick(
      [],
      [
        { kind: 'status', id: 's', status: 'active', at: 400, lastSeen: 400, lastActivity: 400 },
        { kind: 'touch', id: 's', lastSeen: 500, lastActivity: 500 },
        { kind: 'warned', id: 's', at: 500, detail: 'idle 10m' },
      ],
      500,
    )
    expect(a.getSession('s')).toMatchObject({ status: 'disconnected', lastSeen: 100, warnedAt: null })
    expect(s(a)).toEqual(['created', 'ended'])

    function s(store: Store): string[] {
      return kinds(store, 's')
    }
  })

  it('never gives an ended session a negative duration when the clock stepped back', () => {
    const a = t.open()
    const r = a.ensureResource('ssh', 'prod', 'p')
    a.applyTick(
      [newSession(r.id, { id: 's', startTime: 1000 })],
      [{ kind: 'end', id: 's', at: 900, reason: 'user', actor: 'cli' }],
      1000,
    )
    expect(a.getSession('s')?.endTime).toBe(1000)
  })

  it('writes status events only on a change, and clears the warning when going active', () => {
    const a = t.open()
    const r = a.ensureResource('ssh', 'prod', 'p')
    a.applyTick([newSession(r.id, { id: 's', lastSeen: 0, lastActivity: 0 })], [], 0)
    const status = (st: 'active' | 'idle', at: number) => ({
      kind: 'status' as const,
      id: 's',
      status: st,
      at,
      lastSeen: at,
      lastActivity: at,
    })
    a.applyTick([], [status('active', 10)], 10) // already active: no event, readings still applied
    expect(kinds(a, 's')).toEqual(['created'])
    expect(a.getSession('s')?.lastSeen).toBe(10)

    a.applyTick([], [status('idle', 20), { kind: 'warned', id: 's', at: 20, detail: 'idle 10m' }], 20)
    expect(a.getSession('s')).toMatchObject({ status: 'idle', warnedAt: 20 })
    a.applyTick([], [{ kind: 'warned', id: 's', at: 30, detail: 'idle 20m' }], 30) // same idle period
    expect(a.getSession('s')?.warnedAt).toBe(20)
    a.applyTick([], [status('active', 40)], 40)
    expect(a.getSession('s')?.warnedAt).toBeNull()
    a.applyTick([], [status('idle', 50), { kind: 'warned', id: 's', at: 60, detail: 'idle 10m' }], 60)
    expect(kinds(a, 's')).toEqual(['created', 'idle', 'warned', 'active', 'idle', 'warned'])
    expect(a.events('s')[2]).toMatchObject({ kind: 'warned', detail: 'idle 10m' })
  })

  it('touches open rows only, and never moves times backwards', () => {
    const a = t.open()
    const r = a.ensureResource('ssh', 'prod', 'p')
    a.applyTick([newSession(r.id, { id: 's', lastSeen: 100, lastActivity: 100 })], [], 100)
    a.applyTick([], [{ kind: 'touch', id: 's', lastSeen: 300, lastActivity: 250 }], 300)
    a.applyTick([], [{ kind: 'touch', id: 's', lastSeen: 200, lastActivity: 200 }], 300) // a late writer
    expect(a.getSession('s')).toMatchObject({ lastSeen: 300, lastActivity: 250 })
    expect(kinds(a, 's')).toEqual(['created'])
  })

  it('writes raw events, dropping one for an unknown session without failing the tick', () => {
    const a = t.open()
    const r = a.ensureResource('ssh', 'prod', 'p')
    a.applyTick(
      [newSession(r.id, { id: 's' })],
      [
        { kind: 'event', id: 's', at: 5, event: 'limit', detail: 'ssh limit 2', actor: 'policy' },
        { kind: 'event', id: 'ghost', at: 5, event: 'end-failed', detail: 'x', actor: 'cli' },
      ],
      5,
    )
    expect(a.events('s')).toMatchObject([
      { kind: 'created' },
      { kind: 'limit', detail: 'ssh limit 2', actor: 'policy' },
    ])
    expect(a.events('ghost')).toEqual([])
  })

  it('is all or nothing: a failing insert undoes the whole tick', () => {
    const a = t.open()
    const r = a.ensureResource('ssh', 'prod', 'p')
    a.applyTick([newSession(r.id, { id: 's' })], [], 1)
    expect(() =>
      a.applyTick(
        [newSession(r.id, { id: 'ok' }), newSession(9999, { id: 'bad-resource' })],
        [{ kind: 'end', id: 's', at: 2, reason: 'user', actor: 'cli' }],
        2,
      ),
    ).toThrow(/FOREIGN KEY/)
    expect(a.getSession('ok')).toBeNull()
    expect(a.getSession('s')?.status).toBe('active')
  })
})

describe('end requests and launches', () => {
  it('keeps a pending end for open sessions only, expiring with age', () => {
    const a = t.open()
    const b = t.open()
    const r = a.ensureResource('ssh', 'prod', 'p')
    a.applyTick([newSession(r.id, { id: 's' })], [], 1)
    expect(a.pendingEnd('s', 10, 1000)).toBeNull()
    expect(a.requestEnd('s', 'user', 'cli', 10)).toBe(true)
    expect(b.pendingEnd('s', 500, 1000)).toEqual({ reason: 'user', actor: 'cli', at: 10 })
    expect(b.pendingEnd('s', 2000, 1000)).toBeNull()
    a.clearEndRequest('s')
    expect(b.pendingEnd('s', 20, 1000)).toBeNull()
    a.applyTick([], [{ kind: 'end', id: 's', at: 30, reason: 'process-exit', actor: 'engine' }], 30)
    expect(a.requestEnd('s', 'user', 'cli', 40)).toBe(false)
    expect(a.requestEnd('nope', 'user', 'cli', 40)).toBe(false)
  })

  it('shares launches between instances', () => {
    const a = t.open()
    const b = t.open()
    const r = a.ensureResource('web', 'wiki', 'https://wiki.example')
    a.addLaunch({ pid: 10, processStart: 111, resourceId: r.id, at: 1 })
    a.addLaunch({ pid: 10, processStart: 111, resourceId: r.id, at: 2 }) // same process again
    a.addLaunch({ pid: 11, processStart: 222, resourceId: r.id, at: 3 })
    expect(b.launches()).toEqual([
      { pid: 10, processStart: 111, resourceId: r.id },
      { pid: 11, processStart: 222, resourceId: r.id },
    ])
    b.removeLaunch(10, 111)
    expect(a.launches()).toEqual([{ pid: 11, processStart: 222, resourceId: r.id }])
  })
})
