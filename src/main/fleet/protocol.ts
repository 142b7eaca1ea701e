import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto'
import { z } from 'zod'
import { formatDuration } from '@shared/duration'
import { DEVICE_ID_RE, FLEET_KEY_MIN_BYTES } from '@shared/fleet'
import { SESSION_ID_RE, type Session } from '@shared/model'
import { THIS_DEVICE } from '../engine/geo'

// What devices of one fleet say to each other over NATS JetStream, and how a command is signed.
// Names live here once; the publisher, the command room, the reader and the test nats-server.conf
// (tests/support/nats.ts) all build subjects from these functions.

/** The KV bucket: `dev.<deviceId>` (the device record) and `ses.<deviceId>.<sessionId>` (an open session). */
export const FLEET_BUCKET = 'warden-fleet'
/** The stream of ended sessions (history across devices), bounded by age. */
export const ENDED_STREAM = 'WARDEN_ENDED'
/** The stream of commands, one subject per target device, read by that device's durable consumer. */
export const COMMAND_STREAM = 'WARDEN_CMD'

export const deviceKey = (device: string): string => `dev.${device}`
export const sessionKey = (device: string, session: string): string => `ses.${device}.${session}`
export const endedSubject = (device: string): string => `warden.ended.${device}`
export const commandSubject = (device: string): string => `warden.cmd.${device}`
/** Results travel on core NATS to the sender's own subject: a sender that left does not need them. */
export const resultSubject = (device: string): string => `warden.result.${device}`
export const commandConsumer = (device: string): string => `cmd-${device}`

/** A device id is one subject token (the rule is src/shared/fleet.ts). */
export { DEVICE_ID_RE }

/** A fleet key is at least 256 bits (the rule is src/shared/fleet.ts); `warden fleet key` makes 256. */
export { FLEET_KEY_MIN_BYTES }

export function newFleetKey(): string {
  return randomBytes(FLEET_KEY_MIN_BYTES).toString('base64url')
}

/** The key's bytes, or an error that says what is wrong with it. */
export function fleetKeyBytes(key: string): Buffer {
  const bytes = /^[A-Za-z0-9_-]+$/.test(key) ? Buffer.from(key, 'base64url') : Buffer.alloc(0)
  if (bytes.length < FLEET_KEY_MIN_BYTES)
    throw new Error(
      `a fleet key is at least ${FLEET_KEY_MIN_BYTES * 8} bits of base64url (make one with: warden fleet key)`,
    )
  return bytes
}

export interface DeviceRecord {
  id: string
  name: string
  os: string
  model: string
  addresses: string[]
  /** ISO 8601: the device's last heartbeat */
  lastSeen: string
  appVersion: string
  /** where the device is, as its user set it (`warden fleet join … --location`, `fleet set-location`) */
  location?: string
  /**
   * The address the NATS server saw the device connect from (its INFO's client_ip, nats-server
   * ≥ 2.2, read as `nc.info.client_ip`), and where that is (src/main/engine/geo.ts: loopback and
   * private ranges named, never looked up; public ones from the offline GeoLite2 data).
   */
  seenFrom?: string
  seenLocation?: string
}

/**
 * A device the server saw connect over loopback runs on the fleet server's own machine. geo.ts names
 * loopback "This device", which in another device's window would name the reader's machine (issue 14).
 */
export const FLEET_SERVER_MACHINE = "The fleet server's machine"

/** Where a device is (issue 14): the location its user set, else where the server saw it connect from. */
export function deviceLocation(d: {
  location?: string | undefined
  seenLocation?: string | undefined
}): string | undefined {
  if (d.location) return d.location
  if (d.seenLocation === THIS_DEVICE) return FLEET_SERVER_MACHINE
  return d.seenLocation || undefined
}

/** A session as another device sees it: the row plus which device holds it. */
export type FleetSession = Session & { deviceId: string }

/** Seconds-free durations are recomputed by the reader: a publisher never re-puts a row to tick its clock. */
export function withDuration(s: FleetSession, now: number, start = Date.parse(s.startTime)): FleetSession {
  const end = s.endTime ? Date.parse(s.endTime) : now
  const durationMs = Math.max(0, end - start)
  return { ...s, durationMs, duration: formatDuration(durationMs) }
}

