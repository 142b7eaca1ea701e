import { DeliverPolicy, type JetStreamClient } from '@nats-io/jetstream'
import {
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

const KV_PREFIX = `$KV.${FLEET_BUCKET}.`

/**
 * The bucket as it stands: one ordered consumer delivering the last value of every key
 * (deliver_policy last_per_subject), read until nothing is pending. One round of messages rather
 * than a get per key, so 10 000 rows cost one pass (bench/fleet-bench.ts measures it).
 */
export async function readFleet(
  js: JetStreamClient,
  now: number,
  onlineWithinMs: number,
): Promise<FleetSnapshot> {
  const values = await lastValues(js, `${KV_PREFIX}>`, `KV_${FLEET_BUCKET}`)
  const devices = new Map<string, DeviceRecord>()
  const sessions: FleetSession[] = []
  for (const [subject, data] of values) {
    const key = subject.slice(KV_PREFIX.length)
    if (key.startsWith('dev.')) devices.set(key.slice(4), JSON.parse(data) as DeviceRecord)
    else if (key.startsWith('ses.')) sessions.push(withDuration(JSON.parse(data) as FleetSession, now))
  }
  const count = new Map<string, number>()
  for (const s of sessions) count.set(s.deviceId, (count.get(s.deviceId) ?? 0) + 1)
  return {
    devices: [...devices.values()]
      .map((d) => ({
        ...d,
        online: now - Date.parse(d.lastSeen) <= onlineWithinMs,
        sessions: count.get(d.id) ?? 0,
      }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    sessions: sessions.sort((a, b) => b.startTime.localeCompare(a.startTime)),
  }
}

/** Ended sessions of the fleet (or one device), oldest first, from the ended stream. */
export async function readEnded(js: JetStreamClient, device = '*'): Promise<FleetSession[]> {
  const out: FleetSession[] = []
  const c = await js.consumers.get(ENDED_STREAM, {
    filter_subjects: endedSubject(device),
    deliver_policy: DeliverPolicy.All,
  })
  await drain(c, (_subject, data) => out.push(JSON.parse(data) as FleetSession))
  return out
}

async function lastValues(js: JetStreamClient, filter: string, stream: string): Promise<Map<string, string>> {
  const out = new Map<string, string>()
  const c = await js.consumers.get(stream, {
    filter_subjects: filter,
    deliver_policy: DeliverPolicy.LastPerSubject,
  })
  await drain(c, (subject, data, op) => {
    if (op === 'DEL' || op === 'PURGE') out.delete(subject)
    else out.set(subject, data)
  })
  return out
}

type ConsumerOf = Awaited<ReturnType<JetStreamClient['consumers']['get']>>

/** Reads an ordered consumer until its pending count reaches 0. */
async function drain(
  c: ConsumerOf,
  each: (subject: string, data: string, op: string | undefined) => void,
): Promise<void> {
  let pending = (await c.info(true)).num_pending
  while (pending > 0) {
    const batch = await c.fetch({ max_messages: Math.min(pending, 20_000), expires: 2000 })
    let got = 0
    for await (const m of batch) {
      got++
      each(m.subject, m.string(), m.headers?.get('KV-Operation') || undefined)
      pending = m.info.pending
      if (pending === 0) break
    }
    if (got === 0) break
  }
  // the server drops an ordered consumer after its inactivity threshold anyway: do not wait for it
  void c.delete().catch(() => undefined)
}
