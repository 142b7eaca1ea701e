import { describe, expect, it } from 'vitest'
import type { Engine } from '@engine/engine'
import { engineFactory, FakeOs, S, T0, UID } from '../support/fake-os'
import { EngineError } from '@engine/errors'

// The engine's logic driven by a scripted OS (the probe) and a fake clock: deterministic tests
// of idle, warning, auto-disconnect and reconciliation. The same paths run against real ssh,
// xrdp and Chromium in tests/integration. The desktop's sleep, lock and keep-active are in
// engine-desktop.test.ts; how ends are told apart in engine-ends.test.ts.

const makeEngine = engineFactory('warden-engine-')

describe('engine tracking', () => {
  it('records a new ssh session once, active, with the fields the window shows', async () => {
    const os = new FakeOs()
    const { engine } = makeEngine(os)
    os.ssh(4242, ['ssh', '-p', '2200', 'admin@bastion'])
    const r1 = await engine.tick({ policy: true })
    expect(r1.created).toHaveLength(1)
    const [s] = engine.list()
    expect(s).toMatchObject({
      resourceName: 'bastion',
      resourceType: 'ssh',
      status: 'active',
      device: 'laptop',
      ipAddress: '203.0.113.7',
      user: 'admin',
      pid: 4242,
      duration: '<1m',
      endable: true,
    })
    expect(s?.id).toMatch(/^[0-9a-f]{12}$/)
    os.now += 90 * S
    os.traffic.set(4242, os.now)
    const r2 = await engine.tick({ policy: true })
    expect(r2.created).toEqual([])
    expect(engine.list()).toHaveLength(1)
    expect(engine.list()[0]?.duration).toBe('1m')
  })

  it('goes idle after idleAfter without traffic and active again on traffic', async () => {
    const os = new FakeOs()
    const { engine, store } = makeEngine(os)
    engine.setSetting('idleAfterSec', 60)
    os.ssh(100, ['ssh', 'db1'])
    await engine.tick({ policy: true })
    os.now += 59 * S
    await engine.tick({ policy: true })
    expect(engine.list()[0]?.status).toBe('active')
    os.now += 1 * S
    await engine.tick({ policy: true })
    expect(engine.list()[0]?.status).toBe('idle')
    os.now += 5 * S
    os.traffic.set(100, os.now - 1 * S)
    await engine.tick({ policy: true })
    const s = engine.list()[0]
    expect(s?.status).toBe('active')
    const kinds = store.events(s?.id ?? '').map((e) => e.kind)
    expect(kinds).toEqual(['created', 'idle', 'active'])
  })

  it('warns once per idle period and auto-disconnects at the limit with cause idle-timeout', async () => {
    const os = new FakeOs()
    const { engine, store } = makeEngine(os)
    engine.setSetting('idleAfterSec', 10)
    engine.setSetting('warnAfterSec', 20)
    engine.setSetting('disconnectAfterSec', 30)
    const warned: string[] = []
    engine.on('warned', (s) => warned.push(s.id))
    os.ssh(200, ['ssh', 'web1'])
    await engine.tick({ policy: true })
    const id = engine.list()[0]?.id ?? ''
    for (let t = 0; t < 25; t++) {
      os.now += 1 * S
      await engine.tick({ policy: true })
    }
    expect(warned).toEqual([id])
    for (let t = 0; t < 6; t++) {
      os.now += 1 * S
      await engine.tick({ policy: true })
    }
    await engine.stop() // waits for the auto-disconnect in flight
    expect(os.signals).toEqual([[200, 'SIGTERM']])
    const row = store.getSession(id)
    expect(row).toMatchObject({ endReason: 'idle-timeout', endedBy: 'policy' })
    expect(row?.endTime).toBeGreaterThanOrEqual(T0 + 30 * S)
    expect(store.events(id).map((e) => e.kind)).toEqual(['created', 'idle', 'warned', 'ended'])
  })

  it('negative control: a session with traffic every T/10 survives 3T', async () => {
    const os = new FakeOs()
    const { engine, store } = makeEngine(os)
    const T = 30
    engine.setSetting('idleAfterSec', T)
    engine.setSetting('warnAfterSec', T)
    engine.setSetting('disconnectAfterSec', 2 * T)
    os.ssh(300, ['ssh', 'busy'])
    await engine.tick({ policy: true })
    const id = engine.list()[0]?.id ?? ''
    for (let t = 1; t <= 3 * T; t++) {
      os.now += 1 * S
      if (t % (T / 10) === 0) os.traffic.set(300, os.now)
      await engine.tick({ policy: true })
    }
    await engine.stop()
    expect(os.signals).toEqual([])
    expect(engine.list().map((s) => [s.id, s.status])).toEqual([[id, 'active']])
    expect(store.events(id).map((e) => e.kind)).toEqual(['created'])
  })

  it('records process-exit when the client exits on its own', async () => {
    const os = new FakeOs()
    const { engine, store } = makeEngine(os)
    os.ssh(400, ['ssh', 'gone'])
    await engine.tick({ policy: true })
    const id = engine.list()[0]?.id ?? ''
    os.now += 2 * S
    os.kill(400)
    const r = await engine.tick({ policy: true })
    expect(r.ended).toEqual([id])
    expect(store.getSession(id)).toMatchObject({ endReason: 'process-exit', endTime: os.now })
    expect(engine.list()).toEqual([])
  })

  it('records network-lost when the connection closes but the client lives on', async () => {
    const os = new FakeOs()
    const { engine, store } = makeEngine(os)
    os.ssh(401, ['ssh', 'flaky'])
    await engine.tick({ policy: true })
    const id = engine.list()[0]?.id ?? ''
    os.traffic.delete(401)
    const goneAt = os.now
    await engine.tick({ policy: true })
    // held for the settle window: a client told to quit closes its socket before it exits
    expect(store.getSession(id)?.endReason).toBeNull()
    os.now += 1500
    await engine.tick({ policy: true })
    expect(store.getSession(id)).toMatchObject({ endReason: 'network-lost', endTime: goneAt })
  })

  it('on restart adopts live sessions and ends vanished ones with app-restart at their last-seen time', async () => {
    const os = new FakeOs()
    const first = makeEngine(os)
    os.ssh(500, ['ssh', 'stays'])
    os.ssh(501, ['ssh', 'leaves'])
    await first.engine.tick({ policy: true })
    const ids = Object.fromEntries(first.engine.list().map((s) => [s.resourceName, s.id]))
    const lastSeen = os.now
    await first.engine.close()
    // the app is off for an hour; one client exits meanwhile
    os.now += 3600 * S
    os.kill(501)
    os.traffic.set(500, os.now)
    const second = makeEngine(os)
    await second.engine.tick({ policy: true })
    expect(second.engine.list().map((s) => s.id)).toEqual([ids.stays])
    expect(second.store.getSession(ids.leaves ?? '')).toMatchObject({
      status: 'disconnected',
      endReason: 'app-restart',
      endTime: lastSeen,
    })
  })

  it('two engines on one database (app + CLI) never record one session twice', async () => {
    const os = new FakeOs()
    const a = makeEngine(os, 'shared.db', 'app')
    const b = makeEngine(os, 'shared.db', 'cli')
    os.ssh(600, ['ssh', 'shared'])
    await Promise.all([a.engine.tick(), b.engine.tick()])
    await a.engine.tick({ policy: true })
    await b.engine.tick({ policy: true })
    expect(a.engine.list()).toHaveLength(1)
    expect(b.engine.list()).toHaveLength(1)
    expect(a.engine.history({ includeOpen: true }).rows).toHaveLength(1)
    // one ends it, the other sees it gone and records nothing more
    const id = a.engine.list()[0]?.id ?? ''
    await b.engine.end(id)
    await a.engine.tick({ policy: true })
    expect(a.store.events(id).filter((e) => e.kind === 'ended')).toHaveLength(1)
    expect(a.store.getSession(id)).toMatchObject({ endReason: 'user', endedBy: 'cli' })
  })
})

