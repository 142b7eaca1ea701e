import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { FleetConfigStore, type FleetConfig, type SecretBox } from '../../src/main/fleet/config'
import { backoffDelay, connectionOptions } from '../../src/main/fleet/connection'
import {
  fleetKeyBytes,
  newFleetKey,
  rowFingerprint,
  signEndCommand,
  verifyEndCommand,
} from '../../src/main/fleet/protocol'
import { ReplayGuard } from '../../src/main/fleet/replay'

const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'warden-fleet-unit-'))
  dirs.push(d)
  return d
}

const KEY = newFleetKey()
const NOW = 1_800_000_000_000
const cmd = (over: Partial<Parameters<typeof signEndCommand>[1]> = {}, key = KEY) =>
  signEndCommand(fleetKeyBytes(key), {
    from: 'aaaa',
    fromName: 'laptop',
    target: 'bbbb',
    sessionId: '0123456789ab',
    now: NOW,
    ...over,
  })

/** a refusal whose reason matches */
const refusedFor =
  (re: RegExp) =>
  (v: ReturnType<typeof verifyEndCommand>): boolean =>
    !v.ok && re.test(v.reason)

describe('fleet key', () => {
  it('is 256 bits of base64url, new each time; shorter or non-base64url keys are refused with the reason', () => {
    const a = newFleetKey()
    expect(fleetKeyBytes(a)).toHaveLength(32)
    expect(a).not.toBe(newFleetKey())
    expect(() => fleetKeyBytes(a.slice(0, 40))).toThrow(/at least 256 bits/)
    expect(() => fleetKeyBytes(`${a}!`)).toThrow(/at least 256 bits/)
  })
})

describe('end commands', () => {
  it('a signed command verifies for its target until it expires (5 minutes by default)', () => {
    const c = cmd()
    expect(c.expires - c.issued).toBe(5 * 60_000)
    expect(verifyEndCommand(fleetKeyBytes(KEY), c, 'bbbb', NOW + 1000)).toEqual({ ok: true, command: c })
    // negative control of the expiry: one ms after it, refused
    expect(verifyEndCommand(fleetKeyBytes(KEY), c, 'bbbb', c.expires + 1)).toSatisfy(refusedFor(/^expired/))
  })

  it('refuses a forged field, another fleet key, another target and malformed input', () => {
    const key = fleetKeyBytes(KEY)
    const c = cmd()
    for (const forged of [
      { ...c, sessionId: 'ffffffffffff' },
      { ...c, target: 'cccc' },
      { ...c, expires: c.expires + 60_000 },
      { ...c, fromName: 'someone else' },
    ])
      expect(verifyEndCommand(key, forged, forged.target, NOW)).toSatisfy(refusedFor(/bad signature/))
    expect(verifyEndCommand(key, cmd({}, newFleetKey()), 'bbbb', NOW)).toSatisfy(
      refusedFor(/another fleet key/),
    )
    expect(verifyEndCommand(key, cmd({ target: 'cccc' }), 'bbbb', NOW)).toSatisfy(
      refusedFor(/addressed to device cccc/),
    )
    expect(verifyEndCommand(key, { ...c, extra: 1 }, 'bbbb', NOW)).toSatisfy(refusedFor(/^malformed/))
    expect(verifyEndCommand(key, 'x', 'bbbb', NOW).ok).toBe(false)
  })

  it('refuses a command issued in the future beyond the clock skew, and caps the lifetime at an hour', () => {
    const key = fleetKeyBytes(KEY)
    expect(verifyEndCommand(key, cmd({ now: NOW + 120_000 }), 'bbbb', NOW).ok).toBe(false)
    expect(verifyEndCommand(key, cmd({ now: NOW + 30_000 }), 'bbbb', NOW).ok).toBe(true)
    const long = cmd({ ttlMs: 10 * 3600_000 })
    expect(long.expires - long.issued).toBe(3600_000)
  })
})