/** What a row's stored value depends on: a change elsewhere (the ticking duration, lastSeen) is not a change. */
export function rowFingerprint(s: Session): string {
  const rest: Partial<Session> = { ...s }
  delete rest.duration
  delete rest.durationMs
  delete rest.lastSeen
  return JSON.stringify(rest)
}

// ---------------------------------------------------------------- commands

export const DEFAULT_COMMAND_TTL_MS = 5 * 60_000
/** A command may not live longer than this (the command stream keeps messages a little longer). */
export const MAX_COMMAND_TTL_MS = 60 * 60_000
/** Clock skew tolerated between two devices when a command says when it was issued. */
export const CLOCK_SKEW_MS = 60_000

const commandSchema = z.strictObject({
  v: z.literal(1),
  kind: z.literal('end'),
  id: z.string().regex(/^[0-9a-f-]{36}$/),
  from: z.string().regex(DEVICE_ID_RE),
  fromName: z.string().min(1).max(255),
  target: z.string().regex(DEVICE_ID_RE),
  sessionId: z.string().regex(SESSION_ID_RE),
  issued: z.number().int().nonnegative(),
  expires: z.number().int().nonnegative(),
  mac: z.string().regex(/^[0-9a-f]{64}$/),
})
export type EndCommand = z.infer<typeof commandSchema>

/**
 * HMAC-SHA256 with the fleet key over every field but the mac itself (id, target, session id,
 * issue and expiry times, and who sent it, since the target records that name as endedBy).
 * Fields are joined as a JSON array so no field can bleed into the next.
 */
function macOf(key: Buffer, c: Omit<EndCommand, 'mac'>): string {
  const fields = [c.v, c.kind, c.id, c.from, c.fromName, c.target, c.sessionId, c.issued, c.expires]
  return createHmac('sha256', key).update(JSON.stringify(fields)).digest('hex')
}

export function signEndCommand(
  key: Buffer,
  p: { from: string; fromName: string; target: string; sessionId: string; now: number; ttlMs?: number },
): EndCommand {
  const ttl = Math.min(p.ttlMs ?? DEFAULT_COMMAND_TTL_MS, MAX_COMMAND_TTL_MS)
  const body = {
    v: 1 as const,
    kind: 'end' as const,
    id: randomUUID(),
    from: p.from,
    fromName: p.fromName,
    target: p.target,
    sessionId: p.sessionId,
    issued: p.now,
    expires: p.now + ttl,
  }
  return { ...body, mac: macOf(key, body) }
}

export type Verdict = { ok: true; command: EndCommand } | { ok: false; reason: string; id?: string }

/** Parses and authenticates a command for `me`; replay is the caller's (a ReplayGuard's) business. */
export function verifyEndCommand(key: Buffer, raw: unknown, me: string, now: number): Verdict {
  const parsed = commandSchema.safeParse(raw)
  if (!parsed.success) return { ok: false, reason: `malformed command: ${parsed.error.issues[0]?.message}` }
  const c = parsed.data
  const { mac, ...body } = c
  const want = Buffer.from(macOf(key, body), 'hex')
  if (!timingSafeEqual(want, Buffer.from(mac, 'hex')))
    return { ok: false, id: c.id, reason: 'bad signature (forged, or signed with another fleet key)' }
  if (c.target !== me) return { ok: false, id: c.id, reason: `addressed to device ${c.target}, not this one` }
  if (now > c.expires)
    return { ok: false, id: c.id, reason: `expired at ${new Date(c.expires).toISOString()}` }
  if (c.issued > now + CLOCK_SKEW_MS || c.expires - c.issued > MAX_COMMAND_TTL_MS)
    return { ok: false, id: c.id, reason: 'issue time in the future or lifetime too long' }
  return { ok: true, command: c }
}

/** The answer a target sends back on the sender's result subject. */
export interface CommandResult {
  id: string
  target: string
  sessionId: string
  ok: boolean
  /** an EndResult's result, or 'refused' */
  result: string
  error?: string
}
