import { describe, expect, it } from 'vitest'
import { DEFAULT_SETTINGS } from '@shared/settings'
import type { Detected } from '@engine/detect/types'
import { reconcile, type ReconcileRules, type Sighting } from '@engine/reconcile'
import type { ResourceRow, SessionRow } from '@engine/store/types'
import { DEFAULT_TIMING } from '@engine/timing'

// reconcile is pure: open rows and this tick's sightings in, rows to write out. No store, no OS.

const T0 = 1_800_000_000_000
const resource: ResourceRow = {
  id: 1,
  name: 'db1',
  type: 'ssh',
  target: 'db1:22',
  displayName: null,
  configured: false,
  createdAt: new Date(T0).toISOString(),
  idleAfterSec: null,
  warnAfterSec: null,
  disconnectAfterSec: null,
  record: null,
  recordInput: null,
}

function detected(pid: number): Detected {
  const root = {
    pid,
    ppid: 1,
    uid: 1000,
    startTime: T0,
    exe: '/usr/bin/ssh',
    argv: ['ssh', 'db1'],
    comm: 'ssh',
  }
  return {
    key: `ssh:${pid}:${T0}`,
    resourceType: 'ssh',
    resourceName: 'db1',
    host: 'db1',
    user: null,
    client: 'ssh',
    root,
    members: [],
    sockets: [],
    remoteAddress: '10.0.0.5',
    remotePort: 22,
    localAddress: '10.0.0.2',
    flags: [],
    endable: true,
    resourceId: null,
  }
}

function row(pid: number, over: Partial<SessionRow> = {}): SessionRow {
  return {
    id: `00000000${pid}`.slice(-12),
    key: `ssh:${pid}:${T0}`,
    resourceId: 1,
    deviceId: 'dev1',
    startTime: T0,
    lastActivity: T0,
    lastSeen: T0,
    status: 'active',
    pid,
    processStart: T0,
    exe: '/usr/bin/ssh',
    client: 'ssh',
    host: 'db1',
    user: null,
    ipAddress: '10.0.0.5',
    remotePort: 22,
    localAddress: '10.0.0.2',
    location: 'Private network',
    flags: [],
    endable: true,
    resourceName: 'db1',
    resourceDisplayName: null,
    resourceType: 'ssh',
    deviceName: 'laptop',
    endTime: null,
    endReason: null,
    endedBy: null,
    warnedAt: null,
    recording: null,
    ...over,
  }
}

function rules(over: Partial<ReconcileRules> = {}): ReconcileRules {
  return {
    settings: DEFAULT_SETTINGS,
    resources: new Map([[1, resource]]),
    timing: DEFAULT_TIMING,
    firstTick: false,
    actor: 'test',
    deviceId: 'dev1',
    pendingEnd: () => null,
    undecided: () => false,
    rootAlive: () => true,
    goneSince: new Map(),
    ...over,
  }
}

const sighting = (pid: number, activity: number, newcomer: Sighting['newcomer'] = null): Sighting => ({
  detected: detected(pid),
  activity,
  newcomer,
})

describe('reconcile', () => {
  it('records a newcomer, touches a quiet row after touchEveryMs, marks a long-quiet one idle', () => {
    const now = T0 + 301_000
    const out = reconcile(
      [row(11), row(12, { lastActivity: now - 1000 })],
      [
        sighting(10, now, { id: 'aaaaaaaaaaaa', resource, location: 'Private network', newLocation: false }),
        sighting(11, T0),
        sighting(12, now - 1000),
        sighting(12, now), // the same key twice counts once
      ],
      now,
      rules(),
    )
    expect(out.created).toMatchObject([
      { id: 'aaaaaaaaaaaa', key: `ssh:10:${T0}`, status: 'active', flags: [] },
    ])
    expect(out.updates).toEqual([
      { kind: 'status', id: row(11).id, status: 'idle', at: now, lastSeen: now, lastActivity: T0 },
      { kind: 'touch', id: row(12).id, lastSeen: now, lastActivity: now - 1000 },
    ])
    expect(out.after.map((r) => [r.id, r.status])).toEqual([
      [row(11).id, 'idle'],
      [row(12).id, 'active'],
    ])
    expect(out.ended).toEqual([])
  })

  it('ends a vanished row with the cause asked for, or app-restart at last seen on the first tick', () => {
    const now = T0 + 3_600_000
    const asked = reconcile(
      [row(20)],
      [],
      now,
      rules({ pendingEnd: () => ({ reason: 'user', actor: 'cli' }) }),
    )
    expect(asked.updates).toEqual([{ kind: 'end', id: row(20).id, at: now, reason: 'user', actor: 'cli' }])
    const restart = reconcile([row(21)], [], now, rules({ firstTick: true }))
    expect(restart.updates).toEqual([
      { kind: 'end', id: row(21).id, at: T0, reason: 'app-restart', actor: 'test' },
    ])
    const waiting = reconcile([row(22)], [], now, rules({ undecided: () => true }))
    expect(waiting.updates).toEqual([])
  })

  it('holds a row whose process lives on for endSettleMs, then network-lost dated when it went', () => {
    const id = row(30).id
    const first = reconcile([row(30)], [], T0 + 1000, rules())
    expect(first.updates).toEqual([])
    expect(first.goneSince).toEqual(new Map([[id, T0 + 1000]]))
    const held = reconcile([row(30)], [], T0 + 2499, rules({ goneSince: first.goneSince }))
    expect(held.updates).toEqual([])
    const lost = reconcile([row(30)], [], T0 + 2500, rules({ goneSince: first.goneSince }))
    expect(lost.updates).toEqual([
      { kind: 'end', id, at: T0 + 1000, reason: 'network-lost', actor: 'engine' },
    ])
    const exited = reconcile(
      [row(30)],
      [],
      T0 + 1200,
      rules({ goneSince: first.goneSince, rootAlive: () => false }),
    )
    expect(exited.updates).toEqual([
      { kind: 'end', id, at: T0 + 1000, reason: 'process-exit', actor: 'engine' },
    ])
  })
})
