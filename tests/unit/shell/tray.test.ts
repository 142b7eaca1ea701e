import { EventEmitter } from 'node:events'
import { afterEach, describe, expect, it } from 'vitest'
import type { EndResult, Session } from '@shared/model'
import type { EngineEvents } from '@engine/engine'
import {
  createTray,
  endAllMessage,
  trayView,
  TRAY_MAX_SESSIONS,
  type TrayController,
} from '../../../src/main/shell/tray'
import { PendingWarnings } from '../../../src/main/shell/warnings'
import { FakeElectron } from '../../support/fake-electron'
import { makeSession } from '../../renderer/support/sessions'

const NOW = Date.parse('2026-03-04T15:10:00.000Z')
const START = '2026-03-04T14:05:00.000Z' // 1h 05m before NOW

/** The engine as the tray sees it: a list, end, endMany and its events. */
class TrayEngine extends EventEmitter<EngineEvents> {
  sessions: Session[] = []
  ended: { ids: string[]; actor: string }[] = []
  failWith: string | null = null
  listCalls = 0
  list(): Session[] {
    this.listCalls++
    return this.sessions
  }
  private result(id: string): EndResult {
    return this.failWith === null
      ? { id, ok: true, result: 'ended' }
      : { id, ok: false, result: 'failed', error: this.failWith }
  }
  end(id: string, actor = 'app'): Promise<EndResult> {
    this.ended.push({ ids: [id], actor })
    return Promise.resolve(this.result(id))
  }
  endMany(ids: readonly string[], actor = 'app'): Promise<EndResult[]> {
    this.ended.push({ ids: [...ids], actor })
    return Promise.resolve(ids.map((id) => this.result(id)))
  }
  set(sessions: Session[]): void {
    this.sessions = sessions
    this.emit('changed', sessions)
  }
}

