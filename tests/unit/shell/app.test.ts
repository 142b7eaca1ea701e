import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ASSET_SCHEME } from '@shared/asset-scheme'
import type { Envelope } from '@shared/contract'
import type { SessionsSnapshot } from '@shared/contract'
import type { Engine } from '@engine/engine'
import type { CreateEngineOptions } from '@engine/index'
import { APP_ID, startDesktop, type Desktop, type DesktopOptions } from '../../../src/main/shell/app'
import { WEB_PREFERENCES } from '../../../src/main/shell/security'
import {
  FakeElectron,
  type FakeNotification,
  type FakeTray,
  type FakeWebContents,
  type FakeWindow,
} from '../../support/fake-electron'
import { engineOnFakeOs, FakeOs, S } from '../../support/fake-os'

let dir: string
let desktops: Desktop[]
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'warden-app-'))
  desktops = []
})
afterEach(async () => {
  for (const d of desktops) await d.dispose()
  rmSync(dir, { recursive: true, force: true })
})

interface Started {
  electron: FakeElectron
  desktop: Desktop
  os: FakeOs
  win: () => FakeWindow
  call: (channel: string, ...args: unknown[]) => Promise<Envelope>
}

/** the options of a full start on `os`; `engines` collects every engine it creates */
function options(
  os: FakeOs,
  opts: { argv?: string[]; log?: (line: string) => void; engines?: Engine[] } = {},
): DesktopOptions {
  const createEngine = (o: CreateEngineOptions): Promise<Engine> => {
    const { engine } = engineOnFakeOs(os, join(dir, 'w.db'), o)
    opts.engines?.push(engine)
    return Promise.resolve(engine)
  }
  return {
    preloadPath: '/app/out/preload/index.cjs',
    renderer: { file: '/app/out/renderer/index.html' },
    resourcesDir: '/app/resources',
    stateDir: dir,
    argv: opts.argv ?? ['electron', '.'],
    execPath: '/usr/lib/electron/electron',
    appPath: '/app',
    env: { XDG_CONFIG_HOME: join(dir, 'config') },
    createEngine,
    log: opts.log ?? (() => undefined),
  }
}

async function start(
  opts: {
    platform?: NodeJS.Platform
    argv?: string[]
    os?: FakeOs
    electron?: FakeElectron
    log?: (line: string) => void
  } = {},
): Promise<Started> {
  const electron = opts.electron ?? new FakeElectron(opts.platform ?? 'linux', join(dir, 'userData'))
  const os = opts.os ?? new FakeOs()
  const desktop = await startDesktop(electron, options(os, opts))
  if (!desktop) throw new Error('the app did not start')
  desktops.push(desktop)
  const win = (): FakeWindow => {
    const w = electron.windows.at(-1)
    if (!w) throw new Error('no window')
    return w
  }
  const call = async (channel: string, ...args: unknown[]): Promise<Envelope> =>
    (await electron.ipc.invoke(channel, win().webContents.ipcEvent(), ...args)) as Envelope
  return { electron, desktop, os, win, call }
}

/** options for a start that never gets as far as the engine */
function bare(createEngine: DesktopOptions['createEngine']): DesktopOptions {
  return {
    preloadPath: 'p',
    renderer: { file: '/x/index.html' },
    resourcesDir: '/r',
    argv: [],
    execPath: 'e',
    createEngine,
    log: () => undefined,
  }
}