describe('engine robustness', () => {
  it('a one-shot tick (the CLI) never warns or ends; the loop does', async () => {
    const os = new FakeOs()
    const { engine, store } = makeEngine(os)
    engine.setSetting('idleAfterSec', 10)
    engine.setSetting('warnAfterSec', 20)
    engine.setSetting('disconnectAfterSec', 30)
    os.ssh(1100, ['ssh', 'quiet'])
    await engine.tick()
    const id = engine.list()[0]?.id ?? ''
    os.now += 40 * S
    await engine.tick()
    expect(os.signals).toEqual([])
    expect(store.events(id).map((e) => e.kind)).toEqual(['created', 'idle'])
    await engine.tick({ policy: true }) // warned first
    os.now += 1 * S
    await engine.tick({ policy: true })
    await engine.stop()
    expect(os.signals).toEqual([[1100, 'SIGTERM']])
  })

  it('when the counters disappear, a session counts as active rather than idling out', async () => {
    const os = new FakeOs()
    const { engine } = makeEngine(os)
    engine.setSetting('idleAfterSec', 10)
    engine.setSetting('warnAfterSec', 0)
    engine.setSetting('disconnectAfterSec', 30)
    os.ssh(1200, ['ssh', 'typing'])
    await engine.tick({ policy: true })
    os.counters = false
    for (let t = 0; t < 90; t++) {
      os.now += 1 * S
      await engine.tick({ policy: true })
    }
    await engine.stop()
    expect(os.signals).toEqual([])
    expect(engine.list()[0]?.status).toBe('active')
  })

  it('a command line with an odd host name does not stop the others from being tracked', async () => {
    const os = new FakeOs()
    const { engine } = makeEngine(os)
    os.ssh(1300, ['ssh', 'db\u00a0prod'])
    os.ssh(1301, ['ssh', 'x'.repeat(500)])
    os.ssh(1302, ['ssh', 'good'])
    await engine.tick()
    expect(
      engine
        .list()
        .map((s) => s.resourceName)
        .sort(),
    ).toEqual(['db prod', 'good', 'x'.repeat(200)])
  })

  it('a web session is not ended by a process that has not resolved its host yet', async () => {
    const os = new FakeOs()
    const slowDns = (): Promise<string[]> => new Promise((r) => setTimeout(() => r(['198.51.100.7']), 100))
    const mk = (actor: string): Engine => makeEngine(os, 'web.db', actor, { resolveHost: slowDns }).engine
    const app = mk('app')
    app.addResource({ type: 'web', name: 'Portal', target: 'https://portal.example/' })
    os.procs.set(1400, {
      pid: 1400,
      ppid: 1,
      uid: UID,
      startTime: os.now,
      exe: '/usr/lib/chromium/chromium',
      argv: ['/usr/lib/chromium/chromium'],
      comm: 'chromium',
    })
    os.procs.set(1401, {
      pid: 1401,
      ppid: 1400,
      uid: UID,
      startTime: os.now,
      exe: '/usr/lib/chromium/chromium',
      argv: ['/usr/lib/chromium/chromium --type=utility --utility-sub-type=network.mojom.NetworkService'],
      comm: 'chromium',
    })
    os.traffic.set(1401, os.now)
    os.remote.set(1401, ['198.51.100.7', 443])
    await app.tick()
    const [web] = app.list()
    expect(web).toMatchObject({ resourceName: 'Portal', resourceType: 'web', flags: ['in-browser'] })
    os.now += 30 * S // long enough that a miss would be taken for an app restart
    os.traffic.set(1401, os.now)
    const cli = mk('cli')
    await cli.tick()
    expect(cli.list().map((s) => s.id)).toEqual([web?.id])
  })
})

