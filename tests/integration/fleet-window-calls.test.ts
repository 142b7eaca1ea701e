import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { Engine } from '@engine/index'
import { invokes, type Envelope, type FleetHistoryPage, type FleetStatus } from '@shared/contract'
import { historyMatches, type HistoryFilter } from '@shared/history'
import { END_REASONS, RESOURCE_TYPES } from '@shared/model'
import { createHandlers, dispatch } from '../../src/main/api/handlers'
import {
  FleetClient,
  FleetConfigStore,
  newFleetKey,
  type FleetSession,
  type SecretBox,
} from '../../src/main/fleet'
import { ENDED_WINDOW } from '../../src/main/fleet/ended-pages'
import { FleetMembership } from '../../src/main/fleet/membership'
import { endedSubject } from '../../src/main/fleet/protocol'
import { waitFor } from '../support/peers'
import { deviceEngine, endedFleetSession, startNats, type NatsServer } from '../support/nats'

// The window's Settings → Fleet and History across devices (issue 14) through the one dispatch path
// the window's calls take, over a real engine (SQLite in a temp dir) and a real nats-server -js on
// loopback: join connects first and stores nothing on failure, the member runs at once and stops on
// leave, the key never comes back; History pages the ended stream with the history filters.

const TIMING = { heartbeatMs: 300, onlineWithinMs: 2000, backoffMinMs: 100, backoffMaxMs: 500 }

let nats: NatsServer
let dir: string
const engines: Engine[] = []
const memberships: FleetMembership[] = []

beforeAll(async () => {
  nats = await startNats()
  dir = mkdtempSync(join(tmpdir(), 'warden-fleet-calls-'))
})
afterEach(async () => {
  for (const m of memberships.splice(0)) await m.close()
  for (const e of engines.splice(0)) await e.close()
})
afterAll(async () => {
  await nats.close()
  rmSync(dir, { recursive: true, force: true })
})

function window(name: string, box: SecretBox | null = null) {
  const home = mkdtempSync(join(dir, `${name}-`))
  const dbPath = join(home, 'dev-' + name + '.db')
  // a device of its own (tests/support/nats.ts), not this machine's: a third createEngine in this process
  // hung in Device.load (systeminformation) in the merged full run; see issue 14's note
  const engine = deviceEngine({ dir: home, id: 'dev-' + name, name, source: '127.0.0.250', sshPort: 1 })
  engines.push(engine)
  const store = FleetConfigStore.besideDb(dbPath, box)
  const membership = new FleetMembership({ engine, store, timing: TIMING })
  memberships.push(membership)
  membership.start()
  const handlers = createHandlers(engine, 'app', membership)
  const call = async <T>(n: keyof typeof invokes, ...args: unknown[]): Promise<Envelope<T>> =>
    (await dispatch(handlers, invokes[n].channel, args)) as Envelope<T>
  const value = async <T>(n: keyof typeof invokes, ...args: unknown[]): Promise<T> => {
    const r = await call<T>(n, ...args)
    if (!r.ok) throw new Error(`${n}: ${r.error.code} ${r.error.message}`)
    return r.value
  }
  return { engine, store, membership, call, value }
}

const xorBox: SecretBox = {
  isEncryptionAvailable: () => true,
  encryptString: (t) => Buffer.from(Buffer.from(t).map((b) => b ^ 0x5a)),
  decryptString: (b) => Buffer.from(b.map((x) => x ^ 0x5a)).toString(),
}

describe('Settings → Fleet through the contract', () => {
  it('join (connects first), the member runs at once, set location, leave; the key never comes back', async () => {
    const key = newFleetKey()
    const w = window('laptop')
    expect(await w.value<FleetStatus>('fleetStatus')).toMatchObject({
      joined: false,
      control: { keptIn: 'file' },
    })

    // a server that is not there: refused, nothing stored, not joined
    const closed = await w.call('joinFleet', { url: 'nats://127.0.0.1:1', name: 'laptop', key })
    expect(closed).toMatchObject({ ok: false, error: { code: 'FLEET_UNAVAILABLE' } })
    expect(!closed.ok && closed.error.message).toMatch(
      /cannot reach nats:\/\/127\.0\.0\.1:1.*nothing was stored/,
    )
    expect(existsSync(w.store.file)).toBe(false)

    const status = await w.value<FleetStatus>('joinFleet', { url: nats.url, name: 'laptop', key })
    expect(status).toMatchObject({ joined: true, connected: true, name: 'laptop', url: nats.url })
    expect(JSON.stringify(status)).not.toContain(key)
    expect(statSync(w.store.file).mode & 0o777).toBe(0o600)
    // the member publishes this device without a restart: it is among the fleet's devices
    const listed = await waitFor(
      async () => (await w.value<FleetStatus>('fleetStatus')).devices.find((d) => d.name === 'laptop'),
      5000,
      'this device in the fleet',
    )
    expect(listed).toMatchObject({ id: w.engine.device.id, online: true })

    // where it is: stored and published now (the member restarts with it)
    const moved = await w.value<FleetStatus>('setFleetLocation', '  Oslo lab ')
    expect(moved.location).toBe('Oslo lab')
    await waitFor(
      async () => (await w.value<FleetStatus>('fleetStatus')).devices.find((d) => d.location === 'Oslo lab'),
      5000,
      'the location in the device record',
    )
    expect(JSON.parse(readFileSync(w.store.file, 'utf8'))).toMatchObject({ location: 'Oslo lab', key })

    const left = await w.value<FleetStatus>('leaveFleet')
    expect(left).toMatchObject({ joined: false, connected: false })
    expect(existsSync(w.store.file)).toBe(false)
    expect(w.membership.current()).toBeNull()
    expect(await w.call('listFleetSessions')).toMatchObject({
      ok: false,
      error: { code: 'FLEET_UNAVAILABLE' },
    })
  })

  it('in the app the settings are sealed by the SecretBox: the key is not in the clear on disk', async () => {
    const key = newFleetKey()
    const w = window('sealed', xorBox)
    expect(await w.value<FleetStatus>('joinFleet', { url: nats.url, name: 'sealed', key })).toMatchObject({
      joined: true,
      control: { keptIn: 'keychain' },
    })
    expect(w.store.file.endsWith('fleet.sealed')).toBe(true)
    expect(readFileSync(w.store.file).toString('latin1')).not.toContain(key)
    expect(w.store.read()).toMatchObject({ key, name: 'sealed' })
    // a keychain that is not available: refused, nothing stored
    const locked = window('locked', { ...xorBox, isEncryptionAvailable: () => false })
    const r = await locked.call('joinFleet', { url: nats.url, name: 'locked', key })
    expect(r).toMatchObject({ ok: false, error: { code: 'BAD_SETTING' } })
    expect(!r.ok && r.error.message).toContain('nothing was stored')
    expect(existsSync(locked.store.file)).toBe(false)
    expect(locked.membership.current()).toBeNull()
  })
})

