// The window's fleet calls (issue 14; docs/architecture.md "The fleet"): the member the app or
// `warden ui` runs beside the loop reads and sends; list and end are src/main/fleet/operations.ts,
// the very code `warden list --fleet` and `warden end` run.
import type { FleetSnapshotResult, FleetStatus } from '@shared/contract'
import type { EndResult } from '@shared/model'
import type { Engine } from '../engine/engine'
import { EngineError } from '../engine/errors'
import type { FleetMember } from '../fleet/fleet'
import { endInFleet, fleetSessions, fleetView } from '../fleet/operations'
import type { FleetDevice } from '../fleet/view'

type FleetCalls = {
  fleetStatus: () => Promise<FleetStatus>
  listFleetSessions: () => Promise<FleetSnapshotResult>
  endFleetSessions: (ids: string[]) => Promise<EndResult[]>
}

/** The fleet member, when this device joined one (read at each call: the app may join later). */
export type FleetSource = () => FleetMember | null

export function fleetHandlers(engine: Engine, fleet: FleetSource, actor: string): FleetCalls {
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
  return {
    fleetStatus: async () => {
      const m = fleet()
      const base = { deviceId: engine.device.id, devices: [] }
      if (!m) return { ...base, joined: false, name: '', url: '', connected: false }
      const status = { ...base, joined: true, ...m.joinedAs, connected: m.isConnected }
      if (!m.isConnected) return status
      try {
        return { ...status, devices: (await m.client.list()).devices.map(deviceState) }
      } catch (e) {
        return { ...status, error: e instanceof Error ? e.message : String(e) }
      }
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
