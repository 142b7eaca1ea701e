// Typed fakes of the Electron APIs the shell uses (src/main/shell/ports.ts): the one place fakes are
// right, because the Electron binary cannot run here. They record what the shell asked for and let a
// test act as the user or the OS would (click the tray, close the window, lock the screen).
import type {
  AppPort,
  Cancelable,
  DesktopPorts,
  ProtocolPort,
  FramePort,
  IpcInvokeEventPort,
  IpcMainPort,
  MenuItemSpec,
  MessageBoxSpec,
  NotificationOptions,
  NotificationPort,
  PermissionSessionPort,
  PowerMonitorPort,
  Rect,
  TrayPort,
  WebContentsPort,
  WindowOptions,
  WindowPort,
} from '../../src/main/shell/ports'

type Listener = (...args: never[]) => unknown

class Emitter {
  private readonly listeners = new Map<string, Listener[]>()
  on(event: string, listener: Listener): this {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener])
    return this
  }
  removeListener(event: string, listener: Listener): this {
    this.listeners.set(
      event,
      (this.listeners.get(event) ?? []).filter((l) => l !== listener),
    )
    return this
  }
  listenerCount(event: string): number {
    return this.listeners.get(event)?.length ?? 0
  }
  /** the events that have listeners now, with how many (empty once everything was removed) */
  listening(): Record<string, number> {
    return Object.fromEntries(
      [...this.listeners].filter(([, l]) => l.length > 0).map(([e, l]) => [e, l.length]),
    )
  }
  emit(event: string, ...args: unknown[]): void {
    for (const l of this.listeners.get(event) ?? []) (l as (...a: unknown[]) => unknown)(...args)
  }
}

export class FakeEvent implements Cancelable {
  defaultPrevented = false
  preventDefault(): void {
    this.defaultPrevented = true
  }
}

export class FakeSession implements PermissionSessionPort {
  request: Parameters<PermissionSessionPort['setPermissionRequestHandler']>[0] = null
  check: Parameters<PermissionSessionPort['setPermissionCheckHandler']>[0] = null
  setPermissionRequestHandler(h: Parameters<PermissionSessionPort['setPermissionRequestHandler']>[0]): void {
    this.request = h
  }
  setPermissionCheckHandler(h: Parameters<PermissionSessionPort['setPermissionCheckHandler']>[0]): void {
    this.check = h
  }
}

let nextContentsId = 1

export class FakeWebContents extends Emitter implements WebContentsPort {
  readonly id = nextContentsId++
  readonly session = new FakeSession()
  readonly sent: { channel: string; payload: unknown }[] = []
  destroyed = false
  openHandler: ((details: { url: string }) => { action: 'deny' }) | null = null
  /** the top frame, once a page is loaded */
  mainFrame: FramePort = { url: 'about:blank', parent: null }
  send(channel: string, ...args: unknown[]): void {
    if (this.destroyed) throw new Error('Object has been destroyed')
    this.sent.push({ channel, payload: args[0] })
  }
  isDestroyed(): boolean {
    return this.destroyed
  }
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void {
    this.openHandler = handler
  }
  /** an IPC event as this page's top frame (or another frame) would send it */
  ipcEvent(frame: FramePort | null = this.mainFrame): IpcInvokeEventPort {
    return { sender: { id: this.id }, senderFrame: frame }
  }
}

export class FakeWindow extends Emitter implements WindowPort {
  readonly webContents = new FakeWebContents()
  visible = false
  focused = 0
  minimized = false
  maximized = false
  destroyed = false
  loadedFile: string | null = null
  loadedUrl: string | null = null
  bounds: Rect
  constructor(readonly options: WindowOptions) {
    super()
    this.bounds = { x: options.x ?? 100, y: options.y ?? 100, width: options.width, height: options.height }
  }
  show(): void {
    this.visible = true
  }
  hide(): void {
    this.visible = false
  }
  focus(): void {
    this.focused++
  }
  restore(): void {
    this.minimized = false
  }
  maximize(): void {
    this.maximized = true
  }
  destroy(): void {
    if (this.destroyed) return
    this.destroyed = true
    this.visible = false
    this.webContents.destroyed = true
    this.emit('closed')
  }
  isMinimized(): boolean {
    return this.minimized
  }
  isMaximized(): boolean {
    return this.maximized
  }
  isVisible(): boolean {
    return this.visible
  }
  isDestroyed(): boolean {
    return this.destroyed
  }
  getNormalBounds(): Rect {
    return { ...this.bounds }
  }
  loadFile(path: string): Promise<void> {
    this.loadedFile = path
    this.webContents.mainFrame = { url: new URL(`file://${path}`).href, parent: null }
    return Promise.resolve()
  }
  loadURL(url: string): Promise<void> {
    this.loadedUrl = url
    this.webContents.mainFrame = { url, parent: null }
    return Promise.resolve()
  }
  /** the user clicks the window's close button */
  userClose(): FakeEvent {
    const e = new FakeEvent()
    this.emit('close', e)
    if (!e.defaultPrevented) this.destroy()
    return e
  }
}

