import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { wardenInProcess, type WardenRun } from '../support/warden-cli'
import { FLEET_LOCATION_MAX } from '../../src/main/fleet/config'
import { newFleetKey } from '../../src/main/fleet'
import { startNats, type NatsServer } from '../support/nats'

// Part 5 of issue 14 under the CLI: a device says where it is (join --location, fleet set-location),
// kept in its fleet settings; bad input changes nothing. The window's side (the Location of that
// device's rows) is in tests/e2e/fleet-window.test.ts.

let nats: NatsServer
let dir: string
beforeAll(async () => {
  nats = await startNats()
  dir = mkdtempSync(join(tmpdir(), 'warden-fleet-loc-'))
})
afterAll(async () => {
  await nats.close()
  rmSync(dir, { recursive: true, force: true })
})

const warden = (args: string[], db: string): Promise<WardenRun> =>
  wardenInProcess([...args, '--db', db], { env: {}, engine: { scope: () => false } })

describe('a device’s location in the fleet', () => {
  it('join --location stores it; set-location changes and clears it; bad input changes nothing', async () => {
    const db = join(dir, 'warden.db')
    const settings = (): { location?: string } =>
      JSON.parse(readFileSync(join(dirname(db), 'fleet.json'), 'utf8')) as { location?: string }
    // not joined yet: set-location says so
    expect((await warden(['fleet', 'set-location', 'Lab'], db)).code).toBe(2)
    const joined = await warden(
      ['fleet', 'join', nats.url, '--name', 'box', '--key', newFleetKey(), '--location', 'Oslo lab'],
      db,
    )
    expect(joined.code).toBe(0)
    expect(settings().location).toBe('Oslo lab')
    const tooLong = await warden(['fleet', 'set-location', 'x'.repeat(FLEET_LOCATION_MAX + 1)], db)
    expect(tooLong.code).toBe(2)
    expect(tooLong.err).toContain('location')
    expect(settings().location).toBe('Oslo lab')
    expect((await warden(['fleet', 'set-location', 'Bergen, 3rd floor'], db)).out).toBe(
      'box is in Bergen, 3rd floor',
    )
    expect(settings().location).toBe('Bergen, 3rd floor')
    expect((await warden(['fleet', 'set-location', ''], db)).code).toBe(0)
    expect(settings().location).toBeUndefined()
  })
})