/** A seeded generator (mulberry32), so a failure can be replayed. */
function rng(seed: number): () => number {
  let a = seed
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function endedRow(i: number, deviceId: string, r: () => number): FleetSession {
  const start = Date.UTC(2026, 10, 1) + Math.floor(r() * 20 * 86_400_000)
  const type = RESOURCE_TYPES[Math.floor(r() * RESOURCE_TYPES.length)] ?? 'ssh'
  return endedFleetSession(start, 60_000, {
    id: i.toString(16).padStart(12, '0'),
    deviceId,
    resourceName: `${type}-host-${i % 7}`,
    resourceType: type,
    location: i % 5 === 0 ? 'Bergen' : 'Oslo',
    ipAddress: `10.0.${i % 3}.${i % 250}`,
    endReason: END_REASONS[Math.floor(r() * END_REASONS.length)] ?? 'user',
    pid: 1000 + i,
    host: `host-${i % 7}.example.org`,
  })
}

describe('History across devices through the contract', () => {
  it('pages the ended stream newest first, with the filters, a device filter and bad input refused', async () => {
    const key = newFleetKey()
    const w = window('historian')
    await w.value('joinFleet', { url: nats.url, name: 'historian', key })
    // three devices' ended sessions, more than two read windows' worth
    const r = rng(14)
    const devs = ['dev-h1', 'dev-h2', 'dev-h3']
    const all = Array.from({ length: ENDED_WINDOW * 2 + 345 }, (_, i) =>
      endedRow(i, devs[i % 3] as string, r),
    )
    const client = await FleetClient.open({ url: nats.url, name: 'feeder', key }, 'feeder')
    try {
      for (const s of all) await client.link.js.publish(endedSubject(s.deviceId), JSON.stringify(s))
    } finally {
      await client.close()
    }
    const newestFirst = [...all].reverse()
    const pages = async (q: HistoryFilter, scope: { device?: string } = {}) => {
      const out: FleetSession[] = []
      let cursor: string | null = null
      let calls = 0
      do {
        const p: FleetHistoryPage = await w.value(
          'queryFleetHistory',
          { ...q, ...(cursor ? { cursor } : {}) },
          scope,
        )
        expect(p.rows.length).toBeLessThanOrEqual(q.limit ?? 50)
        out.push(...p.rows)
        cursor = p.nextCursor
        calls++
      } while (cursor !== null && calls < 200)
      return out.map((s) => s.id)
    }
    const expected = (q: HistoryFilter, device?: string) =>
      newestFirst
        .filter((s) => (device ? s.deviceId === device : true) && historyMatches(s, q))
        .map((s) => s.id)

    const queries: HistoryFilter[] = [
      { limit: 500 },
      { limit: 100, type: 'rdp' },
      { limit: 50, reason: 'remote', text: 'HOST-3' },
      { limit: 200, text: 'bergen', since: Date.UTC(2026, 10, 8), until: Date.UTC(2026, 10, 15) },
    ]
    for (const q of queries) expect(await pages(q), JSON.stringify(q)).toEqual(expected(q))
    expect(await pages({ limit: 300 }, { device: 'dev-h2' })).toEqual(expected({}, 'dev-h2'))
    // the first page is the newest ended, with its device and a duration
    const first = await w.value<FleetHistoryPage>('queryFleetHistory', { limit: 3 }, {})
    expect(first.rows.map((s) => s.id)).toEqual(newestFirst.slice(0, 3).map((s) => s.id))
    expect(first.rows[0]).toMatchObject({ deviceId: all.at(-1)?.deviceId, duration: '1m' })

    // bad input: a clear error, nothing read
    const refused = async (args: unknown[]) => {
      const res = await w.call('queryFleetHistory', ...args)
      return res.ok ? 'answered' : `${res.error.code} ${res.error.message}`
    }
    expect(await refused([{ cursor: 'abc' }, {}])).toMatch(/^BAD_QUERY not a cursor/)
    expect(await refused([{ limit: 0 }, {}])).toMatch(/^BAD_ARGS/)
    expect(await refused([{}, { device: 'a.b' }])).toMatch(/^BAD_ARGS .*device id/)
    expect(await refused([{}, { other: 1 }])).toMatch(/^BAD_ARGS/)
    expect(await refused([{}])).toMatch(/^BAD_ARGS/)
  })
})
