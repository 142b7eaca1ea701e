import { DeliverPolicy, type JetStreamClient, type JsMsg } from '@nats-io/jetstream'
import {
  deviceLocation,
  ENDED_STREAM,
  endedSubject,
  FLEET_BUCKET,
  withDuration,
  type DeviceRecord,
  type FleetSession,
} from './protocol'

export interface FleetDevice extends DeviceRecord {
  online: boolean
  sessions: number
}

export interface FleetSnapshot {
  devices: FleetDevice[]
  /** open sessions of every device, newest first */
  sessions: FleetSession[]
}

/** The bucket's rows as a reader holds them, each with the server's time of its put (ms). */
export interface FleetRows {
  devices: Map<string, { value: DeviceRecord; at: number }>
  /** `start`: the session's start time in ms, parsed once on arrival (the list sorts by it) */
  sessions: Map<string, { value: FleetSession; at: number; start: number }>
}

export const emptyRows = (): FleetRows => ({ devices: new Map(), sessions: new Map() })

/**
 * One KV entry into `rows`: a put sets, a delete or purge marker removes. Keys are the bucket's
 * (`dev.<id>`, `ses.<id>.<sid>`); anything else in the bucket is not ours and is skipped.
 */
export function applyEntry(rows: FleetRows, key: string, op: string, data: string, at: number): void {
  const put = op !== 'DEL' && op !== 'PURGE'
  if (key.startsWith('dev.')) {
    if (put) rows.devices.set(key, { value: JSON.parse(data) as DeviceRecord, at })
    else rows.devices.delete(key)
  } else if (key.startsWith('ses.')) {
    if (put) {
      const value = JSON.parse(data) as FleetSession
      rows.sessions.set(key, { value, at, start: Date.parse(value.startTime) })
    } else rows.sessions.delete(key)
  }
}

/**
 * The list a reader shows: durations recomputed for `now`, devices online while their heartbeat
 * is recent, each device's `location` where it is (deviceLocation: set by its user, else where the
 * server saw it connect from). With `ttlMs`, rows the bucket's TTL has taken by now are left out
 * (the server drops them without a marker: nats-server 2.9 has no per-message delete markers).
 */
export function snapshotOf(
  rows: FleetRows,
  now: number,
  onlineWithinMs: number,
  ttlMs = Infinity,
): FleetSnapshot {
  const live = (at: number): boolean => now - at < ttlMs
  // sorted by the start parsed on arrival: a numeric sort, not 10 000 × log n string compares
  const open: { value: FleetSession; start: number }[] = []
  const count = new Map<string, number>()
  for (const r of rows.sessions.values()) {
    if (!live(r.at)) continue
    open.push(r)
    count.set(r.value.deviceId, (count.get(r.value.deviceId) ?? 0) + 1)
  }
  open.sort((a, b) => b.start - a.start)
  const sessions = open.map((r) => withDuration(r.value, now, r.start))
  const devices: FleetDevice[] = []
  for (const { value: d, at } of rows.devices.values()) {
    if (!live(at)) continue
    const device: FleetDevice = {
      ...d,
      online: now - Date.parse(d.lastSeen) <= onlineWithinMs,
      sessions: count.get(d.id) ?? 0,
    }
    const where = deviceLocation(d)
    if (where) device.location = where
    devices.push(device)
  }
  devices.sort((a, b) => a.name.localeCompare(b.name))
  return { devices, sessions }
}

const KV_PREFIX = `$KV.${FLEET_BUCKET}.`

/**
 * The bucket as it stands (a cold read: `warden list --fleet`): one ordered consumer delivering the
 * last value of every key (deliver_policy last_per_subject), read until nothing is pending. One
 * round of messages rather than a get per key (bench/fleet-bench.ts measures it).
 */
export async function readFleet(
  js: JetStreamClient,
  now: number,
  onlineWithinMs: number,
): Promise<FleetSnapshot> {
  const { rows } = await readRows(js)
  return snapshotOf(rows, now, onlineWithinMs)
}

/** Every row of the bucket, and the stream sequence the read reached (a watch resumes after it). */
export async function readRows(js: JetStreamClient): Promise<{ rows: FleetRows; lastSeq: number }> {
  const rows = emptyRows()
  let lastSeq = 0
  const stream = `KV_${FLEET_BUCKET}`
  const upTo = await lastSequence(js, stream)
  const c = await js.consumers.get(stream, {
    filter_subjects: `${KV_PREFIX}>`,
    deliver_policy: DeliverPolicy.LastPerSubject,
  })
  await drain(c, upTo, (m) => {
    const op = m.headers?.get('KV-Operation') ?? ''
    applyEntry(rows, m.subject.slice(KV_PREFIX.length), op, m.string(), nanosToMs(m.timestampNanos))
    lastSeq = Math.max(lastSeq, m.seq)
  })
  return { rows, lastSeq }
}

const nanosToMs = (n: bigint): number => Number(n / 1_000_000n)

/** Ended sessions of the fleet (or one device), oldest first, from the ended stream. */
export async function readEnded(js: JetStreamClient, device = '*'): Promise<FleetSession[]> {
  const out: FleetSession[] = []
  const upTo = await lastSequence(js, ENDED_STREAM)
  const c = await js.consumers.get(ENDED_STREAM, {
    filter_subjects: endedSubject(device),
    deliver_policy: DeliverPolicy.All,
  })
  await drain(c, upTo, (m) => out.push(JSON.parse(m.string()) as FleetSession))
  return out
}

type ConsumerOf = Awaited<ReturnType<JetStreamClient['consumers']['get']>>

/** How long one read of a stream may take before it is given up with an error (a stop, not a target). */
export const DRAIN_DEADLINE_MS = 30_000

/** The stream's last sequence now: a read stops there (what comes later is a change, not the state). */
export async function lastSequence(js: JetStreamClient, stream: string): Promise<number> {
  const jsm = await js.jetstreamManager(false)
  return (await jsm.streams.info(stream)).state.last_seq
}

/**
 * Reads an ordered consumer up to stream sequence `upTo` (taken before the consumer was made).
 * The server's per-message pending count alone is not a safe stop: nats-server 2.9.10 reported
 * pending 1 on the newest row when that key was re-put while the consumer was being made (its
 * history-1 bucket dropped the value the consumer had started from), and kept reporting 1 on every
 * later put, so a reader that waited for 0 followed a heartbeating device for ever (the hang in
 * tests/integration/fleet-window-calls.test.ts, issue 14; fleet-read-bound.test.ts reproduces it).
 */
async function drain(c: ConsumerOf, upTo: number, each: (m: JsMsg) => void): Promise<void> {
  let pending = upTo > 0 ? (await c.info(true)).num_pending : 0
  let reached = false
  const until = Date.now() + DRAIN_DEADLINE_MS
  while (pending > 0 && !reached) {
    if (Date.now() > until) throw new Error(`fleet: reading the stream took over ${DRAIN_DEADLINE_MS} ms`)
    const batch = await c.fetch({ max_messages: Math.min(pending, 20_000), expires: 2000 })
    let got = 0
    for await (const m of batch) {
      got++
      each(m)
      pending = m.info.pending
      reached = m.seq >= upTo
      if (pending === 0 || reached) break
    }
    if (got === 0) break
  }
  // the server drops an ordered consumer after its inactivity threshold anyway: do not wait for it
  void c.delete().catch(() => undefined)
}
