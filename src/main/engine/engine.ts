import { EventEmitter } from 'node:events'
import path from 'node:path'
import type { EndReason, EndResult, ResourceType, Session, SessionStats } from '@shared/model'
import { computeStats } from '@shared/model'
import { checkWith, type Checked } from '@shared/check'
import { historyQuerySchema, type HistoryFilter } from '@shared/history'
import { recordingPatchSchema, splitRecordingPatch, type RecordingPatch } from '@shared/recording'
import { newResourceAfter, policyAfter, settingsAfter } from '@shared/rules'
import type { ResourcePolicy, Settings } from '@shared/settings'
import { Activity, type SystemIdleSource } from './activity'
import { RdpRecorder, type RdpRecorderDeps } from './rdp-recorder'
import { SampleRing } from './samples'
import { SshJumpLookup } from './ssh-jump'
import { sessionDetails } from './session-details'
import type { SessionDetails } from '@shared/session-details'
import { createAsnLookup, packagedAsnSource, type AsnSource } from './anomaly/asn'
import { osOpener, type ContactPorts } from './anomaly/contact'
import type { RecordingRef } from './anomaly/report'
import type { Recording } from '@shared/recording'
import { Reviewer } from './anomaly/reviewer'
import { ReviewService } from './anomaly/review-service'
import { ChangeFeed, type EngineEvents, type TickReport } from './change-feed'
import { systemClock, type Clock } from './clock'
import { Detection } from './detection'
import type { Detected, WebResource } from './detect/types'
import type { DeviceInfo, NetInterface } from './device'
import { checkSessionId, EngineError, type EngineErrorCode } from './errors'
import type { GeoLocator } from './geo'
import type { LaunchOptions } from './launch'
import { evaluatePolicy, planPolicy, policyInput, type PolicyPlan } from './policy'
import { PollLoop } from './poll-loop'
import { EngineRecordings } from './recordings'
import type { Probe, ProcessInfo, Snapshot } from './probe/types'
import { reconcile, type Reconciled, type ReconcileRules } from './reconcile'
import { toSession } from './session-view'
import { sightings } from './sightings'
import type { SshG } from './ssh-config'
import { isMemory } from './store/connection'
import { StoreError } from './store/errors'
import type { HistoryPage, ResourceRow, SessionRow, Store, TickResult } from './store/types'
import { descendantsOf, windowsSignal, type TerminatePorts } from './terminate'
import { Terminator } from './terminator'
import { engineTiming, type EngineTiming } from './timing'
import { WebHosts } from './web-hosts'
import { WebLauncher } from './web-launcher'

export type { SystemIdleSource } from './activity'
export type { EngineEvents, TickReport } from './change-feed'
export type { WarnInfo } from './policy'
export type { EngineTiming } from './timing'
export { newSessionId, toSession } from './session-view'

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
  /** timing rules (src/main/engine/timing.ts); tests shrink them instead of sleeping */
  timing?: Partial<EngineTiming>
  /** starts a dedicated browser window and resolves with its pid (tests replace it) */
  launchBrowser?: (o: LaunchOptions) => Promise<number>
  /** the RDP window recorder (rdp-recorder.ts), active while the loop runs; tests shrink its timing */
  rdpRecorder?: Pick<RdpRecorderDeps, 'timing' | 'findWindow' | 'capture'>
  /** anomaly review: the ASN data (default: the installed @ip-location-db/asn; null: none) */
  asnSource?: AsnSource | null
  /** anomaly review: how a report reaches the security contact (default: the OS opener) */
  contact?: Partial<ContactPorts>
  /** anomaly review: where evidence bundles go (default: `reports` beside the database) */
  reportsDir?: string
  /** anomaly review: a session's recording, for the evidence bundle (issue 12) */
  recordingOf?: (sessionId: string) => RecordingRef | null
}

const NO_PLAN: PolicyPlan = { updates: [], warned: [], toEnd: [], limited: [] }

