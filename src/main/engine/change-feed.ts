import type { EventEmitter } from 'node:events'
import type { Session } from '@shared/model'
import type { Recording } from '@shared/recording'
import type { Settings } from '@shared/settings'
import type { ReviewHit } from '@shared/review'
import type { NetInterface } from './device'
import type { RecordingsTrimmed } from './recordings'
import type { ReopenNotice } from './store/types'
import type { WarnInfo } from './policy'

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
  /** the database file was replaced or damaged under a running engine and reopened (said once) */
  reopened: [ReopenNotice]
  /** the recordings' size cap removed the oldest recordings (a notice for the user) */
  recordingsTrimmed: [RecordingsTrimmed]
  /**
   * an open session's recording stopped early (a full disk, ffmpeg died, no window to record), whichever
   * process recorded it (`warden ssh`, this engine's RDP recorder, another engine's): said once
   */
  recordingStopped: [Session, Recording]
  error: [Error]
  /** anomaly review: a new session needs review (at most one notice per rule and key per 24 h) */
  review: [Session, ReviewHit[]]
  /** anomaly review: how many sessions need review now (after a flag, Mark as expected or a report) */
  reviewChanged: [number]
}

export interface TickReport {
  at: number
  scanMs: number
  created: string[]
  ended: string[]
  statusChanged: string[]
  warned: string[]
}

export interface TickChanges {
  report: TickReport
  /** the open session ids after the tick */
  openIds: Set<string>
  warned: { id: string; info: WarnInfo }[]
  limited: { id: string; limit: number; action: Settings['limitAction'] }[]
  /** what the open rows say about their recordings (engine.ts recordingMarks): a change is shown */
  recordingMarks?: string
  /** the open sessions whose recording has failed (engine.ts failedRecordings) */
  failedRecordings?: readonly { sessionId: string; recordingId: number }[]
}

/**
 * Which events a change means, each emitted once. Another process on the same database (the CLI
 * beside the app) may record or end sessions between two ticks: those are found by comparing the
 * open ids with the previous tick's. An end this engine records outside a tick (a user's End) is
 * announced at once, and not again by the tick that was in flight meanwhile.
 */
export class ChangeFeed {
  /** open session ids after the previous tick (null before the first) */
  private knownOpen: Set<string> | null = null
  /** ids whose 'ended' was announced outside a tick */
  private readonly endedEmitted = new Set<string>()
  private recordingMarks = ''
  /** failed recordings of open sessions already announced (or old news) */
  private failuresSeen = new Set<number>()
  /** the first tick's time: failures that ended before it are not announced */
  private watchingSince: number | null = null

  constructor(
    private readonly emitter: EventEmitter<EngineEvents>,
    /** the session as stored now, or null when it is gone */
    private readonly read: (id: string) => Session | null,
    private readonly list: () => Session[],
    /** a recording's row, or null when it is gone */
    private readonly readRecording: (id: number) => Recording | null = () => null,
  ) {}

  /** Emits what changed since the last tick as this engine saw it. */
  tick(c: TickChanges): void {
    const known = this.knownOpen
    const created = known === null ? c.report.created : [...c.openIds].filter((id) => !known.has(id))
    const ended = (known === null ? c.report.ended : [...known].filter((id) => !c.openIds.has(id))).filter(
      (id) => !this.endedEmitted.has(id),
    )
    for (const id of this.endedEmitted) if (!c.openIds.has(id)) this.endedEmitted.delete(id)
    this.knownOpen = c.openIds
    const open = (id: string): Session | null => {
      const s = this.read(id)
      return s && s.status !== 'disconnected' ? s : null
    }
    for (const id of created) this.emitWith(this.read(id), (s) => this.emitter.emit('created', s))
    for (const id of c.report.statusChanged) this.emitWith(open(id), (s) => this.emitter.emit('status', s))
    for (const w of c.warned) this.emitWith(open(w.id), (s) => this.emitter.emit('warned', s, w.info))
    for (const l of c.limited)
      this.emitWith(this.read(l.id), (s) =>
        this.emitter.emit('limit', s, { limit: l.limit, action: l.action }),
      )
    for (const id of ended) this.emitWith(this.read(id), (s) => this.emitter.emit('ended', s))
    this.recordingFailures(c.report.at, c.failedRecordings ?? [])
    const marks = c.recordingMarks ?? ''
    const recordingsChanged = marks !== this.recordingMarks
    this.recordingMarks = marks
    if (
      created.length + ended.length + c.report.statusChanged.length + c.warned.length + c.limited.length >
        0 ||
      recordingsChanged
    )
      this.emitter.emit('changed', this.list())
  }

  /**
   * A recording that failed since the last tick is announced once; one that ended before this engine's
   * first tick is old news (the app restarted beside a session whose recording had failed).
   */
  private recordingFailures(at: number, failed: readonly { sessionId: string; recordingId: number }[]): void {
    const seen = this.failuresSeen
    this.failuresSeen = new Set(failed.map((f) => f.recordingId))
    this.watchingSince ??= at
    for (const f of failed) {
      if (seen.has(f.recordingId)) continue
      const r = this.readRecording(f.recordingId)
      if (r && Date.parse(r.endedAt ?? '') >= this.watchingSince)
        this.emitWith(this.read(f.sessionId), (s) => this.emitter.emit('recordingStopped', s, r))
    }
  }

  /** The size cap removed recordings: said once, and the rows that lost theirs are shown again. */
  recordingsTrimmed(n: RecordingsTrimmed): void {
    this.emitter.emit('recordingsTrimmed', n)
    this.emitter.emit('changed', this.list())
  }

  /** An end recorded outside a tick: announced now, and not again by a tick in flight. */
  endedNow(id: string): void {
    this.knownOpen?.delete(id)
    this.endedEmitted.add(id)
    const s = this.read(id)
    if (s) this.emitter.emit('ended', s)
    this.emitter.emit('changed', this.list())
  }

  private emitWith(s: Session | null, emit: (s: Session) => void): void {
    if (s) emit(s)
  }
}
