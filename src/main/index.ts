// Composition root of the desktop app: the real Electron, the built preload and page, the icons.
// Everything else is src/main/shell/app.ts, which the tests run under Node with fakes of Electron.
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { app, protocol } from 'electron'
import { startDesktop } from './shell/app'
import { ASSET_SCHEME_PRIVILEGES } from './shell/asset-protocol'
import { electronPorts } from './shell/electron'

const here = dirname(fileURLToPath(import.meta.url)) // out/main
const devServer = process.env.ELECTRON_RENDERER_URL

// every renderer sandboxed, whatever a window's options say
app.enableSandbox()
// only before the app is ready (Electron's protocol docs); served once ready (shell/app.ts)
protocol.registerSchemesAsPrivileged([ASSET_SCHEME_PRIVILEGES])

const started = startDesktop(electronPorts(), {
  preloadPath: join(here, '../preload/index.cjs'),
  renderer:
    !app.isPackaged && devServer ? { url: devServer } : { file: join(here, '../renderer/index.html') },
  // packaged: icon.png and tray/ are shipped beside the asar (electron-builder extraResources)
  resourcesDir: app.isPackaged ? process.resourcesPath : join(here, '../../resources'),
  stateDir: app.getPath('userData'),
  argv: process.argv,
  execPath: process.execPath,
  appPath: app.getAppPath(),
})
// the Playwright-Electron suite (tests/electron) reads the tray's menu through this
if (process.env.WARDEN_E2E === '1')
  void started.then((desktop) => {
    ;(globalThis as { __warden?: unknown }).__warden = desktop
  })
started.catch((e: unknown) => {
  console.error(`Session Warden could not start: ${e instanceof Error ? e.message : String(e)}`)
  app.exit(1)
})
