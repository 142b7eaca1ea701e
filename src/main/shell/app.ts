// The desktop app, composed: one instance, the engine with the Electron-backed ports (input idle time,
// sleep, wake, lock), the window, the IPC, the tray and the notifications, all disposed on quit.
// Everything reaches Electron through `DesktopPorts`, so this runs under Node in the tests with fakes
// and in Electron through src/main/shell/electron.ts.
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { Settings } from '@shared/settings'
import { createEngine as defaultCreateEngine, type CreateEngineOptions } from '@engine/index'
import type { Engine } from '@engine/engine'
import { EngineError } from '@engine/errors'
import { createHandlers, forwardEvents, type Handlers } from '../api/handlers'
import { registerIpc, sendEvent, type TrustedWindow } from './ipc'
import {
  autostartDir,
  HIDDEN_ARG,
  launchCommand,
  linuxLoginItem,
  systemLoginItem,
  type LoginItem,
} from './login-item'
import { createNotifier, type Notifier } from './notifications'
import type { DesktopPorts, WindowPort } from './ports'
import { bindPowerEvents, systemIdleSource } from './power'
import { denyPermissions, guardContents, windowOptions } from './security'
import { createTray, type TrayController, type TrayState } from './tray'
import { fitToDisplays, loadWindowState, saveWindowState } from './window-state'
import { PendingWarnings } from './warnings'

/** Windows groups notifications and taskbar entries by this id; electron-builder's appId is the same. */
export const APP_ID = 'dev.sessionwarden.app'

export interface DesktopOptions {
  /** the built preload script (out/preload/index.cjs) */
  preloadPath: string
  /** the built page (out/renderer/index.html), or the dev server's address in development */
  renderer: { file: string } | { url: string }
  /** the folder holding icon.png and tray/*.png */
  resourcesDir: string
  /** where the window state file is kept (Electron's userData) */
  stateDir?: string
  argv: readonly string[]
  execPath: string
  /** the app folder, in development (electron .) */
  appPath?: string
  env?: NodeJS.ProcessEnv
  /** the engine; tests pass their own database and scope */
  createEngine?: (opts: CreateEngineOptions) => Promise<Engine>
  log?: (line: string) => void
}

export interface Desktop {
  readonly engine: Engine
  readonly tray: TrayController
  readonly notifier: Notifier
  readonly warnings: PendingWarnings
  readonly loginItem: LoginItem
  /** the main window, while it exists */
  window(): WindowPort | null
  /** shows the window (creating it if needed), on one session when given */
  openWindow(sessionId?: string): void
  /** stops everything; the app can then exit */
  dispose(): Promise<void>
}

function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e)
}

/**
 * Starts the desktop app. Returns null when another instance already runs (that one is asked to
 * show its window) or when the engine could not start (the user was told why).
 */