export class FakeTray extends Emitter implements TrayPort {
  image: string
  tooltip = ''
  menu: FakeMenu | null = null
  menusBuilt = 0
  destroyed = false
  constructor(image: string) {
    super()
    this.image = image
  }
  setImage(image: string): void {
    this.image = image
  }
  setToolTip(text: string): void {
    this.tooltip = text
  }
  setContextMenu(menu: object | null): void {
    this.menu = menu as FakeMenu | null
    this.menusBuilt++
  }
  destroy(): void {
    this.destroyed = true
  }
}

export class FakeMenu {
  constructor(readonly items: MenuItemSpec[]) {}
  /** labels, with submenus indented by two spaces */
  labels(items = this.items, indent = ''): string[] {
    return items.flatMap((it) => {
      if (it.type === 'separator') return [`${indent}---`]
      if (it.type === 'submenu') return [`${indent}${it.label}`, ...this.labels(it.submenu, `${indent}  `)]
      return [`${indent}${it.label}${it.enabled === false ? ' [disabled]' : ''}`]
    })
  }
  /** the item with this label (searching submenus) */
  find(label: string | RegExp, items = this.items): MenuItemSpec | undefined {
    for (const it of items) {
      if (it.type === 'separator') continue
      const match = typeof label === 'string' ? it.label === label : label.test(it.label)
      if (match) return it
      if (it.type === 'submenu') {
        const inner = this.find(label, it.submenu)
        if (inner) return inner
      }
    }
    return undefined
  }
  /** clicks an item as the user would: a disabled or missing item cannot be clicked */
  click(label: string | RegExp): void {
    const it = this.find(label)
    if (!it || it.type === 'separator' || it.type === 'submenu')
      throw new Error(`no menu item ${String(label)}`)
    if (it.enabled === false || !it.click) throw new Error(`menu item ${it.label} is disabled`)
    it.click()
  }
}

export class FakeNotification extends Emitter implements NotificationPort {
  shown = false
  closed = false
  constructor(readonly options: NotificationOptions) {
    super()
  }
  show(): void {
    this.shown = true
  }
  close(): void {
    if (this.closed) return
    this.closed = true
    this.emit('close')
  }
  click(): void {
    this.emit('click')
  }
  /** presses an action button (macOS/Windows) */
  action(index: number): void {
    this.emit('action', { actionIndex: index }, index)
  }
}

export class FakePowerMonitor extends Emitter implements PowerMonitorPort {
  idleSeconds = 0
  getSystemIdleTime(): number {
    return this.idleSeconds
  }
}

export class FakeApp extends Emitter implements AppPort {
  isPackaged = false
  /** false: another instance holds the lock */
  lock = true
  quitCalls = 0
  exitCode: number | null = null
  /** quit went through (before-quit was not cancelled) */
  quit_ = false
  appUserModelId: string | null = null
  loginItem = { openAtLogin: false, openAsHidden: false, args: [] as string[] }
  constructor(readonly userData: string) {
    super()
  }
  requestSingleInstanceLock(): boolean {
    return this.lock
  }
  whenReady(): Promise<void> {
    return Promise.resolve()
  }
  quit(): void {
    this.quitCalls++
    const e = new FakeEvent()
    this.emit('before-quit', e)
    if (!e.defaultPrevented) this.quit_ = true
  }
  exit(code = 0): void {
    this.exitCode = code
  }
  getPath(name: 'userData' | 'exe'): string {
    return name === 'userData' ? this.userData : '/opt/session-warden/session-warden'
  }
  setAppUserModelId(id: string): void {
    this.appUserModelId = id
  }
  setLoginItemSettings(s: { openAtLogin: boolean; openAsHidden?: boolean; args?: string[] }): void {
    this.loginItem = { openAtLogin: s.openAtLogin, openAsHidden: s.openAsHidden ?? false, args: s.args ?? [] }
  }
  /** like Electron: the item is found only when asked with the args it was registered with */
  getLoginItemSettings(options?: { args?: string[] }): { openAtLogin: boolean } {
    const same = JSON.stringify(options?.args ?? []) === JSON.stringify(this.loginItem.args)
    return { openAtLogin: this.loginItem.openAtLogin && same }
  }
}