describe('desktop app: start', () => {
  it('a second launch does not start: it quits and the first instance shows its window', async () => {
    const electron = new FakeElectron('linux')
    electron.app.lock = false
    let engines = 0
    const d = await startDesktop(
      electron,
      bare(() => {
        engines++
        return Promise.reject(new Error('must not be called'))
      }),
    )
    expect(d).toBeNull()
    expect(electron.app.quitCalls).toBe(1)
    expect(electron.windows).toEqual([])
    expect(electron.trays).toEqual([])
    expect(engines).toBe(0)

    const first = await start()
    first.win().hide()
    first.electron.app.emit('second-instance')
    expect(first.win().visible).toBe(true)
    expect(first.win().focused).toBeGreaterThan(0)
  })

  it('opens one secure window on the built page, with a tray and every IPC call registered', async () => {
    const { electron, win } = await start()
    expect(electron.windows).toHaveLength(1)
    expect(win().options.webPreferences).toStrictEqual({
      preload: '/app/out/preload/index.cjs',
      ...WEB_PREFERENCES,
    })
    expect(win().loadedFile).toBe('/app/out/renderer/index.html')
    expect(win().visible).toBe(true)
    expect(win().webContents.openHandler).not.toBeNull()
    expect(win().webContents.session.request).not.toBeNull()
    expect(win().webContents.listenerCount('will-navigate')).toBe(1)
    expect(electron.trays).toHaveLength(1)
    expect(electron.menu.labels()[0]).toBe('No remote sessions [disabled]')
    expect(electron.ipc.handlers.size).toBeGreaterThan(10)
    expect(electron.app.appUserModelId).toBeNull()
    // the built window's .wasm over warden-asset: (a file:// page cannot fetch file://)
    expect([...electron.protocol.handlers.keys()]).toEqual([ASSET_SCHEME])
  })

  it('on Windows it sets the AppUserModelID notifications need', async () => {
    const { electron } = await start({ platform: 'win32' })
    expect(electron.app.appUserModelId).toBe(APP_ID)
  })

  it('launched at login (--hidden) it starts in the tray; a tray click opens the window', async () => {
    const { electron } = await start({ argv: ['session-warden', '--hidden'] })
    expect(electron.windows).toEqual([])
    electron.trays[0]?.emit('click')
    expect(electron.windows).toHaveLength(1)
    expect(electron.windows[0]?.visible).toBe(true)
  })

  it('a database it cannot open is explained in a dialog, and the app exits', async () => {
    const electron = new FakeElectron('linux')
    const d = await startDesktop(
      electron,
      bare(() => Promise.reject(new Error('the database was written by a newer Session Warden'))),
    )
    expect(d).toBeNull()
    expect(electron.dialogs[0]).toMatchObject({
      message: 'Session Warden could not open its database.',
      detail: 'the database was written by a newer Session Warden',
    })
    expect(electron.app.exitCode).toBe(1)
  })
})

describe('desktop app: the window and the engine', () => {
  it('the window lists sessions over IPC and gets the engine’s events', async () => {
    const os = new FakeOs()
    const { desktop, call, win } = await start({ os })
    os.ssh(5150, ['ssh', 'admin@prod'])
    await desktop.engine.tick()
    const reply = await call('sessions:list')
    expect(reply.ok).toBe(true)
    const snap = (reply as { ok: true; value: SessionsSnapshot }).value
    expect(snap.sessions.map((s) => s.resourceName)).toEqual(['prod'])
    expect(win().webContents.sent.map((m) => m.channel)).toContain('sessions:changed')
  })

  it('closing the window hides it to the tray; the tray opens the same window again', async () => {
    const { electron, desktop, win } = await start()
    const w = win()
    const e = w.userClose()
    expect(e.defaultPrevented).toBe(true)
    expect(w.visible).toBe(false)
    expect(desktop.window()).toBe(w)
    electron.menu.click('Open Session Warden')
    expect(electron.windows).toHaveLength(1)
    expect(w.visible).toBe(true)
  })

  it('with close-to-tray off, closing the window quits the app and disposes everything', async () => {
    const { electron, desktop, call, win } = await start()
    expect((await call('settings:set', 'closeToTray', false)).ok).toBe(true)
    win().userClose()
    expect(win().destroyed).toBe(true)
    electron.app.emit('window-all-closed')
    await expect.poll(() => electron.app.quit_).toBe(true)
    expect(electron.ipc.handlers.size).toBe(0)
    expect(electron.trays[0]?.destroyed).toBe(true)
    expect(() => desktop.engine.list()).toThrow()
  })

  it('a notification click opens the window on that session', async () => {
    const os = new FakeOs()
    const { electron, desktop } = await start({ os, argv: ['x', '--hidden'] })
    desktop.engine.setSetting('idleAfterSec', 60)
    desktop.engine.setSetting('warnAfterSec', 120)
    os.ssh(6100, ['ssh', 'quiet'])
    await desktop.engine.tick({ policy: true })
    const id = desktop.engine.list()[0]?.id ?? ''
    os.now += 121 * S
    await desktop.engine.tick({ policy: true })
    expect(electron.trays[0]?.image).toBe('/app/resources/tray/warning.png')
    const n = electron.notifications[0]
    expect(n?.options.body).toBe(
      'Session quiet has been idle for 2 minutes; it will be disconnected in 28 minutes.',
    )
    n?.click()
    const w = electron.windows[0]
    if (!w) throw new Error('no window')
    expect(w.visible).toBe(true)
    const shown = (): unknown[] => w.webContents.sent.filter((m) => m.channel === 'window:showSession')
    // a new window's page has not subscribed yet: the request waits until the page says it is ready
    expect(shown()).toEqual([])
    // listing the sessions is not readiness (the page may list before it subscribes)
    await electron.ipc.invoke('sessions:list', w.webContents.ipcEvent())
    expect(shown()).toEqual([])
    expect(await electron.ipc.invoke('window:ready', w.webContents.ipcEvent())).toEqual({
      ok: true,
      value: null,
    })
    expect(shown()).toEqual([{ channel: 'window:showSession', payload: { id } }])
    // the page is listening now: a second click is sent at once
    n?.click()
    expect(shown()).toHaveLength(2)
  })

  it('a new window waits for its own page: the closed page’s readiness does not carry over', async () => {
    const { electron, desktop, call, win } = await start()
    expect((await call('window:ready')).ok).toBe(true)
    const first = win()
    first.destroy()
    desktop.openWindow('0123456789ab')
    const second = win()
    expect(second).not.toBe(first)
    const shown = (): unknown[] => second.webContents.sent.filter((m) => m.channel === 'window:showSession')
    expect(shown()).toEqual([])
    // the closed window's page cannot say ready for the new one
    await electron.ipc.invoke('window:ready', first.webContents.ipcEvent())
    expect(shown()).toEqual([])
    expect((await call('window:ready')).ok).toBe(true)
    expect(shown()).toEqual([{ channel: 'window:showSession', payload: { id: '0123456789ab' } }])
  })

  it('the idle source is the OS input idle time: with "count me away", an idle computer idles sessions', async () => {
    const os = new FakeOs()
    const { electron, desktop } = await start({ os })
    desktop.engine.setSetting('idleAfterSec', 60)
    desktop.engine.setSetting('awayWhenSystemIdle', true)
    os.ssh(6200, ['ssh', 'keepalive'])
    await desktop.engine.tick()
    electron.powerMonitor.idleSeconds = 600
    os.now += 90 * S
    os.traffic.set(6200, os.now)
    await desktop.engine.tick()
    expect(desktop.engine.list()[0]?.status).toBe('idle')
    electron.powerMonitor.idleSeconds = 0
    os.now += 1 * S
    os.traffic.set(6200, os.now)
    await desktop.engine.tick()
    expect(desktop.engine.list()[0]?.status).toBe('active')
  })
})

