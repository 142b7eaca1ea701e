// The Session model shared by the engine, the CLI and (later) the window.
// Pure TypeScript: no Node or DOM API here.
import { formatDuration } from './duration'
import type { RecordingOverrides, SessionRecording } from './recording'
import type { ResourcePolicy } from './settings'

export const RESOURCE_TYPES = ['ssh', 'rdp', 'web'] as const
export type ResourceType = (typeof RESOURCE_TYPES)[number]

export const SESSION_STATUSES = ['active', 'idle', 'disconnected'] as const
export type SessionStatus = (typeof SESSION_STATUSES)[number]

/** Why a session became disconnected: disconnected is final and keeps its cause (docs/architecture.md). */
export const END_REASONS = [
  'user', // ended by the user, one session
  'bulk', // ended by the user with "end all"
  'idle-timeout', // auto-disconnect after the idle limit
  'policy', // a concurrent-session limit ended it
  'network-lost', // the connection closed while the client process lives on
  'process-exit', // the client process exited on its own
  'app-restart', // found gone when Session Warden started again
  'screen-lock', // ended when the screen was locked (the lockAction setting)
  'reported', // ended by "Report suspicious session" (issue 13)
  'remote', // ended by a command from another device of the fleet (src/main/fleet); endedBy names that device
] as const
export type EndReason = (typeof END_REASONS)[number]

/**
 * Marks on a session.
 * - tunnel: ssh -L/-R/-D/-N port forwarding
 * - jump: reached through a ProxyJump (-J) host
 * - multiplexed: a ControlMaster connection that other ssh clients share
 * - shared-process: one client process holds this session and others (Remmina): the client cannot
 *   close one connection from outside, so ending it ends its siblings
 * - file-transfer: scp / sftp
 * - launched: a browser process Session Warden itself launched for a web resource (endable)
 * - in-browser: a web session inside the user's everyday browser (cannot be ended on its own)
 * - limit-exceeded: over a concurrent-session limit
 * - new-location: the first session ever from this computer to a place (city or country) —
 *   the Sessions page's anomaly flag (docs/architecture.md "The product"): "sessions from unusual locations … are flagged for review"
 */
export const SESSION_FLAGS = [
  'tunnel',
  'jump',
  'multiplexed',
  'shared-process',
  'file-transfer',
  'launched',
  'in-browser',
  'limit-exceeded',
  'new-location',
] as const
export type SessionFlag = (typeof SESSION_FLAGS)[number]

export interface Session {
  // --- the Sessions page's fields (docs/architecture.md "The product") ---
  id: string
  resourceName: string
  resourceType: ResourceType
  /** ISO 8601 */
  startTime: string
  /** Human-readable, see formatDuration */
  duration: string
  status: SessionStatus
  device: string
  location: string
  ipAddress: string
  // --- what the engine needs ---
  durationMs: number
  /** ISO 8601: last traffic seen on the session's own connection */
  lastActivity: string
  /** ISO 8601: last time a scan saw the session alive */
  lastSeen: string
  endTime: string | null
  endReason: EndReason | null
  /** who ended it: 'user', 'cli', 'policy', 'engine' … */
  endedBy: string | null
  pid: number
  /** process start time, ms since the epoch (identity with pid and exe) */
  processStart: number
  exe: string
  /** client program, e.g. ssh, xfreerdp, chromium */
  client: string
  /** remote host as the user named it (alias, host name or address) */
  host: string
  user: string | null
  remotePort: number
  localAddress: string
  flags: SessionFlag[]
  /** false when Session Warden cannot end it without collateral (a tab in the user's browser) */
  endable: boolean
  /** its recording (the latest when there are several), or null: not recorded (src/shared/recording.ts) */
  recording: SessionRecording | null
}

export interface SessionStats {
  active: number
  idle: number
  /** combined duration of the active sessions, ms */
  totalDurationMs: number
  totalDuration: string
}