/**
 * The session engine: probe → detect → track → store → policy → terminate, one tick at a time.
 * Plain Node: the desktop shell and the CLI both drive it; it never imports electron. It
 * orchestrates the rooms beside it: the poll loop, activity, detection, the pure reconcile and
 * policy, the terminator, the web host resolver and launcher, and the change feed.
 */
export class Engine extends EventEmitter<EngineEvents> {
  private readonly store: Store
  private readonly probe: Probe
  private readonly geo: GeoLocator
  private readonly clock: Clock
  private readonly actor: string
  private readonly timing: Readonly<EngineTiming>
  private readonly activity: Activity
  private readonly detection: Detection
  private readonly hosts: WebHosts
  private readonly feed: ChangeFeed
  private readonly terminator: Terminator
  private readonly launcher: WebLauncher
  private readonly loop: PollLoop
  readonly rdpRecorder: RdpRecorder
  private readonly reviewer: Reviewer
  /** anomaly review: the list, Mark as expected, the allow-list, Report suspicious session */
  readonly review: ReviewService
  private running: Promise<TickReport> | null = null
  private firstTick = true
  /** open rows seen without their session while their process ran, since when (ms) */
  private goneSince: ReadonlyMap<string, number> = new Map()
  private lastPurge = 0
  private networkSeen: string | null = null
  private lastSnapshot: Snapshot | null = null
  /** per-session counter samples for the details drawer (samples.ts) */
  private readonly samples = new SampleRing()
  /** the drawer's ProxyJump hops from argv or `ssh -G`, asked on details() only (ssh-jump.ts) */
  private readonly jumps: SshJumpLookup
  readonly device: DeviceInfo
  /** session recordings: the folder, the in-process recorders' ledger, reading and checking (issue 12) */
  readonly recordings: EngineRecordings
  private readonly unhearReopen: () => void

  constructor(private readonly deps: EngineDeps) {
    super()
    this.store = deps.store
    this.probe = deps.probe
    this.geo = deps.geo
    this.device = deps.device
    this.clock = deps.clock ?? systemClock
    this.actor = deps.actor ?? 'engine'
    this.timing = engineTiming(deps.timing)
    const uid = deps.uid === undefined ? (process.getuid?.() ?? null) : deps.uid
    const selfPid = deps.selfPid ?? process.pid
    const reportError = (e: unknown): void => this.reportError(e)
    this.activity = new Activity(deps.systemIdle)
    this.detection = new Detection({ uid, selfPid, sshG: deps.sshG, scope: deps.scope })
    this.jumps = new SshJumpLookup(deps.sshG ? { sshG: deps.sshG } : {})
    this.hosts = new WebHosts(this.timing, deps.resolveHost)
    this.recordings = new EngineRecordings(
      this.store,
      isMemory(this.store.path) ? null : path.dirname(path.resolve(this.store.path)),
    )
    this.feed = new ChangeFeed(
      this,
      (id) => this.read(id),
      () => this.list(),
      (id) => this.recordings.find(id),
    )
    this.launcher = new WebLauncher({ ...this.rooms(), launch: deps.launchBrowser, reportError })
    this.terminator = new Terminator({
      ...this.rooms(),
      ports: this.ports(),
      graceMs: deps.terminate?.graceMs ?? 3000,
      selfPid,
      members: (key) => this.activity.members(key),
      ended: (row, recorded) => this.ended(row, recorded),
      reportError,
    })
    this.reviewer = this.newReviewer(selfPid, reportError)
    this.review = this.newReviewService()
    this.loop = new PollLoop(
      () => this.tick({ policy: true }),
      () => this.store.getSettings().pollIntervalMs,
      reportError,
    )
    this.rdpRecorder = new RdpRecorder({
      ...deps.rdpRecorder,
      events: this,
      list: () => this.list(),
      settings: () => this.store.getSettings(),
      resource: (s) => this.store.findResource(s.resourceName),
      ledger: this.recordings.ledger,
      dir: () => this.recordings.dir,
      changed: () => this.emit('changed', this.list()),
      reportError,
    })
    // Another process may move a damaged database aside: the store follows the live file, and the
    // engine's owner (watch, the desktop app) says so once (src/main/engine/store/live.ts).
    this.unhearReopen = this.store.onReopen((n) => this.emit('reopened', n))
    this.store.upsertDevice({
      id: deps.device.id,
      name: deps.device.name,
      os: deps.device.os,
      model: deps.device.model,
    })
  }