describe('desktop app: settings the OS carries out', () => {
  it('launch at login on Linux writes and removes the autostart entry', async () => {
    const { call } = await start({ platform: 'linux' })
    const file = join(dir, 'config', 'autostart', 'session-warden.desktop')
    expect(existsSync(file)).toBe(false)
    expect((await call('settings:set', 'launchAtLogin', true)).ok).toBe(true)
    expect(readFileSync(file, 'utf8')).toContain('Exec=/usr/lib/electron/electron /app --hidden')
    expect((await call('settings:set', 'launchAtLogin', false)).ok).toBe(true)
    expect(existsSync(file)).toBe(false)
  })

  it('launch at login on macOS and Windows goes through the OS login items', async () => {
    const { electron, call } = await start({ platform: 'darwin' })
    expect((await call('settings:set', 'launchAtLogin', true)).ok).toBe(true)
    expect(electron.app.loginItem).toEqual({ openAtLogin: true, openAsHidden: true, args: ['--hidden'] })
  })

  it('when the OS refuses, the setting stays as it was and the call says why', async () => {
    const { desktop, call } = await start({ platform: 'linux' })
    // a file where the autostart folder should be: the entry cannot be written
    const { writeFileSync, mkdirSync } = await import('node:fs')
    mkdirSync(join(dir, 'config'), { recursive: true })
    writeFileSync(join(dir, 'config', 'autostart'), 'not a folder')
    const reply = await call('settings:set', 'launchAtLogin', true)
    expect(reply).toMatchObject({ ok: false, error: { code: 'BAD_SETTING' } })
    expect(desktop.engine.getSettings().launchAtLogin).toBe(false)
  })

  it('the window comes back where it was', async () => {
    const first = await start()
    first.win().bounds = { x: 200, y: 150, width: 1100, height: 700 }
    first.win().userClose()
    await first.desktop.dispose()
    desktops = []
    const second = await start()
    expect(second.win().options).toMatchObject({ x: 200, y: 150, width: 1100, height: 700 })
  })
})