export function isOpen(s: Pick<Session, 'status'>): boolean {
  return s.status !== 'disconnected'
}

export function computeStats(sessions: readonly Pick<Session, 'status' | 'durationMs'>[]): SessionStats {
  let active = 0
  let idle = 0
  let totalDurationMs = 0
  for (const s of sessions) {
    if (s.status === 'active') {
      active++
      totalDurationMs += s.durationMs
    } else if (s.status === 'idle') idle++
  }
  return { active, idle, totalDurationMs, totalDuration: formatDuration(totalDurationMs) }
}

/** The End all warning in the Sessions page's words (docs/architecture.md "The product"), shared by the window, the tray and the CLI. */
export function endAllWarning(count: number, devices?: number): string {
  const what = count === 1 ? 'the 1 active session' : `all ${count} active sessions`
  const where = devices === undefined ? '' : ` on ${plural(devices, 'device')}`
  return `This will immediately terminate ${what}${where}. Any unsaved work may be lost.`
}

/** End All across the fleet (issue 14): "3 sessions on 2 devices", in the window's dialog and `warden end --all --fleet`. */
export function fleetCountText(count: number, devices: number): string {
  return `${plural(count, 'session')} on ${plural(devices, 'device')}`
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`
}

/**
 * What ending a `shared-process` session also ends: the client cannot close one of its
 * connections from outside (Remmina has no such command), so its whole process goes.
 */
export function endsSiblingsWarning(client: string, siblings: readonly string[]): string {
  const others =
    siblings.length === 0 ? 'every connection it opens' : `its other sessions too: ${siblings.join(', ')}`
  return `${client} cannot close one connection on its own: ending this session ends the ${client} process and ${others}.`
}

/** The open sessions that ending `target` also ends: the others its shared client process holds. */
export function sharedProcessSiblings<S extends Pick<Session, 'id' | 'flags' | 'pid' | 'processStart'>>(
  target: S,
  open: readonly S[],
): S[] {
  if (!target.flags.includes('shared-process')) return []
  return open.filter(
    (s) => s.id !== target.id && s.pid === target.pid && s.processStart === target.processStart,
  )
}

/** Session ids are 12 lower-case hex characters. */
export const SESSION_ID_RE = /^[0-9a-f]{12}$/

/** A resource: a host (ssh, rdp) or a web address, with its own idle-policy and recording overrides. */
export interface Resource extends ResourcePolicy, RecordingOverrides {
  id: number
  name: string
  type: ResourceType
  /** host (ssh/rdp) or URL (web) */
  target: string
  /** shown instead of `name` when set (issue 15); `name` stays the key (src/shared/resource.ts) */
  displayName: string | null
  /** added by the user (web resources, overrides) rather than recorded from a session */
  configured: boolean
  createdAt: string
}

/** What ending one session came to. */
export interface EndResult {
  id: string
  ok: boolean
  /** ended now, was already gone or already disconnected, or why it failed */
  result: 'ended' | 'already-gone' | 'already-ended' | 'not-endable' | 'failed'
  /** SIGKILL was needed */
  killed?: boolean
  error?: string
}

/** Why the engine refused a request (nothing was changed). */
export type EngineErrorCode =
  | 'BAD_ID'
  | 'UNKNOWN_SESSION'
  | 'SESSION_ENDED'
  | 'UNKNOWN_RESOURCE'
  | 'BAD_SETTING'
  | 'BAD_RESOURCE'
  | 'BAD_QUERY'
  | 'LAUNCH_FAILED'
  // recordings (issue 12): unknown id, and a file that is not served because it cannot be vouched for
  | 'UNKNOWN_RECORDING'
  // the fleet (issue 14): this device has not joined one, or is not connected to it yet
  | 'FLEET_UNAVAILABLE'
  | 'RECORDING_UNAVAILABLE'
  | 'BAD_DESTINATION'
  | 'NOT_FLAGGED'
  | 'REPORT_FAILED'
