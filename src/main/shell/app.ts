// The desktop app, composed: one instance, the engine with the Electron-backed ports (input idle time,
// sleep, wake, lock), the window, the IPC, the tray and the notifications. Each piece registers its
// undoing in one Disposables as it is set up; quitting undoes them newest first.
// Everything reaches Electron through `DesktopPorts`, so this runs under Node in the tests with fakes
// and in Electron through src/main/shell/electron.ts.
import { dirname, join } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { Settings } from '@shared/settings'
import { desktopFleet } from '../fleet/desktop'
import type { FleetSource } from '../api/fleet-handlers'
import { createEngine as defaultCreateEngine, type CreateEngineOptions } from '@engine/index'
import type { Engine } from '@engine/engine'
import type { ReopenNotice } from '@engine/store/types'
import { EngineError } from '@engine/errors'
import { createHandlers, type Handlers } from '../api/handlers'
import { serveAssets } from './asset-protocol'
import { Disposables } from './disposables'
import { registerIpc } from './ipc'
import {
  autostartDir,
  HIDDEN_ARG,
  launchCommand,
  linuxLoginItem,
  systemLoginItem,
  type LoginItem,
} from './login-item'
import { createNotifier, type Notifier } from './notifications'
import type { Cancelable, DesktopPorts, WindowPort } from './ports'
import { bindPowerEvents, systemIdleSource } from './power'
import { createTray, type TrayController, type TrayState } from './tray'
import { createWindowHost, type WindowHost } from './window'
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

