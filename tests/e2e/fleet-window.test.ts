import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Engine } from '@engine/engine'
import type { WardenApi } from '@shared/contract'
import type { Session } from '@shared/model'
import { FleetConfigStore, FleetMember, newFleetKey, type FleetTiming } from '../../src/main/fleet'
import { FleetMembership } from '../../src/main/fleet/membership'
import { e2eSuite } from '../support/e2e-suite'
import { deviceEngine, startNats, type NatsServer } from '../support/nats'
import { isAlive, sshClient, startSshd, waitFor, type ClientProc, type Sshd } from '../support/peers'

// The window's All devices view (issue 14, part 4) in Debian's Chromium over the bridge: three real
// engines joined to a real nats-server -js on loopback, real ssh sessions to a real sshd, each
// device's clients on their own loopback source address (as tests/integration/fleet.test.ts does).
// Device C stops its fleet member: it stays listed, as offline with its last-seen time.

const shots = fileURLToPath(new URL('../../docs/screenshots', import.meta.url))
const TIMING: Partial<FleetTiming> = {
  heartbeatMs: 500,
  refreshMs: 5000,
  onlineWithinMs: 2000,
  bucketTtlMs: 120_000,
  backoffMinMs: 100,
  backoffMaxMs: 1000,
}
const KEY = newFleetKey()

interface Device {
  id: string
  name: string
  source: string
  engine: Engine
  member: FleetMember
}

let sshd: Sshd
let nats: NatsServer
let dir: string
const devices: Device[] = []
const memberships: FleetMembership[] = []
/** engines of devices that join from the window (not in `devices`) */
const joiners: Engine[] = []
/** the sessions of the first test: A's stays open, B's was ended from A's window */
let first: { a: Session; b: Session } | null = null

const e2e = e2eSuite({ peers: async () => ([sshd, nats] = await Promise.all([startSshd(), startNats()])) })

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'warden-fleet-window-'))
})
afterAll(async () => {
  // the windows (and their bridges) closed after each test; then the memberships, before their engines
  for (const m of memberships) await m.close()
  for (const e of joiners) await e.close()
  for (const d of devices) {
    await d.member.close()
    await d.engine.close()
  }
  await nats.close()
  rmSync(dir, { recursive: true, force: true })
})

function device(id: string, name: string, location?: string): Device {
  const source = `127.0.0.${devices.length + 2}`
  const engine = deviceEngine({ dir, id, name, source, sshPort: sshd.port })
  const cfg = { url: nats.url, name, key: KEY, ...(location ? { location } : {}) }
  const member = new FleetMember(engine, cfg, { timing: TIMING })
  member.start()
  engine.start()
  const d = { id, name, source, engine, member }
  devices.push(d)
  return d
}

async function session(d: Device): Promise<{ client: ClientProc; row: Session }> {
  const client = await sshClient(sshd, ['-N', '-b', d.source, 'warden-test'])
  const row = await waitFor(() => d.engine.list().find((s) => s.pid === client.pid), 10_000, 'the engine')
  return { client, row }
}

async function windowOf(d: Device | FleetMembership | null, engine: Engine): Promise<Page> {
  const fleet = d instanceof FleetMembership ? d : d ? () => d.member : null
  const w = await e2e.open({ engine, ...(fleet ? { fleet } : {}) })
  return w.page
}

const rowsOf = (page: Page) => page.locator('tr[data-session-id]')
const row = (page: Page, id: string) => page.locator(`tr[data-session-id="${id}"]`)

