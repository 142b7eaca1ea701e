/**
 * A history of ended sessions written through the store the way the engine records them, from a
 * seeded PRNG (mulberry32): the same rows on every run. For the learned anomaly rules and the bench.
 */
import { hourOfWeek } from '@engine/anomaly/learned'
import { newSessionId } from '@engine/session-view'
import type { NewSession, SessionUpdate, Store } from '@engine/store'
import type { ResourceType } from '@shared/model'

export function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
}

export interface SeedOptions {
  rows: number
  /** the history spans this many days before `until` */
  days: number
  until: number
  seed: number
  type?: ResourceType
  hosts: readonly string[]
  addresses: readonly { ip: string; location: string }[]
  /** no session starts in these local hours of the week (Monday 00:00 = 0) */
  avoidHours?: readonly number[]
  deviceId?: string
  /** rows per transaction */
  batch?: number
}

const HOUR = 3_600_000

export function seedHistory(store: Store, o: SeedOptions): void {
  const random = prng(o.seed)
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T
  const type = o.type ?? 'ssh'
  const resources = o.hosts.map((h) => store.ensureResource(type, h, `${h}:22`))
  const avoid = new Set(o.avoidHours ?? [])
  const batch = o.batch ?? 1000
  let created: NewSession[] = []
  let ends: SessionUpdate[] = []
  for (let i = 0; i < o.rows; i++) {
    let start = o.until - Math.floor(random() * o.days * 24) * HOUR - Math.floor(random() * 50) * 60_000
    while (avoid.has(hourOfWeek(start))) start -= HOUR
    const end = start + 60_000 + Math.floor(random() * 2 * HOUR)
    const r = pick(resources)
    const a = pick(o.addresses)
    const id = newSessionId()
    created.push({
      id,
      key: `seed:${o.seed}:${i}`,
      resourceId: r.id,
      deviceId: o.deviceId ?? 'seed-device',
      startTime: start,
      lastActivity: end,
      lastSeen: end,
      status: 'active',
      pid: 10_000 + i,
      processStart: start,
      exe: '/usr/bin/ssh',
      client: 'ssh',
      host: r.name,
      user: null,
      ipAddress: a.ip,
      remotePort: 22,
      localAddress: '192.0.2.10',
      location: a.location,
      flags: [],
      endable: true,
    })
    ends.push({ kind: 'end', id, at: end, reason: 'process-exit', actor: 'engine' })
    if (created.length >= batch || i === o.rows - 1) {
      store.applyTick(created, ends, o.until)
      created = []
      ends = []
    }
  }
}