  /** anomaly review's rules, fed by the tick (src/main/engine/anomaly) */
  private newReviewer(selfPid: number, reportError: (e: unknown) => void): Reviewer {
    const deps = this.deps
    return new Reviewer({
      store: this.store,
      now: () => this.clock.now(),
      selfPid,
      platform: process.platform,
      systemIdle: deps.systemIdle,
      asn: createAsnLookup(
        this.store,
        deps.asnSource === undefined ? packagedAsnSource() : deps.asnSource,
        () => this.clock.now(),
      ),
      reportError,
      notice: (id, hits) => this.emitWith(id, (s) => this.emit('review', s, hits)),
      flagged: () => this.emit('reviewChanged', this.review.listNow().length),
    })
  }

  /** the review list, Mark as expected, the allow-list and Report suspicious session */
  private newReviewService(): ReviewService {
    const deps = this.deps
    return new ReviewService({
      store: this.store,
      now: () => this.clock.now(),
      device: deps.device,
      hasher: this.reviewer.hasher,
      end: (id, reason, actor) => this.terminator.end(id, reason, actor),
      settled: () => this.reviewer.settled(),
      contact: { openExternal: osOpener(), ...deps.contact },
      reportsDir: deps.reportsDir,
      // the evidence bundle names the session's newest recording and its sha256 (issue 12's store)
      recordingOf: deps.recordingOf ?? ((id) => recordingRefOf(this.store.listRecordings({ sessionId: id }))),
      changed: () => this.emit('reviewChanged', this.review.listNow().length),
    })
  }

  private rooms(): { store: Store; probe: Probe; clock: Clock; timing: Readonly<EngineTiming> } {
    return { store: this.store, probe: this.probe, clock: this.clock, timing: this.timing }
  }