describe('engine races and failures', () => {
  it('an end that finishes while a tick is in flight emits ended once', async () => {
    const os = new FakeOs()
    const { engine } = makeEngine(os)
    os.ssh(1800, ['ssh', 'racy'])
    await engine.tick()
    const id = engine.list()[0]?.id ?? ''
    const ended: string[] = []
    engine.on('ended', (s) => ended.push(s.id))
    // hold the next tick's scan until the end has gone through
    let release: () => void = () => undefined
    const gate = new Promise<void>((r) => {
      release = r
    })
    const real = os.snapshot.bind(os)
    let held = false
    os.snapshot = async () => {
      if (!held) {
        held = true
        await gate
      }
      return real()
    }
    const inFlight = engine.tick()
    await new Promise((r) => setTimeout(r, 0))
    expect(await engine.end(id)).toMatchObject({ ok: true, result: 'ended' })
    release()
    await inFlight
    await engine.tick()
    await engine.tick()
    expect(ended).toEqual([id])
  })

  it('a failed auto-disconnect is not retried every tick', async () => {
    const os = new FakeOs()
    const attempts: number[] = []
    const { engine, store } = makeEngine(os, 'w.db', 'test', {
      terminate: {
        graceMs: 100,
        sleep: () => Promise.resolve(),
        signal: (pid) => {
          attempts.push(pid)
          throw Object.assign(new Error('EPERM'), { code: 'EPERM' })
        },
      },
    })
    engine.setSetting('idleAfterSec', 10)
    engine.setSetting('warnAfterSec', 0)
    engine.setSetting('disconnectAfterSec', 30)
    os.ssh(1900, ['ssh', 'stuck'])
    await engine.tick({ policy: true })
    const id = engine.list()[0]?.id ?? ''
    os.now += 31 * S
    for (let t = 0; t < 20; t++) {
      await engine.tick({ policy: true })
      await new Promise((r) => setTimeout(r, 0))
      os.now += 1 * S
    }
    expect(attempts).toEqual([1900]) // once, not twenty times
    os.now += 60 * S
    await engine.tick({ policy: true })
    await engine.stop()
    expect(attempts).toEqual([1900, 1900]) // tried again after the back-off
    expect(store.events(id).filter((e) => e.kind === 'end-failed')).toHaveLength(2)
    expect(engine.list().map((s) => s.id)).toEqual([id])
  })
})

