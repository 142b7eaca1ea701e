import { EventEmitter } from 'node:events'
import { afterEach, describe, expect, it } from 'vitest'
import { DEFAULT_SETTINGS, type Settings } from '@shared/settings'
import type { EndResult, Session } from '@shared/model'
import { durationWords } from '@shared/duration'
import { recordingStoppedText, type Recording } from '@shared/recording'
import type { EngineEvents } from '@engine/engine'
import {
  autoDisconnectText,
  createNotifier,
  idleWarningText,
  supportsActions,
  type Notifier,
} from '../../../src/main/shell/notifications'
import { PendingWarnings } from '../../../src/main/shell/warnings'
import { FakeElectron } from '../../support/fake-electron'
import { makeSession } from '../../renderer/support/sessions'

const MIN = 60_000
const MB = 1024 * 1024

function recordingRow(o: Partial<Recording> = {}): Recording {
  return {
    id: 7,
    sessionId: null,
    kind: 'rdp-video',
    file: '20261202T110000Z-000000000007.webm',
    pid: 4242,
    processStart: 1,
    startedAt: '2026-12-02T11:00:00.000Z',
    endedAt: '2026-12-02T11:05:00.000Z',
    bytes: 1000,
    durationSec: 300,
    sha256: null,
    status: 'complete',
    detail: null,
    inputRecorded: false,
    title: 'xfreerdp alice@win-desk',
    ...o,
  }
}

class NotifyEngine extends EventEmitter<EngineEvents> {
  settings: Settings = { ...DEFAULT_SETTINGS }
  calls: string[] = []
  getSettings(): Settings {
    return this.settings
  }
  keepActive(id: string, actor = 'app'): Promise<Session> {
    this.calls.push(`keep ${id} ${actor}`)
    return Promise.resolve(makeSession({ id }))
  }
  end(id: string, actor = 'app'): Promise<EndResult> {
    this.calls.push(`end ${id} ${actor}`)
    return Promise.resolve({ id, ok: true, result: 'ended' })
  }
}

describe('notification texts', () => {
  it('durations in words', () => {
    expect(durationWords(10 * MIN)).toBe('10 minutes')
    expect(durationWords(1 * MIN)).toBe('1 minute')
    expect(durationWords(20_000)).toBe('less than a minute')
    expect(durationWords(65 * MIN)).toBe('1 hour 5 minutes')
    expect(durationWords(120 * MIN)).toBe('2 hours')
    expect(durationWords(3 * 1440 * MIN + 60 * MIN)).toBe('3 days 1 hour')
    expect(durationWords(-5)).toBe('less than a minute')
  })

  it('the idle warning says how long it has been idle and when it will be cut', () => {
    expect(
      idleWarningText({ resourceName: 'prod-db' }, { idleMs: 10 * MIN, disconnectInMs: 20 * MIN }),
    ).toEqual({
      title: 'Idle session',
      body: 'Session prod-db has been idle for 10 minutes; it will be disconnected in 20 minutes.',
    })
    expect(idleWarningText({ resourceName: 'wiki' }, { idleMs: 10 * MIN, disconnectInMs: null }).body).toBe(
      'Session wiki has been idle for 10 minutes.',
    )
  })

  it('the notice after an automatic disconnect says how long it was idle', () => {
    expect(
      autoDisconnectText({
        resourceName: 'prod-db',
        lastActivity: '2026-03-04T14:00:00.000Z',
        endTime: '2026-03-04T14:30:00.000Z',
      }).body,
    ).toBe('Session prod-db was disconnected after 30 minutes idle.')
  })

  it('buttons on macOS and Windows only', () => {
    expect(supportsActions('darwin')).toBe(true)
    expect(supportsActions('win32')).toBe(true)
    expect(supportsActions('linux')).toBe(false)
  })
})

