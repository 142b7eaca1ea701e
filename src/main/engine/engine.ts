import { randomBytes } from 'node:crypto'
import { lookup } from 'node:dns/promises'
import { EventEmitter } from 'node:events'
import { rmSync } from 'node:fs'
import { isIP } from 'node:net'
import { dirname } from 'node:path'
import type { EndReason, EndResult, ResourceType, Session, SessionStats } from '@shared/model'
import { computeStats } from '@shared/model'
import { formatDuration } from '@shared/duration'
import { checkWith, type Checked } from '@shared/check'
import { historyQuerySchema, type HistoryFilter } from '@shared/history'
import { newResourceAfter, policyAfter, settingsAfter } from '@shared/rules'
import type { ResourcePolicy, Settings } from '@shared/settings'
import { systemClock, type Clock } from './clock'
import { detectAll } from './detect'
import type { Detected, WebResource } from './detect/types'
import type { DeviceInfo, NetInterface } from './device'
import { checkSessionId, EngineError, type EngineErrorCode } from './errors'
import { PRIVATE_NETWORK, THIS_DEVICE, UNKNOWN_LOCATION, type GeoLocator } from './geo'
import { findBrowser, launchBrowser, profileDirFor } from './launch'
import { effectivePolicy, evaluatePolicy, type PolicyInput } from './policy'
import type { Probe, ProcessInfo, Snapshot } from './probe/types'
import type {
  HistoryPage,
  NewSession,
  ResourceRow,
  SessionRow,
  SessionUpdate,
  Store,
  TickResult,
} from './store/types'
import { StoreError } from './store/errors'
import { SshConfigResolver, type SshG } from './ssh-config'
import {
  descendantsOf,
  terminateTree,
  windowsSignal,
  type TerminateOutcome,
  type TerminatePorts,
} from './terminate'

/** Input idle time of the computer (the desktop app's powerMonitor); absent under the CLI. */
export interface SystemIdleSource {
  /** seconds since the last keyboard or mouse input, or null when unknown */
  idleSeconds(): number | null
}

export interface EngineDeps {
  store: Store
  probe: Probe
  geo: GeoLocator
  device: DeviceInfo
  clock?: Clock
  /** who acts: 'app', 'cli' … recorded in the audit events */
  actor?: string
  /** only this user's sessions (default: the current uid); null = every user's */
  uid?: number | null
  selfPid?: number
  systemIdle?: SystemIdleSource
  terminate?: Partial<TerminatePorts> & { graceMs?: number }
  resolveHost?: (host: string) => Promise<string[]>
  /** this computer's network interfaces (refreshed only when they change) */
  interfaces?: { interfaces(now?: number): Promise<NetInterface[]>; readonly networkFingerprint: string }
  /** how `ssh -G` is run (tests replace it) */
  sshG?: SshG
  /** narrows what this engine tracks (tests scope themselves to their own peers this way) */
  scope?: (d: Detected) => boolean
}

export interface WarnInfo {
  idleMs: number
  disconnectInMs: number | null
}

export interface EngineEvents {
  created: [Session]
  status: [Session]
  warned: [Session, WarnInfo]
  ended: [Session]
  limit: [Session, { limit: number; action: Settings['limitAction'] }]
  /** after every tick that changed anything: the open sessions */
  changed: [Session[]]
  /** the computer's network interfaces changed (Wi-Fi switch, VPN up or down) */
  network: [NetInterface[]]
  error: [Error]
}

export interface TickReport {
  at: number
  scanMs: number
  created: string[]
  ended: string[]
  statusChanged: string[]
  warned: string[]
}

/** Per-session memory between ticks that is not worth a database write. */
interface Live {
  detected: Detected
  /** last time traffic was seen on the session's own sockets (ms) */
  trafficAt: number
  /** the OS gave counters for this session at least once */
  hasCounters: boolean
  bytes: number | null
}

/** polls a live engine may miss before an open row counts as left by a run that stopped */
const STALE_POLLS = 3
const END_REQUEST_MAX_AGE_MS = 60_000
const TOUCH_EVERY_MS = 10_000
const PURGE_EVERY_MS = 3_600_000
const RESOLVE_EVERY_MS = 300_000

export function newSessionId(): string {
  return randomBytes(6).toString('hex')
}

/**
 * The session engine: probe → detect → track → store → policy → terminate, one tick at a time.
 * Plain Node: the desktop shell and the CLI both drive it; it never imports electron.
 */
export class Engine extends EventEmitter<EngineEvents> {
  private readonly store: Store
  private readonly probe: Probe
  private readonly geo: GeoLocator
  private readonly clock: Clock
  private readonly actor: string
  private readonly uid: number | null
  private readonly selfPid: number
  private readonly ports: TerminatePorts
  private readonly graceMs: number
  private readonly live = new Map<string, Live>()
  private readonly sshConfig: SshConfigResolver
  private readonly ending = new Set<string>()
  /** policy ends that failed, by id: retried only after a minute, not every tick */
  private readonly failedEnds = new Map<string, number>()
  /** ids whose 'ended' event endOne already emitted (a tick in flight must not emit it again) */
  private readonly endedEmitted = new Set<string>()
  private resolved = new Map<string, string[]>()
  private resolvedFor = ''
  private resolvedAt = 0
  private lastPurge = 0
  private lastCountersAt = -Infinity
  private lastDetected: { key: string; detected: Detected[] } | null = null
  private firstTick = true
  /** open session ids after the previous tick (null before the first) */
  private knownOpen: Set<string> | null = null
  private timer: NodeJS.Timeout | null = null
  private running: Promise<unknown> | null = null
  private stopped = false
  /** the loop that is current: a loop from before a stop/start (or suspend/resume) ends itself */
  private loopGen = 0
  private looping = false
  private suspended = false
  /** the computer last woke from sleep (ms): kernel idle clocks older than this say nothing new */
  private resumedAt = -Infinity
  /** the screen was locked with lockAction 'away' at this time: activity is capped there */
  private awaySince: number | null = null
  /** sessions the user kept active by hand (the notification's Keep active), by key: when */
  private readonly kept = new Map<string, number>()
  private lastSnapshot: Snapshot | null = null
  readonly device: DeviceInfo

