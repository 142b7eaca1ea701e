// The one IPC contract between the window and the main process (docs/architecture.md).
// Every call the window makes and every event it receives is listed here once: the main process
// registers its handlers from it, the preload builds `window.warden` from it, and the renderer's type
// of `window.warden` is derived from it. Tests run the same contract over a loopback WebSocket.
// The names (calls, events, channels) and the wire types are in src/shared/channels.ts, which the
// preload imports without zod; this module adds the argument schemas and the result types to them.
// Pure TypeScript + zod: no Node, DOM or Electron API.
import { z } from 'zod'
import { eventChannels, invokeChannels, type EventName, type InvokeName } from './channels'
import { fleetJoinSchema, fleetLocationChangeSchema, fleetHistoryScopeSchema } from './fleet'
import { historyQuerySchema } from './history'
import { SESSION_ID_RE, type EndResult, type Resource, type Session, type SessionStats } from './model'
import { displayNameSchema, NAME_MAX, newWebResourceSchema } from './resource'
import {
  recordingFilterSchema,
  recordingIdSchema,
  recordingOffsetSchema,
  resourcePatchSchema,
  type Recording,
  type RecordingCheck,
  type RecordingChunk,
} from './recording'
import { SETTING_KEYS, type Settings } from './settings'
import { REVIEW_RULES, type AllowEntry, type ReportResult, type ReviewItem } from './review'
import type { SessionDetails } from './session-details'

// ------------------------------------------------------------------ result types

export interface DeviceSummary {
  id: string
  name: string
  os: string
  model: string
  addresses: { name: string; address: string; family: 'IPv4' | 'IPv6' }[]
  database: string
}

export interface HistoryPageResult {
  rows: Session[]
  nextCursor: string | null
}

export interface SessionsSnapshot {
  sessions: Session[]
  stats: SessionStats
  /** ms since the epoch, by the main process's clock */
  at: number
}

export interface IdleWarning {
  session: Session
  idleMs: number
  /** null when this session is never disconnected automatically */
  disconnectInMs: number | null
}

/** A device of the fleet as the window shows it (issue 14; src/main/fleet/view.ts FleetDevice). */
export interface FleetDeviceState {
  id: string
  name: string
  os: string
  online: boolean
  /** ISO 8601: its last heartbeat */
  lastSeen: string
  sessions: number
  /** where the device is, as its user set it (issue 14 part 5) */
  location?: string
}

/** The fleet this device joined, as the window's switch needs it. */
export interface FleetStatus {
  joined: boolean
  /** this device's name in the fleet ('' when not joined) */
  name: string
  url: string
  deviceId: string
  connected: boolean
  devices: FleetDeviceState[]
  /** why the devices could not be read */
  error?: string
  /** where this device says it is (issue 14 part 5) */
  location?: string
  /** the window may join and leave here (the app, `warden ui`); where the settings are kept */
  control?: { keptIn: 'keychain' | 'file' }
}

/** A session of any device of the fleet: the row plus the device that holds it. */
export type FleetSessionRow = Session & { deviceId: string }

/** A page of the fleet's ended sessions (History, All devices), newest ended first. */
export interface FleetHistoryPage {
  rows: FleetSessionRow[]
  nextCursor: string | null
}

export interface FleetSnapshotResult {
  sessions: FleetSessionRow[]
  devices: FleetDeviceState[]
  /** ms since the epoch, by the main process's clock */
  at: number
}

// ------------------------------------------------------------------ argument schemas

export const sessionIdSchema = z.string().regex(SESSION_ID_RE, 'a session id is 12 hex characters')
const nameOrIdSchema = z
  .string()
  .trim()
  .min(1, 'a resource name or id is required')
  .max(NAME_MAX, `a resource name is at most ${NAME_MAX} characters`)

// the history query, a new web resource and a resource's overrides have one rule each in src/shared,
// which the engine and the store apply too
export { historyQuerySchema, type HistoryFilter } from './history'
export { newWebResourceSchema } from './resource'