  private ports(): TerminatePorts {
    const t = this.deps.terminate
    return {
      readProcess: t?.readProcess ?? ((pid) => this.probe.readProcess(pid)),
      descendants: t?.descendants ?? (async (pid) => descendantsOf(await this.processTable(), pid)),
      signal:
        t?.signal ??
        (process.platform === 'win32' ? windowsSignal : (pid, sig) => void process.kill(pid, sig)),
      sleep: t?.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))),
    }
  }

  get settings(): Settings {
    return this.store.getSettings()
  }

  // ---------------------------------------------------------------- the loop

  /** Runs ticks every pollIntervalMs until stop(). Errors are emitted, never thrown. */
  start(): void {
    this.loop.start()
    this.rdpRecorder.start()
  }

  /** Stops the loop and waits for the tick and the ends under way. */
  async stop(): Promise<void> {
    this.loop.stop()
    await this.running
    await this.rdpRecorder.stop()
    await this.terminator.settled()
    await this.reviewer.settled()
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
    const resources = new Map(this.store.listResources().map((r) => [r.id, r]))
    const open = this.store.openSessions()
    const { snapshot, detected, fresh, now } = await this.scan(open, settings, resources)
    const seen = sightings(detected, open, {
      ...this.rooms(),
      geo: this.geo,
      activity: this.activity,
      resources,
      snapshot,
      fresh,
      now,
      lastInput: this.activity.lastInputAt(settings, now),
      reportError: (e) => this.reportError(e),
    })
    const rec = reconcile(open, seen, now, this.rules(settings, resources, snapshot, now))
    this.samples.record(rec.after, detected, now, fresh)
    const plan = policy ? this.plan(rec.after, settings, resources, now) : NO_PLAN
    const result = this.write(rec, plan, now)
    const inserted = new Set(result.inserted)
    this.reviewer.review(
      rec.created.filter((c) => inserted.has(c.id)),
      snapshot.processes,
      settings,
      now,
    )
    this.firstTick = false
    this.goneSince = rec.goneSince
    this.activity.remember(detected, new Set(detected.map((d) => d.key)))
    for (const id of result.ended) {
      const row = open.find((r) => r.id === id)
      if (row?.flags.includes('launched')) this.launcher.wipeProfile(row)
    }
    const report: TickReport = {
      at: now,
      scanMs: performance.now() - started,
      created: result.inserted,
      ended: result.ended,
      statusChanged: rec.updates.filter((u) => u.kind === 'status').map((u) => u.id),
      warned: plan.warned.map((w) => w.id),
    }
    this.feed.tick({
      report,
      openIds: openAfter(open, result),
      warned: plan.warned,
      limited: plan.limited,
      recordingMarks: recordingMarks(open),
      failedRecordings: failedRecordings(open),
    })
    this.terminator.endForPolicy(plan.toEnd)
    this.maybePurge(settings, now)
    this.trimRecordings(settings, now)
    await this.checkNetwork(now)
    return report
  }

  /** Reads the OS (counters only when due) and detects its sessions. */
  private async scan(
    open: readonly SessionRow[],
    settings: Settings,
    resources: ReadonlyMap<number, ResourceRow>,
  ): Promise<{ snapshot: Snapshot; detected: Detected[]; fresh: boolean; now: number }> {
    const counters = this.activity.countersDue(open, settings, resources, this.clock.now())
    const webResources: WebResource[] = [...resources.values()]
      .filter((r) => r.type === 'web' && r.configured)
      .map((r) => ({ id: r.id, name: r.name, url: r.target }))
    // without a web resource no browser connection makes a session: the probe skips their sockets
    const snapshot = await this.probe.snapshot({ counters, browsers: webResources.length > 0 })
    if (counters) this.activity.countersRead(snapshot.takenAt)
    this.lastSnapshot = snapshot
    const now = this.clock.now()
    await this.hosts.refresh(webResources, now)
    const launched = this.launcher.live(snapshot)
    const { detected, fresh } = await this.detection.detect(
      snapshot,
      webResources,
      this.hosts.addresses,
      launched,
    )
    return { snapshot, detected, fresh, now }
  }

  private rules(
    settings: Settings,
    resources: ReadonlyMap<number, ResourceRow>,
    snapshot: Snapshot,
    now: number,
  ): ReconcileRules {
    return {
      settings,
      resources,
      timing: this.timing,
      firstTick: this.firstTick,
      actor: this.actor,
      deviceId: this.device.id,
      goneSince: this.goneSince,
      pendingEnd: (row) => this.store.pendingEnd(row.id, now, this.timing.endRequestMaxAgeMs),
      undecided: (row) =>
        this.terminator.isEnding(row.id) ||
        (row.resourceType === 'web' && !this.hosts.isResolved(resources.get(row.resourceId))),
      rootAlive: (row) => snapshot.processes.get(row.pid)?.startTime === row.processStart,
    }
  }

  /** The policy over the rows that stay open (not those being ended or backing off). */
  private plan(
    after: readonly SessionRow[],
    settings: Settings,
    resources: ReadonlyMap<number, ResourceRow>,
    now: number,
  ): PolicyPlan {
    const inputs = after
      .filter((r) => !this.terminator.isEnding(r.id) && !this.terminator.backingOff(r.id, now))
      .map((r) => policyInput(r, resources.get(r.resourceId) ?? null))
    return planPolicy(evaluatePolicy(inputs, settings, now), now)
  }

  /** One transaction for the tick; a tick that changes nothing writes nothing (no fsync). */
  private write(rec: Reconciled, plan: PolicyPlan, now: number): TickResult {
    const updates = [...rec.updates, ...plan.updates]
    return rec.created.length + updates.length > 0
      ? this.store.applyTick(rec.created, updates, now)
      : { inserted: [], duplicates: [], ended: [] }
  }

  // ---------------------------------------------------------------- the computer's state (desktop app)

  /** The computer is about to sleep: no scans until resume(). */
  suspend(): void {
    this.loop.suspend()
  }

  /**
   * The computer woke up. Idle deadlines come from the stored wall-clock times (last activity,
   * warned at), so a session idle before the sleep is as idle as the wall clock says; the loop
   * restarts at once instead of waiting out a timer that slept too.
   */
  resume(): void {
    this.activity.resumed(this.clock.now())
    this.loop.resume()
  }

  /**
   * The screen was locked. lockAction decides: 'away' caps every session's activity at the lock
   * (its idle clock runs even if keep-alives flow), 'end' ends every session that can be ended
   * (reason 'screen-lock'), 'nothing' does nothing.
   */
  async screenLocked(): Promise<EndResult[]> {
    const { lockAction } = this.store.getSettings()
    this.reviewer.locked(this.clock.now())
    if (lockAction === 'away') this.activity.away(this.clock.now())
    if (lockAction === 'end') return this.endAll('screen-lock', 'screen-lock')
    return []
  }

  /** The screen was unlocked: the user is back. */
  screenUnlocked(): void {
    this.reviewer.unlocked()
    this.activity.back()
  }

  /** The user says a session is in use (the idle warning's Keep active): its idle clock restarts now. */
  async keepActive(id: string, actor = this.actor): Promise<Session> {
    checkSessionId(id)
    const row = this.store.getSession(id)
    if (!row) throw new EngineError('UNKNOWN_SESSION', `no session with id ${id}`)
    if (row.status === 'disconnected')
      throw new EngineError('SESSION_ENDED', `${row.resourceName} has already ended`)
    const now = this.clock.now()
    this.activity.keep(row.key, now)
    this.store.applyTick(
      [],
      [{ kind: 'event', id, at: now, event: 'kept-active', detail: 'kept active by hand', actor }],
      now,
    )
    await this.tick()
    return this.get(id)
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

  /** The details drawer's data (session-details.ts): reads the client's parents now, not in the tick. */
  async details(id: string): Promise<SessionDetails> {
    const session = this.get(id)
    const row = this.store.getSession(id)
    if (!row) throw new EngineError('UNKNOWN_SESSION', `no session with id ${id}`)
    const deps = { probe: this.probe, samples: this.samples, store: this.store, jumps: this.jumps }
    return sessionDetails(row, session, deps)
  }

  private emitWith(id: string, f: (s: Session) => void): void {
    const s = this.read(id)
    if (s) f(s)
  }

  private read(id: string): Session | null {
    const r = this.store.getSession(id)
    return r ? toSession(r, this.clock.now()) : null
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

  /**
   * Ends one session (reason 'user', or 'remote' for a fleet command: src/main/fleet/commands.ts).
   * Unknown or malformed ids throw EngineError before any signal.
   */
  async end(id: string, actor = this.actor, reason: 'user' | 'remote' = 'user'): Promise<EndResult> {
    checkSessionId(id)
    if (!this.store.getSession(id)) throw new EngineError('UNKNOWN_SESSION', `no session with id ${id}`)
    return this.terminator.end(id, reason, actor)
  }

  /** Ends several sessions at once (reason 'bulk'); every id is checked before anything is signalled. */
  async endMany(ids: readonly string[], actor = this.actor): Promise<EndResult[]> {
    for (const id of ids) {
      checkSessionId(id)
      if (!this.store.getSession(id)) throw new EngineError('UNKNOWN_SESSION', `no session with id ${id}`)
    }
    const table = await this.processTable()
    return Promise.all([...new Set(ids)].map((id) => this.terminator.end(id, 'bulk', actor, table)))
  }

  /** Ends every open session that can be ended; the others are reported as not endable. */
  async endAll(actor = this.actor, reason: EndReason = 'bulk'): Promise<EndResult[]> {
    await this.tick()
    const ids = this.store.openSessions().map((r) => r.id)
    const table = await this.processTable()
    return Promise.all(ids.map((id) => this.terminator.end(id, reason, actor, table)))
  }

  /** An end went through outside a tick: the launched window's profile goes; listeners hear of it. */
  private ended(row: SessionRow, recorded: boolean): void {
    if (row.flags.includes('launched')) this.launcher.wipeProfile(row)
    if (recorded) this.feed.endedNow(row.id)
  }

  private async processTable(): Promise<ProcessInfo[]> {
    return [...(await this.probe.snapshot()).processes.values()]
  }

  // ---------------------------------------------------------------- upkeep

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
    if (now - this.lastPurge < this.timing.purgeEveryMs) return
    this.lastPurge = now
    const before = now - settings.retentionDays * 86_400_000
    // recordings go with their sessions: rows and files first, so no session row is left referenced
    this.recordings.purge(before)
    this.store.purge(before)
  }

  /** The recordings' size cap (recordingsMaxMb): the oldest go, and the change feed says so. */
  private trimRecordings(settings: Settings, now: number): void {
    try {
      const trimmed = this.recordings.trim(settings.recordingsMaxMb, now)
      if (trimmed) this.feed.recordingsTrimmed(trimmed)
    } catch (e) {
      this.reportError(e)
    }
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
      this.hosts.invalidate() // re-resolve web hosts on the next tick
      return row
    } catch (e) {
      throw asEngineError(e, 'BAD_RESOURCE')
    }
  }

  /** idle and recording overrides in one change; each kind checked by its own shared rule */
  updateResourcePolicy(nameOrId: string, p: Partial<ResourcePolicy> & RecordingPatch): ResourceRow {
    const r = this.findResource(nameOrId)
    const { rest, recording } = splitRecordingPatch(p)
    const next = must('BAD_RESOURCE', policyAfter(this.getSettings(), r, rest))
    const rec = must('BAD_RESOURCE', checkWith(recordingPatchSchema, recording))
    try {
      return this.store.updateResourcePolicy(r.id, { ...next, ...rec })
    } catch (e) {
      throw asEngineError(e, 'BAD_RESOURCE')
    }
  }

  /** Gives a resource a display name, or clears it with ''; bad input is refused and changes nothing. */
  setResourceDisplayName(nameOrId: string, text: string): ResourceRow {
    const r = this.findResource(nameOrId)
    try {
      const row = this.store.setResourceDisplayName(r.id, text)
      this.emit('changed', this.list())
      return row
    } catch (e) {
      throw asEngineError(e, 'BAD_RESOURCE')
    }
  }

  removeResource(nameOrId: string): ResourceRow {
    const r = this.findResource(nameOrId)
    this.store.removeResource(r.id)
    this.hosts.invalidate()
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
    return this.launcher.launch(this.findResource(nameOrId), opts)
  }

  /** The database in use, and where a corrupt one was moved to at open (the caller tells the user). */
  get storeInfo(): { path: string; recoveredFrom: string | null } {
    return { path: this.store.path, recoveredFrom: this.store.recoveredFrom }
  }

  /** Stops the loop and closes the database. */
  async close(): Promise<void> {
    await this.stop()
    this.unhearReopen()
    this.probe.close?.()
    this.store.close()
  }
}

