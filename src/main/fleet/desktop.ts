import { FleetConfigStore, type SecretBox } from './config'
import { FleetMember, type FleetEngine } from './fleet'

/**
 * The desktop app's membership: the settings sealed by safeStorage (the SecretBox port) beside the
 * database; null when this device has not joined or the settings cannot be read (said in the log).
 */
export function startDesktopFleet(
  engine: FleetEngine & { readonly storeInfo: { path: string } },
  box: SecretBox,
  log: (line: string) => void,
): FleetMember | null {
  const store = FleetConfigStore.besideDb(engine.storeInfo.path, box)
  let member: FleetMember
  try {
    const cfg = store.read()
    if (!cfg) return null
    member = new FleetMember(engine, cfg, { log, replayFile: store.replayFile })
  } catch (e) {
    log(`fleet: settings unreadable (${e instanceof Error ? e.message : String(e)}); not joining`)
    return null
  }
  member.start()
  return member
}
