import type { EndReason } from '@shared/model'
import type { Settings } from '@shared/settings'
import type { Detected } from './detect/types'
import { effectivePolicy } from './policy'
import type { NewSession, ResourceRow, SessionRow, SessionUpdate } from './store/types'
import type { EngineTiming } from './timing'

/** One session detected this tick, with its activity as the engine worked it out. */
export interface Sighting {
  detected: Detected
  /** last activity this tick (ms) */
  activity: number
  /**
   * What a session not yet recorded needs beyond its detection (its id, resource and place),
   * prepared by the engine; null when it could not be (it is then left out this tick).
   */
  newcomer: Newcomer | null
}

export interface Newcomer {
  id: string
  resource: ResourceRow
  location: string
  /** the first session ever to this place */
  newLocation: boolean
}

/** What decides the fate of open rows; every function only reads. */
export interface ReconcileRules {
  settings: Settings
  resources: ReadonlyMap<number, ResourceRow>
  timing: Pick<EngineTiming, 'touchEveryMs' | 'stalePolls' | 'endSettleMs'>
  /** this engine's first tick: rows not seen for long were left open by a run that stopped */
  firstTick: boolean
  actor: string
  deviceId: string
  /** an end someone asked for (this process or another on the same database) */
  pendingEnd(row: SessionRow): { reason: EndReason; actor: string } | null
  /** a vanished row whose fate waits (an end in flight, a web host not resolved yet) */
  undecided(row: SessionRow): boolean
  /** whether the row's own process (pid and start time) still runs */
  rootAlive(row: SessionRow): boolean
  /** when each open row was first seen without its session while its process still ran */
  goneSince: ReadonlyMap<string, number>
}

export interface Reconciled {
  created: NewSession[]
  updates: SessionUpdate[]
  /** ids of the rows this tick ends */
  ended: string[]
  /** the rows that stay open, as they will be after this tick (for the policy) */
  after: SessionRow[]
  /** the next tick's goneSince */
  goneSince: Map<string, number>
}

/**
 * Compares the open rows with what was detected: new sessions to record, status changes and
 * touches for the ones still there, ends for the ones gone. Pure: no store, no clock, no OS.
 */
export function reconcile(
  open: readonly SessionRow[],
  sightings: readonly Sighting[],
  now: number,
  rules: ReconcileRules,
): Reconciled {
  const out: Reconciled = { created: [], updates: [], ended: [], after: [], goneSince: new Map() }
  const openByKey = new Map(open.map((r) => [r.key, r]))
  const seen = new Set<string>()
  for (const s of sightings) {
    if (seen.has(s.detected.key)) continue
    seen.add(s.detected.key)
    const row = openByKey.get(s.detected.key)
    if (row) still(row, s.activity, now, rules, out)
    else if (s.newcomer) out.created.push(newSession(s, s.newcomer, now, rules))
  }
  for (const row of open) if (!seen.has(row.key)) vanished(row, now, rules, out)
  return out
}

function idleAfterMs(rules: ReconcileRules, resourceId: number): number {
  return effectivePolicy(rules.settings, rules.resources.get(resourceId) ?? null).idleAfterMs
}

function still(row: SessionRow, activity: number, now: number, rules: ReconcileRules, out: Reconciled): void {
  const status = now - activity >= idleAfterMs(rules, row.resourceId) ? 'idle' : 'active'
  if (status !== row.status) {
    out.updates.push({ kind: 'status', id: row.id, status, at: now, lastSeen: now, lastActivity: activity })
  } else if (activity !== row.lastActivity || now - row.lastSeen >= rules.timing.touchEveryMs) {
    out.updates.push({ kind: 'touch', id: row.id, lastSeen: now, lastActivity: activity })
  }
  out.after.push({
    ...row,
    status,
    lastActivity: activity,
    lastSeen: now,
    warnedAt: status === 'active' ? null : row.warnedAt,
  })
}

function newSession(s: Sighting, n: Newcomer, now: number, rules: ReconcileRules): NewSession {
  const d = s.detected
  return {
    id: n.id,
    key: d.key,
    resourceId: n.resource.id,
    deviceId: rules.deviceId,
    startTime: Math.min(d.root.startTime, now),
    lastActivity: s.activity,
    lastSeen: now,
    status: now - s.activity >= effectivePolicy(rules.settings, n.resource).idleAfterMs ? 'idle' : 'active',
    pid: d.root.pid,
    processStart: d.root.startTime,
    exe: d.root.exe,
    client: d.client,
    host: d.host,
    user: d.user,
    ipAddress: d.remoteAddress,
    remotePort: d.remotePort,
    localAddress: d.localAddress,
    location: n.location,
    flags: n.newLocation ? [...d.flags, 'new-location'] : d.flags,
    endable: d.endable,
  }
}

/**
 * An open row no longer detected has ended; why decides when. Its process gone: the client exited.
 * Its process still there: the connection went without it, but a client told to quit closes its
 * connection before it exits, so the row is held for endSettleMs; a process that exits within it
 * is a process exit, one that outlives it lost its network. Either end is dated when the session
 * was first seen gone.
 */
function vanished(row: SessionRow, now: number, rules: ReconcileRules, out: Reconciled): void {
  const f = fate(row, now, rules)
  if ('hold' in f) {
    if (f.hold !== undefined) out.goneSince.set(row.id, f.hold)
    return
  }
  out.updates.push({ kind: 'end', id: row.id, ...f })
  out.ended.push(row.id)
}

type Fate = { at: number; reason: EndReason; actor: string } | { hold: number | undefined }

function fate(row: SessionRow, now: number, rules: ReconcileRules): Fate {
  const pending = rules.pendingEnd(row)
  if (pending) return { at: now, reason: pending.reason, actor: pending.actor }
  const since = rules.goneSince.get(row.id)
  if (rules.undecided(row)) return { hold: since }
  // lastSeen is refreshed every touchEveryMs: older than that (and a few polls) means nobody watched
  const { touchEveryMs, stalePolls, endSettleMs } = rules.timing
  const staleMs = touchEveryMs + stalePolls * rules.settings.pollIntervalMs + 2000
  // Left open by a run that stopped: it ended some time after it was last seen.
  if (rules.firstTick && now - row.lastSeen > staleMs)
    return { at: row.lastSeen, reason: 'app-restart', actor: rules.actor }
  const goneAt = since ?? now
  if (!rules.rootAlive(row)) return { at: goneAt, reason: 'process-exit', actor: 'engine' }
  // An engine that just started (a one-shot `warden list`) cannot know when the session went: a
  // row nobody saw for the settle window had its chance, else the CLI alone would never end it.
  const unseen = since === undefined && rules.firstTick && now - row.lastSeen >= endSettleMs
  if (unseen || now - goneAt >= endSettleMs) return { at: goneAt, reason: 'network-lost', actor: 'engine' }
  return { hold: goneAt }
}
