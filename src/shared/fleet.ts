// How a device joins a fleet (issue 14), once: `warden fleet join` and the stored settings
// (src/main/fleet/config.ts) and the window's Settings → Fleet (the contract's joinFleet) all check
// with these. Pure TypeScript + zod: no Node, DOM or Electron API.
import { z } from 'zod'

/** A fleet key is at least 256 bits; `warden fleet key` makes exactly 256, base64url. */
export const FLEET_KEY_MIN_BYTES = 32
/** The longest location a device may give itself (it is shown in a table cell). */
export const FLEET_LOCATION_MAX = 100
/** The longest device name in the fleet. */
export const FLEET_NAME_MAX = 64

const KEY_TEXT = `a fleet key is at least ${FLEET_KEY_MIN_BYTES * 8} bits of base64url (make one with: warden fleet key)`
/** base64url without padding: 43 characters carry 258 bits, so ≥ 43 characters ⇔ ≥ 32 bytes. */
const KEY_MIN_CHARS = Math.ceil((FLEET_KEY_MIN_BYTES * 8) / 6)

export const fleetKeySchema = z.string().regex(new RegExp(`^[A-Za-z0-9_-]{${KEY_MIN_CHARS},}$`), KEY_TEXT)
export const fleetUrlSchema = z
  .string()
  .regex(/^((nats|tls):\/\/)?[^\s/]+:\d+$/, 'the URL is nats://HOST:PORT or tls://HOST:PORT')
export const fleetLocationSchema = z
  .string()
  .trim()
  .min(1, 'a location is some text')
  .max(FLEET_LOCATION_MAX, `a location is at most ${FLEET_LOCATION_MAX} characters`)
/** a file named by its path on this device (creds, CA, certificate, its key) */
const filePath = z.string().min(1, 'a file path is needed').max(4096)

/** What joining takes: the server, this device's name, the key, the files and where the device is. */
export const fleetJoinSchema = z.strictObject({
  url: fleetUrlSchema,
  name: z.string().trim().min(1, 'a device name is needed').max(FLEET_NAME_MAX),
  key: fleetKeySchema,
  creds: filePath.optional(),
  ca: filePath.optional(),
  cert: filePath.optional(),
  certKey: filePath.optional(),
  location: fleetLocationSchema.optional(),
})
export type FleetJoin = z.infer<typeof fleetJoinSchema>

/** A new location for this device: some text, or '' to clear it. */
export const fleetLocationChangeSchema = z
  .string()
  .trim()
  .max(FLEET_LOCATION_MAX, `a location is at most ${FLEET_LOCATION_MAX} characters`)

/** A device id is one subject token: letters, digits, '-' and '_' (the engine's device ids are 16 hex digits). */
export const DEVICE_ID_RE = /^[A-Za-z0-9_-]{1,64}$/

/** Which devices' history: every device, or one (by its id). */
export const fleetHistoryScopeSchema = z.strictObject({
  device: z.string().regex(DEVICE_ID_RE, 'a device id is letters, digits, - and _').optional(),
})