/** A setting's value on the wire: the engine checks it against that setting's own rule. */
const settingValueSchema = z.union([z.number(), z.boolean(), z.string().max(500)])

// ------------------------------------------------------------------ the contract

interface InvokeDef<A extends z.ZodTuple, R> {
  args: A
  /** phantom: the result type, never read at run time */
  result?: R
}

function invoke<R>() {
  return <A extends z.ZodTuple>(args: A): InvokeDef<A, R> => ({ args })
}

/** Each definition with its channel from channels.ts, which stays the one place channels are named. */
function withChannels<D extends object, C extends { readonly [K in keyof D]: string }>(
  defs: D,
  channels: C,
): { readonly [K in keyof D]: D[K] & { readonly channel: C[K] } } {
  const entries = Object.entries(defs).map(([name, def]) => [
    name,
    { ...(def as object), channel: channels[name as keyof D] },
  ])
  return Object.fromEntries(entries) as { readonly [K in keyof D]: D[K] & { readonly channel: C[K] } }
}

const none = z.tuple([])

/** Every call the window makes. The key is the function name on `window.warden` (channels.ts). */
const invokeDefs = {
  listSessions: invoke<SessionsSnapshot>()(none),
  /** scans now: updates status, durations, last seen and the stats */
  refreshSessions: invoke<SessionsSnapshot>()(none),
  endSession: invoke<EndResult>()(z.tuple([sessionIdSchema])),
  /** the user is still using this idle session: its idle clock restarts now (the warning's Keep active) */
  keepSessionActive: invoke<Session>()(z.tuple([sessionIdSchema])),
  /** ends exactly the sessions the user confirmed (the ids shown in the End all dialog) */
  endSessions: invoke<EndResult[]>()(
    z.tuple([z.array(sessionIdSchema).min(1, 'no session to end').max(10_000)]),
  ),
  queryHistory: invoke<HistoryPageResult>()(z.tuple([historyQuerySchema])),
  getSettings: invoke<Settings>()(none),
  setSetting: invoke<Settings>()(z.tuple([z.enum(SETTING_KEYS), settingValueSchema])),
  listResources: invoke<Resource[]>()(none),
  addWebResource: invoke<Resource>()(z.tuple([newWebResourceSchema])),
  /** idle and recording overrides (src/shared/recording.ts resourcePatchSchema); null = the global setting */
  updateResourcePolicy: invoke<Resource>()(z.tuple([nameOrIdSchema, resourcePatchSchema])),
  removeResource: invoke<Resource>()(z.tuple([nameOrIdSchema])),
  /** opens a web resource in its own browser window, which the app can end for real */
  openWebResource: invoke<{ pid: number }>()(z.tuple([nameOrIdSchema])),
  getDevice: invoke<DeviceSummary>()(none),
  /** the page has subscribed to its events: from now on the shell may ask it to show a session */
  pageReady: invoke<null>()(none),
  /** recordings, newest first; one session's when sessionId is given (issue 12) */
  listRecordings: invoke<Recording[]>()(z.tuple([recordingFilterSchema])),
  /** one chunk (≤ RECORDING_CHUNK_MAX bytes) of a recording whose sha256 still matches; refused otherwise */
  readRecording: invoke<RecordingChunk>()(z.tuple([recordingIdSchema, recordingOffsetSchema])),
  verifyRecording: invoke<RecordingCheck>()(z.tuple([recordingIdSchema])),
  /** anomaly review (issue 13): the sessions that need review, newest first */
  listReview: invoke<ReviewItem[]>()(none),
  /** Mark as expected: the session's reasons go on the allow-list */
  markExpected: invoke<ReviewItem>()(z.tuple([sessionIdSchema])),
  /** Report suspicious session: ends it if live, writes the evidence bundle, tells the security contact */
  reportSession: invoke<ReportResult>()(
    z.tuple([sessionIdSchema, z.object({ note: z.string().max(2000).optional() }).strict()]),
  ),
  listAllowed: invoke<AllowEntry[]>()(none),
  removeAllowed: invoke<AllowEntry[]>()(z.tuple([z.enum(REVIEW_RULES), z.string().min(1).max(1000)])),
  /** the details drawer (issue 15): counters, samples, addresses, jump chain, parents, review reasons */
  getSessionDetails: invoke<SessionDetails>()(z.tuple([sessionIdSchema])),
  /** the fleet (issue 14): joined? connected? its devices, online or last seen */
  fleetStatus: invoke<FleetStatus>()(none),
  /** every open session of the fleet (this device's fresh from its engine); FLEET_UNAVAILABLE when not joined */
  listFleetSessions: invoke<FleetSnapshotResult>()(none),
  /** ends sessions of any device: this device's through its engine, the others' by signed command */
  endFleetSessions: invoke<EndResult[]>()(
    z.tuple([z.array(sessionIdSchema).min(1, 'no session to end').max(10_000)]),
  ),
  /** joins a fleet: connects first and stores nothing on failure; the key never comes back */
  joinFleet: invoke<FleetStatus>()(z.tuple([fleetJoinSchema])),
  /** leaves the fleet: the member stops, the settings are forgotten */
  leaveFleet: invoke<FleetStatus>()(none),
  /** where this device is ('' clears): stored, and published at once */
  setFleetLocation: invoke<FleetStatus>()(z.tuple([fleetLocationChangeSchema])),
  /** ended sessions of every device (or one), newest ended first, from the fleet's ended stream */
  queryFleetHistory: invoke<FleetHistoryPage>()(z.tuple([historyQuerySchema, fleetHistoryScopeSchema])),
  /** a display name for any resource (issue 15); '' shows its own name again */
  setResourceDisplayName: invoke<Resource>()(z.tuple([nameOrIdSchema, displayNameSchema])),
} as const satisfies { readonly [K in InvokeName]: InvokeDef<z.ZodTuple, unknown> }

