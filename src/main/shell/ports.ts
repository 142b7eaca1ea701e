// The parts of Electron the shell uses, as small interfaces. Electron's own objects satisfy them
// (src/main/shell/electron.ts binds the real ones, and tsc checks that binding against Electron's
// types); the unit tests drive the shell through typed fakes of exactly these, because the Electron
// binary cannot run on the machines this is built on.
//
// One overload per event, as Electron declares them: a signature taking a union of event names would
// match none of Electron's overloads, and the real objects would no longer fit these ports.
/* eslint-disable @typescript-eslint/unified-signatures */
import type { SecretBox } from '../fleet/config'

export interface Rect {
  x: number
  y: number
  width: number
  height: number
}

/** what Electron passes to listeners that may cancel a default action */
export interface Cancelable {
  preventDefault(): void
}

/** a frame that sent an IPC message (Electron's WebFrameMain) */
export interface FramePort {
  readonly url: string
  /** null for a top-level frame */
  readonly parent: unknown
}

export interface IpcInvokeEventPort {
  readonly sender: { readonly id: number }
  readonly senderFrame: FramePort | null
}

export interface IpcMainPort {
  handle(channel: string, listener: (event: IpcInvokeEventPort, ...args: unknown[]) => Promise<unknown>): void
  removeHandler(channel: string): void
}

export interface PermissionSessionPort {
  setPermissionRequestHandler(
    handler: ((contents: unknown, permission: string, callback: (granted: boolean) => void) => void) | null,
  ): void
  setPermissionCheckHandler(handler: ((contents: unknown, permission: string) => boolean) | null): void
}

export interface WebContentsPort {
  readonly id: number
  readonly session: PermissionSessionPort
  send(channel: string, ...args: unknown[]): void
  isDestroyed(): boolean
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void
  on(event: 'will-navigate', listener: (event: Cancelable, url: string) => void): unknown
  on(event: 'will-redirect', listener: (event: Cancelable, url: string) => void): unknown
  on(event: 'will-attach-webview', listener: (event: Cancelable) => void): unknown
  removeListener(event: 'will-navigate', listener: (event: Cancelable, url: string) => void): unknown
  removeListener(event: 'will-redirect', listener: (event: Cancelable, url: string) => void): unknown
  removeListener(event: 'will-attach-webview', listener: (event: Cancelable) => void): unknown
}

export interface WindowPort {
  readonly webContents: WebContentsPort
  show(): void
  hide(): void
  focus(): void
  restore(): void
  maximize(): void
  destroy(): void
  isMinimized(): boolean
  isMaximized(): boolean
  isVisible(): boolean
  isDestroyed(): boolean
  getNormalBounds(): Rect
  loadFile(path: string): Promise<void>
  loadURL(url: string): Promise<void>
  on(event: 'close', listener: (event: Cancelable) => void): unknown
  on(event: 'closed', listener: () => void): unknown
  on(event: 'ready-to-show', listener: () => void): unknown
  on(event: 'resize', listener: () => void): unknown
  on(event: 'move', listener: () => void): unknown
  removeListener(event: 'close', listener: (event: Cancelable) => void): unknown
  removeListener(event: 'closed', listener: () => void): unknown
  removeListener(event: 'resize', listener: () => void): unknown
  removeListener(event: 'move', listener: () => void): unknown
}

/** the subset of BrowserWindowConstructorOptions the shell sets (see security.ts) */
export interface WindowOptions {
  width: number
  height: number
  x?: number
  y?: number
  minWidth: number
  minHeight: number
  show: boolean
  title: string
  icon?: string
  backgroundColor: string
  autoHideMenuBar: boolean
  webPreferences: {
    preload: string
    contextIsolation: true
    sandbox: true
    nodeIntegration: false
    nodeIntegrationInWorker: false
    nodeIntegrationInSubFrames: false
    webSecurity: true
    allowRunningInsecureContent: false
    webviewTag: false
    experimentalFeatures: false
    navigateOnDragDrop: false
    spellcheck: false
    disableBlinkFeatures: 'Auxclick'
  }
}

export type MenuItemSpec =
  | { type: 'separator' }
  | {
      type?: 'normal'
      label: string
      enabled?: boolean
      toolTip?: string
      click?: () => void
    }
  | { type: 'submenu'; label: string; enabled?: boolean; submenu: MenuItemSpec[] }

/** a built native menu: opaque to the shell */
export type MenuPort = object

export interface TrayPort {
  setImage(image: string): void
  setToolTip(text: string): void
  setContextMenu(menu: MenuPort | null): void
  on(event: 'click', listener: () => void): unknown
  removeListener(event: 'click', listener: () => void): unknown
  destroy(): void
}

export interface NotificationOptions {
  title: string
  body: string
  /** button actions: macOS and Windows only */
  actions?: { type: 'button'; text: string }[]
  timeoutType?: 'default' | 'never'
  urgency?: 'normal' | 'critical' | 'low'
  icon?: string
}