describe('engine ending', () => {
  it('ends one session: the process tree is signalled and the cause recorded', async () => {
    const os = new FakeOs()
    const { engine, store } = makeEngine(os)
    os.ssh(700, ['ssh', 'one'])
    os.ssh(701, ['ssh', 'two'])
    await engine.tick({ policy: true })
    const one = engine.list().find((s) => s.resourceName === 'one')
    const res = await engine.end(one?.id ?? '', 'user')
    expect(res).toEqual({ id: one?.id, ok: true, result: 'ended', killed: false })
    expect(os.signals).toEqual([[700, 'SIGTERM']])
    expect(store.getSession(one?.id ?? '')).toMatchObject({ endReason: 'user', endedBy: 'user' })
    expect(engine.list().map((s) => s.resourceName)).toEqual(['two'])
    // idempotent
    expect(await engine.end(one?.id ?? '')).toMatchObject({ ok: true, result: 'already-ended' })
    expect(os.signals).toHaveLength(1)
  })

  it('end all ends every open session with cause bulk', async () => {
    const os = new FakeOs()
    const { engine, store } = makeEngine(os)
    for (let i = 0; i < 5; i++) os.ssh(800 + i, ['ssh', `h${i}`])
    await engine.tick({ policy: true })
    const ids = engine.list().map((s) => s.id)
    const res = await engine.endAll('user')
    expect(res.every((r) => r.ok && r.result === 'ended')).toBe(true)
    expect(engine.list()).toEqual([])
    for (const id of ids) expect(store.getSession(id)?.endReason).toBe('bulk')
  })

  it('refuses malformed and unknown ids before any signal', async () => {
    const os = new FakeOs()
    const { engine } = makeEngine(os)
    os.ssh(900, ['ssh', 'x'])
    await engine.tick({ policy: true })
    for (const bad of ['', 'abc', '../etc', 'ZZZZZZZZZZZZ', '1234567890123'])
      await expect(engine.end(bad)).rejects.toMatchObject({ code: 'BAD_ID' })
    await expect(engine.end('0123456789ab')).rejects.toBeInstanceOf(EngineError)
    await expect(engine.endMany(['0123456789ab'])).rejects.toMatchObject({ code: 'UNKNOWN_SESSION' })
    expect(os.signals).toEqual([])
    expect(engine.list()).toHaveLength(1)
  })

  it('a session whose PID was reused by another program is not signalled; it is recorded as ended', async () => {
    const os = new FakeOs()
    const { engine, store } = makeEngine(os)
    os.ssh(1000, ['ssh', 'reused'])
    await engine.tick({ policy: true })
    const id = engine.list()[0]?.id ?? ''
    // the ssh exits and an unrelated process gets the same pid before the next scan
    os.kill(1000)
    os.procs.set(1000, {
      pid: 1000,
      ppid: 1,
      uid: UID,
      startTime: os.now + 5,
      exe: '/usr/bin/vim',
      argv: ['vim'],
      comm: 'vim',
    })
    const res = await engine.end(id)
    expect(res).toMatchObject({ ok: true, result: 'already-gone' })
    expect(os.signals).toEqual([])
    expect(store.getSession(id)?.status).toBe('disconnected')
  })
})

