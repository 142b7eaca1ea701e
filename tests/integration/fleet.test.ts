import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { Engine } from '@engine/engine'
import type { Session } from '@shared/model'
import { runCli } from '../../src/cli/cli'
import { wardenInProcess, type WardenRun } from '../support/warden-cli'
import { startDesktop } from '../../src/main/shell/app'
import { createEngine } from '@engine/index'
import { FakeElectron } from '../support/fake-electron'
import {
  FleetClient,
  FleetConfigStore,
  FleetMember,
  newFleetKey,
  type FleetSession,
  type Refusal,
  type SecretBox,
} from '../../src/main/fleet'
import { connect, nkeys } from '@nats-io/transport-node'
import { jetstreamManager } from '@nats-io/jetstream'
import { confUser } from '../../src/main/fleet/permissions'
import {
  COMMAND_STREAM,
  commandSubject,
  deviceKey,
  ENDED_STREAM,
  FLEET_BUCKET,
  fleetKeyBytes,
  sessionKey,
  signEndCommand,
} from '../../src/main/fleet/protocol'
import { isAlive, sshClient, startSshd, stopAll, waitFor, type ClientProc, type Sshd } from '../support/peers'
import { deviceEngine, FLEET_TEST_TIMING, startNats, type NatsServer } from '../support/nats'

// Devices of one fleet, each a real engine with its own database and device id, against a real
// nats-server -js on loopback and real ssh sessions to a real sshd. Each device's ssh clients bind
// their own loopback source address (ssh -b 127.0.0.N) and each engine tracks only its own (scope),
// as if they ran on different computers. (A scope by pid would race the first scan: a client seen
// before its pid is known would stay unseen while detection reuses its result for an unchanged
// snapshot: src/main/engine/detection.ts.)

const TIMING = FLEET_TEST_TIMING

let sshd: Sshd
let nats: NatsServer
let dir: string
const KEY = newFleetKey()
const sources = new Map<string, string>()
const devices: Device[] = []

interface Device {
  id: string
  name: string
  engine: Engine
  member: FleetMember
  log: string[]
  refusals: Refusal[]
}

beforeAll(async () => {
  sshd = await startSshd()
  nats = await startNats()
  dir = mkdtempSync(join(tmpdir(), 'warden-fleet-'))
})
afterEach(async () => {
  for (const d of devices.splice(0)) await stop(d)
  // every test starts from an empty fleet and no ssh client of an earlier test
  await stopAll()
  sshd = await startSshd()
  const nc = await connect({ servers: nats.url })
  const jsm = await jetstreamManager(nc)
  for (const s of [`KV_${FLEET_BUCKET}`, COMMAND_STREAM, ENDED_STREAM])
    await jsm.streams.purge(s).catch(() => undefined)
  await nc.close()
})
afterAll(async () => {
  await stopAll()
  await nats.close()
  rmSync(dir, { recursive: true, force: true })
})

function device(id: string, name: string, o: { key?: string; url?: string; creds?: string } = {}): Device {
  const source = sources.get(id) ?? `127.0.0.${sources.size + 2}`
  sources.set(id, source)
  const engine = deviceEngine({ dir, id, name, source, sshPort: sshd.port })
  const log: string[] = []
  const refusals: Refusal[] = []
  const member = new FleetMember(
    engine,
    { url: o.url ?? nats.url, name, key: o.key ?? KEY, ...(o.creds ? { creds: o.creds } : {}) },
    { timing: TIMING, log: (l) => log.push(l), replayFile: join(dir, `${id}-seen.json`) },
  )
  member.on('refused', (r) => refusals.push(r))
  member.start()
  engine.start()
  const d = { id, name, engine, member, log, refusals }
  devices.push(d)
  return d
}

async function stop(d: Device): Promise<void> {
  const i = devices.indexOf(d)
  if (i >= 0) devices.splice(i, 1)
  await d.member.close()
  await d.engine.close()
}

/** An ssh session run "on" device `id`; resolves once that device's engine has recorded it. */
async function session(d: Device): Promise<{ client: ClientProc; row: Session }> {
  const client = await sshClient(sshd, ['-N', '-b', sources.get(d.id) ?? '', 'warden-test'])
  const row = await waitFor(
    () => d.engine.list().find((s) => s.pid === client.pid),
    10_000,
    'the engine to record it',
  )
  return { client, row }
}

