// Pure logic of the Sessions and History views: live durations, sorting, labels, end results.
// No Vue, no DOM: unit-tested on its own.
import {
  type EndResult,
  type EndReason,
  type ResourceType,
  type Session,
  type SessionFlag,
  type SessionStatus,
} from '@shared/model'
import { formatDuration } from '@shared/duration'

/** Duration of a session `now`, from the engine's figure at `receivedAt` (both local ms). */
export function liveDurationMs(
  s: Pick<Session, 'status' | 'durationMs'>,
  receivedAt: number,
  now: number,
): number {
  if (s.status === 'disconnected') return s.durationMs
  return s.durationMs + Math.max(0, now - receivedAt)
}

export function liveDuration(
  s: Pick<Session, 'status' | 'durationMs'>,
  receivedAt: number,
  now: number,
): string {
  return formatDuration(liveDurationMs(s, receivedAt, now))
}

/** The Sessions page's Total Duration (docs/architecture.md "The product"): combined duration of the active sessions, ticking live. */
export function liveTotalActiveMs(
  sessions: readonly Session[],
  receivedAt: number | ((s: Session) => number),
  now: number,
): number {
  let total = 0
  for (const s of sessions)
    if (s.status === 'active')
      total += liveDurationMs(s, typeof receivedAt === 'number' ? receivedAt : receivedAt(s), now)
  return total
}

const STATUS_ORDER: Record<SessionStatus, number> = { active: 0, idle: 1, disconnected: 2 }

/**
 * An Intl object made when first used, then kept: making one costs far more than using it (every row shows
 * a time), and the first of each kind loads ICU data, 8–14 ms in Chromium. Made when this module loaded,
 * they were most of a start-up step's long task (issue 15); now the collator waits for the first sort by
 * a name, the formatters for the first time shown.
 */