export const invokes = withChannels(invokeDefs, invokeChannels)

interface EventDef<P> {
  /** phantom: the payload type, never read at run time */
  payload?: P
}

function event<P>(): EventDef<P> {
  return {}
}

/** Every event the main process pushes. The key is the subscribe function on `window.warden`. */
const eventDefs = {
  onSessionsChanged: event<SessionsSnapshot>(),
  onIdleWarning: event<IdleWarning>(),
  onSessionEnded: event<Session>(),
  /** the desktop shell asks the window to show one session (a notification was clicked) */
  onShowSession: event<{ id: string }>(),
  /** the sessions needing review changed (a new flag, Mark as expected, a report) */
  onReviewChanged: event<{ count: number }>(),
} as const satisfies { readonly [E in EventName]: EventDef<unknown> }

export const events = withChannels(eventDefs, eventChannels)

export type Invokes = typeof invokes
export type Events = typeof events
export type { EventName, InvokeName }

export type ArgsOf<K extends InvokeName> = z.input<Invokes[K]['args']>
export type ParsedArgsOf<K extends InvokeName> = z.output<Invokes[K]['args']>
/** the phantom's undefined removed (a `null` result stays null) */
export type ResultOf<K extends InvokeName> = Exclude<Invokes[K]['result'], undefined>
export type PayloadOf<E extends EventName> = NonNullable<Events[E]['payload']>

/** `window.warden`: one function per invoke, one subscribe function (returning its unsubscribe) per event. */
export type WardenApi = {
  readonly [K in InvokeName]: (...args: ArgsOf<K>) => Promise<ResultOf<K>>
} & {
  readonly [E in EventName]: (listener: (payload: PayloadOf<E>) => void) => () => void
}

// ------------------------------------------------------------------ the wire

export { WardenError, type ApiErrorCode, type Envelope } from './channels'

export { checkArgs, describeZodError } from './check'