/** `d` sees the session with this id in the fleet (or, with present=false, no longer sees it). */
async function seen(d: Device, id: string, present = true, ms = 2000): Promise<void> {
  await waitFor(
    // a read during a reconnect fails: poll on
    async () => (await d.member.list().catch(() => null))?.sessions.some((s) => s.id === id) === present,
    ms,
    `${d.name} to ${present ? 'see' : 'lose'} ${id}`,
  )
}

describe('a fleet on NATS JetStream', () => {
  it('rows appear on the other device within 2 s; End from A ends the ssh on B, and B records remote by A', async () => {
    const a = device('dev-a', 'laptop-a')
    const b = device('dev-b', 'desktop-b')
    await Promise.all([a.member.connected(), b.member.connected()])
    const { client, row } = await session(b)
    await seen(a, row.id)
    const fleet = await a.member.list()
    expect(fleet.sessions.find((s) => s.id === row.id)).toMatchObject({
      deviceId: 'dev-b',
      device: 'desktop-b',
    })
    expect(fleet.devices.map((x) => [x.id, x.online])).toEqual(
      expect.arrayContaining([
        ['dev-a', true],
        ['dev-b', true],
      ]),
    )

    const r = await a.member.endRemote('dev-b', row.id)
    expect(r).toMatchObject({ status: 'answered', result: { ok: true, result: 'ended', sessionId: row.id } })
    expect(isAlive(client.pid)).toBe(false)
    expect(b.engine.history({}).rows.find((s) => s.id === row.id)).toMatchObject({
      endReason: 'remote',
      endedBy: 'laptop-a',
    })
    await seen(a, row.id, false)
    const ended = await waitFor(
      async () => (await a.member.client.ended('dev-b')).find((s) => s.id === row.id),
      2000,
      'the ended stream',
    )
    expect(ended).toMatchObject({ endReason: 'remote', endedBy: 'laptop-a', deviceId: 'dev-b' })
  })

  it('a replayed command, a forged HMAC, another fleet key and an expired command are refused; nothing ends', async () => {
    const a = device('dev-a', 'laptop-a')
    const b = device('dev-b', 'desktop-b')
    const intruder = device('dev-x', 'intruder', { key: newFleetKey() })
    await Promise.all([a.member.connected(), b.member.connected(), intruder.member.connected()])
    const first = await session(b)
    const second = await session(b)
    const js = a.member.client.link.js
    const send = (c: object, msgID: string) =>
      js.publish(commandSubject('dev-b'), JSON.stringify(c), { msgID })

    // a genuine command, carried out; then the very same message again (a new message id, so the
    // stream's own de-duplication does not hide it): the replay guard refuses it
    const genuine = signEndCommand(fleetKeyBytes(KEY), {
      from: 'dev-a',
      fromName: 'laptop-a',
      target: 'dev-b',
      sessionId: first.row.id,
      now: Date.now(),
    })
    await send(genuine, 'one')
    await waitFor(() => !isAlive(first.client.pid), 10_000, 'the genuine end')
    await send(genuine, 'replay')
    const forged = signEndCommand(fleetKeyBytes(KEY), {
      from: 'dev-a',
      fromName: 'laptop-a',
      target: 'dev-b',
      sessionId: second.row.id,
      now: Date.now(),
    })
    await send({ ...forged, mac: forged.mac.replace(/^./, (c) => (c === '0' ? '1' : '0')) }, 'forged')
    const other = await intruder.member.endRemote('dev-b', second.row.id, { waitMs: 5000 })
    const stale = signEndCommand(fleetKeyBytes(KEY), {
      from: 'dev-a',
      fromName: 'laptop-a',
      target: 'dev-b',
      sessionId: second.row.id,
      now: Date.now() - 10 * 60_000,
    })
    await send(stale, 'expired')

    await waitFor(() => b.refusals.length >= 4, 5000, 'four refusals')
    expect(b.refusals.map((r) => r.reason)).toEqual([
      expect.stringMatching(/^replayed/),
      expect.stringMatching(/bad signature/),
      expect.stringMatching(/bad signature/),
      expect.stringMatching(/^expired/),
    ])
    expect(other).toMatchObject({ status: 'answered', result: { ok: false, result: 'refused' } })
    expect(b.log.filter((l) => l.includes('refused command'))).toHaveLength(4)
    // nothing ended: the second session's ssh lives and its row is open
    expect(isAlive(second.client.pid)).toBe(true)
    expect(b.engine.list().map((s) => s.id)).toContain(second.row.id)
  })

  it('a stopped device carries out a command when it starts again within the expiry, and refuses it after', async () => {
    const a = device('dev-a', 'laptop-a')
    let b = device('dev-b', 'desktop-b')
    await Promise.all([a.member.connected(), b.member.connected()])
    const kept = await session(b)
    const late = await session(b)
    await seen(a, late.row.id)
    await stop(b)

    const queued = await a.member.endRemote('dev-b', kept.row.id, { waitMs: 300 })
    expect(queued.status).toBe('queued')
    const expiring = await a.member.endRemote('dev-b', late.row.id, { waitMs: 300, ttlMs: 1000 })
    expect(expiring.status).toBe('queued')
    await new Promise((r) => setTimeout(r, 1200)) // the second command's expiry passes while B is away
    expect(isAlive(kept.client.pid)).toBe(true)

    b = device('dev-b', 'desktop-b')
    await waitFor(() => !isAlive(kept.client.pid), 10_000, 'the queued end on return')
    const ended = await waitFor(
      () => b.engine.history({}).rows.find((s) => s.id === kept.row.id),
      5000,
      'the end in the history',
    )
    expect(ended).toMatchObject({ endReason: 'remote', endedBy: 'laptop-a' })
    await waitFor(() => b.refusals.length === 1, 5000, 'the expired command refused')
    expect(b.refusals[0]?.reason).toMatch(/^expired/)
    expect(isAlive(late.client.pid)).toBe(true)
    expect(b.engine.list().map((s) => s.id)).toContain(late.row.id)
  })

  it('nats-server restarted mid-run: what changed meanwhile reaches the fleet after the reconnect', async () => {
    const a = device('dev-a', 'laptop-a')
    const b = device('dev-b', 'desktop-b')
    await Promise.all([a.member.connected(), b.member.connected()])
    const before = await session(b)
    await seen(a, before.row.id)

    await nats.stop()
    const during = await session(b) // recorded by B while the server is away
    await b.engine.end(before.row.id, 'app') // and one ended
    await nats.start()

    await seen(a, during.row.id, true, 10_000)
    await seen(a, before.row.id, false, 10_000)
    const ended = await waitFor(
      async () => (await a.member.client.ended('dev-b').catch(() => [])).find((s) => s.id === before.row.id),
      10_000,
      'the ended session in the stream',
    )
    expect(ended.endReason).toBe('user')
    expect(b.log.some((l) => l.includes('resyncing'))).toBe(true)
    // and commands still flow: the durable consumer is taken up again
    const r = await a.member.endRemote('dev-b', during.row.id, { waitMs: 10_000 })
    expect(r).toMatchObject({ status: 'answered', result: { ok: true } })
  })
})