export interface NotificationPort {
  show(): void
  close(): void
  on(event: 'click', listener: () => void): unknown
  on(event: 'action', listener: (details: { actionIndex?: number }, actionIndex: number) => void): unknown
  on(event: 'close', listener: () => void): unknown
  removeListener(event: 'click', listener: () => void): unknown
  removeListener(
    event: 'action',
    listener: (details: { actionIndex?: number }, actionIndex: number) => void,
  ): unknown
  removeListener(event: 'close', listener: () => void): unknown
}

export interface PowerMonitorPort {
  getSystemIdleTime(): number
  on(event: 'suspend', listener: () => void): unknown
  on(event: 'resume', listener: () => void): unknown
  on(event: 'lock-screen', listener: () => void): unknown
  on(event: 'unlock-screen', listener: () => void): unknown
  removeListener(event: 'suspend', listener: () => void): unknown
  removeListener(event: 'resume', listener: () => void): unknown
  removeListener(event: 'lock-screen', listener: () => void): unknown
  removeListener(event: 'unlock-screen', listener: () => void): unknown
}

export interface AppPort {
  readonly isPackaged: boolean
  requestSingleInstanceLock(): boolean
  whenReady(): Promise<void>
  quit(): void
  exit(code?: number): void
  getPath(name: 'userData' | 'exe'): string
  setAppUserModelId(id: string): void
  setLoginItemSettings(settings: { openAtLogin: boolean; openAsHidden?: boolean; args?: string[] }): void
  getLoginItemSettings(options?: { args?: string[] }): { openAtLogin: boolean }
  on(event: 'second-instance', listener: () => void): unknown
  on(event: 'window-all-closed', listener: () => void): unknown
  on(event: 'activate', listener: () => void): unknown
  on(event: 'before-quit', listener: (event: Cancelable) => void): unknown
  on(event: 'will-quit', listener: (event: Cancelable) => void): unknown
  removeListener(event: 'second-instance', listener: () => void): unknown
  removeListener(event: 'window-all-closed', listener: () => void): unknown
  removeListener(event: 'activate', listener: () => void): unknown
  removeListener(event: 'before-quit', listener: (event: Cancelable) => void): unknown
  removeListener(event: 'will-quit', listener: (event: Cancelable) => void): unknown
}

export interface MessageBoxSpec {
  type: 'warning' | 'question' | 'info'
  title: string
  message: string
  detail?: string
  buttons: string[]
  defaultId: number
  cancelId: number
}

/** Everything the desktop shell needs from Electron. */
/** Electron's protocol module: a scheme's handler (src/main/shell/asset-protocol.ts) */
export interface ProtocolPort {
  handle(scheme: string, handler: (request: { url: string; method: string }) => Promise<Response>): void
  unhandle(scheme: string): void
}

export interface DesktopPorts {
  platform: NodeJS.Platform
  app: AppPort
  ipc: IpcMainPort
  powerMonitor: PowerMonitorPort
  createWindow(options: WindowOptions): WindowPort
  createTray(image: string): TrayPort
  buildMenu(template: MenuItemSpec[]): MenuPort
  notificationsSupported(): boolean
  createNotification(options: NotificationOptions): NotificationPort
  openExternal(url: string): Promise<void>
  /** index of the button pressed */
  messageBox(spec: MessageBoxSpec): Promise<number>
  /** work areas of the attached displays */
  displays(): Rect[]
  /** window capture for RDP recording (issue 12); absent where the shell does not offer it */
  screenCapture?: ScreenCapturePort
  /** Electron's safeStorage: seals the fleet settings (src/main/fleet/desktop.ts) */
  safeStorage?: SecretBox
  /** Electron's protocol: serves the window's .wasm on warden-asset: (src/main/shell/asset-protocol.ts) */
  protocol?: ProtocolPort
}

// ---------------------------------------------------------------- window capture (issue 12)

/** a window desktopCapturer can capture: `window:<native id>:0` (on X11 the native id is the X window id) */
export interface CaptureSourcePort {
  id: string
  name: string
}

/** A MediaRecorder running on one window's stream (in a hidden page of the app), writing WebM. */
export interface MediaRecorderPort {
  /** the WebM chunks recorded since the last call */
  take(): Promise<Uint8Array[]>
  /** stops the recorder; resolves with its last chunks (the file is then complete) */
  stop(): Promise<Uint8Array[]>
  /** resolves when the capture ended on its own (the window closed: its video track ended), with why */
  readonly ended: Promise<string>
}

/** Electron's desktopCapturer + MediaRecorder, and the OS permission they need. */
export interface ScreenCapturePort {
  /** macOS: systemPreferences.getMediaAccessStatus('screen'); elsewhere 'granted' (no such permission) */
  screenAccess(): 'not-determined' | 'granted' | 'denied' | 'restricted' | 'unknown'
  windowSources(): Promise<CaptureSourcePort[]>
  record(sourceId: string, fps: number): Promise<MediaRecorderPort>
}
