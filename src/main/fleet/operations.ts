import type { EndResult, Session } from '@shared/model'
import type { RemoteEnd } from './commands'
import { checkFleetConfig, type FleetConfig, type FleetConfigStore } from './config'
import type { FleetTiming } from './connection'
import { FleetClient } from './fleet'
import { deviceLocation, type FleetSession } from './protocol'
import type { FleetDevice } from './view'

// The fleet's list and end, once, for every caller: `warden list --fleet` and `warden end`
// (src/cli/commands/list.ts, end.ts) and the window's calls (src/main/api/handlers.ts).

/** What list and end need of the engine (src/main/engine/engine.ts). */
export interface FleetLocalEngine {
  readonly device: { id: string }
  list(): Session[]
  endMany(ids: readonly string[], actor: string): Promise<EndResult[]>
}

/**
 * Every open session of the fleet: this device's from its own engine (fresh), the others' from the
 * bucket. A device that says where it is (its location, issue 14 part 5) gives its rows that Location.
 */
export async function fleetView(
  engine: Pick<FleetLocalEngine, 'device' | 'list'>,
  client: FleetClient,
  cfg: { name: string; location?: string },
): Promise<{ sessions: FleetSession[]; devices: FleetDevice[] }> {
  const snap = await client.list()
  // a device's location (view.ts: set by its user, else where the server saw it); this device's own
  // setting is read fresh, its server-seen place from its published record
  const placed = new Map(snap.devices.map((d) => [d.id, d.location]))
  const own = snap.devices.find((d) => d.id === engine.device.id)
  placed.set(engine.device.id, deviceLocation({ location: cfg.location, seenLocation: own?.seenLocation }))
  const mine = engine.list().map((s) => ({ ...s, device: cfg.name, deviceId: engine.device.id }))
  const others = snap.sessions.filter((s) => s.deviceId !== engine.device.id)
  const sessions = [...mine, ...others].map((s) => {
    const location = placed.get(s.deviceId)
    return location ? { ...s, location } : s
  })
  return { sessions, devices: snap.devices }
}

/** The rows of fleetView (`warden list --fleet`, `warden end`). */
export async function fleetSessions(
  engine: Pick<FleetLocalEngine, 'device' | 'list'>,
  client: FleetClient,
  cfg: { name: string; location?: string },
): Promise<FleetSession[]> {
  return (await fleetView(engine, client, cfg)).sessions
}

/** Ends sessions of other devices through signed commands; each answer (or "queued") as an EndResult. */
export async function endRemote(client: FleetClient, targets: readonly FleetSession[]): Promise<EndResult[]> {
  return Promise.all(
    targets.map(async (t) => asEndResult(t.id, await client.endRemote(t.deviceId, t.id).catch(failed))),
  )
}

/** Ends fleet rows: this device's through its engine (as `actor`), the others' by command. */
export async function endInFleet(
  engine: FleetLocalEngine,
  client: FleetClient,
  targets: readonly FleetSession[],
  actor: string,
): Promise<EndResult[]> {
  const local = targets.filter((t) => t.deviceId === engine.device.id).map((t) => t.id)
  return [
    ...(local.length > 0 ? await engine.endMany(local, actor) : []),
    ...(await endRemote(
      client,
      targets.filter((t) => t.deviceId !== engine.device.id),
    )),
  ]
}

function failed(e: unknown): RemoteEnd {
  return {
    status: 'answered',
    result: { id: '', target: '', sessionId: '', ok: false, result: 'failed', error: String(e) },
  }
}

function asEndResult(id: string, r: RemoteEnd): EndResult {
  if (r.status === 'queued')
    return {
      id,
      ok: false,
      result: 'failed',
      error: `the device did not answer; it ends the session if back before ${r.expires}`,
    }
  const result = r.result.result as EndResult['result'] | 'refused'
  return {
    id,
    ok: r.result.ok,
    result: result === 'refused' ? 'failed' : result,
    ...(r.result.error ? { error: r.result.error } : {}),
  }
}

// ---------------------------------------------------------------- joining and leaving
// Once for `warden fleet join/leave/set-location` (src/cli/commands/fleet.ts) and the window's
// Settings → Fleet (src/main/fleet/membership.ts, through the contract).

/** Joins: checks the settings, connects once (URL, credentials, key), and only then stores them. */
export async function joinFleet(
  store: FleetConfigStore,
  raw: unknown,
  deviceId: string,
  timing: Partial<FleetTiming> = {},
): Promise<FleetConfig> {
  const checked = checkFleetConfig(raw)
  const client = await FleetClient.open(checked, deviceId, timing).catch((e: unknown) => {
    throw new FleetJoinError('unreachable', `${errorText(e)}; nothing was stored`)
  })
  await client.close()
  store.write(checked)
  return checked
}

/** Leaves: forgets the settings and the seen command ids; false when this device was in no fleet. */
export function leaveFleet(store: FleetConfigStore): boolean {
  return store.clear()
}

/** Sets (or, with '', clears) where this device is; the stored settings as they are now. */
export function setFleetLocation(store: FleetConfigStore, text: string): FleetConfig {
  const cfg = store.read()
  if (!cfg) throw new FleetJoinError('not-joined', 'this device has not joined a fleet')
  const next = { ...cfg }
  const trimmed = text.trim()
  if (trimmed === '') delete next.location
  else next.location = trimmed
  store.write(next)
  return next
}

/** Why a join or a change was refused: the server could not be reached, or there is no fleet. */
export class FleetJoinError extends Error {
  constructor(
    readonly reason: 'unreachable' | 'not-joined',
    message: string,
  ) {
    super(message)
    this.name = 'FleetJoinError'
  }
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e)
}
