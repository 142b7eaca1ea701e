import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { EndResult } from '@shared/model'
import type { Engine } from '@engine/engine'
import type { Store } from '@engine/store/types'
import { bindPowerEvents, systemIdleSource } from '../../../src/main/shell/power'
import { FakePowerMonitor } from '../../support/fake-electron'
import { engineOnFakeOs, FakeOs, S, setIdlePolicy } from '../../support/fake-os'

const EVENTS = ['suspend', 'resume', 'lock-screen', 'unlock-screen'] as const

/** lets promise callbacks and Node's unhandled-rejection check run (no timer, no waiting on time) */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}

/** unhandled rejections seen while a test runs */
function watchUnhandled(): { seen: unknown[]; stop: () => void } {
  const seen: unknown[] = []
  const listener = (reason: unknown): void => {
    seen.push(reason)
  }
  process.on('unhandledRejection', listener)
  return { seen, stop: () => process.off('unhandledRejection', listener) }
}

/** an engine that records which of its power methods were called */
class RecordingEngine {
  readonly calls: string[] = []
  lockResult: () => Promise<EndResult[]> = () => Promise.resolve([])
  suspend(): void {
    this.calls.push('suspend')
  }
  resume(): void {
    this.calls.push('resume')
  }
  screenLocked(): Promise<EndResult[]> {
    this.calls.push('screenLocked')
    return this.lockResult()
  }
  screenUnlocked(): void {
    this.calls.push('screenUnlocked')
  }
}

describe('systemIdleSource', () => {
  it('gives the OS idle seconds as they are', () => {
    const power = new FakePowerMonitor()
    const idle = systemIdleSource(power)
    power.idleSeconds = 0
    expect(idle.idleSeconds()).toBe(0)
    power.idleSeconds = 42
    expect(idle.idleSeconds()).toBe(42)
    power.idleSeconds = 86_400
    expect(idle.idleSeconds()).toBe(86_400)
  })

  it.each([
    ['NaN', Number.NaN],
    ['negative', -1],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['-Infinity', Number.NEGATIVE_INFINITY],
  ])('%s gives null', (_, value) => {
    const power = new FakePowerMonitor()
    power.idleSeconds = value
    expect(systemIdleSource(power).idleSeconds()).toBeNull()
  })

  it('a throwing getSystemIdleTime gives null, and the next good reading comes through', () => {
    let fail = true
    const idle = systemIdleSource({
      getSystemIdleTime: () => {
        if (fail) throw new Error('not supported on this platform')
        return 7
      },
    })
    expect(idle.idleSeconds()).toBeNull()
    fail = false
    expect(idle.idleSeconds()).toBe(7)
  })
})

