// The main window: created on demand, hidden to the tray on close (unless the setting says otherwise),
// its bounds remembered, the engine's events forwarded to its page, and a "show this session" request
// held back until the page has said it listens (`pageReady`, the contract's window:ready). Everything a
// window sets up is undone when it closes, through its own Disposables.
import type { Settings } from '@shared/settings'
import type { Engine } from '@engine/engine'
import { forwardEvents } from '../api/handlers'
import { Disposables } from './disposables'
import { sendEvent, type TrustedWindow } from './ipc'
import type { Cancelable, DesktopPorts, WindowPort } from './ports'
import { denyPermissions, guardContents, windowOptions } from './security'
import { fitToDisplays, loadWindowState, saveWindowState } from './window-state'

export interface WindowHostOptions {
  ports: Pick<DesktopPorts, 'createWindow' | 'displays' | 'openExternal'>
  engine: Engine
  preloadPath: string
  renderer: { file: string } | { url: string }
  /** the page's address (file:// URL of the built page, or the dev server's) */
  appUrl: string
  icon: string
  /** window-state.json, or null to not remember bounds */
  stateFile: string | null
  settings: () => Settings
  /** the app is quitting: closing the window really closes it */
  quitting: () => boolean
  log: (line: string) => void
}

export interface WindowHost {
  /** what the IPC checks a sender against */
  readonly trusted: TrustedWindow
  /** the window, while it exists */
  current(): WindowPort | null
  /** shows the window (creating it if needed), on one session when given */
  open(sessionId?: string): void
  /** the page has subscribed to its events: a session waiting to be shown is sent now */
  pageReady(): void
  /** destroys the window; nothing is opened afterwards */
  dispose(): void
}

function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e)
}

/** how long after the last move or resize the bounds are written (one write per drag, not hundreds) */
const SAVE_DELAY_MS = 500

export function createWindowHost(o: WindowHostOptions): WindowHost {
  let win: WindowPort | null = null
  /** the current page has called pageReady: events sent now are heard */
  let ready = false
  /** a session to show once the page is ready (a notification click that created the window) */
  let pendingShow: string | null = null
  let disposed = false
  const trusted: TrustedWindow = {
    appUrl: o.appUrl,
    contents: () => (win === null || win.isDestroyed() ? null : win.webContents),
  }

  const rememberBounds = (w: WindowPort): void => {
    if (o.stateFile === null || w.isDestroyed()) return
    try {
      saveWindowState(o.stateFile, { ...w.getNormalBounds(), maximized: w.isMaximized() })
    } catch (e) {
      o.log(`window state: ${describe(e)}`)
    }
  }

  const closeToTray = (): boolean => {
    try {
      return o.settings().closeToTray
    } catch (e) {
      o.log(`settings: ${describe(e)}`)
      return true
    }
  }

  /** the window's own listeners, timer and event forwarding, all undone when it closes */
  const wire = (w: WindowPort, scope: Disposables): void => {
    let saveTimer: NodeJS.Timeout | undefined
    scope.add(() => clearTimeout(saveTimer))
    const saveSoon = (): void => {
      clearTimeout(saveTimer)
      saveTimer = setTimeout(() => rememberBounds(w), SAVE_DELAY_MS)
      saveTimer.unref()
    }
    scope.addListener(w, 'resize', saveSoon)
    scope.addListener(w, 'move', saveSoon)
    scope.addListener(w, 'close', (event: Cancelable) => {
      rememberBounds(w)
      if (!o.quitting() && closeToTray()) {
        event.preventDefault()
        w.hide()
      }
    })
    const contents = w.webContents
    scope.add(
      forwardEvents(o.engine, (channel, payload) => {
        if (!contents.isDestroyed()) contents.send(channel, payload)
      }),
    )
    scope.addListener(w, 'closed', () => {
      if (win === w) win = null
      void scope.dispose().catch((e: unknown) => o.log(`window: ${describe(e)}`))
    })
  }

  const create = (): { window: WindowPort; loaded: Promise<void> } => {
    const saved = o.stateFile === null ? null : loadWindowState(o.stateFile)
    const w = o.ports.createWindow(
      windowOptions({
        preload: o.preloadPath,
        icon: o.icon,
        bounds: fitToDisplays(saved, o.ports.displays()),
      }),
    )
    if (saved?.maximized) w.maximize()
    const scope = new Disposables((e) => o.log(`window: ${describe(e)}`))
    denyPermissions(w.webContents.session)
    scope.add(
      guardContents(w.webContents, {
        appUrl: o.appUrl,
        openExternal: (url) => o.ports.openExternal(url),
        onBlocked: (what, url) => o.log(`blocked ${what} ${url.slice(0, 200)}`),
      }),
    )
    wire(w, scope)
    ready = false
    const loaded = 'url' in o.renderer ? w.loadURL(o.renderer.url) : w.loadFile(o.renderer.file)
    return { window: w, loaded }
  }

  return {
    trusted,
    current: () => win,
    open(sessionId) {
      if (disposed) return
      let loaded: Promise<void> = Promise.resolve()
      if (win === null || win.isDestroyed()) {
        const created = create()
        win = created.window
        loaded = created.loaded
      }
      const w = win
      if (w.isMinimized()) w.restore()
      w.show()
      w.focus()
      loaded.catch((e: unknown) => o.log(`window: ${describe(e)}`))
      if (sessionId === undefined) return
      if (ready) sendEvent(trusted, 'onShowSession', { id: sessionId })
      else pendingShow = sessionId
    },
    pageReady() {
      ready = true
      if (pendingShow === null) return
      sendEvent(trusted, 'onShowSession', { id: pendingShow })
      pendingShow = null
    },
    dispose() {
      disposed = true
      if (win !== null && !win.isDestroyed()) win.destroy()
      win = null
    },
  }
}
