// The fleet: sessions across devices over NATS JetStream (docs/architecture.md "The fleet").
// Plain Node: never imports electron; the app hands it a SecretBox for safeStorage.
export { FleetClient, FleetMember, type FleetEngine, type FleetOptions } from './fleet'
export { checkFleetConfig, FleetConfigStore, type FleetConfig, type SecretBox } from './config'
export { DEFAULT_FLEET_TIMING, type FleetTiming } from './connection'
export type { Refusal, RemoteEnd } from './commands'
export { newFleetKey, type DeviceRecord, type FleetSession } from './protocol'
export { readEnded, type FleetDevice, type FleetSnapshot } from './view'
export { endInFleet, fleetSessions, type FleetLocalEngine } from './operations'
