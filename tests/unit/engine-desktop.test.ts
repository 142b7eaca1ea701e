import { describe, expect, it } from 'vitest'
import { engineFactory, FakeOs, S, setIdlePolicy } from '../support/fake-os'
import { holdsFor } from '../support/peers/common'

// The engine and the desktop (sleep and wake, screen lock, the warning's Keep active) on the
// scripted OS and a fake clock.

const makeEngine = engineFactory('warden-desktop-')

describe('engine and the desktop: sleep, screen lock, keep active', () => {
  const M = 60 * S

  it('after a sleep, idle time comes from the wall clock, not the kernel clock that stood still', async () => {
    const os = new FakeOs()
    const { engine, store } = makeEngine(os)
    setIdlePolicy(engine)
    os.ssh(700, ['ssh', 'sleepy'])
    await engine.tick({ policy: true })
    const id = engine.list()[0]?.id ?? ''
    os.now += 1 * M
    engine.suspend()
    os.slept = { from: os.now, ms: 2 * 60 * M }
    os.now += 2 * 60 * M
    engine.resume()
    await engine.tick({ policy: true })
    // idle 2 h 1 m by the wall clock: warned at once, and ended a poll later
    expect(store.getSession(id)?.warnedAt).toBe(os.now)
    os.now += 1 * S
    await engine.tick({ policy: true })
    await engine.stop()
    // past the 30-minute disconnect
    expect(store.getSession(id)).toMatchObject({ status: 'disconnected', endReason: 'idle-timeout' })
    expect(os.signals).toEqual([[700, 'SIGTERM']])
  })

  it('negative control: without the wake-up, the same kernel reading would have kept the session alive', async () => {
    const os = new FakeOs()
    const { engine } = makeEngine(os)
    setIdlePolicy(engine)
    os.ssh(701, ['ssh', 'sleepy'])
    await engine.tick({ policy: true })
    os.now += 1 * M
    os.slept = { from: os.now, ms: 2 * 60 * M }
    os.now += 2 * 60 * M
    await engine.tick({ policy: true })
    await engine.stop()
    expect(os.signals).toEqual([])
    expect(engine.list()[0]?.status).toBe('active')
  })

  it('traffic after the wake-up counts as activity', async () => {
    const os = new FakeOs()
    const { engine } = makeEngine(os)
    setIdlePolicy(engine)
    os.ssh(702, ['ssh', 'awake'])
    await engine.tick({ policy: true })
    engine.suspend()
    os.slept = { from: os.now, ms: 60 * M }
    os.now += 60 * M
    engine.resume()
    os.now += 2 * S
    os.traffic.set(702, os.now - 1 * S)
    await engine.tick({ policy: true })
    await engine.stop()
    expect(os.signals).toEqual([])
    expect(engine.list()[0]?.status).toBe('active')
  })

  it('suspend stops the scan loop and resume restarts it at once', async () => {
    const os = new FakeOs()
    const { engine } = makeEngine(os)
    engine.setSetting('pollIntervalMs', 200)
    engine.start()
    await expect.poll(() => os.snapshots).toBeGreaterThan(0)
    engine.suspend()
    await engine.tick() // waits out a scan in flight, then scans once by hand
    const during = os.snapshots
    // more than three poll intervals with no scan at all (checked throughout, not once at the end)
    await holdsFor(() => os.snapshots === during, 700, 'no scan while suspended')
    engine.resume()
    await expect.poll(() => os.snapshots).toBeGreaterThan(during)
    await engine.stop()
  })

  it("screen lock with lockAction 'away': keep-alives no longer keep sessions active", async () => {
    const os = new FakeOs()
    const { engine, store } = makeEngine(os)
    setIdlePolicy(engine)
    expect(engine.getSettings().lockAction).toBe('away')
    os.ssh(710, ['ssh', 'keepalive'])
    await engine.tick({ policy: true })
    const id = engine.list()[0]?.id ?? ''
    expect(await engine.screenLocked()).toEqual([])
    for (let t = 1; t <= 12; t++) {
      os.now += 30 * S
      os.traffic.set(710, os.now) // ServerAliveInterval 30
      await engine.tick({ policy: true })
    }
    expect(engine.list()[0]?.status).toBe('idle')
    engine.screenUnlocked()
    os.now += 30 * S
    os.traffic.set(710, os.now)
    await engine.tick({ policy: true })
    expect(engine.list()[0]?.status).toBe('active')
    expect(store.events(id).map((e) => e.kind)).toEqual(['created', 'idle', 'active'])
    await engine.stop()
  })

  it("negative control: lockAction 'nothing' leaves a session with keep-alives active through 3T", async () => {
    const os = new FakeOs()
    const { engine } = makeEngine(os)
    setIdlePolicy(engine)
    engine.setSetting('lockAction', 'nothing')
    os.ssh(711, ['ssh', 'keepalive'])
    await engine.tick({ policy: true })
    await engine.screenLocked()
    for (let t = 1; t <= 30; t++) {
      os.now += 30 * S // 3 × 300 s in steps of T/10
      os.traffic.set(711, os.now)
      await engine.tick({ policy: true })
    }
    await engine.stop()
    expect(engine.list()[0]?.status).toBe('active')
    expect(os.signals).toEqual([])
  })

  it("screen lock with lockAction 'end' ends every session with cause screen-lock", async () => {
    const os = new FakeOs()
    const { engine, store } = makeEngine(os)
    engine.setSetting('lockAction', 'end')
    os.ssh(720, ['ssh', 'a'])
    os.ssh(721, ['ssh', 'b'])
    await engine.tick({ policy: true })
    const ids = engine.list().map((s) => s.id)
    const results = await engine.screenLocked()
    expect(results.map((r) => r.result)).toEqual(['ended', 'ended'])
    for (const id of ids)
      expect(store.getSession(id)).toMatchObject({ endReason: 'screen-lock', endedBy: 'screen-lock' })
    expect(os.signals.map(([pid]) => pid).sort()).toEqual([720, 721])
  })

  it("keep active restarts an idle session's clock and clears its warning; it idles again later", async () => {
    const os = new FakeOs()
    const { engine, store } = makeEngine(os, 'w.db', 'app')
    setIdlePolicy(engine)
    os.ssh(730, ['ssh', 'quiet'])
    await engine.tick({ policy: true })
    const id = engine.list()[0]?.id ?? ''
    os.now += 11 * M
    await engine.tick({ policy: true })
    expect(store.getSession(id)).toMatchObject({ status: 'idle' })
    expect(store.getSession(id)?.warnedAt).not.toBeNull()
    const s = await engine.keepActive(id)
    expect(s.status).toBe('active')
    expect(store.getSession(id)?.warnedAt).toBeNull()
    const kept = store.events(id).find((e) => e.kind === 'kept-active')
    expect(kept?.actor).toBe('app')
    // still no traffic: the clock runs again from the keep
    os.now += 4 * M
    await engine.tick({ policy: true })
    expect(engine.list()[0]?.status).toBe('active')
    os.now += 2 * M
    await engine.tick({ policy: true })
    expect(engine.list()[0]?.status).toBe('idle')
    await engine.stop()
    expect(os.signals).toEqual([])
  })

  it('keep active refuses bad, unknown and ended sessions and changes nothing', async () => {
    const os = new FakeOs()
    const { engine, store } = makeEngine(os)
    os.ssh(740, ['ssh', 'gone'])
    await engine.tick()
    const id = engine.list()[0]?.id ?? ''
    await engine.end(id)
    const before = store.events(id).length
    await expect(engine.keepActive('nope')).rejects.toMatchObject({ code: 'BAD_ID' })
    await expect(engine.keepActive('0123456789ab')).rejects.toMatchObject({ code: 'UNKNOWN_SESSION' })
    await expect(engine.keepActive(id)).rejects.toMatchObject({ code: 'SESSION_ENDED' })
    expect(store.events(id)).toHaveLength(before)
  })
})