  constructor(private readonly deps: EngineDeps) {
    super()
    this.store = deps.store
    this.probe = deps.probe
    this.geo = deps.geo
    this.device = deps.device
    this.clock = deps.clock ?? systemClock
    this.actor = deps.actor ?? 'engine'
    this.uid = deps.uid === undefined ? (process.getuid?.() ?? null) : deps.uid
    this.selfPid = deps.selfPid ?? process.pid
    this.graceMs = deps.terminate?.graceMs ?? 3000
    this.sshConfig = new SshConfigResolver(deps.sshG)
    this.ports = {
      readProcess: deps.terminate?.readProcess ?? ((pid) => this.probe.readProcess(pid)),
      descendants: deps.terminate?.descendants ?? ((pid) => this.descendants(pid)),
      signal:
        deps.terminate?.signal ??
        (process.platform === 'win32' ? windowsSignal : (pid, sig) => void process.kill(pid, sig)),
      sleep: deps.terminate?.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))),
    }
    this.store.upsertDevice({
      id: deps.device.id,
      name: deps.device.name,
      os: deps.device.os,
      model: deps.device.model,
    })
  }

  get settings(): Settings {
    return this.store.getSettings()
  }

  // ---------------------------------------------------------------- the loop

  /** Runs ticks every pollIntervalMs until stop(). Errors are emitted, never thrown. */
  start(): void {
    this.stopped = false
    this.looping = true
    this.suspended = false
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    const gen = ++this.loopGen
    const loop = async (): Promise<void> => {
      try {
        await this.tick({ policy: true })
      } catch (e) {
        this.reportError(e)
      }
      if (this.stopped || gen !== this.loopGen) return
      let interval = 1000
      try {
        interval = this.store.getSettings().pollIntervalMs
      } catch (e) {
        this.reportError(e)
      }
      this.timer = setTimeout(() => void loop(), interval)
    }
    void loop()
  }

  async stop(): Promise<void> {
    this.stopped = true
    this.looping = false
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    await this.running
    while (this.ending.size > 0) await new Promise((r) => setTimeout(r, 20))
  }

  /** An error is reported to listeners; with none (a one-shot CLI command) it is not fatal. */
  private reportError(e: unknown): void {
    if (this.listenerCount('error') > 0) this.emit('error', e instanceof Error ? e : new Error(String(e)))
  }

  /**
   * One scan. Concurrent calls wait for the scan in flight. `policy` (idle warnings,
   * auto-disconnect, limits) runs only in the loop by default: a one-shot `warden list` must not
   * warn or end anything on the app's behalf.
   */
  tick(opts: { policy?: boolean } = {}): Promise<TickReport> {
    if (this.running) return this.running.then(() => this.tick(opts))
    const p = this.doTick(opts.policy ?? false).finally(() => {
      this.running = null
    })
    this.running = p
    return p
  }

  private async doTick(policy: boolean): Promise<TickReport> {
    const started = performance.now()
    const settings = this.store.getSettings()
    const resources = this.store.listResources()
    const resourceById = new Map(resources.map((r) => [r.id, r]))
    const open = this.store.openSessions()
    const counters = this.countersDue(open, settings, resourceById, this.clock.now())
    const snapshot = await this.probe.snapshot({ counters })
    if (counters) this.lastCountersAt = snapshot.takenAt
    this.lastSnapshot = snapshot
    const now = this.clock.now()
    const webResources: WebResource[] = resources
      .filter((r) => r.type === 'web' && r.configured)
      .map((r) => ({ id: r.id, name: r.name, url: r.target }))
    // The first lookup of a web host is awaited (briefly): matching without it would end every
    // web session this process has not yet resolved the host of.
    await this.refreshResolved(webResources, now)

    const launched = this.liveLaunches(snapshot)
    const detectKey = `${webResources.map((w) => `${w.id}=${w.url}`).join(',')}|${[...this.resolved].join(';')}|${[...launched].join(',')}`
    const fresh = snapshot.unchanged !== true || this.lastDetected?.key !== detectKey
    let detected: Detected[]
    if (fresh || this.lastDetected === null) {
      const sshConfig = await this.sshConfig.resolve(snapshot, this.uid)
      detected = detectAll({
        snapshot,
        sshConfig,
        webResources,
        resolved: this.resolved,
        launched,
        selfPid: this.selfPid,
      }).filter(
        (d) =>
          (this.uid === null || d.root.uid === this.uid || d.root.uid < 0) && (this.deps.scope?.(d) ?? true),
      )
      this.lastDetected = { key: detectKey, detected }
    } else {
      // The OS looks exactly as it did last tick: the same sessions; only time has passed.
      detected = this.lastDetected.detected
    }

    const openByKey = new Map(open.map((r) => [r.key, r]))
    const newLocations = new Set<string>()
    const created: NewSession[] = []
    const updates: SessionUpdate[] = []
    const seen = new Set<string>()
    const lastInput = this.lastInputAt(settings, now)
    // What the rows will look like after this tick, for the policy.
    const after = new Map<string, SessionRow>()

    for (const d of detected) {
      if (seen.has(d.key)) continue
      seen.add(d.key)
      const row = openByKey.get(d.key)
      const traffic = Math.max(
        this.trafficAt(d, snapshot, row?.lastActivity ?? now, fresh),
        this.kept.get(d.key) ?? -Infinity,
      )
      const activity =
        lastInput === null ? traffic : Math.min(traffic, Math.max(lastInput, row?.startTime ?? 0))
      if (!row) {
        const known = d.resourceId === null ? undefined : resourceById.get(d.resourceId)
        let resource: ResourceRow
        try {
          resource = known ?? this.ensureResource(d)
        } catch (e) {
          // one odd command line must not stop every other session from being tracked
          this.reportError(e)
          continue
        }
        const idleAfterMs = effectivePolicy(settings, resource).idleAfterMs
        const location = this.geo.locate(d.remoteAddress)
        created.push({
          id: newSessionId(),
          key: d.key,
          resourceId: resource.id,
          deviceId: this.device.id,
          startTime: Math.min(d.root.startTime, now),
          lastActivity: activity,
          lastSeen: now,
          status: now - activity >= idleAfterMs ? 'idle' : 'active',
          pid: d.root.pid,
          processStart: d.root.startTime,
          exe: d.root.exe,
          client: d.client,
          host: d.host,
          user: d.user,
          ipAddress: d.remoteAddress,
          remotePort: d.remotePort,
          localAddress: d.localAddress,
          location,
          flags: this.isNewLocation(location, newLocations) ? [...d.flags, 'new-location'] : d.flags,
          endable: d.endable,
        })
        continue
      }
      const idleAfterMs = effectivePolicy(settings, resourceById.get(row.resourceId) ?? null).idleAfterMs
      const status = now - activity >= idleAfterMs ? 'idle' : 'active'
      if (status !== row.status) {
        updates.push({ kind: 'status', id: row.id, status, at: now, lastSeen: now, lastActivity: activity })
      } else if (activity !== row.lastActivity || now - row.lastSeen >= TOUCH_EVERY_MS) {
        updates.push({ kind: 'touch', id: row.id, lastSeen: now, lastActivity: activity })
      }
      after.set(row.id, {
        ...row,
        status,
        lastActivity: activity,
        lastSeen: now,
        warnedAt: status === 'active' ? null : row.warnedAt,
      })
    }

    // Open rows no longer detected have ended.
    for (const row of open) {
      if (seen.has(row.key)) continue
      const pending = this.store.pendingEnd(row.id, now, END_REQUEST_MAX_AGE_MS)
      if (pending) {
        updates.push({ kind: 'end', id: row.id, at: now, reason: pending.reason, actor: pending.actor })
        continue
      }
      if (this.ending.has(row.id)) continue
      if (row.resourceType === 'web' && !this.hostResolved(resourceById.get(row.resourceId))) continue
      // lastSeen is refreshed every TOUCH_EVERY_MS: older than that (and a few polls) means nobody watched
      const staleMs = TOUCH_EVERY_MS + STALE_POLLS * settings.pollIntervalMs + 2000
      if (this.firstTick && now - row.lastSeen > staleMs) {
        // Left open by a run that stopped: it ended some time after it was last seen.
        updates.push({ kind: 'end', id: row.id, at: row.lastSeen, reason: 'app-restart', actor: this.actor })
        continue
      }
      const root = snapshot.processes.get(row.pid)
      const rootAlive = root !== undefined && root.startTime === row.processStart
      const reason: EndReason = rootAlive ? 'network-lost' : 'process-exit'
      updates.push({ kind: 'end', id: row.id, at: now, reason, actor: 'engine' })
    }

    // Policy over what stays open.
    const policyInput: PolicyInput[] = [...after.values()].map((r) => ({
      id: r.id,
      type: r.resourceType,
      startTime: r.startTime,
      lastActivity: r.lastActivity,
      warnedAt: r.warnedAt,
      endable: r.endable,
      limitFlagged: r.flags.includes('limit-exceeded'),
      policy: resourceById.get(r.resourceId) ?? null,
    }))
    const actions = policy
      ? evaluatePolicy(
          policyInput.filter((p) => !this.ending.has(p.id) && !this.backingOff(p.id, now)),
          settings,
          now,
        )
      : []
    const warned: { id: string; info: WarnInfo }[] = []
    const toEnd: { id: string; reason: EndReason }[] = []
    const limited: { id: string; limit: number; action: Settings['limitAction'] }[] = []
    for (const a of actions) {
      if (a.kind === 'warn') {
        const detail =
          a.disconnectInMs === null
            ? `idle ${formatDuration(a.idleMs)}`
            : `idle ${formatDuration(a.idleMs)}; disconnect in ${formatDuration(a.disconnectInMs)}`
        updates.push({ kind: 'warned', id: a.id, at: now, detail })
        warned.push({ id: a.id, info: { idleMs: a.idleMs, disconnectInMs: a.disconnectInMs } })
      } else if (a.kind === 'auto-end') {
        toEnd.push({ id: a.id, reason: 'idle-timeout' })
      } else if (a.action === 'end-newest') {
        toEnd.push({ id: a.id, reason: 'policy' })
      } else {
        updates.push({ kind: 'flag', id: a.id, flag: 'limit-exceeded' })
        updates.push({
          kind: 'event',
          id: a.id,
          at: now,
          event: 'limit',
          detail: `over the ${a.type} limit of ${a.limit}`,
          actor: 'policy',
        })
        limited.push({ id: a.id, limit: a.limit, action: a.action })
      }
    }

    // a tick that changes nothing writes nothing (no transaction, no fsync)
    const result: TickResult =
      created.length + updates.length > 0
        ? this.store.applyTick(created, updates, now)
        : { inserted: [], duplicates: [], ended: [] }
    this.firstTick = false

    // Memory for the next tick.
    for (const d of detected) {
      const entry = this.live.get(d.key)
      if (entry) entry.detected = d
    }
    for (const key of [...this.live.keys()]) if (!seen.has(key)) this.live.delete(key)
    for (const key of [...this.kept.keys()]) if (!seen.has(key)) this.kept.delete(key)
    for (const id of result.ended) {
      const row = open.find((r) => r.id === id)
      if (row?.flags.includes('launched')) this.wipeLaunchProfile(row)
    }

    const report: TickReport = {
      at: now,
      scanMs: performance.now() - started,
      created: result.inserted,
      ended: result.ended,
      statusChanged: updates.filter((u) => u.kind === 'status').map((u) => u.id),
      warned: warned.map((w) => w.id),
    }
    const openIds = new Set(open.map((r) => r.id))
    for (const id of result.inserted) openIds.add(id)
    for (const d of result.duplicates) openIds.add(d.existingId)
    for (const id of result.ended) openIds.delete(id)
    this.emitTick(report, openIds, warned, limited, now)
    for (const e of toEnd) {
      this.endOne(e.id, e.reason, 'policy').then(
        (r) => {
          if (!r.ok) this.failedEnds.set(e.id, this.clock.now())
        },
        (err: unknown) => {
          this.failedEnds.set(e.id, this.clock.now())
          this.reportError(err)
        },
      )
    }
    this.maybePurge(settings, now)
    await this.checkNetwork(now)
    return report
  }

  /**
   * Emits what changed since the last tick as this engine saw it. Another process on the same
   * database (the CLI beside the app) may have recorded or ended sessions in between: those are
   * found by comparing the open ids with the previous tick's.
   */
  private emitTick(
    report: TickReport,
    openIds: Set<string>,
    warned: { id: string; info: WarnInfo }[],
    limited: { id: string; limit: number; action: Settings['limitAction'] }[],
    now: number,
  ): void {
    const known = this.knownOpen
    const created = known === null ? report.created : [...openIds].filter((id) => !known.has(id))
    const ended = (known === null ? report.ended : [...known].filter((id) => !openIds.has(id))).filter(
      (id) => !this.endedEmitted.has(id),
    )
    for (const id of this.endedEmitted) if (!openIds.has(id)) this.endedEmitted.delete(id)
    this.knownOpen = openIds
    const get = (id: string): Session | null => {
      const r = this.store.getSession(id)
      return r ? toSession(r, now) : null
    }
    for (const id of created) {
      const s = get(id)
      if (s) this.emit('created', s)
    }
    for (const id of report.statusChanged) {
      const s = get(id)
      if (s && s.status !== 'disconnected') this.emit('status', s)
    }
    for (const w of warned) {
      const s = get(w.id)
      if (s && s.status !== 'disconnected') this.emit('warned', s, w.info)
    }
    for (const l of limited) {
      const s = get(l.id)
      if (s) this.emit('limit', s, { limit: l.limit, action: l.action })
    }
    for (const id of ended) {
      const s = get(id)
      if (s) this.emit('ended', s)
    }
    if (created.length + ended.length + report.statusChanged.length + warned.length + limited.length > 0)
      this.emit('changed', this.list())
  }

  /** A name taken from a command line may hold anything: keep it printable and bounded. */
  private ensureResource(d: Detected): ResourceRow {
    // eslint-disable-next-line no-control-regex
    const clean = (t: string): string => t.replace(/[\u0000-\u001f\u007f\s]/g, '_').slice(0, 200) || '?'
    return this.store.ensureResource(d.resourceType, clean(d.resourceName), clean(targetOf(d)))
  }

  /**
   * Fresh per-socket counters (an `ss` run on Linux) are read every `sampleMs` — a tenth of the
   * shortest idle limit, between the poll interval and 10 s — and on every tick while an open
   * session is within that much of one of its thresholds, so no status change, warning or
   * auto-disconnect is ever decided on stale counters. In between, the probe reuses its last
   * reading unless a connection opened or closed.
   */
  private countersDue(
    open: readonly SessionRow[],
    settings: Settings,
    resources: ReadonlyMap<number, ResourceRow>,
    now: number,
  ): boolean {
    // nothing open: no activity to judge (a new session's first reading comes with its new socket)
    if (open.length === 0) return false
    let shortest = settings.idleAfterSec * 1000
    for (const r of resources.values())
      if (r.idleAfterSec !== null) shortest = Math.min(shortest, r.idleAfterSec * 1000)
    const sampleMs = Math.min(10_000, Math.max(settings.pollIntervalMs, shortest / 10))
    if (now - this.lastCountersAt >= sampleMs) return true
    const margin = sampleMs + settings.pollIntervalMs
    return open.some((row) => {
      const eff = effectivePolicy(settings, resources.get(row.resourceId) ?? null)
      const idleFor = now - row.lastActivity
      return [eff.idleAfterMs, eff.warnAfterMs, eff.disconnectAfterMs].some(
        (t) => t > 0 && idleFor >= t - margin && idleFor < t + margin,
      )
    })
  }

  /**
   * The spec's anomaly flag: a session to a place (a geolocated public address) no session from
   * this computer ever went to. Private and local addresses are never flagged. Two new sessions
   * to one new place in one scan are both flagged.
   */
  private isNewLocation(location: string, seenThisTick: Set<string>): boolean {
    if (location === PRIVATE_NETWORK || location === THIS_DEVICE || location === UNKNOWN_LOCATION)
      return false
    if (seenThisTick.has(location)) return true
    if (this.store.seenLocation(location)) return false
    seenThisTick.add(location)
    return true
  }

  private backingOff(id: string, now: number): boolean {
    const at = this.failedEnds.get(id)
    return at !== undefined && now - at < 60_000
  }

  private hostResolved(r: ResourceRow | undefined): boolean {
    const host = r ? hostOf(r.target) : null
    return host === null || isIP(host) !== 0 || (this.resolved.get(host)?.length ?? 0) > 0
  }

  // ---------------------------------------------------------------- activity

  /**
   * Last traffic on the session's own sockets. Linux gives the kernel's per-socket idle clock
   * (tcp_info lastsnd/lastrcv), exact whatever the poll rate; elsewhere byte counters that moved
   * since the last tick count as traffic now. With no counter at all (mosh over UDP, a platform
   * without per-socket counters) the session counts as active: we never idle out, and so never
   * auto-disconnect, a session on a guess.
   */
  private trafficAt(d: Detected, snap: Snapshot, previous: number, fresh: boolean): number {
    let entry = this.live.get(d.key)
    if (!entry) {
      entry = { detected: d, trafficAt: previous, hasCounters: false, bytes: null }
      this.live.set(d.key, entry)
    }
    // reused detections hold the sockets of an earlier reading: nothing new to learn from them
    if (!fresh && entry.hasCounters) return entry.trafficAt
    let idleClock: number | null = null
    let bytes: number | null = null
    for (const s of d.sockets) {
      if (s.lastSendMs !== undefined || s.lastRecvMs !== undefined) {
        const since = Math.min(s.lastSendMs ?? Infinity, s.lastRecvMs ?? Infinity)
        const at = snap.takenAt - since
        idleClock = idleClock === null ? at : Math.max(idleClock, at)
      }
      if (s.bytesSent !== undefined || s.bytesReceived !== undefined)
        bytes = (bytes ?? 0) + (s.bytesSent ?? 0) + (s.bytesReceived ?? 0)
    }
    if (idleClock !== null) {
      entry.hasCounters = true
      // The kernel's idle clock stands still while the computer sleeps, so traffic from before a sleep
      // reads as if it were later by the length of the sleep: anything older than the wake-up was
      // counted before the sleep (at its wall-clock time) and is not news.
      if (idleClock >= this.resumedAt)
        entry.trafficAt = Math.max(entry.trafficAt, Math.min(idleClock, snap.takenAt))
    } else if (bytes !== null) {
      if (entry.hasCounters && entry.bytes !== null && bytes !== entry.bytes) entry.trafficAt = snap.takenAt
      entry.hasCounters = true
      entry.bytes = bytes
    } else {
      // no counter in this reading (ss failed, a platform without them): never idle on a guess
      entry.trafficAt = snap.takenAt
    }
    return entry.trafficAt
  }

  /**
   * With "count me away", the last keyboard/mouse input caps activity; so does a screen lock with
   * lockAction 'away'. Null when neither applies.
   */
  private lastInputAt(settings: Settings, now: number): number | null {
    let at: number | null = null
    if (settings.awayWhenSystemIdle && this.deps.systemIdle) {
      const idle = this.deps.systemIdle.idleSeconds()
      if (idle !== null) at = now - idle * 1000
    }
    if (this.awaySince !== null) at = at === null ? this.awaySince : Math.min(at, this.awaySince)
    return at
  }

  // ---------------------------------------------------------------- the computer's state (desktop app)

  /** The computer is about to sleep: no scans until resume(). */
  suspend(): void {
    if (!this.looping || this.suspended) return
    this.suspended = true
    this.stopped = true
    this.loopGen++
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
  }

  /**
   * The computer woke up. Idle deadlines come from the stored wall-clock times (last activity,
   * warned at), so a session idle before the sleep is as idle as the wall clock says; the loop
   * restarts at once instead of waiting out a timer that slept too.
   */
  resume(): void {
    this.resumedAt = this.clock.now()
    if (this.suspended) this.start()
  }

  /**
   * The screen was locked. lockAction decides: 'away' caps every session's activity at the lock
   * (its idle clock runs even if keep-alives flow), 'end' ends every session that can be ended
   * (reason 'screen-lock'), 'nothing' does nothing.
   */
  async screenLocked(): Promise<EndResult[]> {
    const { lockAction } = this.store.getSettings()
    if (lockAction === 'away') this.awaySince = this.clock.now()
    if (lockAction === 'end') return this.endAll('screen-lock', 'screen-lock')
    return []
  }

  /** The screen was unlocked: the user is back. */
  screenUnlocked(): void {
    this.awaySince = null
  }

  /** The user says a session is in use (the idle warning's Keep active): its idle clock restarts now. */
  async keepActive(id: string, actor = this.actor): Promise<Session> {
    checkSessionId(id)
    const row = this.store.getSession(id)
    if (!row) throw new EngineError('UNKNOWN_SESSION', `no session with id ${id}`)
    if (row.status === 'disconnected')
      throw new EngineError('SESSION_ENDED', `${row.resourceName} has already ended`)
    const now = this.clock.now()
    this.kept.set(row.key, now)
    this.store.applyTick(
      [],
      [{ kind: 'event', id, at: now, event: 'kept-active', detail: 'kept active by hand', actor }],
      now,
    )
    await this.tick()
    return this.get(id)
  }

  // ---------------------------------------------------------------- web resources

  private async refreshResolved(web: WebResource[], now: number): Promise<void> {
    const hosts = [
      ...new Set(web.map((w) => hostOf(w.url)).filter((h): h is string => h !== null && isIP(h) === 0)),
    ]
    const sig = hosts.sort().join(',')
    if (sig === this.resolvedFor && now - this.resolvedAt < RESOLVE_EVERY_MS) return
    this.resolvedFor = sig
    this.resolvedAt = now
    // Resolution happens beside the loop, never inside a tick: a slow DNS must not stall scans.
    // Only a host never resolved before is waited for, at most 1.5 s.
    const resolve =
      this.deps.resolveHost ?? ((h: string) => lookup(h, { all: true }).then((a) => a.map((x) => x.address)))
    const unknown = hosts.some((h) => !this.resolved.has(h))
    const job = Promise.all(
      hosts.map(async (h) => {
        try {
          return [h, await resolve(h)] as const
        } catch {
          return [h, [] as string[]] as const
        }
      }),
    ).then((pairs) => {
      // Merged, not replaced: a browser keeps its connection to an address the name no longer
      // returns first (load balancers, CDNs); forgetting it would end a live session.
      const next = new Map<string, string[]>()
      for (const [h, addrs] of pairs)
        next.set(h, [...new Set([...(this.resolved.get(h) ?? []), ...addrs])].slice(-64))
      this.resolved = next
    })
    if (unknown) await Promise.race([job, new Promise((r) => setTimeout(r, 1500))])
  }

  private liveLaunches(snap: Snapshot): Map<number, number> {
    const out = new Map<number, number>()
    for (const l of this.store.launches()) {
      const p = snap.processes.get(l.pid)
      if (p && p.startTime === l.processStart) out.set(l.pid, l.resourceId)
      else this.store.removeLaunch(l.pid, l.processStart)
    }
    return out
  }

  // ---------------------------------------------------------------- reading

  /** Current (open) sessions, newest first. */
  list(): Session[] {
    const now = this.clock.now()
    return this.store
      .openSessions()
      .map((r) => toSession(r, now))
      .sort((a, b) => b.startTime.localeCompare(a.startTime))
  }

  stats(): SessionStats {
    return computeStats(this.list())
  }

  get(id: string): Session {
    checkSessionId(id)
    const row = this.store.getSession(id)
    if (!row) throw new EngineError('UNKNOWN_SESSION', `no session with id ${id}`)
    return toSession(row, this.clock.now())
  }

  history(q: HistoryFilter): { rows: Session[]; nextCursor: string | null } {
    let page: HistoryPage
    try {
      page = this.store.history(must('BAD_QUERY', checkWith(historyQuerySchema, q)))
    } catch (e) {
      // a cursor this store never handed out is the caller's mistake, not a fault
      if (e instanceof StoreError && e.code === 'BAD_CURSOR') throw new EngineError('BAD_QUERY', e.message)
      throw e
    }
    const now = this.clock.now()
    return { rows: page.rows.map((r) => toSession(r, now)), nextCursor: page.nextCursor }
  }

  // ---------------------------------------------------------------- ending

  /** Ends one session (reason 'user'). Unknown or malformed ids throw EngineError before any signal. */
  async end(id: string, actor = this.actor): Promise<EndResult> {
    checkSessionId(id)
    if (!this.store.getSession(id)) throw new EngineError('UNKNOWN_SESSION', `no session with id ${id}`)
    return this.endOne(id, 'user', actor)
  }

  /** Ends several sessions at once (reason 'bulk'); every id is checked before anything is signalled. */
  async endMany(ids: readonly string[], actor = this.actor): Promise<EndResult[]> {
    for (const id of ids) {
      checkSessionId(id)
      if (!this.store.getSession(id)) throw new EngineError('UNKNOWN_SESSION', `no session with id ${id}`)
    }
    const table = await this.processTable()
    return Promise.all([...new Set(ids)].map((id) => this.endOne(id, 'bulk', actor, table)))
  }

  /** Ends every open session that can be ended; the others are reported as not endable. */
  async endAll(actor = this.actor, reason: EndReason = 'bulk'): Promise<EndResult[]> {
    await this.tick()
    const ids = this.store.openSessions().map((r) => r.id)
    const table = await this.processTable()
    return Promise.all(ids.map((id) => this.endOne(id, reason, actor, table)))
  }

  /**
   * @param table a process table read just before a bulk end: one read serves every session's
   * descendants instead of one full read per session
   */
  private async endOne(
    id: string,
    reason: EndReason,
    actor: string,
    table?: readonly ProcessInfo[],
  ): Promise<EndResult> {
    const row = this.store.getSession(id)
    if (!row) return { id, ok: false, result: 'failed', error: `no session with id ${id}` }
    if (row.status === 'disconnected') return { id, ok: true, result: 'already-ended' }
    if (!row.endable) {
      return {
        id,
        ok: false,
        result: 'not-endable',
        error: `${row.resourceName} is open in your own browser (${row.client}, pid ${row.pid}); Session Warden cannot end one site without closing the whole browser — close its tab yourself`,
      }
    }
    if (this.ending.has(id)) return { id, ok: false, result: 'failed', error: 'already being ended' }
    this.ending.add(id)
    try {
      const now = this.clock.now()
      this.store.requestEnd(id, reason, actor, now)
      const members = (this.live.get(row.key)?.detected.members ?? []).map((m) => ({
        pid: m.pid,
        startTime: m.startTime,
        exe: m.exe,
      }))
      let outcome: TerminateOutcome
      try {
        outcome = await terminateTree(
          { pid: row.pid, startTime: row.processStart, exe: row.exe },
          members,
          table
            ? { ...this.ports, descendants: (pid) => Promise.resolve(descendantsOf(table, pid)) }
            : this.ports,
          { graceMs: this.graceMs, selfPid: this.selfPid },
        )
      } catch (e) {
        outcome = { ok: false, result: 'error', error: e instanceof Error ? e.message : String(e) }
      }
      const at = this.clock.now()
      if (!outcome.ok) {
        this.store.clearEndRequest(id)
        this.store.applyTick(
          [],
          [{ kind: 'event', id, at, event: 'end-failed', detail: outcome.error, actor }],
          at,
        )
        return { id, ok: false, result: 'failed', error: outcome.error }
      }
      // Gone before we signalled (exited, or its PID now belongs to another program): it ended on its own.
      const gone = outcome.result === 'already-gone'
      const end: SessionUpdate = gone
        ? { kind: 'end', id, at, reason: 'process-exit', actor: 'engine' }
        : { kind: 'end', id, at, reason, actor }
      const res = this.store.applyTick([], [end], at)
      if (row.flags.includes('launched')) this.wipeLaunchProfile(row)
      if (res.ended.includes(id)) {
        this.knownOpen?.delete(id)
        this.endedEmitted.add(id)
        const s = this.store.getSession(id)
        if (s) this.emit('ended', toSession(s, at))
        this.emit('changed', this.list())
      }
      return outcome.result === 'ended'
        ? { id, ok: true, result: 'ended', killed: outcome.killed }
        : { id, ok: true, result: 'already-gone' }
    } finally {
      this.ending.delete(id)
    }
  }

  /** A launched window's profile (cookies, storage) does not outlive its session. */
  private wipeLaunchProfile(row: SessionRow): void {
    const r = this.store.listResources({ type: 'web' }).find((x) => x.id === row.resourceId)
    if (!r) return
    try {
      rmSync(profileDirFor(dirname(this.store.path), r.id), { recursive: true, force: true, maxRetries: 3 })
    } catch (e) {
      this.reportError(e)
    }
  }

  private async descendants(pid: number): Promise<ProcessInfo[]> {
    return descendantsOf(await this.processTable(), pid)
  }

  private async processTable(): Promise<ProcessInfo[]> {
    return [...(await this.probe.snapshot()).processes.values()]
  }

  // ---------------------------------------------------------------- upkeep

  private networkSeen: string | null = null

  /** A cheap check (os.networkInterfaces, at most every 10 s); systeminformation only on change. */
  private async checkNetwork(now: number): Promise<void> {
    const src = this.deps.interfaces
    if (!src) return
    const list = await src.interfaces(now)
    const fp = src.networkFingerprint
    if (this.networkSeen !== null && fp !== this.networkSeen) this.emit('network', list)
    this.networkSeen = fp
  }

  /** This computer's network interfaces. */
  async interfaces(): Promise<NetInterface[]> {
    return this.deps.interfaces ? this.deps.interfaces.interfaces(this.clock.now()) : []
  }

  private maybePurge(settings: Settings, now: number): void {
    if (now - this.lastPurge < PURGE_EVERY_MS) return
    this.lastPurge = now
    this.store.purge(now - settings.retentionDays * 86_400_000)
  }

  /** The latest snapshot the engine took (for diagnostics and the benchmark). */
  get snapshot(): Snapshot | null {
    return this.lastSnapshot
  }

  // ---------------------------------------------------------------- settings and resources

  getSettings(): Settings {
    return this.store.getSettings()
  }

  /** Validates first: a bad value is refused with the reason and nothing changes. */
  setSetting(key: string, value: unknown): Settings {
    const next = must('BAD_SETTING', settingsAfter(this.getSettings(), this.resources(), key, value))
    return this.store.setSetting(next.key, next.settings[next.key])
  }

  resources(filter?: { type?: ResourceType; configuredOnly?: boolean }): ResourceRow[] {
    return this.store.listResources(filter)
  }

  addResource(
    r: { type: ResourceType; name: string; target: string } & Partial<ResourcePolicy>,
  ): ResourceRow {
    const checked = must('BAD_RESOURCE', newResourceAfter(this.getSettings(), r))
    try {
      const row = this.store.addResource(checked)
      this.resolvedFor = '' // re-resolve web hosts on the next tick
      return row
    } catch (e) {
      throw asEngineError(e, 'BAD_RESOURCE')
    }
  }

  updateResourcePolicy(nameOrId: string, p: Partial<ResourcePolicy>): ResourceRow {
    const r = this.findResource(nameOrId)
    const next = must('BAD_RESOURCE', policyAfter(this.getSettings(), r, p))
    try {
      return this.store.updateResourcePolicy(r.id, next)
    } catch (e) {
      throw asEngineError(e, 'BAD_RESOURCE')
    }
  }

  removeResource(nameOrId: string): ResourceRow {
    const r = this.findResource(nameOrId)
    this.store.removeResource(r.id)
    this.resolvedFor = ''
    return r
  }

  findResource(nameOrId: string): ResourceRow {
    const r = this.store.findResource(nameOrId)
    if (!r) throw new EngineError('UNKNOWN_RESOURCE', `no resource named or numbered "${nameOrId}"`)
    return r
  }

  /**
   * Opens a web resource in a dedicated browser window with its own profile. That session can be
   * ended for real (and its cookies wiped), unlike one in the user's everyday browser.
   */
  async launchWeb(
    nameOrId: string,
    opts: { browser?: string; extraArgs?: readonly string[] } = {},
  ): Promise<{ pid: number }> {
    const r = this.findResource(nameOrId)
    if (r.type !== 'web') throw new EngineError('BAD_RESOURCE', `${r.name} is not a web resource`)
    const browser = opts.browser ?? findBrowser()
    if (!browser)
      throw new EngineError(
        'LAUNCH_FAILED',
        'no Chromium-family browser found (set WARDEN_BROWSER to its path)',
      )
    let pid: number
    try {
      pid = await launchBrowser({
        browser,
        url: r.target,
        profileDir: profileDirFor(dirname(this.store.path), r.id),
        extraArgs: opts.extraArgs ?? [],
      })
    } catch (e) {
      throw new EngineError(
        'LAUNCH_FAILED',
        `could not start ${browser}: ${e instanceof Error ? e.message : String(e)}`,
      )
    }
    const info = await this.probe.readProcess(pid)
    if (!info) throw new EngineError('LAUNCH_FAILED', `${browser} exited right after it started`)
    this.store.addLaunch({ pid, processStart: info.startTime, resourceId: r.id, at: this.clock.now() })
    return { pid }
  }

  /** The database in use, and where a corrupt one was moved to at open (the caller tells the user). */
  get storeInfo(): { path: string; recoveredFrom: string | null } {
    return { path: this.store.path, recoveredFrom: this.store.recoveredFrom }
  }

  /** Stops the loop and closes the database. */
  async close(): Promise<void> {
    await this.stop()
    this.store.close()
  }
}