describe('bindPowerEvents with a recording engine', () => {
  it('binds one listener to each of the four events and nothing else', () => {
    const power = new FakePowerMonitor()
    bindPowerEvents(power, new RecordingEngine())
    for (const e of EVENTS) expect(power.listenerCount(e), e).toBe(1)
    expect(power.listenerCount('shutdown')).toBe(0)
  })

  it.each([
    ['suspend', 'suspend'],
    ['resume', 'resume'],
    ['lock-screen', 'screenLocked'],
    ['unlock-screen', 'screenUnlocked'],
  ] as const)('%s calls engine.%s, and only it', async (event, method) => {
    const power = new FakePowerMonitor()
    const engine = new RecordingEngine()
    bindPowerEvents(power, engine)
    power.emit(event)
    await settle()
    expect(engine.calls).toEqual([method])
  })

  it('a sleep-wake-lock-unlock sequence reaches the engine in order', async () => {
    const power = new FakePowerMonitor()
    const engine = new RecordingEngine()
    bindPowerEvents(power, engine)
    power.emit('lock-screen')
    power.emit('suspend')
    power.emit('resume')
    power.emit('unlock-screen')
    await settle()
    expect(engine.calls).toEqual(['screenLocked', 'suspend', 'resume', 'screenUnlocked'])
  })

  it('a lock that ended sessions hands the results to onLockEnded', async () => {
    const power = new FakePowerMonitor()
    const engine = new RecordingEngine()
    const results: EndResult[] = [
      { id: 'aaaaaaaaaaaa', ok: true, result: 'ended' },
      { id: 'bbbbbbbbbbbb', ok: false, result: 'failed', error: 'EPERM' },
    ]
    engine.lockResult = () => Promise.resolve(results)
    const ended: EndResult[][] = []
    const errors: unknown[] = []
    bindPowerEvents(power, engine, { onLockEnded: (r) => ended.push(r), onError: (e) => errors.push(e) })
    power.emit('lock-screen')
    await settle()
    expect(ended).toEqual([results])
    expect(errors).toEqual([])
  })

  it('a lock that ended nothing ([]) does not call onLockEnded', async () => {
    const power = new FakePowerMonitor()
    const engine = new RecordingEngine()
    const ended: EndResult[][] = []
    bindPowerEvents(power, engine, { onLockEnded: (r) => ended.push(r) })
    power.emit('lock-screen')
    await settle()
    expect(engine.calls).toEqual(['screenLocked'])
    expect(ended).toEqual([])
  })

  it('a rejected screenLocked goes to onError, not to an unhandled rejection', async () => {
    const watch = watchUnhandled()
    try {
      const power = new FakePowerMonitor()
      const engine = new RecordingEngine()
      const failure = new Error('store is closed')
      engine.lockResult = () => Promise.reject(failure)
      const ended: EndResult[][] = []
      const errors: unknown[] = []
      bindPowerEvents(power, engine, { onLockEnded: (r) => ended.push(r), onError: (e) => errors.push(e) })
      power.emit('lock-screen')
      await settle()
      await settle()
      expect(errors).toEqual([failure])
      expect(ended).toEqual([])
      expect(watch.seen).toEqual([])
    } finally {
      watch.stop()
    }
  })

  it('a rejected screenLocked without onError is still handled (no unhandled rejection)', async () => {
    const watch = watchUnhandled()
    try {
      const power = new FakePowerMonitor()
      const engine = new RecordingEngine()
      engine.lockResult = () => Promise.reject(new Error('boom'))
      bindPowerEvents(power, engine)
      power.emit('lock-screen')
      await settle()
      await settle()
      expect(watch.seen).toEqual([])
    } finally {
      watch.stop()
    }
  })

  it('an onLockEnded that throws goes to onError, not to an unhandled rejection', async () => {
    const watch = watchUnhandled()
    try {
      const power = new FakePowerMonitor()
      const engine = new RecordingEngine()
      engine.lockResult = () => Promise.resolve([{ id: 'aaaaaaaaaaaa', ok: true, result: 'ended' }])
      const failure = new Error('notification failed')
      const errors: unknown[] = []
      bindPowerEvents(power, engine, {
        onLockEnded: () => {
          throw failure
        },
        onError: (e) => errors.push(e),
      })
      power.emit('lock-screen')
      await settle()
      await settle()
      expect(watch.seen).toEqual([])
      expect(errors).toEqual([failure])
    } finally {
      watch.stop()
    }
  })

  it('the returned unbind removes all four listeners; later events reach nothing', async () => {
    const power = new FakePowerMonitor()
    const engine = new RecordingEngine()
    const unbind = bindPowerEvents(power, engine)
    unbind()
    for (const e of EVENTS) expect(power.listenerCount(e), e).toBe(0)
    for (const e of EVENTS) power.emit(e)
    await settle()
    expect(engine.calls).toEqual([])
  })

  it('unbind leaves listeners that others added to powerMonitor', () => {
    const power = new FakePowerMonitor()
    const heard: string[] = []
    for (const e of EVENTS) power.on(e, () => heard.push(e))
    const unbind = bindPowerEvents(power, new RecordingEngine())
    unbind()
    for (const e of EVENTS) expect(power.listenerCount(e), e).toBe(1)
    for (const e of EVENTS) power.emit(e)
    expect(heard).toEqual([...EVENTS])
  })
})

