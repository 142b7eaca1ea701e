import { EventEmitter } from 'node:events'
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { connect, type NatsConnection } from '@nats-io/transport-node'
import { jetstream, jetstreamManager } from '@nats-io/jetstream'
import { Kvm, type KV } from '@nats-io/kv'
import {
  FleetMember,
  newFleetKey,
  type FleetEngine,
  type FleetSnapshot,
  type FleetTiming,
} from '../../src/main/fleet'
import { fleetView } from '../../src/main/fleet/operations'
import { deviceKey, FLEET_BUCKET, sessionKey } from '../../src/main/fleet/protocol'
import { holdsFor, waitFor } from '../support/peers'
import { FLEET_TEST_TIMING, startNats, type NatsServer } from '../support/nats'
import { prng } from '../../bench/stats'

// The live mirror a fleet member keeps of the bucket (src/main/fleet/mirror.ts), against a real
// nats-server -js (Debian's 2.9) on loopback: initial values, puts, deletes and purges, the bucket's
// TTL (no delete marker on 2.9), a server that comes back empty (resync after reconnect), and the
// address the server saw each device connect from (its INFO's client_ip).

const TIMING = FLEET_TEST_TIMING

let nats: NatsServer
const members: FleetMember[] = []
const conns: NatsConnection[] = []

beforeAll(async () => {
  nats = await startNats()
})
async function closeClients(): Promise<void> {
  for (const m of members.splice(0)) await m.close()
  for (const c of conns.splice(0)) await c.close()
}
afterEach(async () => {
  await closeClients()
  const nc = await connect({ servers: nats.url })
  await (await jetstreamManager(nc)).streams.delete(`KV_${FLEET_BUCKET}`).catch(() => undefined)
  await nc.close()
})
afterAll(async () => {
  await nats.close()
})

/** An engine with no sessions: the mirror is what is under test, not the scan. */
function quietEngine(id: string): FleetEngine {
  return Object.assign(new EventEmitter(), {
    device: { id, name: id, os: 'Linux (test)', model: 'test' },
    list: () => [],
    interfaces: () => Promise.resolve([]),
    end: () => Promise.reject(new Error('no sessions here')),
  })
}

async function member(
  id: string,
  o: { server?: NatsServer; timing?: Partial<FleetTiming>; location?: string } = {},
): Promise<FleetMember> {
  const m = new FleetMember(
    quietEngine(id),
    {
      url: (o.server ?? nats).url,
      name: `name-${id}`,
      key: newFleetKey(),
      ...(o.location ? { location: o.location } : {}),
    },
    { timing: { ...TIMING, ...o.timing } },
  )
  members.push(m)
  m.start()
  await m.mirrored()
  return m
}

/** Another connection writing the bucket directly (as other devices' publishers do). */
async function writer(server = nats): Promise<KV> {
  const nc = await connect({ servers: server.url, maxReconnectAttempts: -1, reconnectTimeWait: 100 })
  conns.push(nc)
  return new Kvm(jetstream(nc)).open(FLEET_BUCKET)
}

function row(device: string, id: string, resourceName = 'db'): string {
  return JSON.stringify({
    id,
    deviceId: device,
    device: `name-${device}`,
    resourceName,
    startTime: new Date(Date.now() - 60_000).toISOString(),
    endTime: null,
  })
}

const ids = (s: FleetSnapshot): string[] => s.sessions.map((x) => x.id).sort()
const names = (s: FleetSnapshot): string[] => s.devices.map((x) => x.id).sort()
const mirrorHas = async (m: FleetMember, id: string): Promise<boolean> => ids(await m.list()).includes(id)

