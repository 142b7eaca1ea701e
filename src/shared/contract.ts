// The one IPC contract between the window and the main process (ARCHITECTURE.md "The contract").
// Every call the window makes and every event it receives is listed here once: the main process
// registers its handlers from it, the preload builds `window.warden` from it, and the renderer's type
// of `window.warden` is derived from it. Tests run the same contract over a loopback WebSocket.
// Pure TypeScript + zod: no Node, DOM or Electron API.
import { z } from 'zod'
import { historyQuerySchema } from './history'
import {
  SESSION_ID_RE,
  type EndResult,
  type EngineErrorCode,
  type Resource,
  type Session,
  type SessionStats,
} from './model'
import { NAME_MAX, newWebResourceSchema } from './resource'
import { policyPatchSchema, SETTING_KEYS, type Settings } from './settings'

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
const settingValueSchema = z.union([z.number(), z.boolean(), z.string().max(100)])

// ------------------------------------------------------------------ the contract

interface InvokeDef<A extends z.ZodTuple, R> {
  channel: string
  args: A
  /** phantom: the result type, never read at run time */
  result?: R
}

function invoke<R>() {
  return <A extends z.ZodTuple>(channel: string, args: A): InvokeDef<A, R> => ({ channel, args })
}

const none = z.tuple([])

/** Every call the window makes. The key is the function name on `window.warden`. */
export const invokes = {
  listSessions: invoke<SessionsSnapshot>()('sessions:list', none),
  /** scans now: updates status, durations, last seen and the stats */
  refreshSessions: invoke<SessionsSnapshot>()('sessions:refresh', none),
  endSession: invoke<EndResult>()('sessions:end', z.tuple([sessionIdSchema])),
  /** the user is still using this idle session: its idle clock restarts now (the warning's Keep active) */
  keepSessionActive: invoke<Session>()('sessions:keepActive', z.tuple([sessionIdSchema])),
  /** ends exactly the sessions the user confirmed (the ids shown in the End all dialog) */
  endSessions: invoke<EndResult[]>()(
    'sessions:endAll',
    z.tuple([z.array(sessionIdSchema).min(1, 'no session to end').max(10_000)]),
  ),
  queryHistory: invoke<HistoryPageResult>()('history:query', z.tuple([historyQuerySchema])),
  getSettings: invoke<Settings>()('settings:get', none),
  setSetting: invoke<Settings>()('settings:set', z.tuple([z.enum(SETTING_KEYS), settingValueSchema])),
  listResources: invoke<Resource[]>()('resources:list', none),
  addWebResource: invoke<Resource>()('resources:add', z.tuple([newWebResourceSchema])),
  updateResourcePolicy: invoke<Resource>()('resources:update', z.tuple([nameOrIdSchema, policyPatchSchema])),
  removeResource: invoke<Resource>()('resources:remove', z.tuple([nameOrIdSchema])),
  /** opens a web resource in its own browser window, which the app can end for real */
  openWebResource: invoke<{ pid: number }>()('resources:open', z.tuple([nameOrIdSchema])),
  getDevice: invoke<DeviceSummary>()('device:get', none),
} as const

/** Every event the main process pushes. The key is the subscribe function on `window.warden`. */
interface EventDef<P> {
  channel: string
  /** phantom: the payload type, never read at run time */
  payload?: P
}

function event<P>(channel: string): EventDef<P> {
  return { channel }
}

export const events = {
  onSessionsChanged: event<SessionsSnapshot>('sessions:changed'),
  onIdleWarning: event<IdleWarning>('session:idleWarning'),
  onSessionEnded: event<Session>('session:ended'),
  /** the desktop shell asks the window to show one session (a notification was clicked) */
  onShowSession: event<{ id: string }>('window:showSession'),
} as const

export type Invokes = typeof invokes
export type InvokeName = keyof Invokes
export type Events = typeof events
export type EventName = keyof Events

export type ArgsOf<K extends InvokeName> = z.input<Invokes[K]['args']>
export type ParsedArgsOf<K extends InvokeName> = z.output<Invokes[K]['args']>
export type ResultOf<K extends InvokeName> = NonNullable<Invokes[K]['result']>
export type PayloadOf<E extends EventName> = NonNullable<Events[E]['payload']>

/** `window.warden`: one function per invoke, one subscribe function (returning its unsubscribe) per event. */
export type WardenApi = {
  readonly [K in InvokeName]: (...args: ArgsOf<K>) => Promise<ResultOf<K>>
} & {
  readonly [E in EventName]: (listener: (payload: PayloadOf<E>) => void) => () => void
}

// ------------------------------------------------------------------ the wire

/** Error codes a call can fail with: the engine's, plus the IPC layer's own. */
export type ApiErrorCode = EngineErrorCode | 'BAD_ARGS' | 'FORBIDDEN' | 'INTERNAL'

/** Every reply crosses the wire in this envelope, so the caller gets a real Error with its code. */
export type Envelope<T = unknown> =
  { ok: true; value: T } | { ok: false; error: { code: ApiErrorCode; message: string } }

/** The error a rejected call throws in the renderer: name 'WardenError', the code kept. */
export class WardenError extends Error {
  override readonly name = 'WardenError'
  constructor(
    readonly code: ApiErrorCode,
    message: string,
  ) {
    super(message)
  }
}

export { describeZodError } from './check'