export async function startDesktop(ports: DesktopPorts, opts: DesktopOptions): Promise<Desktop | null> {
  const { app } = ports
  const log = opts.log ?? ((line: string) => console.error(line))
  if (ports.platform === 'win32') app.setAppUserModelId(APP_ID)
  if (!app.requestSingleInstanceLock()) {
    app.quit()
    return null
  }
  await app.whenReady()

  let engine: Engine
  try {
    engine = await (opts.createEngine ?? defaultCreateEngine)({
      actor: 'app',
      systemIdle: systemIdleSource(ports.powerMonitor),
    })
  } catch (e) {
    await ports.messageBox({
      type: 'warning',
      title: 'Session Warden',
      message: 'Session Warden could not open its database.',
      detail: describe(e),
      buttons: ['Quit'],
      defaultId: 0,
      cancelId: 0,
    })
    app.exit(1)
    return null
  }
  engine.on('error', (e) => log(`engine: ${e.message}`))

  const appUrl = 'url' in opts.renderer ? opts.renderer.url : pathToFileURL(opts.renderer.file).href
  const stateFile = opts.stateDir === undefined ? null : join(opts.stateDir, 'window-state.json')
  const startHidden = opts.argv.includes(HIDDEN_ARG)
  const settings = (): Settings => engine.getSettings()

  let win: WindowPort | null = null
  /** the page has subscribed to events: it subscribes before it first asks for the sessions */
  let pageReady = false
  /** a session to show once the page is ready (a notification click that created the window) */
  let pendingShow: string | null = null
  let quitting = false
  let stopForwarding: (() => void) | null = null
  const trusted: TrustedWindow = {
    appUrl,
    contents: () => (win === null || win.isDestroyed() ? null : win.webContents),
  }

  const rememberBounds = (w: WindowPort): void => {
    if (stateFile === null || w.isDestroyed()) return
    try {
      saveWindowState(stateFile, { ...w.getNormalBounds(), maximized: w.isMaximized() })
    } catch (e) {
      log(`window state: ${describe(e)}`)
    }
  }

  const createWindow = (): { window: WindowPort; loaded: Promise<void> } => {
    const saved = stateFile === null ? null : loadWindowState(stateFile)
    const w = ports.createWindow(
      windowOptions({
        preload: opts.preloadPath,
        icon: join(opts.resourcesDir, 'icon.png'),
        bounds: fitToDisplays(saved, ports.displays()),
      }),
    )
    if (saved?.maximized) w.maximize()
    denyPermissions(w.webContents.session)
    guardContents(w.webContents, {
      appUrl,
      openExternal: (url) => ports.openExternal(url),
      onBlocked: (what, url) => log(`blocked ${what} ${url.slice(0, 200)}`),
    })
    let saveTimer: NodeJS.Timeout | null = null
    const saveSoon = (): void => {
      if (saveTimer) clearTimeout(saveTimer)
      saveTimer = setTimeout(() => rememberBounds(w), 500)
      saveTimer.unref()
    }
    w.on('resize', saveSoon)
    w.on('move', saveSoon)
    w.on('close', (event) => {
      rememberBounds(w)
      let toTray = true
      try {
        toTray = settings().closeToTray
      } catch (e) {
        log(`settings: ${describe(e)}`)
      }
      if (!quitting && toTray) {
        event.preventDefault()
        w.hide()
      }
    })
    w.on('closed', () => {
      if (saveTimer) clearTimeout(saveTimer)
      stopForwarding?.()
      stopForwarding = null
      if (win === w) win = null
    })
    pageReady = false
    const contents = w.webContents
    stopForwarding = forwardEvents(engine, (channel, payload) => {
      if (!contents.isDestroyed()) contents.send(channel, payload)
    })
    const loaded = 'url' in opts.renderer ? w.loadURL(opts.renderer.url) : w.loadFile(opts.renderer.file)
    return { window: w, loaded }
  }

  const openWindow = (sessionId?: string): void => {
    let loaded: Promise<void> = Promise.resolve()
    if (win === null || win.isDestroyed()) {
      const created = createWindow()
      win = created.window
      loaded = created.loaded
    }
    const w = win
    if (w.isMinimized()) w.restore()
    w.show()
    w.focus()
    loaded.catch((e: unknown) => log(`window: ${describe(e)}`))
    if (sessionId === undefined) return
    if (pageReady) sendEvent(trusted, 'onShowSession', { id: sessionId })
    else pendingShow = sessionId
  }

  const loginItem: LoginItem =
    ports.platform === 'linux'
      ? linuxLoginItem(
          autostartDir(opts.env),
          launchCommand({
            execPath: opts.execPath,
            isPackaged: app.isPackaged,
            ...(opts.appPath === undefined ? {} : { appPath: opts.appPath }),
            ...(opts.env === undefined ? {} : { env: opts.env }),
          }),
        )
      : systemLoginItem(app)

  const base = createHandlers(engine, 'app')
  const handlers: Handlers = {
    ...base,
    // the page's first call: from now on it hears events, so a session waiting to be shown is sent
    listSessions: () => {
      const snapshot = base.listSessions()
      pageReady = true
      if (pendingShow !== null) {
        sendEvent(trusted, 'onShowSession', { id: pendingShow })
        pendingShow = null
      }
      return snapshot
    },
    // launch at login is carried out by the OS: if that fails, the setting goes back and the call fails
    setSetting: (key, value) => {
      const before = settings()
      const after = engine.setSetting(key, value)
      if (key === 'launchAtLogin' && after.launchAtLogin !== before.launchAtLogin) {
        try {
          loginItem.set(after.launchAtLogin)
        } catch (e) {
          engine.setSetting('launchAtLogin', before.launchAtLogin)
          throw new EngineError('BAD_SETTING', `launch at login could not be changed: ${describe(e)}`)
        }
      }
      return after
    },
  }
  const unregisterIpc = registerIpc(ports.ipc, handlers, trusted)

  const warnings = new PendingWarnings()
  const unfollow = warnings.follow(engine)
  const notifier = createNotifier({
    ports,
    engine,
    warnings,
    openWindow,
    icon: join(opts.resourcesDir, 'icon.png'),
    onError: (e) => log(`notification: ${describe(e)}`),
  })
  const trayIcon = (state: TrayState): string =>
    join(
      opts.resourcesDir,
      'tray',
      ports.platform === 'darwin' && state === 'none' ? 'noneTemplate.png' : `${state}.png`,
    )
  const tray = createTray({
    ports,
    icon: trayIcon,
    engine,
    warnings,
    openWindow,
    quit: () => app.quit(),
    report: (title, text) => notifier.notice(title, text),
  })
  const unbindPower = bindPowerEvents(ports.powerMonitor, engine, {
    onLockEnded: (results) => {
      const ended = results.filter((r) => r.ok).length
      if (ended > 0) notifier.notice('Screen locked', `${ended} session${ended === 1 ? '' : 's'} ended.`)
    },
    onError: (e) => log(`lock: ${describe(e)}`),
  })

  // The OS's login item follows the stored setting (the CLI may have changed it).
  try {
    const wanted = settings().launchAtLogin
    if (loginItem.isEnabled() !== wanted) loginItem.set(wanted)
  } catch (e) {
    log(`launch at login: ${describe(e)}`)
  }

  app.on('second-instance', () => openWindow())
  app.on('activate', () => openWindow())
  app.on('window-all-closed', () => {
    // reached only when closing really closed the window (not hidden to the tray)
    app.quit()
  })

  let disposing: Promise<void> | null = null
  const dispose = (): Promise<void> => {
    disposing ??= (async () => {
      quitting = true
      tray.dispose()
      notifier.dispose()
      unbindPower()
      unregisterIpc()
      unfollow()
      stopForwarding?.()
      stopForwarding = null
      if (win !== null && !win.isDestroyed()) win.destroy()
      win = null
      try {
        await engine.stop()
      } finally {
        await engine.close()
      }
    })()
    return disposing
  }
  let disposed = false
  app.on('before-quit', (event) => {
    quitting = true
    if (disposed) return
    event.preventDefault()
    dispose().then(
      () => {
        disposed = true
        app.quit()
      },
      (e: unknown) => {
        log(`quit: ${describe(e)}`)
        app.exit(1)
      },
    )
  })

  engine.start()
  if (!startHidden) openWindow()

  return {
    engine,
    tray,
    notifier,
    warnings,
    loginItem,
    window: () => win,
    openWindow,
    dispose,
  }
}