describe('engine concurrent-session limits', () => {
  it('flags the sessions over a limit once, and shows the flag', async () => {
    const os = new FakeOs()
    const { engine, store } = makeEngine(os)
    engine.setSetting('limitSsh', 1)
    os.ssh(1500, ['ssh', 'first'], os.now - 10 * S)
    os.ssh(1501, ['ssh', 'second'])
    const limited: string[] = []
    engine.on('limit', (s) => limited.push(s.resourceName))
    for (let i = 0; i < 3; i++) await engine.tick({ policy: true })
    expect(limited).toEqual(['second'])
    const second = engine.list().find((s) => s.resourceName === 'second')
    expect(second?.flags).toContain('limit-exceeded')
    expect(store.events(second?.id ?? '').filter((e) => e.kind === 'limit')).toHaveLength(1)
    expect(engine.list().find((s) => s.resourceName === 'first')?.flags).not.toContain('limit-exceeded')
    expect(os.signals).toEqual([])
  })

  it('ends the newest session over the limit with cause policy when set to', async () => {
    const os = new FakeOs()
    const { engine, store } = makeEngine(os)
    engine.setSetting('limitSsh', 1)
    engine.setSetting('limitAction', 'end-newest')
    os.ssh(1600, ['ssh', 'first'], os.now - 10 * S)
    await engine.tick({ policy: true })
    os.ssh(1601, ['ssh', 'second'])
    await engine.tick({ policy: true }) // recorded
    await engine.tick({ policy: true }) // over the limit: ended
    await engine.stop()
    expect(os.signals).toEqual([[1601, 'SIGTERM']])
    const ended = store.history({}).rows
    expect(ended.map((r) => [r.resourceName, r.endReason, r.endedBy])).toEqual([
      ['second', 'policy', 'policy'],
    ])
    expect(engine.list().map((s) => s.resourceName)).toEqual(['first'])
  })
})

