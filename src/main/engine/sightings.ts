import { NAME_MAX } from '@shared/resource'
import type { Activity } from './activity'
import type { Detected } from './detect/types'
import { PRIVATE_NETWORK, THIS_DEVICE, UNKNOWN_LOCATION, type GeoLocator } from './geo'
import type { Snapshot } from './probe/types'
import type { Newcomer, Sighting } from './reconcile'
import { newSessionId } from './session-view'
import type { ResourceRow, SessionRow, Store } from './store/types'

export interface SightingContext {
  store: Store
  geo: GeoLocator
  activity: Activity
  resources: ReadonlyMap<number, ResourceRow>
  snapshot: Snapshot
  /** the detections come from this snapshot (not reused from an earlier one) */
  fresh: boolean
  now: number
  lastInput: number | null
  reportError(e: unknown): void
}

/**
 * Each detected session once, with its activity this tick; a session not yet recorded also gets
 * its id, its resource (created on first sight) and its place.
 */
export function sightings(
  detected: readonly Detected[],
  open: readonly SessionRow[],
  ctx: SightingContext,
): Sighting[] {
  const openByKey = new Map(open.map((r) => [r.key, r]))
  const seen = new Set<string>()
  const newLocations = new Set<string>()
  const out: Sighting[] = []
  for (const d of detected) {
    if (seen.has(d.key)) continue
    seen.add(d.key)
    const row = openByKey.get(d.key)
    const activity = ctx.activity.activityOf(d, ctx.snapshot, row, ctx.now, ctx.fresh, ctx.lastInput)
    out.push({ detected: d, activity, newcomer: row ? null : newcomer(d, ctx, newLocations) })
  }
  return out
}

function newcomer(d: Detected, ctx: SightingContext, newLocations: Set<string>): Newcomer | null {
  const known = d.resourceId === null ? undefined : ctx.resources.get(d.resourceId)
  let resource: ResourceRow
  try {
    resource = known ?? ensureResource(ctx.store, d)
  } catch (e) {
    // one odd command line must not stop every other session from being tracked
    ctx.reportError(e)
    return null
  }
  const location = ctx.geo.locate(d.remoteAddress)
  return {
    id: newSessionId(),
    resource,
    location,
    newLocation: isNewLocation(ctx.store, location, newLocations),
  }
}

/**
 * A name taken from a command line or a client's profile may hold anything: keep it printable and
 * bounded. Control characters become '_'; in the name a run of spaces of any kind becomes one space
 * (a Remmina profile's "Lab desktop" reads as the user named it), in the host target an '_'.
 */
function ensureResource(store: Store, d: Detected): ResourceRow {
  // eslint-disable-next-line no-control-regex
  const controls = /[\u0000-\u001f\u007f]/g
  const name = d.resourceName.replace(controls, '_').replace(/\s+/g, ' ').trim().slice(0, NAME_MAX) || '?'
  const host = d.remotePort > 0 ? `${d.host}:${d.remotePort}` : d.host
  const target = host.replace(controls, '_').replace(/\s/g, '_').slice(0, NAME_MAX) || '?'
  return store.ensureResource(d.resourceType, name, target)
}

/**
 * The anomaly flag: a session to a place (a geolocated public address) no session from this
 * computer ever went to. Private and local addresses are never flagged. Two new sessions to one
 * new place in one scan are both flagged.
 */
function isNewLocation(store: Store, location: string, seenThisTick: Set<string>): boolean {
  if (location === PRIVATE_NETWORK || location === THIS_DEVICE || location === UNKNOWN_LOCATION) return false
  if (seenThisTick.has(location)) return true
  if (store.seenLocation(location)) return false
  seenThisTick.add(location)
  return true
}
