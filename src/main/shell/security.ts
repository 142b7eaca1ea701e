// The window's security, in one place (Electron's security checklist): the exact webPreferences, no
// navigation, no new windows, no permissions, no <webview>, and external links only to an allow-list
// of plain https/http/mailto addresses, opened by the OS browser.
import type { PermissionSessionPort, Rect, WebContentsPort, WindowOptions } from './ports'

export const WEB_PREFERENCES = Object.freeze({
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  nodeIntegrationInSubFrames: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  webviewTag: false,
  experimentalFeatures: false,
  navigateOnDragDrop: false,
  spellcheck: false,
  // a middle click must not open anything (window.open is denied too)
  disableBlinkFeatures: 'Auxclick',
} as const)

export const MIN_SIZE = { width: 900, height: 600 } as const
export const DEFAULT_SIZE = { width: 1280, height: 800 } as const

/** The main window's options: the security preferences above, never anything looser. */
export function windowOptions(opts: { preload: string; icon?: string; bounds?: Rect | null }): WindowOptions {
  const b = opts.bounds
  return {
    ...(b ? { x: b.x, y: b.y, width: b.width, height: b.height } : { ...DEFAULT_SIZE }),
    minWidth: MIN_SIZE.width,
    minHeight: MIN_SIZE.height,
    show: false,
    title: 'Session Warden',
    ...(opts.icon === undefined ? {} : { icon: opts.icon }),
    backgroundColor: '#101014',
    autoHideMenuBar: true,
    webPreferences: { preload: opts.preload, ...WEB_PREFERENCES },
  }
}

/** Schemes an external link may use; anything else (file:, javascript:, custom handlers) is refused. */
const EXTERNAL_SCHEMES = new Set(['https:', 'http:', 'mailto:'])

/**
 * Whether a link may leave the app for the OS browser. Only well-formed https/http/mailto URLs
 * without credentials in them; the web resources the user configured are opened by the engine in
 * their own browser window, not through here.
 */
export function isAllowedExternal(raw: string): boolean {
  if (raw.length > 2048) return false
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    return false
  }
  if (!EXTERNAL_SCHEMES.has(url.protocol)) return false
  if (url.protocol === 'mailto:') return url.pathname.length > 0
  return url.hostname.length > 0 && url.username === '' && url.password === ''
}

/** Whether a frame's URL is our own page (the built index.html, or the dev server in development). */
export function isAppUrl(raw: string, appUrl: string): boolean {
  let url: URL
  let app: URL
  try {
    url = new URL(raw)
    app = new URL(appUrl)
  } catch {
    return false
  }
  if (app.protocol === 'file:') return url.protocol === 'file:' && url.pathname === app.pathname
  return url.origin === app.origin
}

/** Every permission (camera, notifications from the page, geolocation …) is refused: the page needs none. */
export function denyPermissions(session: PermissionSessionPort): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => {
    callback(false)
  })
  session.setPermissionCheckHandler(() => false)
}

export interface ContentsGuardOptions {
  /** the page's own address: navigation to it (a reload) is allowed */
  appUrl: string
  openExternal: (url: string) => Promise<void>
  /** told about what was refused, for the log */
  onBlocked?: (what: 'navigate' | 'window-open' | 'webview' | 'external', url: string) => void
}

/**
 * No navigation away from the app, no new windows, no <webview>. A link the user clicks that is
 * on the external allow-list opens in the OS browser; everything else is refused. Returns the function
 * that removes the listeners, for when the window has closed.
 */
export function guardContents(contents: WebContentsPort, opts: ContentsGuardOptions): () => void {
  const blockNavigation = (event: { preventDefault(): void }, url: string): void => {
    if (isAppUrl(url, opts.appUrl)) return
    event.preventDefault()
    opts.onBlocked?.('navigate', url)
  }
  const blockWebview = (event: { preventDefault(): void }): void => {
    event.preventDefault()
    opts.onBlocked?.('webview', '')
  }
  contents.on('will-navigate', blockNavigation)
  contents.on('will-redirect', blockNavigation)
  contents.on('will-attach-webview', blockWebview)
  contents.setWindowOpenHandler(({ url }) => {
    if (isAllowedExternal(url)) {
      opts.openExternal(url).catch(() => opts.onBlocked?.('external', url))
    } else {
      opts.onBlocked?.('window-open', url)
    }
    return { action: 'deny' }
  })
  // called once the window has closed: while its page can still run, the guard stays
  return () => {
    contents.removeListener('will-navigate', blockNavigation)
    contents.removeListener('will-redirect', blockNavigation)
    contents.removeListener('will-attach-webview', blockWebview)
  }
}
