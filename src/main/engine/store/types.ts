import type { EndReason, Resource, ResourceType, SessionFlag, SessionStatus } from '@shared/model'
import type { Recording, RecordingPatch, SessionRecording } from '@shared/recording'
import type { ResourcePolicy, Settings } from '@shared/settings'
import type { RecordingEnd, RecordingStart } from '../../recording/ledger'
import type { AllowEntry, ReviewHit, ReviewRule } from '@shared/review'
import type { AsnRange } from './asn-ranges'
import type { ExeHashRow, FileStamp } from './exe-hashes'
import type { LearnedHistory } from './review-history'
import type { FlaggedRow, ReviewRow, ReviewState } from './reviews'

/** A resource as stored: the shared Resource. */
export type ResourceRow = Resource

export interface DeviceRow {
  id: string
  name: string
  os: string
  model: string
}

export type EventKind =
  | 'created'
  | 'idle'
  | 'active'
  | 'warned'
  | 'kept-active'
  | 'ended'
  | 'end-failed'
  | 'limit'
  // anomaly review (issue 13): flagged for review, marked as expected, reported, the report's delivery
  | 'flagged'
  | 'accepted'
  | 'reported'
  | 'report-sent'
  | 'report-failed'

export interface EventRow {
  id: number
  sessionId: string
  at: string
  kind: EventKind
  /** end cause for 'ended', free text otherwise */
  detail: string | null
  /** user, cli, policy, engine, tray … */
  actor: string | null
}

/** What the tracker writes when it first sees a session. */
export interface NewSession {
  id: string
  /** detector key (pid + start time + …): the same live session is never recorded twice */
  key: string
  resourceId: number
  deviceId: string
  startTime: number
  lastActivity: number
  lastSeen: number
  status: Exclude<SessionStatus, 'disconnected'>
  pid: number
  processStart: number
  exe: string
  client: string
  host: string
  user: string | null
  ipAddress: string
  remotePort: number
  localAddress: string
  location: string
  flags: SessionFlag[]
  endable: boolean
}

/** A row as stored, times as ms since the epoch. */
export interface SessionRow extends Omit<NewSession, 'status'> {
  /** 'disconnected' once ended (end_time set) */
  status: SessionStatus
  resourceName: string
  /** the resource's display name, shown instead of its name when set (issue 15) */
  resourceDisplayName: string | null
  resourceType: ResourceType
  deviceName: string
  endTime: number | null
  endReason: EndReason | null
  endedBy: string | null
  /** ms of the last idle warning for the current idle period (null when none pending) */
  warnedAt: number | null
  /** its latest recording, once matched by pid + process start (store/recordings.ts) */
  recording: SessionRecording | null
}

export interface HistoryQuery {
  type?: ResourceType
  reason?: EndReason
  /** ms since the epoch: sessions started at or after */
  since?: number
  /** ms since the epoch: sessions started before (exclusive, so [since, until) ranges tile) */
  until?: number
  /** text search over resource name, host, ip, location */
  text?: string
  /** include open sessions too (default: only disconnected) */
  includeOpen?: boolean
  limit?: number
  /** keyset cursor returned by the previous page */
  cursor?: string
}

export interface HistoryPage {
  /** newest first: by start time, then id, both descending (the keyset order) */
  rows: SessionRow[]
  nextCursor: string | null
}

/** One change to apply in the tracker's single transaction per tick. */
export type SessionUpdate =
  | { kind: 'touch'; id: string; lastSeen: number; lastActivity: number }
  | {
      kind: 'status'
      id: string
      status: 'active' | 'idle'
      at: number
      lastSeen: number
      lastActivity: number
    }
  | { kind: 'warned'; id: string; at: number; detail: string }
  | { kind: 'end'; id: string; at: number; reason: EndReason; actor: string }
  | { kind: 'event'; id: string; at: number; event: EventKind; detail: string | null; actor: string | null }
  /** adds a flag to an open session (once) */
  | { kind: 'flag'; id: string; flag: SessionFlag }

