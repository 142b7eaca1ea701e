import { readFileSync } from 'node:fs'
import {
  connect,
  credsAuthenticator,
  nkeyAuthenticator,
  type Authenticator,
  type NatsConnection,
  type NodeConnectionOptions,
} from '@nats-io/transport-node'
import { AckPolicy, jetstream, jetstreamManager, type JetStreamClient } from '@nats-io/jetstream'
import { Kvm, type KV } from '@nats-io/kv'
import type { FleetConfig } from './config'
import {
  COMMAND_STREAM,
  commandConsumer,
  commandSubject,
  ENDED_STREAM,
  endedSubject,
  FLEET_BUCKET,
  MAX_COMMAND_TTL_MS,
} from './protocol'

/** How long the fleet keeps things; tests shrink them. */
export interface FleetTiming {
  /** the bucket's TTL: a device that stopped publishing loses its rows after this */
  bucketTtlMs: number
  /** how often a device re-puts its own record (last seen) */
  heartbeatMs: number
  /** how often every own row is re-put so the TTL never takes a live device's row */
  refreshMs: number
  /** a device is online while its last heartbeat is younger than this */
  onlineWithinMs: number
  /** ended sessions are kept this long in the ended stream */
  endedMaxAgeMs: number
  /** reconnect back-off: first and longest delay */
  backoffMinMs: number
  backoffMaxMs: number
}

export const DEFAULT_FLEET_TIMING: FleetTiming = {
  bucketTtlMs: 10 * 60_000,
  heartbeatMs: 30_000,
  refreshMs: 3 * 60_000,
  onlineWithinMs: 90_000,
  endedMaxAgeMs: 30 * 86_400_000,
  backoffMinMs: 250,
  backoffMaxMs: 30_000,
}

/** Exponential back-off with full jitter (the AWS architecture blog's "full jitter"), per attempt. */
export function backoffDelay(attempt: number, t: Pick<FleetTiming, 'backoffMinMs' | 'backoffMaxMs'>): number {
  const cap = Math.min(t.backoffMaxMs, t.backoffMinMs * 2 ** Math.min(attempt, 20))
  return t.backoffMinMs + Math.floor(Math.random() * Math.max(0, cap - t.backoffMinMs))
}

/** A creds file (JWT + seed, operator mode) or a bare nkey seed file (an `nkey:` user in nats-server.conf). */
function authenticatorFor(file: string): Authenticator {
  const text = readFileSync(file, 'utf8')
  if (text.includes('BEGIN NATS USER JWT')) return credsAuthenticator(new TextEncoder().encode(text))
  const seed = text.trim()
  if (!/^SU[A-Z2-7]+$/.test(seed))
    throw new Error(`fleet: ${file} is neither a NATS creds file nor a user nkey seed (SU…)`)
  return nkeyAuthenticator(new TextEncoder().encode(seed))
}

/** The client options a config means: reconnect for ever with back-off; TLS and credentials when given. */
export function connectionOptions(
  c: FleetConfig,
  deviceId: string,
  timing: Pick<FleetTiming, 'backoffMinMs' | 'backoffMaxMs'>,
  /** the attempt counter; its owner sets it back to 0 once reconnected */
  backoff: { attempt: number } = { attempt: 0 },
): NodeConnectionOptions {
  const tls =
    c.ca || c.cert || c.url.startsWith('tls://')
      ? { ...(c.ca ? { caFile: c.ca } : {}), ...(c.cert ? { certFile: c.cert, keyFile: c.certKey } : {}) }
      : undefined
  return {
    servers: c.url,
    name: `warden ${c.name} (${deviceId})`,
    maxReconnectAttempts: -1,
    reconnectDelayHandler: () => backoffDelay(backoff.attempt++, timing),
    ...(c.creds ? { authenticator: authenticatorFor(c.creds) } : {}),
    ...(tls ? { tls } : {}),
  }
}

export interface FleetLink {
  nc: NatsConnection
  js: JetStreamClient
  kv: KV
}

/** Connects once (the caller retries with back-off); the client itself then reconnects for ever. */
export async function openLink(
  c: FleetConfig,
  deviceId: string,
  timing: FleetTiming,
  backoff: { attempt: number } = { attempt: 0 },
  connectTimeoutMs = 5000,
): Promise<FleetLink> {
  const nc = await connect({ ...connectionOptions(c, deviceId, timing, backoff), timeout: connectTimeoutMs })
  try {
    const js = jetstream(nc)
    const kv = await ensureBucket(js, timing)
    return { nc, js, kv }
  } catch (e) {
    await nc.close()
    throw e
  }
}

/**
 * The bucket, created with its TTL (history 1: a row's old values are not kept) when missing. An
 * existing bucket is taken as it is (Kvm.create reads its info and adds only when absent), so an
 * administrator's settings win.
 */
export async function ensureBucket(js: JetStreamClient, timing: FleetTiming): Promise<KV> {
  return new Kvm(js).create(FLEET_BUCKET, { ttl: timing.bucketTtlMs, history: 1 })
}

const ns = (ms: number): number => ms * 1_000_000

/** The ended-sessions and command streams and this device's durable command consumer (idempotent). */
export async function ensureStreams(
  nc: NatsConnection,
  deviceId: string,
  timing: FleetTiming,
): Promise<void> {
  const jsm = await jetstreamManager(nc)
  const want = [
    { name: ENDED_STREAM, subjects: [endedSubject('*')], max_age: ns(timing.endedMaxAgeMs) },
    // commands outlive their own expiry a little, so a late device still reads (and refuses) them
    { name: COMMAND_STREAM, subjects: [commandSubject('*')], max_age: ns(2 * MAX_COMMAND_TTL_MS) },
  ]
  for (const s of want) {
    try {
      await jsm.streams.info(s.name)
    } catch {
      await jsm.streams.add(s)
    }
  }
  const durable = commandConsumer(deviceId)
  try {
    await jsm.consumers.info(COMMAND_STREAM, durable)
  } catch {
    await jsm.consumers.add(COMMAND_STREAM, {
      durable_name: durable,
      filter_subject: commandSubject(deviceId),
      ack_policy: AckPolicy.Explicit,
    })
  }
}