describe('trayView (what the tray shows)', () => {
  it('with no sessions: the grey icon, a count line, End all disabled, Open and Quit', () => {
    const v = trayView([], new Set(), NOW)
    expect(v.state).toBe('none')
    expect(v.tooltip).toBe('Session Warden: No remote sessions')
    expect(v.items.map((i) => (i.type === 'separator' ? '---' : i.label))).toEqual([
      'No remote sessions',
      '---',
      'End all sessions…',
      'Open Session Warden',
      '---',
      'Quit Session Warden',
    ])
    expect(v.items.find((i) => i.type === 'normal' && i.label === 'End all sessions…')).toMatchObject({
      enabled: false,
    })
  })

  it('lists each session newest first with type, name and duration, and an End action', () => {
    const a = makeSession({ resourceName: 'prod-db', startTime: START, status: 'active' })
    const b = makeSession({
      resourceName: 'win-jump',
      resourceType: 'rdp',
      startTime: '2026-03-04T15:00:00.000Z',
      status: 'idle',
    })
    const v = trayView([a, b], new Set(), NOW)
    expect(v.state).toBe('active')
    expect(v.tooltip).toBe('Session Warden: 1 active · 1 idle')
    const subs = v.items.filter((i) => i.type === 'submenu')
    expect(subs.map((s) => s.label)).toEqual(['RDP · win-jump · 10m (idle)', 'SSH · prod-db · 1h 05m'])
    expect(subs[1]?.submenu).toEqual([
      {
        type: 'normal',
        label: `alice@${a.host} · ${a.ipAddress} · ${a.location}`,
        enabled: false,
      },
      { type: 'normal', label: 'Show in Session Warden', enabled: true, action: { type: 'show', id: a.id } },
      { type: 'normal', label: 'End session', enabled: true, action: { type: 'end', id: a.id } },
    ])
  })

  it('a pending idle warning turns the icon to warning and is named in the tooltip', () => {
    const a = makeSession({ resourceName: 'prod-db', startTime: START, status: 'idle' })
    const v = trayView([a], new Set([a.id]), NOW)
    expect(v.state).toBe('warning')
    expect(v.tooltip).toBe('Session Warden: 0 active · 1 idle; idle warning for prod-db')
    expect(v.items.find((i) => i.type === 'submenu')?.label).toBe('SSH · prod-db · 1h 05m (idle, warning)')
  })

  it('a session being recorded is marked in the menu and the tooltip; a finished recording is not', () => {
    const rec = makeSession({
      resourceName: 'win-jump',
      resourceType: 'rdp',
      startTime: START,
      recording: { id: 1, kind: 'rdp-video', status: 'recording' },
    })
    const done = makeSession({
      resourceName: 'prod-db',
      startTime: START,
      recording: { id: 2, kind: 'ssh-cast', status: 'complete' },
    })
    const v = trayView([rec, done], new Set([rec.id]), NOW)
    expect(v.recording).toBe(1)
    expect(v.tooltip).toBe('Session Warden: 2 active · 0 idle; idle warning for win-jump; recording win-jump')
    expect(v.items[1]).toEqual({ type: 'normal', label: '● Recording 1 session', enabled: false })
    const labels = v.items.filter((i) => i.type === 'submenu').map((i) => i.label)
    expect(labels).toContain('RDP · win-jump · 1h 05m (warning, recording)')
    expect(labels).toContain('SSH · prod-db · 1h 05m')
    const none = trayView([done], new Set(), NOW)
    expect(none.recording).toBe(0)
    expect(none.items.some((i) => i.type === 'normal' && i.label.startsWith('● Recording'))).toBe(false)
  })

  it('a session in the everyday browser cannot be ended from the tray, and says why', () => {
    const web = makeSession({ resourceType: 'web', endable: false, flags: ['in-browser'] })
    const v = trayView([web], new Set(), NOW)
    const sub = v.items.find((i) => i.type === 'submenu')
    expect(sub?.type === 'submenu' ? sub.submenu[2] : null).toEqual({
      type: 'normal',
      label: 'End session (open in your browser: close its tab)',
      enabled: false,
    })
    expect(v.items.find((i) => i.type === 'normal' && i.label === 'End all sessions…')).toMatchObject({
      enabled: false,
    })
  })

  it(`lists at most ${TRAY_MAX_SESSIONS} sessions; the rest open the window`, () => {
    const many = Array.from({ length: TRAY_MAX_SESSIONS + 3 }, () => makeSession())
    const v = trayView(many, new Set(), NOW)
    expect(v.items.filter((i) => i.type === 'submenu')).toHaveLength(TRAY_MAX_SESSIONS)
    expect(v.items.find((i) => i.type === 'normal' && i.label === '3 more sessions…')).toMatchObject({
      action: { type: 'open' },
    })
  })

  it('ended sessions are not listed', () => {
    const v = trayView([makeSession({ status: 'disconnected' })], new Set(), NOW)
    expect(v.state).toBe('none')
    expect(v.items.some((i) => i.type === 'submenu')).toBe(false)
  })

  it('End all asks with the count in the window’s words', () => {
    expect(endAllMessage(3)).toEqual({
      message: 'End all 3 sessions?',
      detail:
        'This will immediately terminate all 3 active sessions. Any unsaved work may be lost. Are you sure you want to continue?',
      confirm: 'End 3 sessions',
    })
    expect(endAllMessage(1)).toEqual({
      message: 'End 1 session?',
      detail:
        'This will immediately terminate the 1 active session. Any unsaved work may be lost. Are you sure you want to continue?',
      confirm: 'End 1 session',
    })
  })
})