describe('the fleet mirror', () => {
  it('starts from the rows already there, then follows puts, updates, deletes and purges', async () => {
    await member('seed') // creates the bucket
    const kv = await writer()
    await kv.put(sessionKey('dev-b', 'before'), row('dev-b', 'before'))
    const m = await member('dev-a')
    expect(ids(await m.list())).toContain('before')

    await kv.put(sessionKey('dev-b', 'added'), row('dev-b', 'added'))
    await waitFor(() => mirrorHas(m, 'added'), 2000, 'the put')
    await kv.put(sessionKey('dev-b', 'added'), row('dev-b', 'added', 'renamed'))
    await waitFor(
      async () => (await m.list()).sessions.find((s) => s.id === 'added')?.resourceName === 'renamed',
      2000,
      'the update',
    )
    await kv.delete(sessionKey('dev-b', 'added'))
    await waitFor(async () => !(await mirrorHas(m, 'added')), 2000, 'the delete')
    await kv.purge(sessionKey('dev-b', 'before'))
    await waitFor(async () => !(await mirrorHas(m, 'before')), 2000, 'the purge')
  })

  it('after 300 seeded random puts and deletes it holds exactly what a cold read of the bucket holds', async () => {
    const m = await member('dev-a')
    const kv = await writer()
    const random = prng(1402)
    for (let i = 0; i < 300; i++) {
      const dev = `dev-${Math.floor(random() * 5)}`
      const key = sessionKey(dev, `s${Math.floor(random() * 40)}`)
      if (random() < 0.3) await kv.delete(key)
      else await kv.put(key, row(dev, key.split('.')[2] ?? ''))
      if (random() < 0.05) await kv.put(deviceKey(dev), JSON.stringify({ id: dev, name: dev, lastSeen: '' }))
    }
    const cold = await m.client.coldList()
    expect(cold.sessions.length).toBeGreaterThan(10)
    await waitFor(
      async () => {
        const hot = await m.list()
        return ids(hot).join() === ids(cold).join() && names(hot).join() === names(cold).join()
      },
      3000,
      'the mirror to equal the cold read',
    )
  })

  it('drops rows the bucket TTL expired (no delete marker) and keeps rows that are re-put', async () => {
    const short = await startNats()
    try {
      // the member heartbeats and refreshes below the TTL, so its own record stays
      const m = await member('dev-a', {
        server: short,
        timing: { bucketTtlMs: 2000, heartbeatMs: 400, refreshMs: 800 },
      })
      const kv = await writer(short)
      await kv.put(sessionKey('dev-b', 'left'), row('dev-b', 'left'))
      await kv.put(sessionKey('dev-b', 'kept'), row('dev-b', 'kept'))
      await waitFor(() => mirrorHas(m, 'left'), 2000, 'the put')
      const refresh = setInterval(() => void kv.put(sessionKey('dev-b', 'kept'), row('dev-b', 'kept')), 300)
      try {
        await waitFor(async () => !(await mirrorHas(m, 'left')), 6000, 'the expired row to leave the mirror')
        // the server dropped it too, and the re-put row and the member's own record stayed
        expect(ids(await m.client.coldList())).not.toContain('left')
        await holdsFor(() => mirrorHas(m, 'kept'), 2500, 'the re-put row')
        expect(names(await m.list())).toContain('dev-a')
      } finally {
        clearInterval(refresh)
      }
    } finally {
      await closeClients() // before their server goes
      await short.close()
    }
  })

  it('after a reconnect to a server that lost its state, it holds what the new server holds', async () => {
    const m = await member('dev-a')
    const kv = await writer()
    await kv.put(sessionKey('dev-b', 'old'), row('dev-b', 'old'))
    await waitFor(() => mirrorHas(m, 'old'), 2000, 'the put')

    // the server comes back on the same port with an empty store (a new machine, a lost disk)
    await nats.stop()
    rmSync(join(nats.dir, 'js'), { recursive: true, force: true })
    await nats.start()
    // the member re-creates the bucket on reconnect; then another device puts a row there
    await waitFor(
      () =>
        kv.put(sessionKey('dev-b', 'new'), row('dev-b', 'new')).then(
          () => true,
          () => false,
        ),
      10_000,
      'a put on the new server',
    )
    await waitFor(
      async () => {
        const s = await m.list()
        return ids(s).join() === 'new' && names(s).includes('dev-a')
      },
      10_000,
      'the mirror to hold the new server’s rows only (and this device’s own record, re-put)',
    )
  })
})

describe('where a device is: the address the server saw', () => {
  it('is published with the device record and shown when the user set no location', async () => {
    const a = await member('dev-a')
    const b = await member('dev-b', { location: 'Oslo office' })
    const kv = await writer()
    await kv.put(sessionKey('dev-a', 'sa'), row('dev-a', 'sa'))
    await kv.put(sessionKey('dev-b', 'sb'), row('dev-b', 'sb'))
    const devices = await waitFor(
      async () => {
        const d = (await a.client.coldList()).devices
        return d.length === 2 && d.every((x) => x.seenFrom) ? d : null
      },
      5000,
      'both device records with the server-seen address',
    )
    // loopback: classified, never looked up (geo.ts); the user's own setting wins
    expect(devices.map((d) => [d.id, d.seenFrom, d.seenLocation, d.location])).toEqual([
      ['dev-a', '127.0.0.1', 'This device', "The fleet server's machine"],
      ['dev-b', '127.0.0.1', 'This device', 'Oslo office'],
    ])
    // each device's rows in the other's list carry that device's location
    await waitFor(async () => (await mirrorHas(a, 'sb')) && mirrorHas(b, 'sa'), 2000, 'both mirrors')
    const where = async (m: FleetMember, id: string, location?: string): Promise<object> => {
      const cfg = { name: `name-${id}`, ...(location ? { location } : {}) }
      const view = await fleetView(quietEngine(id), m.client, cfg)
      return Object.fromEntries(view.sessions.map((s) => [s.id, s.location]))
    }
    expect(await where(a, 'dev-a')).toEqual({ sb: 'Oslo office' })
    expect(await where(b, 'dev-b', 'Oslo office')).toEqual({ sa: "The fleet server's machine" })
  })
})