describe('the CLI in a fleet', () => {
  /** runs `warden …` as a third device with no sessions of its own */
  const warden = (args: string[], db: string): Promise<WardenRun> =>
    wardenInProcess([...args, '--db', db], {
      env: {},
      engine: { scope: () => false, terminate: { graceMs: 1500 } },
    })

  it('key, join (checked, 0600), list --fleet, end ID on another device, end --all --fleet, devices, leave', async () => {
    const db = join(mkdtempSync(join(dir, 'cli-')), 'warden.db')
    const key = await warden(['fleet', 'key'], db)
    expect(key.out).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect((await warden(['fleet', 'join', nats.url, '--name', 'cli-box', '--key', 'short'], db)).code).toBe(
      2,
    )
    const closed = await warden(
      ['fleet', 'join', 'nats://127.0.0.1:1', '--name', 'cli-box', '--key', KEY],
      db,
    )
    expect(closed.code).toBe(1)
    expect(existsSync(join(dirname(db), 'fleet.json'))).toBe(false)
    expect((await warden(['fleet', 'join', nats.url, '--name', 'cli-box', '--key', KEY], db)).code).toBe(0)
    expect(statSync(join(dirname(db), 'fleet.json')).mode & 0o777).toBe(0o600)

    const a = device('dev-a', 'laptop-a')
    const b = device('dev-b', 'desktop-b')
    await Promise.all([a.member.connected(), b.member.connected()])
    const [b1, b2, a1] = [await session(b), await session(b), await session(a)]
    await seen(a, b2.row.id)
    await seen(b, a1.row.id)
    const listed = JSON.parse((await warden(['list', '--fleet', '--json'], db)).out) as FleetSession[]
    expect(listed.map((s) => [s.id, s.deviceId, s.device]).sort()).toEqual(
      [
        [a1.row.id, 'dev-a', 'laptop-a'],
        [b1.row.id, 'dev-b', 'desktop-b'],
        [b2.row.id, 'dev-b', 'desktop-b'],
      ].sort(),
    )

    const one = await warden(['end', b1.row.id, '--yes'], db)
    expect(one).toMatchObject({ code: 0, out: expect.stringContaining(`ended: ${b1.row.id}`) as unknown })
    expect(isAlive(b1.client.pid)).toBe(false)
    await seen(a, b1.row.id, false)
    const all = await warden(['end', '--all', '--fleet', '--yes'], db)
    expect(all.code).toBe(0)
    expect(all.out).toContain('2 sessions on 2 devices.')
    expect(isAlive(b2.client.pid) || isAlive(a1.client.pid)).toBe(false)
    expect(a.engine.history({}).rows.find((s) => s.id === a1.row.id)).toMatchObject({
      endReason: 'remote',
      endedBy: 'cli-box',
    })

    const devs = JSON.parse((await warden(['fleet', 'devices', '--json'], db)).out) as {
      id: string
      online: boolean
    }[]
    expect(devs.filter((d) => d.online).map((d) => d.id)).toEqual(expect.arrayContaining(['dev-a', 'dev-b']))
    expect((await warden(['fleet', 'leave'], db)).code).toBe(0)
    expect(existsSync(join(dirname(db), 'fleet.json'))).toBe(false)
    expect((await warden(['list', '--fleet'], db)).code).toBe(2)
  })

  it('warden watch publishes this device and its sessions once joined, and carries out commands sent to it', async () => {
    const db = join(mkdtempSync(join(dir, 'watch-')), 'warden.db')
    expect((await warden(['fleet', 'join', nats.url, '--name', 'watch-box', '--key', KEY], db)).code).toBe(0)
    const stop = new AbortController()
    const err: string[] = []
    const running = runCli(['watch', '--json', '--db', db], {
      out: () => undefined,
      err: (l) => err.push(l),
      confirm: null,
      env: {},
      stop: stop.signal,
      engine: {
        scope: (d) => d.remotePort === sshd.port && d.localAddress === '127.0.0.20',
        terminate: { graceMs: 1500 },
      },
    })
    try {
      const a = device('dev-a', 'laptop-a')
      await a.member.connected()
      const client = await sshClient(sshd, ['-N', '-b', '127.0.0.20', 'warden-test'])
      const row = await waitFor(
        async () =>
          (await a.member.list().catch(() => null))?.sessions.find(
            (s) => s.pid === client.pid && s.device === 'watch-box',
          ),
        10_000,
        'the watch row in the fleet',
      )
      expect(await a.member.endRemote(row.deviceId, row.id)).toMatchObject({
        status: 'answered',
        result: { ok: true, result: 'ended' },
      })
      expect(isAlive(client.pid)).toBe(false)
      expect(err.join('\n')).toContain('fleet: joined')
    } finally {
      stop.abort()
      expect(await running).toBe(0)
    }
  })
})

