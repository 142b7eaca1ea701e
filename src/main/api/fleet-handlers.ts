// The window's fleet calls (issue 14; docs/architecture.md "The fleet"): the member the app or
// `warden ui` runs beside the loop reads and sends; list and end are src/main/fleet/operations.ts,
// the very code `warden list --fleet` and `warden end` run.
import type { FleetHistoryPage, FleetSnapshotResult, FleetStatus } from '@shared/contract'
import type { FleetJoin } from '@shared/fleet'
import type { HistoryFilter } from '@shared/history'
import type { EndResult } from '@shared/model'
import type { Engine } from '../engine/engine'
import { EngineError } from '../engine/errors'
import type { FleetConfig } from '../fleet/config'
import { ENDED_CURSOR_RE, endedPage } from '../fleet/ended-pages'
import type { FleetMember } from '../fleet/fleet'
import { endInFleet, FleetJoinError, fleetSessions, fleetView } from '../fleet/operations'
import type { FleetDevice } from '../fleet/view'

type FleetCalls = {
  fleetStatus: () => Promise<FleetStatus>
  listFleetSessions: () => Promise<FleetSnapshotResult>
  endFleetSessions: (ids: string[]) => Promise<EndResult[]>
  joinFleet: (cfg: FleetJoin) => Promise<FleetStatus>
  leaveFleet: () => Promise<FleetStatus>
  setFleetLocation: (text: string) => Promise<FleetStatus>
  queryFleetHistory: (q: HistoryFilter, scope: { device?: string | undefined }) => Promise<FleetHistoryPage>
}

/** Joining and leaving while the app or `warden ui` runs (src/main/fleet/membership.ts FleetMembership). */
export interface FleetControl {
  current(): FleetMember | null
  readonly keptIn: 'keychain' | 'file'
  join(raw: unknown): Promise<FleetMember>
  leave(): Promise<boolean>
  setLocation(text: string): Promise<FleetConfig>
}

/**
 * The fleet member, when this device joined one (read at each call: the app may join later), or the
 * membership that can also join and leave.
 */
export type FleetSource = (() => FleetMember | null) | FleetControl

/** How long a join waits for the new member to connect before answering (it goes on in the background). */
const JOIN_SETTLE_MS = 3000

export function fleetHandlers(engine: Engine, source: FleetSource, actor: string): FleetCalls {
  const fleet = typeof source === 'function' ? source : () => source.current()
  const control = typeof source === 'function' ? null : source
  const controlled = (): FleetControl => {
    if (!control) throw new EngineError('FLEET_UNAVAILABLE', 'joining and leaving is not possible from here')
    return control
  }
  /** the member, connected; otherwise the window is told why not */
  const member = (): FleetMember => {
    const m = fleet()
    if (!m) throw new EngineError('FLEET_UNAVAILABLE', 'this device has not joined a fleet')
    if (!m.isConnected)
      throw new EngineError('FLEET_UNAVAILABLE', `not connected to the fleet at ${m.joinedAs.url} yet`)
    return m
  }
  const snapshot = async (m: FleetMember): Promise<FleetSnapshotResult> => {
    const { sessions, devices } = await fleetView(engine, m.client, m.joinedAs)
    return { sessions, devices: devices.map(deviceState), at: Date.now() }
  }
  const status = (): Promise<FleetStatus> => fleetStatus(engine, fleet(), control)
  return {
    fleetStatus: status,
    joinFleet: async (cfg) => {
      const m = await refusedAs(controlled().join(cfg))
      await Promise.race([m.connected(), new Promise((r) => setTimeout(r, JOIN_SETTLE_MS).unref())])
      return status()
    },
    leaveFleet: async () => {
      await controlled().leave()
      return status()
    },
    setFleetLocation: async (text) => {
      await refusedAs(controlled().setLocation(text))
      return status()
    },
    queryFleetHistory: async (q, scope) => {
      const link = member().client.link
      if (q.cursor !== undefined && !ENDED_CURSOR_RE.test(q.cursor))
        throw new EngineError('BAD_QUERY', `not a cursor of the fleet's history: ${q.cursor.slice(0, 40)}`)
      return endedPage(link, q, scope.device === undefined ? {} : { device: scope.device })
    },
    listFleetSessions: () => snapshot(member()),
    endFleetSessions: async (ids) => {
      const m = member()
      const open = await fleetSessions(engine, m.client, m.joinedAs)
      const byId = new Map(open.map((s) => [s.id, s]))
      // a row of this device that ended meanwhile is the engine's to report (already ended)
      for (const id of ids)
        if (!byId.has(id) && !isLocal(engine, id))
          throw new EngineError('UNKNOWN_SESSION', `no session with id ${id} on any device of the fleet`)
      const targets = [...new Set(ids)].map(
        (id) => byId.get(id) ?? { ...engine.get(id), deviceId: engine.device.id },
      )
      return endInFleet(engine, m.client, targets, actor)
    },
  }
}

async function fleetStatus(
  engine: Engine,
  m: FleetMember | null,
  control: FleetControl | null,
): Promise<FleetStatus> {
  const base = {
    deviceId: engine.device.id,
    devices: [],
    ...(control ? { control: { keptIn: control.keptIn } } : {}),
  }
  if (!m) return { ...base, joined: false, name: '', url: '', connected: false }
  const status = { ...base, joined: true, ...m.joinedAs, connected: m.isConnected }
  if (!m.isConnected) return status
  try {
    return { ...status, devices: (await m.client.list()).devices.map(deviceState) }
  } catch (e) {
    return { ...status, error: e instanceof Error ? e.message : String(e) }
  }
}

/** A refused join or change as the window's error: unreachable or not joined, or a bad setting. */
async function refusedAs<T>(p: Promise<T>): Promise<T> {
  try {
    return await p
  } catch (e) {
    const text = e instanceof Error ? e.message : String(e)
    throw new EngineError(e instanceof FleetJoinError ? 'FLEET_UNAVAILABLE' : 'BAD_SETTING', text)
  }
}

function isLocal(engine: Engine, id: string): boolean {
  try {
    engine.get(id)
    return true
  } catch {
    return false
  }
}

function deviceState(d: FleetDevice): FleetSnapshotResult['devices'][number] {
  return {
    id: d.id,
    name: d.name,
    os: d.os,
    online: d.online,
    lastSeen: d.lastSeen,
    sessions: d.sessions,
    ...(d.location ? { location: d.location } : {}),
  }
}