export class FakeIpcMain implements IpcMainPort {
  readonly handlers = new Map<string, (event: IpcInvokeEventPort, ...args: unknown[]) => Promise<unknown>>()
  handle(
    channel: string,
    listener: (event: IpcInvokeEventPort, ...args: unknown[]) => Promise<unknown>,
  ): void {
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`)
    this.handlers.set(channel, listener)
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel)
  }
  /** a call from a page, as ipcRenderer.invoke(channel, ...args) would make it */
  invoke(channel: string, event: IpcInvokeEventPort, ...args: unknown[]): Promise<unknown> {
    const h = this.handlers.get(channel)
    if (!h) return Promise.reject(new Error(`No handler registered for '${channel}'`))
    return h(event, ...args)
  }
}

/** Electron's protocol module: the schemes handled, and a request as the page would make it. */
export class FakeProtocol implements ProtocolPort {
  readonly handlers = new Map<string, (request: { url: string; method: string }) => Promise<Response>>()
  handle(scheme: string, handler: (request: { url: string; method: string }) => Promise<Response>): void {
    if (this.handlers.has(scheme)) throw new Error(`The scheme has been handled: ${scheme}`)
    this.handlers.set(scheme, handler)
  }
  unhandle(scheme: string): void {
    this.handlers.delete(scheme)
  }
  fetch(url: string, method = 'GET'): Promise<Response> {
    const h = this.handlers.get(new URL(url).protocol.slice(0, -1))
    if (!h) return Promise.reject(new Error(`net::ERR_UNKNOWN_URL_SCHEME ${url}`))
    return h({ url, method })
  }
}

/** A whole fake Electron, recording windows, trays, menus, notifications, dialogs and links. */
export class FakeElectron implements DesktopPorts {
  readonly app: FakeApp
  readonly ipc = new FakeIpcMain()
  readonly protocol = new FakeProtocol()
  readonly powerMonitor = new FakePowerMonitor()
  readonly windows: FakeWindow[] = []
  readonly trays: FakeTray[] = []
  readonly notifications: FakeNotification[] = []
  readonly dialogs: MessageBoxSpec[] = []
  readonly opened: string[] = []
  /** the button the next dialogs answer with */
  dialogAnswer = 0
  supported = true
  screens: Rect[] = [{ x: 0, y: 0, width: 1920, height: 1080 }]

  constructor(
    readonly platform: NodeJS.Platform = 'linux',
    userData = '/nonexistent',
  ) {
    this.app = new FakeApp(userData)
  }
  createWindow(options: WindowOptions): FakeWindow {
    const w = new FakeWindow(options)
    this.windows.push(w)
    return w
  }
  createTray(image: string): FakeTray {
    const t = new FakeTray(image)
    this.trays.push(t)
    return t
  }
  buildMenu(template: MenuItemSpec[]): FakeMenu {
    return new FakeMenu(template)
  }
  notificationsSupported(): boolean {
    return this.supported
  }
  createNotification(options: NotificationOptions): FakeNotification {
    const n = new FakeNotification(options)
    this.notifications.push(n)
    return n
  }
  openExternal(url: string): Promise<void> {
    this.opened.push(url)
    return Promise.resolve()
  }
  messageBox(spec: MessageBoxSpec): Promise<number> {
    this.dialogs.push(spec)
    return Promise.resolve(this.dialogAnswer)
  }
  displays(): Rect[] {
    return this.screens
  }
  /** the tray's current menu */
  get menu(): FakeMenu {
    const m = this.trays.at(-1)?.menu
    if (!m) throw new Error('no tray menu')
    return m
  }
}