describe('notifier (through fake Electron notifications)', () => {
  let notifier: Notifier | null = null
  afterEach(() => {
    notifier?.dispose()
    notifier = null
  })

  function start(platform: NodeJS.Platform = 'darwin'): {
    electron: FakeElectron
    engine: NotifyEngine
    warnings: PendingWarnings
    opened: (string | undefined)[]
  } {
    const electron = new FakeElectron(platform)
    const engine = new NotifyEngine()
    const warnings = new PendingWarnings()
    const opened: (string | undefined)[] = []
    notifier = createNotifier({ ports: electron, engine, warnings, openWindow: (id) => opened.push(id) })
    return { electron, engine, warnings, opened }
  }

  it('an idle warning shows a notification with Keep active and End now (macOS)', async () => {
    const { electron, engine, warnings, opened } = start('darwin')
    const s = makeSession({ resourceName: 'prod-db', status: 'idle' })
    warnings.warn(s, { idleMs: 10 * MIN, disconnectInMs: 20 * MIN })
    const n = electron.notifications[0]
    expect(n?.shown).toBe(true)
    expect(n?.options).toMatchObject({
      title: 'Idle session',
      body: 'Session prod-db has been idle for 10 minutes; it will be disconnected in 20 minutes.',
      actions: [
        { type: 'button', text: 'Keep active' },
        { type: 'button', text: 'End now' },
      ],
      timeoutType: 'never',
    })
    n?.click()
    expect(opened).toEqual([s.id])
    n?.action(0)
    n?.action(1)
    await expect.poll(() => engine.calls).toEqual([`keep ${s.id} notification`, `end ${s.id} notification`])
  })

  it('on Linux there are no buttons: the click opens the window on the session', () => {
    const { electron, warnings, opened } = start('linux')
    const s = makeSession()
    warnings.warn(s, { idleMs: 10 * MIN, disconnectInMs: 20 * MIN })
    expect(electron.notifications[0]?.options.actions).toBeUndefined()
    electron.notifications[0]?.click()
    expect(opened).toEqual([s.id])
  })

  it('activity (or the end) closes the pending warning', () => {
    const { electron, warnings } = start()
    const a = makeSession()
    const b = makeSession()
    warnings.warn(a, { idleMs: 10 * MIN, disconnectInMs: 20 * MIN })
    warnings.warn(b, { idleMs: 10 * MIN, disconnectInMs: null })
    warnings.clear(a.id)
    expect(electron.notifications.map((n) => n.closed)).toEqual([true, false])
    warnings.clear(b.id)
    expect(electron.notifications.map((n) => n.closed)).toEqual([true, true])
    expect(notifier?.showing.size).toBe(0)
  })

  it('follows the engine: warned adds, status active clears', () => {
    const electron = new FakeElectron('linux')
    const engine = new NotifyEngine()
    const warnings = new PendingWarnings()
    const unfollow = warnings.follow(engine)
    notifier = createNotifier({ ports: electron, engine, warnings, openWindow: () => undefined })
    const s = makeSession({ status: 'idle' })
    engine.emit('warned', s, { idleMs: 10 * MIN, disconnectInMs: 20 * MIN })
    expect(warnings.ids()).toEqual(new Set([s.id]))
    engine.emit('status', { ...s, status: 'idle' })
    expect(electron.notifications[0]?.closed).toBe(false)
    engine.emit('status', { ...s, status: 'active' })
    expect(electron.notifications[0]?.closed).toBe(true)
    expect(warnings.ids().size).toBe(0)
    const t = makeSession({ status: 'idle' })
    engine.emit('warned', t, { idleMs: 10 * MIN, disconnectInMs: 20 * MIN })
    engine.emit('ended', { ...t, status: 'disconnected', endReason: 'user' })
    expect(electron.notifications[1]?.closed).toBe(true)
    expect(warnings.ids().size).toBe(0)
    unfollow()
    expect(engine.listenerCount('warned')).toBe(0)
  })

  it('an automatic disconnect is announced; a session the user ended is not', () => {
    const { electron, engine, opened } = start('linux')
    const idle = makeSession({
      resourceName: 'prod-db',
      status: 'disconnected',
      endReason: 'idle-timeout',
      lastActivity: '2026-03-04T14:00:00.000Z',
      endTime: '2026-03-04T14:30:00.000Z',
    })
    engine.emit('ended', idle)
    engine.emit('ended', makeSession({ status: 'disconnected', endReason: 'user' }))
    expect(electron.notifications.map((n) => n.options.body)).toEqual([
      'Session prod-db was disconnected after 30 minutes idle.',
    ])
    electron.notifications[0]?.click()
    expect(opened).toEqual([idle.id])
  })

  it('a session over a limit is announced', () => {
    const { electron, engine } = start('linux')
    engine.emit('limit', makeSession({ resourceName: 'db9' }), { limit: 2, action: 'notify' })
    expect(electron.notifications[0]?.options).toMatchObject({
      title: 'Session limit',
      body: 'db9 is over the limit of 2 SSH sessions.',
    })
  })

  it('a session that needs review is announced with its strongest reason; a click opens it', () => {
    const { electron, engine } = start('linux')
    const s = makeSession({ resourceName: 'db9' })
    engine.emit('review', s, [
      {
        rule: 'rare-hour',
        key: 'hour:ssh:3',
        reason: 'Started on a Monday between 03:00 and 03:59',
        weight: 1,
      },
      {
        rule: 'unknown-binary',
        key: 'exe:ab',
        reason: 'Client program /tmp/ssh was not installed',
        weight: 3,
      },
    ])
    expect(electron.notifications[0]?.options).toMatchObject({
      title: 'Review SSH session db9',
      body: 'Client program /tmp/ssh was not installed (+1 more). If you did not start it, report it.',
    })
    electron.notifications[0]?.click()
  })

  it('the size cap removing old recordings is announced with the text watch prints', () => {
    const { electron, engine, opened } = start('linux')
    const removed = [recordingRow({ id: 1, bytes: 3 * MB }), recordingRow({ id: 2, bytes: MB })]
    engine.emit('recordingsTrimmed', { at: 0, removed, maxMb: 10, totalBytes: 9.5 * MB, message: '' })
    expect(electron.notifications[0]?.options).toMatchObject({
      title: 'Old recordings removed',
      body: 'Recordings passed 10 MB: removed the 2 oldest (4.0 MB); 9.5 MB remain.',
    })
    electron.notifications[0]?.click()
    expect(opened).toEqual([undefined]) // the window, on no session
  })

  it('a recording stopped early is announced with its reason; the click opens its session', () => {
    const { electron, engine, opened } = start('linux')
    const s = makeSession({ resourceName: 'win-desk', resourceType: 'rdp' })
    const r = recordingRow({ status: 'failed', detail: 'the disk is full: the recording stopped there' })
    engine.emit('recordingStopped', s, r)
    expect(electron.notifications[0]?.options).toMatchObject({
      title: 'Recording stopped',
      body:
        'The recording of RDP session win-desk stopped: the disk is full: the recording stopped there. ' +
        'The session goes on; what was recorded is kept.',
    })
    expect(electron.notifications[0]?.options).toEqual(
      expect.objectContaining(recordingStoppedText(s, r)), // one text, shared with `warden watch`
    )
    electron.notifications[0]?.click()
    expect(opened).toEqual([s.id])
    notifier?.dispose()
    expect(engine.listenerCount('recordingStopped') + engine.listenerCount('recordingsTrimmed')).toBe(0)
  })

  it('nothing is shown when notifications are off, or the OS has none', () => {
    const { electron, engine, warnings } = start()
    engine.settings = { ...engine.settings, notifications: false }
    warnings.warn(makeSession(), { idleMs: 10 * MIN, disconnectInMs: 20 * MIN })
    engine.emit('ended', makeSession({ status: 'disconnected', endReason: 'idle-timeout' }))
    expect(electron.notifications).toEqual([])
    engine.settings = { ...engine.settings, notifications: true }
    electron.supported = false
    warnings.warn(makeSession(), { idleMs: 10 * MIN, disconnectInMs: 20 * MIN })
    expect(electron.notifications).toEqual([])
  })

  it('dispose closes what is on screen and stops listening', () => {
    const { electron, engine, warnings } = start()
    warnings.warn(makeSession(), { idleMs: 10 * MIN, disconnectInMs: 20 * MIN })
    notifier?.notice('Session Warden', 'hello')
    notifier?.dispose()
    expect(electron.notifications.map((n) => n.closed)).toEqual([true, true])
    expect(engine.listenerCount('ended')).toBe(0)
    warnings.warn(makeSession(), { idleMs: 10 * MIN, disconnectInMs: 20 * MIN })
    expect(electron.notifications).toHaveLength(2)
  })
})