describe('tray controller (through a fake Electron tray and menu)', () => {
  let tray: TrayController | null = null
  afterEach(() => {
    tray?.dispose()
    tray = null
  })

  function start(): {
    electron: FakeElectron
    engine: TrayEngine
    warnings: PendingWarnings
    opened: (string | undefined)[]
    reports: string[]
    quits: number[]
  } {
    const electron = new FakeElectron('linux')
    const engine = new TrayEngine()
    const warnings = new PendingWarnings()
    const opened: (string | undefined)[] = []
    const reports: string[] = []
    const quits: number[] = []
    tray = createTray({
      ports: electron,
      icon: (state) => `/res/tray/${state}.png`,
      engine,
      warnings,
      openWindow: (id) => opened.push(id),
      quit: () => quits.push(1),
      report: (title, text) => reports.push(`${title}: ${text}`),
      now: () => NOW,
    })
    return { electron, engine, warnings, opened, reports, quits }
  }

  it('builds the menu at once and rebuilds it only when what it shows changes', () => {
    const { electron, engine } = start()
    const t = electron.trays[0]
    expect(t?.image).toBe('/res/tray/none.png')
    expect(t?.menusBuilt).toBe(1)
    const s = makeSession({ resourceName: 'prod-db', startTime: START })
    engine.set([s])
    expect(t?.menusBuilt).toBe(2)
    expect(t?.image).toBe('/res/tray/active.png')
    expect(electron.menu.labels()).toContain('SSH · prod-db · 1h 05m')
    engine.set([{ ...s }]) // same content
    expect(t?.menusBuilt).toBe(2)
    engine.set([])
    expect(t?.image).toBe('/res/tray/none.png')
    expect(electron.menu.labels()[0]).toBe('No remote sessions [disabled]')
  })

  it('shows the warning icon while a warning is pending, and back when it is answered', () => {
    const { electron, engine, warnings } = start()
    const s = makeSession({ status: 'idle', startTime: START })
    engine.set([s])
    warnings.warn(s, { idleMs: 600_000, disconnectInMs: 1_200_000 })
    expect(electron.trays[0]?.image).toBe('/res/tray/warning.png')
    warnings.clear(s.id)
    expect(electron.trays[0]?.image).toBe('/res/tray/active.png')
    // drawn from what the engine announced: read once at start, never again for a warning or a redraw
    tray?.refresh()
    expect(engine.listCalls).toBe(1)
  })

  it('End on a session ends it as the tray; a failure is reported', async () => {
    const { electron, engine, reports } = start()
    const s = makeSession({ resourceName: 'prod-db', startTime: START })
    engine.set([s])
    await tray?.run({ type: 'end', id: s.id })
    expect(engine.ended).toEqual([{ ids: [s.id], actor: 'tray' }])
    engine.failWith = 'permission denied'
    electron.menu.click('End session')
    await expect.poll(() => reports).toEqual(['Could not end prod-db: permission denied'])
  })

  it('End all asks first; Cancel ends nothing; confirming ends exactly the sessions counted', async () => {
    const { electron, engine } = start()
    const a = makeSession()
    const b = makeSession()
    const browser = makeSession({ resourceType: 'web', endable: false })
    engine.set([a, b, browser])
    electron.dialogAnswer = 0
    await tray?.run({ type: 'end-all' })
    expect(electron.dialogs[0]).toMatchObject({
      type: 'warning',
      title: 'End All Sessions',
      message: 'End all 2 sessions?',
      buttons: ['Cancel', 'End 2 sessions'],
      defaultId: 0,
      cancelId: 0,
    })
    expect(engine.ended).toEqual([])
    electron.dialogAnswer = 1
    await tray?.run({ type: 'end-all' })
    expect(engine.ended).toEqual([{ ids: [a.id, b.id], actor: 'tray' }])
  })

  it('left click and Open show the window; Show opens it on the session; Quit quits', async () => {
    const { electron, engine, opened, quits } = start()
    const s = makeSession()
    engine.set([s])
    electron.trays[0]?.emit('click')
    electron.menu.click('Open Session Warden')
    electron.menu.click('Show in Session Warden')
    electron.menu.click('Quit Session Warden')
    await expect.poll(() => quits).toEqual([1])
    expect(opened).toEqual([undefined, undefined, s.id])
  })

  it('disposing destroys the tray and stops following the engine', () => {
    const { electron, engine } = start()
    tray?.dispose()
    expect(electron.trays[0]?.destroyed).toBe(true)
    expect(engine.listenerCount('changed')).toBe(0)
    const built = electron.trays[0]?.menusBuilt
    engine.set([makeSession()])
    expect(electron.trays[0]?.menusBuilt).toBe(built)
  })
})