/** The engine, or null when it could not start: the user was told why and the app is exiting. */
async function openEngine(ports: DesktopPorts, opts: DesktopOptions): Promise<Engine | null> {
  try {
    return await (opts.createEngine ?? defaultCreateEngine)({
      actor: 'app',
      systemIdle: systemIdleSource(ports.powerMonitor),
      // Report suspicious session opens the mail client through Electron's shell (anomaly/contact.ts)
      contact: { openExternal: (url) => ports.openExternal(url) },
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
    ports.app.exit(1)
    return null
  }
}

function loginItemFor(ports: DesktopPorts, opts: DesktopOptions): LoginItem {
  if (ports.platform !== 'linux') return systemLoginItem(ports.app)
  return linuxLoginItem(
    autostartDir(opts.env),
    launchCommand({
      execPath: opts.execPath,
      isPackaged: ports.app.isPackaged,
      ...(opts.appPath === undefined ? {} : { appPath: opts.appPath }),
      ...(opts.env === undefined ? {} : { env: opts.env }),
    }),
  )
}

/**
 * The contract's handlers for the desktop: the page's readiness goes to the window, and launch at login
 * is carried out by the OS (if that fails, the setting goes back and the call fails).
 */
function desktopHandlers(
  engine: Engine,
  windows: WindowHost,
  loginItem: LoginItem,
  fleet: FleetSource,
): Handlers {
  return {
    ...createHandlers(engine, 'app', fleet),
    pageReady: () => {
      windows.pageReady()
      return null
    },
    setSetting: (key, value) => {
      const before = engine.getSettings()
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
}

/**
 * Listens to the app: a second launch or a dock click shows the window, closing the last window (not
 * hidden to the tray) quits, and quitting waits for `dispose`. Registered before the engine's stop, so
 * these are removed only once the engine has stopped: until then before-quit keeps holding the quit,
 * and window-all-closed (the window is destroyed first) is still ours, not Electron's default quit.
 */
function listenToApp(
  scope: Disposables,
  app: DesktopPorts['app'],
  show: () => void,
  quit: { begin(): void; dispose(): Promise<void>; log(line: string): void },
): void {
  scope.addListener(app, 'second-instance', show)
  scope.addListener(app, 'activate', show)
  scope.addListener(app, 'window-all-closed', () => app.quit())
  scope.addListener(app, 'before-quit', (event: Cancelable) => {
    quit.begin()
    event.preventDefault()
    quit.dispose().then(
      // this listener is gone by now: the quit goes through
      () => app.quit(),
      (e: unknown) => {
        quit.log(`quit: ${describe(e)}`)
        app.exit(1)
      },
    )
  })
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
  const engine = await openEngine(ports, opts)
  if (engine === null) return null
  const scope = new Disposables((e) => log(`dispose: ${describe(e)}`))
  scope.add(() => engine.close())
  try {
    return compose(ports, opts, engine, scope, log)
  } catch (e) {
    // a start that failed half-way leaves nothing behind (listeners, IPC handlers, an open database)
    await scope.dispose().catch((d: unknown) => log(`dispose: ${describe(d)}`))
    throw e
  }
}

/**
 * Everything but the engine, each piece registering its undoing in `scope` as it is set up. Undone
 * newest first: the window and the UI, then the engine's loop, then the app's listeners, then (already
 * in `scope`) the database.
 */
function compose(
  ports: DesktopPorts,
  opts: DesktopOptions,
  engine: Engine,
  scope: Disposables,
  log: (line: string) => void,
): Desktop {
  const { app } = ports
  scope.addListener(engine, 'error', (e: Error) => log(`engine: ${e.message}`))
  scope.addListener(engine, 'reopened', (n: ReopenNotice) => log(`database: ${n.message}`))
  let quitting = false
  const settings = (): Settings => engine.getSettings()
  const icon = join(opts.resourcesDir, 'icon.png')
  const windows = createWindowHost({
    ports,
    engine,
    preloadPath: opts.preloadPath,
    renderer: opts.renderer,
    appUrl: 'url' in opts.renderer ? opts.renderer.url : pathToFileURL(opts.renderer.file).href,
    icon,
    stateFile: opts.stateDir === undefined ? null : join(opts.stateDir, 'window-state.json'),
    settings,
    quitting: () => quitting,
    log,
  })
  // the built window's .wasm (the recording player's terminal): a file:// page cannot fetch it itself
  if (ports.protocol && 'file' in opts.renderer)
    scope.add(serveAssets(ports.protocol, join(dirname(opts.renderer.file), 'assets')))
  const openWindow = (sessionId?: string): void => windows.open(sessionId)
  const dispose = (): Promise<void> => scope.dispose()
  listenToApp(scope, app, () => openWindow(), { begin: () => (quitting = true), dispose, log })
  // awaits the ends in flight; registered now so that it runs after the UI is gone
  scope.add(() => engine.stop())

  const loginItem = loginItemFor(ports, opts)
  // the fleet membership (sealed settings) starts with the loop, below; the window joins and leaves through it
  const fleet = ports.safeStorage ? desktopFleet(engine, ports.safeStorage, log) : null
  scope.add(
    registerIpc(
      ports.ipc,
      desktopHandlers(engine, windows, loginItem, fleet ?? (() => null)),
      windows.trusted,
    ),
  )
  const warnings = new PendingWarnings()
  scope.add(warnings.follow(engine))
  const notifier = createNotifier({
    ports,
    engine,
    warnings,
    openWindow,
    icon,
    onError: (e) => log(`notification: ${describe(e)}`),
  })
  scope.add(() => notifier.dispose())
  const tray = startTray(ports, opts.resourcesDir, { engine, warnings, openWindow, notifier })
  scope.add(() => tray.dispose())
  scope.add(
    bindPowerEvents(ports.powerMonitor, engine, {
      onLockEnded: (results) => {
        const ended = results.filter((r) => r.ok).length
        if (ended > 0) notifier.notice('Screen locked', `${ended} session${ended === 1 ? '' : 's'} ended.`)
      },
      onError: (e) => log(`lock: ${describe(e)}`),
    }),
  )
  scope.add(() => {
    quitting = true
    windows.dispose()
  })

  // The OS's login item follows the stored setting (the CLI may have changed it).
  try {
    const wanted = settings().launchAtLogin
    if (loginItem.isEnabled() !== wanted) loginItem.set(wanted)
  } catch (e) {
    log(`launch at login: ${describe(e)}`)
  }

  engine.start()
  // a device that joined a fleet publishes beside the loop (src/main/fleet/desktop.ts)
  if (fleet) {
    fleet.start()
    scope.add(() => fleet.close())
  }
  if (!opts.argv.includes(HIDDEN_ARG)) openWindow()
  return { engine, tray, notifier, warnings, loginItem, window: () => windows.current(), openWindow, dispose }
}

function startTray(
  ports: DesktopPorts,
  resourcesDir: string,
  deps: Pick<Parameters<typeof createTray>[0], 'engine' | 'warnings' | 'openWindow'> & { notifier: Notifier },
): TrayController {
  const icon = (state: TrayState): string =>
    join(
      resourcesDir,
      'tray',
      ports.platform === 'darwin' && state === 'none' ? 'noneTemplate.png' : `${state}.png`,
    )
  return createTray({
    ports,
    icon,
    engine: deps.engine,
    warnings: deps.warnings,
    openWindow: deps.openWindow,
    quit: () => ports.app.quit(),
    report: (title, text) => deps.notifier.notice(title, text),
  })
}