export interface TickResult {
  inserted: string[]
  duplicates: { key: string; existingId: string }[]
  /** ids whose 'end' update took effect in this call */
  ended: string[]
}

/** A running store found its file replaced or damaged and reopened the file now at its path. */
export interface ReopenNotice {
  /** ms since the epoch */
  at: number
  /** replaced: the path names another file (another process moved ours aside); damaged: SQLite said so */
  reason: 'replaced' | 'damaged'
  path: string
  /** where the old file is now (moved aside as corrupt), or null when it is gone or was not moved */
  movedTo: string | null
  /** one line for the user */
  message: string
}

/** The store's data methods, as built over one connection (store.ts); Store adds the file's life. */
export type StoreApi = Omit<Store, 'path' | 'recoveredFrom' | 'close' | 'reopens' | 'onReopen'>

export interface Store {
  readonly path: string
  /** set when the file was found corrupt at open: where the bad copy was moved */
  readonly recoveredFrom: string | null
  close(): void

  /**
   * Told once per reopen. The store checks, at most once a second and before every write, that its path
   * still names the file it opened; when another process has moved that file aside (or it turns out
   * damaged), it reopens the live file and carries on: the call that found it is made on the live file.
   * With no listener, the next read throws StoreError REOPENED instead (once; writes never do), so the
   * news reaches an engine's error path (`warden watch` prints it). Returns unsubscribe.
   */
  onReopen(listener: (n: ReopenNotice) => void): () => void
  /** the reopens so far, oldest first (the last 10) */
  readonly reopens: readonly ReopenNotice[]

  upsertDevice(d: DeviceRow): void
  getDevice(id: string): DeviceRow | null

  /** finds a resource by (type, name) or creates it as not configured */
  ensureResource(type: ResourceType, name: string, target: string): ResourceRow
  addResource(r: { type: ResourceType; name: string; target: string } & Partial<ResourcePolicy>): ResourceRow
  /** idle and recording overrides (null = the global setting); the keys not given stay */
  updateResourcePolicy(id: number, p: Partial<ResourcePolicy> & RecordingPatch): ResourceRow
  /** refuses to remove a resource with open sessions? no: removes it from configuration; history keeps its name */
  removeResource(id: number): boolean
  listResources(filter?: { type?: ResourceType; configuredOnly?: boolean }): ResourceRow[]
  /** by name (case-insensitive; the configured one first when types share it), else by numeric id: a name wins */
  findResource(nameOrId: string): ResourceRow | null
  /** Sets or ('' / null) clears a resource's display name (src/shared/resource.ts displayNameSchema). */
  setResourceDisplayName(id: number, text: string | null): ResourceRow

  /**
   * Records new sessions, applies updates and events: all in ONE transaction.
   * Another process (the app and the CLI share the file) may have recorded the same live session
   * first: a NewSession whose key is already open is not inserted again but reported in `duplicates`.
   * 'end' and 'status' updates apply only to rows still open (first writer wins); an event is written
   * only when its update changed a row.
   */
  applyTick(created: NewSession[], updates: SessionUpdate[], at: number): TickResult

  getSession(id: string): SessionRow | null
  /** open sessions (status active or idle) */
  openSessions(): SessionRow[]
  /** whether any session (open or past) was recorded at this location */
  seenLocation(location: string): boolean
  history(q: HistoryQuery): HistoryPage
  events(sessionId: string): EventRow[]

  /**
   * Records the intent to end a session before its process is signalled, so whichever process
   * (the app or the CLI) then sees the process gone records the requested cause, not 'process-exit'.
   * Only for open rows; returns false when the session is not open.
   */
  requestEnd(id: string, reason: EndReason, actor: string, at: number): boolean
  /** the pending end request of an open session, if any (older than maxAgeMs = none) */
  pendingEnd(
    id: string,
    now: number,
    maxAgeMs: number,
  ): { reason: EndReason; actor: string; at: number } | null
  /** clears a request whose signal failed (the session is still open) */
  clearEndRequest(id: string): void