describe('the desktop app in a fleet', () => {
  it('publishes from its engine with the settings sealed by safeStorage (faked), and closes with the app', async () => {
    const appDir = mkdtempSync(join(dir, 'app-'))
    const dbPath = join(appDir, 'w.db')
    const electron = new FakeElectron('linux', join(appDir, 'userData'))
    const box: SecretBox = {
      isEncryptionAvailable: () => true,
      encryptString: (t) => Buffer.from(Buffer.from(t).map((b) => b ^ 0x33)),
      decryptString: (b) => Buffer.from(b.map((x) => x ^ 0x33)).toString(),
    }
    FleetConfigStore.besideDb(dbPath, box).write({ url: nats.url, name: 'app-box', key: KEY })
    const desktop = await startDesktop(Object.assign(electron, { safeStorage: box }), {
      preloadPath: '/app/out/preload/index.cjs',
      renderer: { file: '/app/out/renderer/index.html' },
      resourcesDir: '/app/resources',
      stateDir: appDir,
      argv: ['session-warden', '--hidden'],
      execPath: '/usr/bin/true',
      env: { XDG_CONFIG_HOME: join(appDir, 'config') },
      createEngine: (opts) =>
        createEngine({
          ...opts,
          dbPath,
          terminate: { graceMs: 1500 },
          scope: (d) => d.remotePort === sshd.port && d.localAddress === '127.0.0.30',
        }),
      log: () => undefined,
    })
    if (!desktop) throw new Error('the app did not start')
    try {
      const a = device('dev-a', 'laptop-a')
      await a.member.connected()
      const client = await sshClient(sshd, ['-N', '-b', '127.0.0.30', 'warden-test'])
      const row = await waitFor(
        async () =>
          (await a.member.list().catch(() => null))?.sessions.find(
            (s) => s.pid === client.pid && s.device === 'app-box',
          ),
        10_000,
        "the app's row in the fleet",
      )
      expect(await a.member.endRemote(row.deviceId, row.id)).toMatchObject({ result: { ok: true } })
      expect(isAlive(client.pid)).toBe(false)
    } finally {
      await desktop.dispose()
    }
  })
})

