import { FleetConfigStore, type SecretBox } from './config'
import type { FleetEngine } from './fleet'
import { FleetMembership } from './membership'

/**
 * The desktop app's membership: the settings sealed by safeStorage (the SecretBox port) beside the
 * database. Its start() (with the loop) runs the member when this device joined; the window's
 * Settings → Fleet joins and leaves through it without a restart.
 */
export function desktopFleet(
  engine: FleetEngine & { readonly storeInfo: { path: string } },
  box: SecretBox,
  log: (line: string) => void,
): FleetMembership {
  return new FleetMembership({ engine, store: FleetConfigStore.besideDb(engine.storeInfo.path, box), log })
}