describe('replay guard', () => {
  it('claims an id once, forgets it after its expiry, and keeps what it saw across a restart', () => {
    const file = join(tempDir(), 'seen.json')
    const g = new ReplayGuard(file)
    expect(g.claim('a', NOW + 1000, NOW)).toBe(true)
    expect(g.claim('a', NOW + 1000, NOW + 10)).toBe(false)
    expect(new ReplayGuard(file).claim('a', NOW + 1000, NOW + 20)).toBe(false)
    expect(statSync(file).mode & 0o777).toBe(0o600)
    // after the expiry the id is dropped (the command itself is refused as expired by then)
    expect(g.claim('a', NOW + 5000, NOW + 2000)).toBe(true)
  })
})

describe('fleet settings store', () => {
  const config = (dir: string): FleetConfig => ({
    url: 'nats://127.0.0.1:4222',
    name: 'laptop',
    key: KEY,
    ca: join(dir, 'ca.pem'),
  })

  it('CLI: a 0600 JSON file beside the database; leave removes it', () => {
    const dir = tempDir()
    writeFileSync(join(dir, 'ca.pem'), 'x')
    const store = FleetConfigStore.besideDb(join(dir, 'warden.db'))
    expect(store.read()).toBeNull()
    store.write(config(dir))
    expect(statSync(store.file).mode & 0o777).toBe(0o600)
    expect(store.read()).toEqual(config(dir))
    expect(store.clear()).toBe(true)
    expect(existsSync(store.file)).toBe(false)
  })

  it('app: sealed by the SecretBox (safeStorage), the key never in the clear; no keychain, nothing stored', () => {
    const dir = tempDir()
    writeFileSync(join(dir, 'ca.pem'), 'x')
    const box: SecretBox = {
      isEncryptionAvailable: () => true,
      encryptString: (s) => Buffer.from(Buffer.from(s, 'utf8').map((b) => b ^ 0x5a)),
      decryptString: (b) => Buffer.from(b.map((x) => x ^ 0x5a)).toString('utf8'),
    }
    const store = FleetConfigStore.besideDb(join(dir, 'warden.db'), box)
    store.write(config(dir))
    expect(readFileSync(store.file).toString('latin1')).not.toContain(KEY)
    expect(store.read()).toEqual(config(dir))
    const locked = FleetConfigStore.besideDb(join(tempDir(), 'warden.db'), {
      ...box,
      isEncryptionAvailable: () => false,
    })
    expect(() => locked.write(config(dir))).toThrow(/keychain is not available/)
    expect(existsSync(locked.file)).toBe(false)
  })

  it('bad settings are refused with the reason and nothing is written', () => {
    const dir = tempDir()
    const store = FleetConfigStore.besideDb(join(dir, 'warden.db'))
    const good = { url: 'nats://127.0.0.1:4222', name: 'laptop', key: KEY }
    expect(() => store.write({ ...good, url: 'http://x' })).toThrow(/nats:\/\/HOST:PORT/)
    expect(() => store.write({ ...good, key: 'short' })).toThrow(/256 bits/)
    expect(() => store.write({ ...good, cert: join(dir, 'c.pem') })).toThrow(/go together/)
    expect(() => store.write({ ...good, creds: join(dir, 'none.creds') })).toThrow(/no such file/)
    expect(existsSync(store.file)).toBe(false)
  })
})

describe('connection', () => {
  it('reconnects for ever with jittered exponential back-off capped at the maximum', () => {
    const t = { backoffMinMs: 100, backoffMaxMs: 1000 }
    for (let a = 0; a < 30; a++) {
      const d = backoffDelay(a, t)
      expect(d).toBeGreaterThanOrEqual(100)
      expect(d).toBeLessThanOrEqual(Math.min(1000, 100 * 2 ** a))
    }
    const o = connectionOptions({ url: 'tls://h:4222', name: 'n', key: KEY }, 'dev', t)
    expect(o.maxReconnectAttempts).toBe(-1)
    expect(o.tls).toEqual({})
  })

  it('a row fingerprint ignores the ticking clock fields', () => {
    const base = { id: 'x', duration: '1m', durationMs: 60_000, lastSeen: 'a', status: 'active' }
    const fp = (o: object) => rowFingerprint(o as never)
    expect(fp({ ...base, duration: '2m', durationMs: 120_000, lastSeen: 'b' })).toBe(fp(base))
    expect(fp({ ...base, status: 'idle' })).not.toBe(fp(base))
  })
})