describe('server-side permissions (per-device users in nats-server.conf)', () => {
  it('a device cannot publish on another device subjects; the server refusal is surfaced', async () => {
    const users = { 'dev-a': nkeys.createUser(), 'dev-b': nkeys.createUser() }
    const creds: Record<string, string> = {}
    for (const [id, kp] of Object.entries(users)) {
      creds[id] = join(dir, `${id}.nk`)
      writeFileSync(creds[id], new TextDecoder().decode(kp.getSeed()), { mode: 0o600 })
    }
    const conf = `authorization { users: [\n${Object.entries(users)
      .map(([id, kp]) => confUser(kp.getPublicKey(), id))
      .join(',\n')}\n] }\n`
    const secured = await startNats({ conf })
    try {
      const a = device('dev-a', 'laptop-a', { url: secured.url, creds: creds['dev-a'] })
      const b = device('dev-b', 'desktop-b', { url: secured.url, creds: creds['dev-b'] })
      await Promise.all([a.member.connected(), b.member.connected()])
      // within its rights the whole round works: B's row reaches A, A's End reaches B
      const { client, row } = await session(b)
      await seen(a, row.id)
      expect(await a.member.endRemote('dev-b', row.id)).toMatchObject({
        status: 'answered',
        result: { ok: true },
      })
      expect(isAlive(client.pid)).toBe(false)

      // A writing B's row: the server refuses, and the client names the subject
      const link = a.member.client.link
      await expect(link.kv.put(sessionKey('dev-b', '0123456789ab'), '{}')).rejects.toThrow(
        /Permissions Violation for Publish to "\$KV\.warden-fleet\.ses\.dev-b\.0123456789ab"/,
      )
      // a device posing as B with A's credentials may neither take B's commands nor write B's record:
      // it says which subject the server refused
      const impostor = device('dev-b', 'impostor', { url: secured.url, creds: creds['dev-a'] })
      await waitFor(
        () =>
          impostor.log.find((l) =>
            /Permissions Violation for Publish to "\$JS\.API\.CONSUMER\.CREATE\.WARDEN_CMD\.cmd-dev-b\./.test(
              l,
            ),
          ),
        10_000,
        'the violation in the log',
      )
      const direct = await FleetClient.open(
        { url: secured.url, name: 'impostor', key: KEY, creds: creds['dev-a'] },
        'dev-a',
      )
      await expect(direct.link.kv.put(deviceKey('dev-b'), '{}')).rejects.toThrow(/Permissions Violation/)
      await direct.close()
      expect(secured.log.some((l) => l.includes('Publish Violation'))).toBe(true)
      expect((await a.member.list()).devices.find((d) => d.id === 'dev-b')?.name).toBe('desktop-b')
    } finally {
      for (const d of devices.splice(0)) await stop(d)
      await secured.close()
    }
  })
})