describe('bindPowerEvents with the real engine', () => {
  const M = 60 * S
  let dir: string
  let stores: Store[]
  let engines: Engine[]
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'warden-power-'))
    stores = []
    engines = []
  })
  afterEach(async () => {
    for (const e of engines) await e.stop()
    for (const s of stores) s.close()
    rmSync(dir, { recursive: true, force: true })
  })

  /** an Engine on a scripted OS and a temp-dir store, as tests/unit/engine.test.ts builds it */
  function makeEngine(os: FakeOs): { engine: Engine; store: Store } {
    const { engine, store } = engineOnFakeOs(os, join(dir, 'w.db'), { actor: 'app' })
    stores.push(store)
    engines.push(engine)
    return { engine, store }
  }

  it("lockAction 'end': locking the screen ends the session (screen-lock) and reports it", async () => {
    const os = new FakeOs()
    const { engine, store } = makeEngine(os)
    engine.setSetting('lockAction', 'end')
    const power = new FakePowerMonitor()
    const ended: EndResult[][] = []
    const errors: unknown[] = []
    bindPowerEvents(power, engine, { onLockEnded: (r) => ended.push(r), onError: (e) => errors.push(e) })
    os.ssh(800, ['ssh', 'admin@prod'])
    await engine.tick({ policy: true })
    const id = engine.list()[0]?.id ?? ''
    expect(id).toMatch(/^[0-9a-f]{12}$/)

    power.emit('lock-screen')
    await expect.poll(() => store.getSession(id)?.endReason).toBe('screen-lock')
    await expect.poll(() => ended.length).toBe(1)
    expect(ended[0]).toEqual([expect.objectContaining({ id, ok: true, result: 'ended' })])
    expect(store.getSession(id)).toMatchObject({ status: 'disconnected', endedBy: 'screen-lock' })
    expect(os.signals).toEqual([[800, 'SIGTERM']])
    expect(engine.list()).toEqual([])
    expect(errors).toEqual([])
  })

  it("lockAction 'end' with no sessions: nothing to report", async () => {
    const os = new FakeOs()
    const { engine } = makeEngine(os)
    engine.setSetting('lockAction', 'end')
    const power = new FakePowerMonitor()
    const ended: EndResult[][] = []
    bindPowerEvents(power, engine, { onLockEnded: (r) => ended.push(r) })
    await engine.tick({ policy: true })
    power.emit('lock-screen')
    await settle()
    await engine.tick({ policy: true })
    expect(ended).toEqual([])
  })

  it("lockAction 'away': keep-alives no longer keep the session active; after unlock, traffic does", async () => {
    const os = new FakeOs()
    const { engine, store } = makeEngine(os)
    setIdlePolicy(engine)
    expect(engine.getSettings().lockAction).toBe('away')
    const power = new FakePowerMonitor()
    const ended: EndResult[][] = []
    bindPowerEvents(power, engine, { onLockEnded: (r) => ended.push(r) })
    os.ssh(810, ['ssh', 'keepalive'])
    await engine.tick({ policy: true })
    const id = engine.list()[0]?.id ?? ''

    power.emit('lock-screen')
    await settle()
    for (let t = 1; t <= 9; t++) {
      os.now += 30 * S // ServerAliveInterval 30
      os.traffic.set(810, os.now)
      await engine.tick({ policy: true })
    }
    // 4.5 min after the lock: still inside idleAfter (5 min)
    expect(engine.list()[0]?.status).toBe('active')
    for (let t = 1; t <= 3; t++) {
      os.now += 30 * S
      os.traffic.set(810, os.now)
      await engine.tick({ policy: true })
    }
    // 6 min after the lock, keep-alives all along: idle all the same
    expect(engine.list()[0]?.status).toBe('idle')

    power.emit('unlock-screen')
    os.now += 30 * S
    os.traffic.set(810, os.now)
    await engine.tick({ policy: true })
    expect(engine.list()[0]?.status).toBe('active')
    expect(store.events(id).map((e) => e.kind)).toEqual(['created', 'idle', 'active'])
    expect(ended).toEqual([])
    expect(os.signals).toEqual([])
  })

  it("negative control: lockAction 'nothing' stays active through 3T with traffic every T/10", async () => {
    const os = new FakeOs()
    const { engine, store } = makeEngine(os)
    setIdlePolicy(engine)
    engine.setSetting('lockAction', 'nothing')
    const power = new FakePowerMonitor()
    const ended: EndResult[][] = []
    bindPowerEvents(power, engine, { onLockEnded: (r) => ended.push(r) })
    os.ssh(811, ['ssh', 'keepalive'])
    await engine.tick({ policy: true })
    const id = engine.list()[0]?.id ?? ''

    power.emit('lock-screen')
    await settle()
    const T = 300 * S
    for (let t = 1; t <= 30; t++) {
      os.now += T / 10
      os.traffic.set(811, os.now)
      await engine.tick({ policy: true })
      expect(engine.list()[0]?.status, `after ${(t * T) / 10 / M} min`).toBe('active')
    }
    expect(store.events(id).map((e) => e.kind)).toEqual(['created'])
    expect(ended).toEqual([])
    expect(os.signals).toEqual([])
  })

  it("negative control: lockAction 'away' without a lock event stays active with keep-alives", async () => {
    const os = new FakeOs()
    const { engine } = makeEngine(os)
    setIdlePolicy(engine)
    const power = new FakePowerMonitor()
    bindPowerEvents(power, engine)
    os.ssh(812, ['ssh', 'keepalive'])
    await engine.tick({ policy: true })
    for (let t = 1; t <= 12; t++) {
      os.now += 30 * S
      os.traffic.set(812, os.now)
      await engine.tick({ policy: true })
    }
    expect(engine.list()[0]?.status).toBe('active')
  })

  it('after unbind, a lock no longer reaches the engine', async () => {
    const os = new FakeOs()
    const { engine, store } = makeEngine(os)
    engine.setSetting('lockAction', 'end')
    const power = new FakePowerMonitor()
    const unbind = bindPowerEvents(power, engine)
    os.ssh(820, ['ssh', 'stays'])
    await engine.tick({ policy: true })
    const id = engine.list()[0]?.id ?? ''
    unbind()
    power.emit('lock-screen')
    await settle()
    await engine.tick({ policy: true })
    expect(store.getSession(id)?.status).toBe('active')
    expect(os.signals).toEqual([])
  })
})