/** What the open rows say about their recordings: a change (begun, matched, closed) is a change to show. */
function recordingMarks(open: readonly SessionRow[]): string {
  return open
    .filter((r) => r.recording !== null)
    .map((r) => `${r.id}:${String(r.recording?.id)}:${String(r.recording?.status)}`)
    .join(',')
}

/** The open sessions whose recording stopped early (the change feed announces each once). */
function failedRecordings(open: readonly SessionRow[]): { sessionId: string; recordingId: number }[] {
  const out: { sessionId: string; recordingId: number }[] = []
  for (const r of open)
    if (r.recording?.status === 'failed') out.push({ sessionId: r.id, recordingId: r.recording.id })
  return out
}

/** The open ids after a tick: the ones before, those recorded (by us or first by another process), less those ended. */
function openAfter(open: readonly SessionRow[], result: TickResult): Set<string> {
  const ids = new Set(open.map((r) => r.id))
  for (const id of result.inserted) ids.add(id)
  for (const d of result.duplicates) ids.add(d.existingId)
  for (const id of result.ended) ids.delete(id)
  return ids
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

/** The newest of a session's recordings as the evidence bundle names it (file, sha256, status). */
function recordingRefOf(rows: readonly Recording[]): RecordingRef | null {
  const r = rows[0]
  return r === undefined ? null : { file: r.file, sha256: r.sha256, status: r.status }
}
