import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createEngine, type Engine } from '@engine/index'
import { hourOfWeek } from '@engine/anomaly/learned'
import type { Detected } from '@engine/detect/types'
import type { GeoLocator } from '@engine/geo'
import { openStore } from '@engine/store'
import type { Session } from '@shared/model'
import { BIN, startSshd, stopAll, waitFor, type Sshd } from '../support/peers'
import { seedHistory, type SeedOptions } from '../support/seed-history'

// The learned rules on a seeded history (hundreds of rows over weeks) and real ssh sessions to the real
// sshd, whose address the test data file geolocates (tests/fixtures/anomaly: geo.json, asn.csv).

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'anomaly')
const GEO = JSON.parse(readFileSync(join(FIXTURES, 'geo.json'), 'utf8')) as Record<string, string>
const geo: GeoLocator = { locate: (ip) => GEO[ip] ?? 'Unknown' }
const asnSource = { name: 'test-asn-1', files: [{ path: join(FIXTURES, 'asn.csv'), family: 4 as const }] }

let sshd: Sshd
let dir: string
let engine: Engine | null = null
const clients: ChildProcess[] = []

beforeAll(async () => {
  sshd = await startSshd()
})
afterAll(async () => {
  await stopAll()
})
afterEach(async () => {
  if (engine) await engine.close()
  engine = null
  for (const c of clients.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL')
  if (dir) rmSync(dir, { recursive: true, force: true })
})

const ABROAD = [
  { ip: '198.51.100.7', location: 'Amsterdam, NL' },
  { ip: '198.51.100.8', location: 'Amsterdam, NL' },
  { ip: '203.0.113.9', location: 'US' },
]

/** A database with a seeded history, then an engine over it. */
async function engineWith(seed: Partial<SeedOptions> | null): Promise<Engine> {
  dir = mkdtempSync(join(tmpdir(), 'warden-learned-'))
  const dbPath = join(dir, 'w.db')
  const store = openStore({ path: dbPath })
  if (seed)
    seedHistory(store, {
      rows: 400,
      days: 42,
      until: Date.now() - 60_000,
      seed: 13,
      hosts: ['warden-test', 'db-2'],
      addresses: ABROAD,
      ...seed,
    })
  store.close()
  const port = sshd.port
  engine = await createEngine({
    dbPath,
    actor: 'test',
    geo,
    asnSource,
    systemIdle: { idleSeconds: () => 0 },
    scope: (d: Detected) => d.remotePort === port,
  })
  return engine
}

async function connect(e: Engine): Promise<Session> {
  const proc = spawn(BIN.ssh, ['-F', sshd.clientConfigPath, '-N', 'warden-test'], { stdio: 'ignore' })
  clients.push(proc)
  return waitFor(
    async () => {
      await e.tick()
      return e.list().find((s) => s.pid === proc.pid)
    },
    15_000,
    'the engine to see the ssh session',
  )
}

/** The hour of the week now and the next one: kept out of the seeded history, or made common. */
const nowSlots = (): number[] => [hourOfWeek(Date.now()), hourOfWeek(Date.now() + 3_600_000)]

describe('learned rules on a seeded history', () => {
  it('after learning: a new country and network are flagged with readable reasons; Mark as expected silences them', async () => {
    const e = await engineWith({})
    const first = await connect(e)
    const [item] = await e.review.list()
    expect(item?.id).toBe(first.id)
    expect(item?.reasons).toContain(
      'First SSH session to a server in DE; 400 earlier sessions went to NL, US',
    )
    expect(item?.reasons.find((r) => r.startsWith('First SSH session into network AS64511'))).toMatch(
      /earlier ones went to AS6450[01] .*AS6450[01]/,
    )
    expect(item?.hits.some((h) => h.rule === 'new-host')).toBe(false) // warden-test is in the history
    e.review.accept(first.id, 'test')
    const second = await connect(e)
    expect((await e.review.list()).some((i) => i.id === second.id)).toBe(false)
  })

  it('during the learning period (history of 3 days) nothing learned is flagged', async () => {
    const e = await engineWith({ days: 3 })
    const s = await connect(e)
    expect(await e.review.list()).toEqual([])
    const store = openStore({ path: join(dir, 'w.db') })
    try {
      expect(store.getReview(s.id)?.hits).toEqual([])
    } finally {
      store.close()
    }
  })

  it('the rare-hour rule alone never flags', async () => {
    // the same country and network as now, at every hour but this one
    const e = await engineWith({
      addresses: [{ ip: '127.0.0.1', location: 'Berlin, DE' }],
      avoidHours: nowSlots(),
    })
    const s = await connect(e)
    expect(await e.review.list()).toEqual([])
    const store = openStore({ path: join(dir, 'w.db') })
    try {
      expect(store.getReview(s.id)?.hits.map((h) => h.rule)).toEqual(['rare-hour'])
    } finally {
      store.close()
    }
  })
})
