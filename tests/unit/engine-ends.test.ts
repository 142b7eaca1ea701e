import { describe, expect, it } from 'vitest'
import type { Engine, EngineDeps } from '@engine/engine'
import type { Store } from '@engine/store/types'
import { engineFactory, FakeOs, S } from '../support/fake-os'

// How a session's end is told apart (process-exit or network-lost) and how stop() waits for the
// ends under way, on the scripted OS and a fake clock.

const engines = engineFactory('warden-ends-')

function makeEngine(os: FakeOs, extra: Partial<EngineDeps> = {}): { engine: Engine; store: Store } {
  const made = engines(os, 'w.db', 'test', extra)
  made.engine.setSetting('pollIntervalMs', 200)
  return made
}

/** one ssh session, recorded; returns its id */
async function oneSession(engine: Engine, os: FakeOs, pid: number): Promise<string> {
  os.ssh(pid, ['ssh', `host${pid}`])
  await engine.tick({ policy: true })
  return engine.list()[0]?.id ?? ''
}

describe('a session whose connection closes before its process exits (fault 4)', () => {
  it('a client closed with SIGTERM (socket gone a poll before the process) is recorded as process-exit', async () => {
    const os = new FakeOs()
    const { engine, store } = makeEngine(os)
    const id = await oneSession(engine, os, 3000)
    os.now += 200
    // ssh on SIGTERM: the connection closes first, the process exits a moment later
    os.traffic.delete(3000)
    const goneAt = os.now
    await engine.tick({ policy: true })
    os.now += 200
    os.kill(3000)
    const r = await engine.tick({ policy: true })
    expect(r.ended).toEqual([id])
    expect(store.getSession(id)).toMatchObject({ endReason: 'process-exit', endTime: goneAt })
  })

  it('negative control: a process that lives on without its connection is network-lost after the settle window', async () => {
    const os = new FakeOs()
    const { engine, store } = makeEngine(os, { timing: { endSettleMs: 1000 } })
    const id = await oneSession(engine, os, 3001)
    os.traffic.delete(3001)
    const goneAt = os.now
    for (let t = 0; t < 5; t++) {
      await engine.tick({ policy: true })
      expect(store.getSession(id)?.status).not.toBe('disconnected')
      os.now += 200
    }
    expect(os.now - goneAt).toBe(1000)
    const r = await engine.tick({ policy: true })
    expect(r.ended).toEqual([id])
    expect(store.getSession(id)).toMatchObject({ endReason: 'network-lost', endTime: goneAt })
    expect(os.signals).toEqual([])
  })

  it('a connection that comes back within the window keeps the session open', async () => {
    const os = new FakeOs()
    const { engine, store } = makeEngine(os)
    const id = await oneSession(engine, os, 3002)
    os.traffic.delete(3002)
    await engine.tick({ policy: true })
    os.now += 200
    os.traffic.set(3002, os.now)
    await engine.tick({ policy: true })
    os.now += 5 * S
    await engine.tick({ policy: true })
    expect(store.getSession(id)?.status).toBe('active')
  })

  it('with no settle window (endSettleMs 0) it is network-lost at once', async () => {
    const os = new FakeOs()
    const { engine, store } = makeEngine(os, { timing: { endSettleMs: 0 } })
    const id = await oneSession(engine, os, 3003)
    os.traffic.delete(3003)
    await engine.tick({ policy: true })
    expect(store.getSession(id)?.endReason).toBe('network-lost')
  })
})

describe('a one-shot engine (the CLI) and a connection gone while its process lives', () => {
  it('ends it at once as network-lost when nobody saw it for the settle window; holds it otherwise', async () => {
    const os = new FakeOs()
    const app = makeEngine(os)
    const id = await oneSession(app.engine, os, 3200)
    os.traffic.delete(3200)
    os.now += 1000
    const fresh = makeEngine(os)
    await fresh.engine.tick()
    expect(fresh.store.getSession(id)?.status).not.toBe('disconnected')
    os.now += 500
    const later = makeEngine(os)
    await later.engine.tick()
    expect(later.store.getSession(id)).toMatchObject({ endReason: 'network-lost', endTime: os.now })
  })
})

describe('stop() and the ends under way', () => {
  it('stop() resolves only after an end in flight has finished', async () => {
    const os = new FakeOs()
    let release: () => void = () => undefined
    const grace = new Promise<void>((r) => {
      release = r
    })
    const order: string[] = []
    const { engine, store } = makeEngine(os, {
      terminate: {
        graceMs: 100,
        // the client ignores SIGTERM until the test lets the grace period run out
        signal: (pid, sig) => {
          os.signals.push([pid, sig])
          if (sig === 'SIGKILL') os.kill(pid)
        },
        sleep: () => grace,
      },
    })
    const id = await oneSession(engine, os, 3100)
    const ending = engine.end(id)
    const stopped = engine.stop().then(() => order.push('stopped'))
    await new Promise((r) => setImmediate(r))
    order.push('released')
    release()
    await stopped
    expect(order).toEqual(['released', 'stopped'])
    expect(await ending).toMatchObject({ ok: true, result: 'ended', killed: true })
    expect(store.getSession(id)?.endReason).toBe('user')
  })
})
