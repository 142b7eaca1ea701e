import { connect, type NatsConnection } from '@nats-io/transport-node'
import { jetstream, type JetStreamClient } from '@nats-io/jetstream'
import type { KV } from '@nats-io/kv'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEFAULT_FLEET_TIMING, ensureBucket } from '../../src/main/fleet/connection'
import { deviceKey } from '../../src/main/fleet/protocol'
import { readRows } from '../../src/main/fleet/view'
import { startNats, type NatsServer } from '../support/nats'

// The hang behind issue 14's "third createEngine" note: it was never Device.load. A cold read of the
// bucket (readRows: the join's status, the mirror's fill, `warden list --fleet`) stopped only when
// the server said pending 0. nats-server 2.9.10 (Debian's) says pending 1 on the newest row for good
// once that key is re-put between the consumer's creation and its first delivery (history 1 drops
// the value it started from), so a reader beside a device heartbeating more often than the fetch's
// 2 s expiry read for ever. Reproduced here exactly: the re-put goes in right after the consumer's
// info, and a writer keeps heartbeating; the read must end, bounded by the stream's last sequence.

let nats: NatsServer
let nc: NatsConnection
let js: JetStreamClient
let kv: KV

beforeAll(async () => {
  nats = await startNats()
  nc = await connect({ servers: nats.url })
  js = jetstream(nc)
  kv = await ensureBucket(js, DEFAULT_FLEET_TIMING)
})
afterAll(async () => {
  await nc.close()
  await nats.close()
})

const record = (id: string, n: number): string =>
  JSON.stringify({ id, name: id, os: 'Linux', model: '', addresses: [], lastSeen: String(n), appVersion: '' })

/** `js` whose consumers re-put `key` right after their first info (the race, made certain). */
function racing(key: string): JetStreamClient {
  const consumers = new Proxy(js.consumers, {
    get(target, prop, recv) {
      if (prop !== 'get') return Reflect.get(target, prop, recv) as unknown
      return async (...args: Parameters<JetStreamClient['consumers']['get']>) => {
        const c = await target.get(...args)
        const info = c.info.bind(c)
        c.info = async (cached?: boolean) => {
          const i = await info(cached)
          await kv.put(key, record('raced', -1))
          return i
        }
        return c
      }
    },
  })
  return new Proxy(js, {
    get: (t, p, r) => (p === 'consumers' ? consumers : Reflect.get(t, p, r)) as unknown,
  })
}

describe('a cold read of the fleet bucket ends while devices keep writing', () => {
  it.each([1, 3])(
    '%i device(s), the newest re-put as the read starts, one heartbeating every 300 ms',
    async (n) => {
      const ids = Array.from({ length: n }, (_, i) => `dev-bound-${n}-${i}`)
      for (const id of ids) await kv.put(deviceKey(id), record(id, 0))
      const last = deviceKey(ids.at(-1) as string)
      let beat = 0
      const heart = setInterval(() => void kv.put(last, record('beat', ++beat)).catch(() => undefined), 300)
      try {
        const read = readRows(racing(last))
        const stop = new Promise<never>((_, reject) =>
          setTimeout(
            () => reject(new Error('the read did not end within 10 s (it follows the writes)')),
            10_000,
          ),
        )
        const { rows, lastSeq } = await Promise.race([read, stop])
        expect([...rows.devices.keys()].filter((k) => k.startsWith(`dev.dev-bound-${n}-`)).sort()).toEqual(
          ids.map(deviceKey).sort(),
        )
        expect(lastSeq).toBeGreaterThan(0)
      } finally {
        clearInterval(heart)
      }
    },
  )
})