describe('engine retention', () => {
  it('purges history older than retentionDays, keeps newer history and open sessions', async () => {
    const os = new FakeOs()
    const { engine, store } = makeEngine(os)
    engine.setSetting('retentionDays', 30)
    const res = store.ensureResource('ssh', 'old-host', 'old-host:22')
    const row = (id: string, start: number) => ({
      id,
      key: `ssh:${id}`,
      resourceId: res.id,
      deviceId: 'dev1',
      startTime: start,
      lastActivity: start,
      lastSeen: start,
      status: 'active' as const,
      pid: 4000,
      processStart: start,
      exe: '/usr/bin/ssh',
      client: 'ssh',
      host: 'old-host',
      user: null,
      ipAddress: '10.0.0.9',
      remotePort: 22,
      localAddress: '10.0.0.2',
      location: 'Private network',
      flags: [],
      endable: true,
    })
    const DAY = 86_400_000
    store.applyTick(
      [row('0000000000a1', os.now - 40 * DAY), row('0000000000a2', os.now - 10 * DAY)],
      [
        {
          kind: 'end',
          id: '0000000000a1',
          at: os.now - 40 * DAY + 1000,
          reason: 'process-exit',
          actor: 'engine',
        },
        {
          kind: 'end',
          id: '0000000000a2',
          at: os.now - 10 * DAY + 1000,
          reason: 'process-exit',
          actor: 'engine',
        },
      ],
      os.now,
    )
    os.ssh(4100, ['ssh', 'live'])
    await engine.tick()
    expect(store.getSession('0000000000a1')).toBeNull()
    expect(store.getSession('0000000000a2')?.endReason).toBe('process-exit')
    expect(engine.list().map((s) => s.resourceName)).toEqual(['live'])
  })
})

describe('engine anomaly flag', () => {
  it('flags the first session ever to a place, not later ones nor private addresses', async () => {
    const os = new FakeOs()
    const { engine } = makeEngine(os)
    os.ssh(1700, ['ssh', 'mx1'])
    os.remote.set(1700, ['189.203.0.1', 22])
    os.ssh(1701, ['ssh', 'lan'])
    os.remote.set(1701, ['10.0.0.5', 22])
    await engine.tick()
    os.ssh(1702, ['ssh', 'mx2'])
    os.remote.set(1702, ['189.203.0.1', 22])
    await engine.tick()
    const flags = Object.fromEntries(engine.list().map((s) => [s.resourceName, s.flags]))
    expect(engine.list().find((s) => s.resourceName === 'mx1')?.location).toBe('Mexico City, MX')
    expect(flags).toEqual({ mx1: ['new-location'], lan: [], mx2: [] })
  })
})

describe('engine network changes', () => {
  it('emits network when the interfaces change, not before', async () => {
    const os = new FakeOs()
    let fp = 'eth0/10.0.0.2'
    const src = {
      interfaces: () => Promise.resolve([]),
      get networkFingerprint() {
        return fp
      },
    }
    const { engine } = makeEngine(os, 'n.db', 'test', { interfaces: src })
    const seen: number[] = []
    engine.on('network', () => seen.push(os.now))
    await engine.tick({ policy: true })
    await engine.tick({ policy: true })
    expect(seen).toEqual([])
    fp = 'wlan0/192.168.1.4'
    await engine.tick({ policy: true })
    expect(seen).toEqual([os.now])
  })
})

describe('engine settings and resources', () => {
  it('refuses bad settings with a clear error and changes nothing', () => {
    const os = new FakeOs()
    const { engine } = makeEngine(os)
    expect(() => engine.setSetting('idleAfterSec', -3)).toThrow(/idleAfterSec/)
    expect(() => engine.setSetting('bogus', 1)).toThrow(/unknown setting/)
    expect(engine.getSettings().idleAfterSec).toBe(300)
    expect(engine.setSetting('idleAfterSec', 120).idleAfterSec).toBe(120)
  })
  it('web resources need a name and an http(s) URL', () => {
    const os = new FakeOs()
    const { engine } = makeEngine(os)
    expect(() => engine.addResource({ type: 'web', name: '', target: 'https://x.example' })).toThrow()
    expect(() => engine.addResource({ type: 'web', name: 'Wiki', target: 'ftp://x' })).toThrow()
    const r = engine.addResource({ type: 'web', name: 'Wiki', target: 'https://wiki.example/' })
    expect(engine.findResource('wiki').id).toBe(r.id)
    expect(() => engine.findResource('nope')).toThrow(/no resource/)
  })
})
