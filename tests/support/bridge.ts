// The tests' way into the built window: `warden ui`'s own server (src/main/ui-server) on a free loopback
// port, over the given engine, and Debian's Chromium opening the address it prints. One implementation: the
// e2e suite drives the window exactly as a user's browser gets it from `warden ui`.
import type { Browser } from 'playwright-core'
import type { Engine } from '@engine/index'
import type { FleetSource } from '../../src/main/api/fleet-handlers'
import { startUiServer } from '../../src/main/ui-server/server'
import { launchChromium, openApp, type AppPage, type OpenAppOptions } from './ui'

export interface BridgeOptions {
  engine: Engine
  /** the built renderer (index.html, its assets and warden-web.js) */
  rendererDir: string
  /** recorded in the audit trail for sessions ended through the bridge; default 'app' */
  actor?: string
  /** the fleet member of this engine, when the test joined it to a fleet */
  fleet?: FleetSource
}

export interface Bridge {
  /** the app's origin: http://127.0.0.1:PORT/ */
  url: string
  /** the address with its key, as `warden ui` prints it: url + '#token=…' */
  appUrl: string
  token: string
  /**
   * Opens the app in a new context of `browser`, or of a Chromium launched for it (closed again by the
   * page's close() and by the bridge's close()).
   */
  open(browser?: Browser, opts?: OpenAppOptions): Promise<AppPage>
  /** stops forwarding events, closes every client, the WebSocket server and the HTTP server */
  close(): Promise<void>
}

export async function startBridge(opts: BridgeOptions): Promise<Bridge> {
  const server = await startUiServer({
    engine: opts.engine,
    rendererDir: opts.rendererDir,
    actor: opts.actor ?? 'app',
    ...(opts.fleet ? { fleet: opts.fleet } : {}),
  })
  const browsers = new Set<Browser>()
  let closing: Promise<void> | undefined

  const bridge: Bridge = {
    url: server.origin,
    appUrl: server.url,
    token: server.token,
    async open(browser, openOpts) {
      if (browser !== undefined) return openApp(browser, bridge, openOpts)
      const own = await launchChromium()
      browsers.add(own)
      try {
        const app = await openApp(own, bridge, openOpts)
        return {
          ...app,
          close: async () => {
            await app.close()
            browsers.delete(own)
            await own.close()
          },
        }
      } catch (e) {
        browsers.delete(own)
        await own.close()
        throw e
      }
    },
    close() {
      closing ??= (async () => {
        await Promise.all([...browsers].map((b) => b.close()))
        browsers.clear()
        await server.close()
      })()
      return closing
    },
  }
  return bridge
}