  /** browser processes Session Warden launched for a web resource (shared by the app and the CLI) */
  addLaunch(l: { pid: number; processStart: number; resourceId: number; at: number }): void
  /** live launches; the caller prunes the ones whose process is gone */
  launches(): { pid: number; processStart: number; resourceId: number }[]
  removeLaunch(pid: number, processStart: number): void

  getSettings(): Settings
  setSetting<K extends keyof Settings>(key: K, value: Settings[K]): Settings

  /** deletes disconnected sessions (and their events) that ended before `before`; returns how many */
  purge(before: number): number

  // --- recordings (issue 12): the recorders write through the RecordingLedger (recording/store-ledger.ts)

  /**
   * A new row in state `recording` (the file is already open). With a pid + process start it is matched
   * at once to that process's session, if the engine has seen it; otherwise when the engine records it.
   */
  beginRecording(start: RecordingStart): number
  /**
   * beginRecording, unless a recording of the same kind is open for the same process (pid + process
   * start): then null, nothing written. Atomic across processes (one IMMEDIATE transaction).
   */
  beginSoleRecording(start: RecordingStart): number | null
  /** the recorded process is known now (a pty child spawns after its file is opened); matched as above */
  attachRecordingProcess(id: number, pid: number, processStart: number): void
  /** closes the row with the file's final size, length and sha256; a second finish is refused */
  finishRecording(id: number, end: RecordingEnd): Recording
  /** newest first; one session's only when sessionId is given */
  listRecordings(filter?: { sessionId?: string }): Recording[]
  getRecording(id: number): Recording | null
  /** the row only: the caller removes the file first */
  removeRecording(id: number): boolean
  /**
   * Deletes and returns the rows retention removes at `before`: those of the sessions purge(before)
   * deletes, and unmatched ones that ended before it. The caller removes their files, then calls purge.
   */
  purgeRecordings(before: number): Recording[]
  /** the recordings' total size in bytes */
  recordingsBytes(): number
  /** the closed recordings whose removal, oldest first, brings the total to maxBytes or under */
  recordingsOverCap(maxBytes: number): Recording[]
  // ---- anomaly review (issue 13, migration 5; docs/architecture.md "Anomaly review")
  /** a binary's sha256 by its identity on disk, when hashed before */
  exeHash(stamp: FileStamp): string | null
  putExeHash(row: ExeHashRow): void
  /** the latest other sha256 recorded for this path (a changed binary), if any */
  otherExeHash(path: string, sha256: string): { sha256: string; firstSeen: number } | null
  /** a session's review and its hits, in one transaction (with a 'flagged' event when flagged) */
  /** false (nothing written) when the session is not in this file (it moved on meanwhile) */
  recordReview(review: ReviewRow, hits: readonly ReviewHit[]): boolean
  getReview(sessionId: string): { review: ReviewRow; hits: ReviewHit[] } | null
  setReviewState(sessionId: string, state: ReviewState): boolean
  /** "Mark as expected": every hit's key on the allow-list and the review accepted, at once */
  acceptReview(sessionId: string, at: number, actor: string): boolean
  flaggedReviews(limit: number): FlaggedRow[]
  allow(rule: ReviewRule, key: string, at: number, note: string): boolean
  disallow(rule: ReviewRule, key: string): boolean
  isAllowed(rule: ReviewRule, key: string): boolean
  allowList(): AllowEntry[]
  lastNoticed(rule: ReviewRule, key: string): number | null
  markNoticed(sessionId: string, rule: ReviewRule, key: string): void
  learnedHistory(type: ResourceType, resourceId: number, before: number): LearnedHistory
  asnLookup(addr: Buffer): { asn: number; org: string } | null
  asnImportedRows(source: string): number | null
  asnInsert(rows: readonly AsnRange[]): void
  asnMarkImported(source: string, rows: number, at: number): void
  asnClear(): void
}
