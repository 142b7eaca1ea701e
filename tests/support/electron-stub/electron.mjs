// A recording stand-in for the Electron API, for one smoke run of the built main process under Node
// (the Electron binary cannot run here). It records what the app asked for, checks that the files the
// app points Electron at exist, writes a JSON report to WARDEN_STUB_REPORT once the app has started,
// and then quits the app the way Electron would (before-quit, which the app may delay to dispose).
import { EventEmitter } from 'node:events'
import { existsSync, writeFileSync } from 'node:fs'

const report = { events: [], windows: [], trays: [], ipc: [], sandbox: false, quit: false }
const note = (e) => report.events.push(e)
let ready = false

class AppStub extends EventEmitter {
  isPackaged = false
  enableSandbox() {
    report.sandbox = true
  }
  requestSingleInstanceLock() {
    return true
  }
  whenReady() {
    ready = true
    return Promise.resolve()
  }
  getPath(name) {
    return process.env.WARDEN_STUB_USERDATA ?? `/tmp/${name}`
  }
  getAppPath() {
    return process.cwd()
  }
  setAppUserModelId(id) {
    note(`appUserModelId ${id}`)
  }
  setLoginItemSettings() {}
  getLoginItemSettings() {
    return { openAtLogin: false }
  }
  quit() {
    const event = { defaultPrevented: false, preventDefault: () => (event.defaultPrevented = true) }
    this.emit('before-quit', event)
    if (!event.defaultPrevented) {
      report.quit = true
      finish(0)
    }
  }
  exit(code) {
    finish(code ?? 0)
  }
}
export const app = new AppStub()

function finish(code) {
  writeFileSync(process.env.WARDEN_STUB_REPORT, JSON.stringify(report))
  process.exit(code)
}

class ContentsStub extends EventEmitter {
  id = 1
  session = { setPermissionRequestHandler() {}, setPermissionCheckHandler() {} }
  send() {}
  isDestroyed() {
    return false
  }
  setWindowOpenHandler() {}
}

export class BrowserWindow extends EventEmitter {
  webContents = new ContentsStub()
  constructor(options) {
    super()
    this.options = options
    this.record = {
      options,
      preloadExists: existsSync(options.webPreferences.preload),
      iconExists: options.icon === undefined ? null : existsSync(options.icon),
      loaded: null,
      loadedExists: null,
    }
    report.windows.push(this.record)
  }
  loadFile(file) {
    this.record.loaded = file
    this.record.loadedExists = existsSync(file)
    return Promise.resolve()
  }
  loadURL(url) {
    this.record.loaded = url
    return Promise.resolve()
  }
  show() {}
  hide() {}
  focus() {}
  restore() {}
  maximize() {}
  destroy() {}
  isMinimized() {
    return false
  }
  isMaximized() {
    return false
  }
  isVisible() {
    return true
  }
  isDestroyed() {
    return false
  }
  getNormalBounds() {
    return { x: 0, y: 0, width: 1280, height: 800 }
  }
}

export const nativeImage = {
  createFromPath: (path) => ({ path, exists: existsSync(path) }),
}

export class Tray extends EventEmitter {
  constructor(image) {
    super()
    this.record = { image: image.path, imageExists: image.exists, tooltip: '', menu: [] }
    report.trays.push(this.record)
  }
  setImage(image) {
    this.record.image = typeof image === 'string' ? image : image.path
  }
  setToolTip(text) {
    this.record.tooltip = text
  }
  setContextMenu(menu) {
    this.record.menu = menu?.template.map((i) => i.label ?? '---') ?? []
  }
  destroy() {}
}

export const Menu = { buildFromTemplate: (template) => ({ template }) }

export class Notification extends EventEmitter {
  static isSupported() {
    return true
  }
  show() {}
  close() {}
}

class PowerStub extends EventEmitter {
  getSystemIdleTime() {
    return 0
  }
}
export const powerMonitor = new PowerStub()

export const ipcMain = {
  handle: (channel) => report.ipc.push(channel),
  removeHandler: () => {},
}
export const dialog = { showMessageBox: () => Promise.resolve({ response: 0 }) }
export const screen = { getAllDisplays: () => [{ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }] }
export const shell = { openExternal: () => Promise.resolve() }
// window capture for RDP recording (src/main/shell/electron.ts): bound at start, used only when recording
export const desktopCapturer = { getSources: () => Promise.resolve([]) }
// the fleet's sealed settings (src/main/fleet/desktop.ts): no keychain in the stub
export const safeStorage = {
  isEncryptionAvailable: () => false,
  encryptString: () => {
    throw new Error('safeStorage is not available in the stub')
  },
  decryptString: () => {
    throw new Error('safeStorage is not available in the stub')
  },
}
// the window's .wasm scheme (src/main/shell/asset-protocol.ts): Electron takes privileges only before ready
export const protocol = {
  registerSchemesAsPrivileged: (schemes) =>
    note(`privileged ${schemes.map((s) => s.scheme).join(',')}${ready ? ' after ready' : ''}`),
  handle: (scheme) => note(`handle ${scheme}`),
  unhandle: (scheme) => note(`unhandle ${scheme}`),
}
export const systemPreferences = { getMediaAccessStatus: () => 'granted' }
export const session = {
  fromPartition: () => ({ setPermissionRequestHandler: () => {}, setPermissionCheckHandler: () => {} }),
}

// once the app is up (index.ts publishes it under WARDEN_E2E=1), report and quit like Electron would
const started = setInterval(() => {
  if (globalThis.__warden === undefined) return
  clearInterval(started)
  note('started')
  app.quit()
}, 20)