/** every fake Electron object that still has listeners, with them (empty: nothing left behind) */
function stillListening(electron: FakeElectron): Record<string, Record<string, number>> {
  const emitters: [string, { listening(): Record<string, number> }][] = [
    ['app', electron.app],
    ['powerMonitor', electron.powerMonitor],
    ...electron.trays.map((t, i) => [`tray ${i}`, t] as [string, FakeTray]),
    ...electron.windows.map((w, i) => [`window ${i}`, w] as [string, FakeWindow]),
    ...electron.windows.map((w, i) => [`webContents ${i}`, w.webContents] as [string, FakeWebContents]),
    ...electron.notifications.map((n, i) => [`notification ${i}`, n] as [string, FakeNotification]),
  ]
  const left: Record<string, Record<string, number>> = {}
  for (const [name, e] of emitters) if (Object.keys(e.listening()).length > 0) left[name] = e.listening()
  return left
}

/** a session warned about (a notification with its listeners) and a notice, in a started app */
async function busyApp(log?: (line: string) => void): Promise<Started> {
  const os = new FakeOs()
  const started = await start({ os, ...(log === undefined ? {} : { log }) })
  const { desktop } = started
  desktop.engine.setSetting('idleAfterSec', 60)
  desktop.engine.setSetting('warnAfterSec', 120)
  os.ssh(6300, ['ssh', 'quiet'])
  await desktop.engine.tick({ policy: true })
  os.now += 121 * S
  await desktop.engine.tick({ policy: true })
  desktop.notifier.notice('Session Warden', 'a notice')
  expect(started.electron.notifications).toHaveLength(2)
  return started
}

describe('desktop app: quitting undoes everything it set up', () => {
  it('after quit no fake Electron object keeps a listener of ours, no IPC handler stays, the engine is closed', async () => {
    const { electron, desktop } = await busyApp()
    // the control: while running, every one of them is listened to
    expect(Object.keys(stillListening(electron)).sort()).toEqual(
      [
        'app',
        'notification 0',
        'notification 1',
        'powerMonitor',
        'tray 0',
        'webContents 0',
        'window 0',
      ].sort(),
    )
    const engine = desktop.engine
    electron.app.quit()
    await expect.poll(() => electron.app.quit_).toBe(true)
    expect(stillListening(electron)).toEqual({})
    expect(electron.ipc.handlers.size).toBe(0)
    expect(electron.protocol.handlers.size).toBe(0)
    expect(engine.eventNames()).toEqual([])
    expect(() => engine.list()).toThrow()
    expect(electron.app.exitCode).toBeNull()
  })

  it('a disposer that throws does not stop the others: the rest is undone, the failure logged, exit 1', async () => {
    const lines: string[] = []
    const { electron, desktop } = await busyApp((line) => lines.push(line))
    const tray = electron.trays[0]
    if (!tray) throw new Error('no tray')
    tray.destroy = () => {
      throw new Error('the tray was already gone')
    }
    const engine = desktop.engine
    electron.app.quit()
    await expect.poll(() => electron.app.exitCode).toBe(1)
    expect(lines).toContain('quit: 1 disposer failed: the tray was already gone')
    // what was set up before the tray and after it is undone all the same
    expect(electron.ipc.handlers.size).toBe(0)
    expect(stillListening(electron)).toEqual({})
    expect(() => engine.list()).toThrow()
    expect(electron.windows[0]?.destroyed).toBe(true)
    // its dispose() keeps reporting the failure: not one for afterEach
    desktops.splice(desktops.indexOf(desktop), 1)
  })

  it('a start that fails half-way leaves nothing behind: listeners, IPC handlers, the open database', async () => {
    const electron = new FakeElectron('linux', join(dir, 'userData'))
    electron.createTray = () => {
      throw new Error('no system tray')
    }
    const engines: Engine[] = []
    await expect(startDesktop(electron, options(new FakeOs(), { engines }))).rejects.toThrow('no system tray')
    expect(electron.ipc.handlers.size).toBe(0)
    expect(stillListening(electron)).toEqual({})
    expect(engines).toHaveLength(1)
    expect(() => engines[0]?.list()).toThrow()
  })

  it('Desktop.dispose() twice runs the teardown once; quitting afterwards goes straight through', async () => {
    const { electron, desktop } = await start()
    const first = desktop.dispose()
    expect(desktop.dispose()).toBe(first)
    await first
    expect(electron.trays[0]?.destroyed).toBe(true)
    electron.app.quit()
    expect(electron.app.quit_).toBe(true)
  })
})