function onFirstUse<T>(make: () => T): () => T {
  let made: T | undefined
  return () => (made ??= make())
}
const collator = onFirstUse(() => new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' }))
const compare = (a: string, b: string): number => collator().compare(a, b)

/** Ascending comparators for every sortable column (the table flips them for descending). */
export const sorters = {
  resource: (a: Session, b: Session) =>
    compare(a.resourceName, b.resourceName) || compare(a.resourceType, b.resourceType),
  device: (a: Session, b: Session) => compare(a.device, b.device) || compare(a.ipAddress, b.ipAddress),
  // an open session's duration is the time since it started (rows keep older figures, so the
  // start time orders them); a disconnected one's is fixed
  duration: (a: Session, b: Session) =>
    a.status === 'disconnected' && b.status === 'disconnected'
      ? a.durationMs - b.durationMs
      : Date.parse(b.startTime) - Date.parse(a.startTime),
  location: (a: Session, b: Session) => compare(a.location, b.location),
  status: (a: Session, b: Session) => STATUS_ORDER[a.status] - STATUS_ORDER[b.status],
} satisfies Record<string, (a: Session, b: Session) => number>

export type SortKey = keyof typeof sorters

export const TYPE_LABELS: Record<ResourceType, string> = { ssh: 'SSH', rdp: 'RDP', web: 'Web' }

export const STATUS_LABELS: Record<SessionStatus, string> = {
  active: 'Active',
  idle: 'Idle',
  disconnected: 'Disconnected',
}

export const FLAG_LABELS: Record<SessionFlag, { label: string; hint: string; warn: boolean }> = {
  tunnel: { label: 'Tunnel', hint: 'Forwards ports (ssh -L, -R or -D)', warn: false },
  jump: { label: 'Via jump host', hint: 'Reached through a ProxyJump host', warn: false },
  multiplexed: {
    label: 'Shared',
    hint: 'A ControlMaster connection other ssh commands share; ending it ends them too',
    warn: false,
  },
  'shared-process': {
    label: 'Shares its client',
    hint: 'One client process (Remmina) holds this and other sessions; it cannot close one alone: ending this ends them all',
    warn: false,
  },
  'file-transfer': { label: 'File transfer', hint: 'scp, sftp or rsync', warn: false },
  launched: { label: 'Own window', hint: 'Opened by Session Warden in its own browser window', warn: false },
  'in-browser': {
    label: 'In your browser',
    hint: 'Runs in your everyday browser: close its tab there; Session Warden cannot end it alone',
    warn: false,
  },
  'limit-exceeded': {
    label: 'Over limit',
    hint: 'More sessions of this type than your limit allows',
    warn: true,
  },
  'new-location': {
    label: 'New location',
    hint: 'The first session ever from this computer to this place: check that you expected it',
    warn: true,
  },
}

export const END_REASON_LABELS: Record<EndReason, string> = {
  user: 'Ended by you',
  bulk: 'Ended with End all',
  'idle-timeout': 'Idle timeout',
  policy: 'Session limit',
  'network-lost': 'Network lost',
  'process-exit': 'Client closed',
  'app-restart': 'Found closed at start',
  'screen-lock': 'Screen locked',
  reported: 'Reported as suspicious',
  remote: 'Ended from another device',
}

/** Why a session cannot be ended from here, or null when it can. */
export function notEndableReason(s: Pick<Session, 'endable' | 'flags' | 'status'>): string | null {
  if (s.status === 'disconnected') return 'Already disconnected'
  if (s.endable) return null
  if (s.flags.includes('in-browser'))
    return 'This session is in your everyday browser; close its tab there. Session Warden cannot end it without closing your browser.'
  return 'Session Warden cannot end this session.'
}

/** Open sessions the End all dialog will end (the ones that can be ended). */
export function endableOpen(sessions: readonly Session[]): Session[] {
  return sessions.filter((s) => s.status !== 'disconnected' && s.endable)
}

/** One line for the result of ending one session. */
export function endOutcomeText(o: EndResult, name: string): { ok: boolean; text: string } {
  switch (o.result) {
    case 'ended':
      return { ok: true, text: `Ended ${name}${o.killed === true ? ' (it had to be forced)' : ''}.` }
    case 'already-gone':
      return { ok: true, text: `${name} had already closed.` }
    case 'already-ended':
      return { ok: true, text: `${name} was already disconnected.` }
    case 'not-endable':
      return { ok: false, text: `${name} was not ended: ${o.error ?? 'Session Warden cannot end it.'}` }
    case 'failed':
      return { ok: false, text: `${name} could not be ended: ${o.error ?? 'unknown error'}` }
  }
}

/** One line for an End all: how many ended, and why the others were not. */
export function endAllText(outcomes: readonly EndResult[]): { ok: boolean; text: string } {
  const done = outcomes.filter((o) => o.ok).length
  const failed = outcomes.filter((o) => !o.ok)
  const noun = (n: number) => (n === 1 ? 'session' : 'sessions')
  if (failed.length === 0) return { ok: true, text: `Ended ${done} ${noun(done)}.` }
  const reasons = [...new Set(failed.map((o) => o.error ?? o.result))].join('; ')
  return {
    ok: false,
    text: `Ended ${done} of ${outcomes.length} ${noun(outcomes.length)}; ${failed.length} could not be ended: ${reasons}`,
  }
}

const timeFormat = onFirstUse(
  () => new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' }),
)
const dayFormat = onFirstUse(() => new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' }))
/** Makes the time formats now, which every row needs at once (main.ts: a start-up step of its own). */
export function prepareTimeFormats(): void {
  timeFormat()
  dayFormat()
}

/** "Mar 4, 14:05" style local time for tables (full ISO in the title attribute). */
export function shortTime(iso: string | null, now = Date.now()): string {
  if (iso === null) return '—'
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return '—'
  const sameDay = new Date(now).toDateString() === d.toDateString()
  const time = timeFormat().format(d)
  if (sameDay) return `Today ${time}`
  return `${dayFormat().format(d)}, ${time}`
}

/** Newest traffic first is what a user scanning for a busy session wants: ascending is oldest first. */
export function byLastActivity(a: Session, b: Session): number {
  return Date.parse(a.lastActivity) - Date.parse(b.lastActivity)
}

/** The live table's search and filter (issue 15): empty lists mean "any". */
export interface SessionFilter {
  text: string
  types: readonly ResourceType[]
  statuses: readonly SessionStatus[]
}

export const NO_FILTER: SessionFilter = { text: '', types: [], statuses: [] }

/** What the text search looks in: every name and address a row shows. */
function haystack(s: Session): string {
  return [
    s.resourceName,
    s.host,
    s.user ?? '',
    s.device,
    s.ipAddress,
    s.location,
    TYPE_LABELS[s.resourceType],
  ]
    .join('\n')
    .toLowerCase()
}

/** The sessions that match every word of the text and the chosen types and statuses, in their order. */
export function filterSessions(sessions: readonly Session[], f: SessionFilter): Session[] {
  const words = f.text.toLowerCase().split(/\s+/).filter(Boolean)
  return sessions.filter(
    (s) =>
      (f.types.length === 0 || f.types.includes(s.resourceType)) &&
      (f.statuses.length === 0 || f.statuses.includes(s.status)) &&
      (words.length === 0 || words.every((w) => haystack(s).includes(w))),
  )
}

export function isFiltered(f: SessionFilter): boolean {
  return f.text.trim() !== '' || f.types.length > 0 || f.statuses.length > 0
}