describe('the window across the fleet', () => {
  it('All devices lists every device’s rows (offline shown), and End from A ends the ssh session on B', async () => {
    const a = device('dev-a', 'laptop-a')
    // B says where it is (part 5): the Location of its rows; A and C say nothing
    const b = device('dev-b', 'desktop-b', 'Berlin office')
    const c = device('dev-c', 'jumpbox-c')
    await Promise.all(devices.map((d) => d.member.connected()))
    const [onA, onB, onC] = [await session(a), await session(b), await session(c)]
    await waitFor(
      async () => (await a.member.list()).sessions.length === 3,
      5000,
      'A to see the three devices’ rows',
    )
    // C leaves without a word (its heartbeat stops): its row stays until the bucket's TTL
    await c.member.flushed()
    await c.member.close()

    const page = await windowOf(a, a.engine)
    // This device: only A's own row
    await expect.poll(() => rowsOf(page).count()).toBe(1)
    await expect(row(page, onA.row.id).count()).resolves.toBe(1)

    const started = Date.now()
    await page.locator('[data-scope="all"]').click()
    await expect.poll(() => rowsOf(page).count(), { timeout: 2000 }).toBe(3)
    const shownWithin = Date.now() - started
    // the cards count what the table lists
    const card = page.locator('[data-stat="Active Sessions"] [data-value]')
    await expect.poll(() => card.innerText()).toBe('3')
    expect(await row(page, onB.row.id).innerText()).toContain('desktop-b')
    expect(await row(page, onA.row.id).innerText()).toContain('laptop-a')
    expect(await row(page, onB.row.id).innerText()).toContain('Berlin office')
    expect(await row(page, onA.row.id).innerText()).not.toContain('Berlin office')
    // C's heartbeat is older than onlineWithinMs: offline, with when it was last seen
    await expect
      .poll(() => row(page, onC.row.id).locator('[data-offline]').count(), { timeout: 5000 })
      .toBe(1)
    expect(await row(page, onC.row.id).innerText()).toMatch(/offline · last seen Today \d/)
    expect(await row(page, onB.row.id).locator('[data-offline]').count()).toBe(0)
    await expect.poll(() => page.locator('[data-fleet-note]').innerText()).toBe('3 devices, 1 offline')

    mkdirSync(shots, { recursive: true })
    await page.screenshot({ path: join(shots, 'fleet-all-devices.png') })

    // End All names the sessions and the devices (src/shared/model.ts endAllWarning); cancelled here
    await page.locator('[data-action="end-all"]').click()
    const all = page.locator('[data-dialog="end-all"]')
    await expect.poll(() => all.locator('.lead').innerText()).toContain('all 3 active sessions on 3 devices')
    await all.locator('[data-action="cancel"]').click()
    await expect.poll(() => all.count()).toBe(0)
    expect(isAlive(onA.client.pid) && isAlive(onB.client.pid) && isAlive(onC.client.pid)).toBe(true)

    // End B's row from A's window: a signed command; B's engine ends it and records remote by A
    await row(page, onB.row.id).locator('[data-action="end"]').click()
    await page.locator('[data-dialog="end-one"] [data-action="confirm"]').click()
    await waitFor(() => !isAlive(onB.client.pid), 5000, 'the ssh client on B to be gone')
    const ended = await waitFor(
      () => b.engine.history({}).rows.find((s) => s.id === onB.row.id && s.endReason !== null),
      5000,
      'B to record the end',
    )
    expect(ended).toMatchObject({ endReason: 'remote', endedBy: 'laptop-a' })
    await expect.poll(() => row(page, onB.row.id).count()).toBe(0)
    expect(isAlive(onA.client.pid)).toBe(true)
    console.log(`fleet window: rows of 3 devices shown ${shownWithin} ms after the switch`)
    first = { a: onA.row, b: onB.row }

    // back to This device: A's own row only
    await page.locator('[data-scope="device"]').click()
    await expect.poll(() => rowsOf(page).count()).toBe(1)
  })

  it('a device that has not joined shows no switch', async () => {
    const lone = devices[1] as Device
    const page = await windowOf(null, lone.engine)
    // the window has its data (B's one session was ended above) and has asked for the fleet's status
    await page.locator('[data-empty]').waitFor()
    expect(await page.locator('[data-fleet-switch]').count()).toBe(0)
    // and the fleet calls say why they cannot answer, changing nothing
    const refused = await page.evaluate(() =>
      (globalThis as unknown as { warden: WardenApi }).warden.listFleetSessions().then(
        () => 'answered',
        (e: unknown) => {
          const err = e as { code?: string; message?: string }
          return `${err.code}: ${err.message}`
        },
      ),
    )
    expect(refused).toBe('FLEET_UNAVAILABLE: this device has not joined a fleet')
    const joined = await page.evaluate(() =>
      (globalThis as unknown as { warden: WardenApi }).warden.fleetStatus().then((s) => s.joined),
    )
    expect(joined).toBe(false)
  })

  it('joins from Settings → Fleet, lists All devices, shows another device’s ended session in History, leaves', async () => {
    if (!first) throw new Error('the first test did not run to its end')
    const { a, b } = first
    const engine = deviceEngine({
      dir,
      id: 'dev-d',
      name: 'tablet-d',
      source: '127.0.0.9',
      sshPort: sshd.port,
    })
    engine.start()
    joiners.push(engine)
    const store = new FleetConfigStore(join(dir, 'dev-d', 'fleet.json'))
    const membership = new FleetMembership({ engine, store, timing: TIMING })
    memberships.push(membership)
    const page = await windowOf(membership, engine)
    await page.locator('[data-empty]').waitFor()
    expect(await page.locator('[data-fleet-switch]').count()).toBe(0)

    await page.click('[data-view="settings"]')
    const card = page.locator('[data-card="fleet"]')
    await card.locator('[data-fleet-join]').waitFor()
    // a wrong key first: refused under the form, nothing stored
    await page.fill('#fleet-url', nats.url)
    await page.fill('#fleet-name', 'tablet-d')
    await page.fill('#fleet-key', KEY.slice(0, 20))
    await card.locator('[data-action="fleet-join"]').click()
    await expect.poll(() => card.locator('[data-join-error]').innerText()).toContain('at least 256 bits')
    expect(existsSync(store.file)).toBe(false)
    await page.fill('#fleet-key', KEY)
    await page.fill('#fleet-location', 'Trondheim')
    await card.locator('[data-action="fleet-join"]').click()
    await expect
      .poll(() => card.locator('[data-fleet-state]').innerText(), { timeout: 10_000 })
      .toContain('connected')
    expect(await card.locator('[data-fleet-state]').innerText()).toContain('Trondheim')
    expect(store.read()).toMatchObject({ name: 'tablet-d', key: KEY, location: 'Trondheim' })
    // the devices, with C offline since the first test
    await expect.poll(() => card.locator('[data-device]').count(), { timeout: 10_000 }).toBe(4)
    expect(await card.locator('[data-device="dev-c"]').innerText()).toMatch(/offline · last seen/)
    expect(await card.locator('[data-device="dev-d"]').innerText()).toContain('(this device)')
    mkdirSync(shots, { recursive: true })
    await page.screenshot({ path: join(shots, 'fleet-settings.png'), fullPage: true })

    // Sessions: the switch is there without a restart; All devices lists A's open session
    await page.click('[data-view="sessions"]')
    await page.locator('[data-fleet-switch] [data-scope="all"]').click()
    await expect.poll(() => row(page, a.id).count(), { timeout: 5000 }).toBe(1)
    expect(await row(page, a.id).innerText()).toContain('laptop-a')

    // History, All devices: B's session, ended from A's window in the first test, from the ended stream
    await page.click('[data-view="history"]')
    await page.locator('[data-fleet-switch] [data-scope="all"]').click()
    await expect.poll(() => row(page, b.id).count(), { timeout: 5000 }).toBe(1)
    const ended = await row(page, b.id).innerText()
    expect(ended).toContain('desktop-b')
    expect(ended).toContain('by laptop-a')
    expect(await row(page, b.id).locator('[data-reason="remote"]').count()).toBe(1)
    // This device has no history of its own
    await page.locator('[data-fleet-switch] [data-scope="device"]').click()
    await expect.poll(() => row(page, b.id).count()).toBe(0)
    await page.locator('[data-fleet-switch] [data-scope="all"]').click()
    await expect.poll(() => row(page, b.id).count(), { timeout: 5000 }).toBe(1)
    await page.screenshot({ path: join(shots, 'fleet-history.png') })

    // Leave, confirmed: the settings go, the member stops, the switches go
    await page.click('[data-view="settings"]')
    await card.locator('[data-action="fleet-leave"]').click()
    await card.locator('[data-action="fleet-leave-confirm"]').click()
    await card.locator('[data-fleet-join]').waitFor()
    expect(existsSync(store.file)).toBe(false)
    expect(membership.current()).toBeNull()
    await page.click('[data-view="history"]')
    await expect.poll(() => page.locator('[data-fleet-switch]').count()).toBe(0)
  })
})