function asEngineError(e: unknown, code: 'BAD_RESOURCE' | 'BAD_SETTING'): Error {
  if (e instanceof EngineError) return e
  if (e instanceof Error && 'code' in e && typeof e.code === 'string' && e.code.startsWith('BAD_'))
    return new EngineError(code, e.message)
  return e instanceof Error ? e : new Error(String(e))
}

/** A shared rule's refusal (src/shared/rules.ts) as the engine's error; nothing was changed. */
function must<T>(code: EngineErrorCode, r: Checked<T>): T {
  if (!r.ok) throw new EngineError(code, r.error)
  return r.value
}

function hostOf(url: string): string | null {
  try {
    return new URL(url).hostname.replace(/^\[|\]$/g, '')
  } catch {
    return null
  }
}

function targetOf(d: Detected): string {
  return d.remotePort > 0 ? `${d.host}:${d.remotePort}` : d.host
}

export function toSession(r: SessionRow, now: number): Session {
  const end = r.endTime ?? now
  const durationMs = Math.max(0, end - r.startTime)
  return {
    id: r.id,
    resourceName: r.resourceName,
    resourceType: r.resourceType,
    startTime: new Date(r.startTime).toISOString(),
    duration: formatDuration(durationMs),
    status: r.endTime !== null ? 'disconnected' : r.status,
    device: r.deviceName,
    location: r.location,
    ipAddress: r.ipAddress,
    durationMs,
    lastActivity: new Date(r.lastActivity).toISOString(),
    lastSeen: new Date(r.lastSeen).toISOString(),
    endTime: r.endTime === null ? null : new Date(r.endTime).toISOString(),
    endReason: r.endReason,
    endedBy: r.endedBy,
    pid: r.pid,
    processStart: r.processStart,
    exe: r.exe,
    client: r.client,
    host: r.host,
    user: r.user,
    remotePort: r.remotePort,
    localAddress: r.localAddress,
    flags: r.flags,
    endable: r.endable,
  }
}
