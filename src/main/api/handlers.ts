// The contract's handlers over the engine, and the one dispatch path every call goes through:
// look the channel up, parse the arguments with the contract's schema, run, wrap in an envelope.
// Plain Node (never imports electron): the Electron shell adds its sender check around `dispatch`,
// and the test bridge serves the very same `dispatch` over a loopback WebSocket.
import { computeStats, type Session } from '@shared/model'
import {
  checkArgs,
  events,
  invokes,
  type ApiErrorCode,
  type Envelope,
  type EventName,
  type InvokeName,
  type ParsedArgsOf,
  type PayloadOf,
  type ResultOf,
  type SessionsSnapshot,
} from '@shared/contract'
import type { Engine } from '../engine/engine'
import { EngineError } from '../engine/errors'
import { fleetHandlers, type FleetSource } from './fleet-handlers'

export type Handlers = {
  readonly [K in InvokeName]: (...args: ParsedArgsOf<K>) => Promise<ResultOf<K>> | ResultOf<K>
}

function snapshot(sessions: Session[], at: number): SessionsSnapshot {
  return { sessions, stats: computeStats(sessions), at }
}

/**
 * What each contract entry does, in engine terms. `actor` is recorded in the audit trail; `fleet`
 * is the fleet member running beside the loop, when this device joined one (src/main/fleet).
 */
export function createHandlers(engine: Engine, actor = 'app', fleet: FleetSource = () => null): Handlers {
  return {
    listSessions: () => snapshot(engine.list(), Date.now()),
    refreshSessions: async () => {
      await engine.tick()
      return snapshot(engine.list(), Date.now())
    },
    endSession: (id) => engine.end(id, actor),
    keepSessionActive: (id) => engine.keepActive(id, actor),
    endSessions: (ids) => engine.endMany(ids, actor),
    queryHistory: (q) => engine.history(q),
    getSettings: () => engine.getSettings(),
    setSetting: (key, value) => engine.setSetting(key, value),
    listResources: () => engine.resources(),
    addWebResource: (r) => engine.addResource({ type: 'web', name: r.name, target: r.target }),
    updateResourcePolicy: (nameOrId, p) => engine.updateResourcePolicy(nameOrId, p),
    removeResource: (nameOrId) => engine.removeResource(nameOrId),
    setResourceDisplayName: (nameOrId, text) => engine.setResourceDisplayName(nameOrId, text ?? ''),
    openWebResource: (nameOrId) => engine.launchWeb(nameOrId),
    getDevice: async () => {
      const { id, name, os, model } = engine.device
      const nics = await engine.interfaces()
      return {
        id,
        name,
        os,
        model,
        addresses: nics
          .filter((n) => !n.internal)
          .map((n) => ({ name: n.name, address: n.address, family: n.family })),
        database: engine.storeInfo.path,
      }
    },
    // only the desktop shell acts on a page's readiness (src/main/shell/window.ts); elsewhere it is a no-op
    pageReady: () => null,
    listRecordings: (filter) => engine.recordings.list(filter.sessionId),
    readRecording: (id, offset) => engine.recordings.read(id, offset),
    verifyRecording: (id) => engine.recordings.verify(id),
    listReview: () => engine.review.list(),
    markExpected: (id) => engine.review.accept(id, actor),
    reportSession: (id, o) =>
      engine.review.report(id, { actor, ...(o.note === undefined ? {} : { note: o.note }) }),
    listAllowed: () => engine.review.allowList(),
    removeAllowed: (rule, key) => engine.review.disallow(rule, key),
    getSessionDetails: (id) => engine.details(id),
    ...fleetHandlers(engine, fleet, actor),
  }
}

const byChannel = new Map<string, InvokeName>(
  (Object.keys(invokes) as InvokeName[]).map((name) => [invokes[name].channel, name]),
)

function fail(code: ApiErrorCode, message: string): Envelope<never> {
  return { ok: false, error: { code, message } }
}

/**
 * Runs one call from the window. Never throws: unknown channels, bad arguments and engine refusals
 * come back as `{ ok: false }` with a code and one readable line; nothing was changed in those cases.
 */
export async function dispatch(handlers: Handlers, channel: unknown, rawArgs: unknown): Promise<Envelope> {
  const name = typeof channel === 'string' ? byChannel.get(channel) : undefined
  if (name === undefined)
    return fail(
      'BAD_ARGS',
      `unknown call ${typeof channel === 'string' ? JSON.stringify(channel.slice(0, 100)) : typeof channel}`,
    )
  // the one check of the window's input: the forms send as typed and show this reason (check.ts)
  const parsed = checkArgs(name, invokes[name].args, rawArgs)
  if (!parsed.ok) return fail('BAD_ARGS', parsed.error)
  try {
    const run = handlers[name] as (...args: unknown[]) => unknown
    const value = await run(...(parsed.value as unknown[]))
    return { ok: true, value }
  } catch (e) {
    if (e instanceof EngineError) return fail(e.code, e.message)
    // Anything else is our bug: say which call failed, keep the stack out of the window.
    return fail('INTERNAL', `${name} failed: ${e instanceof Error ? e.message : String(e)}`)
  }
}

/**
 * Forwards the engine's events to the window as contract events. Returns the function that stops
 * forwarding (the window closed, the bridge stopped).
 */
export function forwardEvents(
  engine: Engine,
  emit: <E extends EventName>(channel: string, payload: PayloadOf<E>) => void,
): () => void {
  const onChanged = (sessions: Session[]): void =>
    emit<'onSessionsChanged'>(events.onSessionsChanged.channel, snapshot(sessions, Date.now()))
  const onWarned = (session: Session, info: { idleMs: number; disconnectInMs: number | null }): void =>
    emit<'onIdleWarning'>(events.onIdleWarning.channel, { session, ...info })
  const onEnded = (session: Session): void => emit<'onSessionEnded'>(events.onSessionEnded.channel, session)
  const onReview = (count: number): void => emit<'onReviewChanged'>(events.onReviewChanged.channel, { count })
  engine.on('changed', onChanged)
  engine.on('warned', onWarned)
  engine.on('ended', onEnded)
  engine.on('reviewChanged', onReview)
  return () => {
    engine.off('changed', onChanged)
    engine.off('warned', onWarned)
    engine.off('ended', onEnded)
    engine.off('reviewChanged', onReview)
  }
}
