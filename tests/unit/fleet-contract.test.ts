import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { invokes, type Envelope } from '@shared/contract'
import { fleetJoinSchema } from '@shared/fleet'
import { historyMatches } from '@shared/history'
import { createHandlers, dispatch } from '../../src/main/api/handlers'
import { FleetConfigStore, newFleetKey } from '../../src/main/fleet'
import { FleetMembership } from '../../src/main/fleet/membership'
import { engineFactory, FakeOs } from '../support/fake-os'

// The window's fleet calls (issue 14) refuse bad input at the door (the contract's zod schemas, from
// src/shared/fleet.ts) or in the settings check, with a clear error, and store nothing. No server
// is needed: every case here is refused before or at the first connection (127.0.0.1:1 refuses).

const makeEngine = engineFactory('warden-fleet-contract-')

function setup(withControl = true) {
  const { engine } = makeEngine(new FakeOs())
  const store = FleetConfigStore.besideDb(engine.storeInfo.path)
  const membership = new FleetMembership({ engine, store })
  const handlers = createHandlers(engine, 'test', withControl ? membership : () => null)
  const call = async (name: keyof typeof invokes, ...args: unknown[]): Promise<string> => {
    const r: Envelope = await dispatch(handlers, invokes[name].channel, args)
    return r.ok ? 'answered' : `${r.error.code} ${r.error.message}`
  }
  return { engine, store, membership, call }
}

const KEY = newFleetKey()
const good = { url: 'nats://127.0.0.1:1', name: 'laptop', key: KEY }

describe('joinFleet refuses bad input and stores nothing', () => {
  it('bad URL, short or non-base64url key, no name, unknown fields, missing or half-given files', async () => {
    const { store, call, engine } = setup()
    const dir = join(engine.storeInfo.path, '..')
    const pem = join(dir, 'client.pem')
    writeFileSync(pem, 'not really a certificate')
    const cases: [unknown, RegExp][] = [
      [
        { ...good, url: 'http://nats.example.org' },
        /^BAD_ARGS the URL is nats:\/\/HOST:PORT or tls:\/\/HOST:PORT$/,
      ],
      [{ ...good, url: 'nats.example.org' }, /^BAD_ARGS .*URL/],
      [{ ...good, key: KEY.slice(0, 42) }, /^BAD_ARGS .*at least 256 bits/],
      [{ ...good, key: `${KEY}!` }, /^BAD_ARGS .*at least 256 bits/],
      [{ ...good, name: '   ' }, /^BAD_ARGS .*device name/],
      [{ ...good, admin: true }, /^BAD_ARGS .*admin/],
      [{ ...good, location: 'x'.repeat(101) }, /^BAD_ARGS .*at most 100/],
      [{ ...good, ca: '' }, /^BAD_ARGS .*file path/],
      [{ ...good, ca: join(dir, 'no-such-ca.pem') }, /^BAD_SETTING fleet: no such file: .*no-such-ca\.pem/],
      [{ ...good, cert: pem }, /^BAD_SETTING fleet: --cert and --cert-key go together/],
      [good, /^FLEET_UNAVAILABLE fleet: cannot reach nats:\/\/127\.0\.0\.1:1: .*; nothing was stored$/],
    ]
    for (const [form, want] of cases)
      expect(await call('joinFleet', form), JSON.stringify(form)).toMatch(want)
    expect(await call('joinFleet')).toMatch(/^BAD_ARGS/)
    expect(existsSync(store.file)).toBe(false)
    expect(await call('fleetStatus')).toBe('answered')
  })

  it('the shared schema is the one the stored settings are checked with (a 43-character key is 256 bits)', () => {
    expect(fleetJoinSchema.safeParse({ ...good, key: KEY }).success).toBe(true)
    expect(KEY).toHaveLength(43)
    expect(() =>
      FleetConfigStore.besideDb('/nonexistent/w.db').write({ ...good, key: KEY.slice(1) }),
    ).toThrow(/at least 256 bits/)
  })
})

describe('leave, set location and history when this device is in no fleet', () => {
  it('say why, change nothing; without a membership (a plain FleetSource) joining is refused', async () => {
    const { call, store } = setup()
    expect(await call('setFleetLocation', 'Oslo')).toBe(
      'FLEET_UNAVAILABLE this device has not joined a fleet',
    )
    expect(await call('setFleetLocation', 'x'.repeat(101))).toMatch(/^BAD_ARGS .*at most 100/)
    expect(await call('setFleetLocation', 3)).toMatch(/^BAD_ARGS/)
    expect(await call('leaveFleet')).toBe('answered')
    expect(await call('queryFleetHistory', {}, {})).toBe(
      'FLEET_UNAVAILABLE this device has not joined a fleet',
    )
    expect(await call('queryFleetHistory', {}, { device: 'a.b' })).toMatch(/^BAD_ARGS .*device id/)
    expect(await call('queryFleetHistory', { includeOpen: 1 }, {})).toMatch(/^BAD_ARGS/)
    expect(existsSync(store.file)).toBe(false)
    const plain = setup(false)
    expect(await plain.call('joinFleet', good)).toBe(
      'FLEET_UNAVAILABLE joining and leaving is not possible from here',
    )
    expect(await plain.call('leaveFleet')).toMatch(/^FLEET_UNAVAILABLE/)
  })
})

describe('historyMatches (the history filters on rows not in the database)', () => {
  const row = {
    resourceName: 'Build',
    resourceType: 'ssh' as const,
    endReason: 'user' as const,
    startTime: '2026-11-05T10:00:00.000Z',
    host: 'build.example.org',
    ipAddress: '10.0.0.7',
    location: 'Oslo',
  }
  it('type, cause, [since, until) on the start, and text in name, host, IP or location (ASCII case-insensitive)', () => {
    const t = Date.parse(row.startTime)
    expect(historyMatches(row, {})).toBe(true)
    expect(historyMatches(row, { type: 'rdp' })).toBe(false)
    expect(historyMatches(row, { reason: 'idle-timeout' })).toBe(false)
    expect(historyMatches(row, { since: t, until: t + 1 })).toBe(true)
    expect(historyMatches(row, { since: t + 1 })).toBe(false)
    expect(historyMatches(row, { until: t })).toBe(false)
    for (const text of ['BUILD.EXAMPLE', '10.0.0.7', 'oslo', 'uil'])
      expect(historyMatches(row, { text })).toBe(true)
    expect(historyMatches(row, { text: 'bergen' })).toBe(false)
  })
})
