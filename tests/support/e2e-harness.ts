// The e2e tests' one way to the built window: a real engine on a temp database, `warden ui`'s own server
// over it (tests/support/bridge.ts) and Debian's Chromium opening the printed address (tests/support/ui.ts),
// closed again in one call. The e2e files, take-screenshots.ts and take-review-screenshots.ts all open the
// window through openWindow; tests/support/e2e-suite.ts adds the vitest hooks. No vitest import here: the
// screenshot scripts run under plain tsx.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Browser, Page } from 'playwright-core'
import { createEngine, Engine, type CreateEngineOptions } from '@engine/index'
import type { Session } from '@shared/model'
import type { Settings } from '@shared/settings'
import type { FleetSource } from '../../src/main/api/fleet-handlers'
import { startBridge, type Bridge } from './bridge'
import { waitFor } from './peers'
import { openApp, type AppPage, type OpenAppOptions } from './ui'

/** The built window (index.html, its assets and warden-web.js): the e2e set-up builds it (build-renderer.ts). */
export const RENDERER_DIR = fileURLToPath(new URL('../../out/renderer', import.meta.url))

export interface EngineSetup {
  /** the temp folder's prefix under the OS temp dir, e.g. 'warden-e2e-axe-' */
  name?: string
  /** the engine tracks sessions to these remote ports only: the test's own peers, never the machine's */
  ports: Iterable<number>
  /**
   * createEngine options beyond the temp database, actor 'app' and the scope. terminate defaults to a
   * 1.5 s grace (the app's is 3 s, src/main/engine/terminate.ts): a test that ends a session waits less.
   */
  options?: Omit<CreateEngineOptions, 'dbPath' | 'actor' | 'scope'>
  /** saved through engine.setSetting (its schema checks them) before the engine scans */
  settings?: Partial<Settings>
  /** one scan, awaited, before this resolves: the window's first list has the sessions already there */
  tick?: boolean
  /** the engine's own loop runs (after the tick, when both are asked) */
  start?: boolean
}

export interface TempEngine {
  engine: Engine
  /** the temp folder: warden.db, the recordings, whatever the test puts there */
  dir: string
  /** closes the engine and removes the folder (once: a second call waits for the first) */
  close(): Promise<void>
}

/** A real engine on a fresh database in its own temp folder, scoped to the given ports. */
export async function tempEngine(setup: EngineSetup): Promise<TempEngine> {
  const dir = mkdtempSync(join(tmpdir(), setup.name ?? 'warden-e2e-'))
  const ports = new Set(setup.ports)
  let engine: Engine | undefined
  let closing: Promise<void> | undefined
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      await engine?.close()
      rmSync(dir, { recursive: true, force: true })
    })())
  try {
    engine = await createEngine({
      terminate: { graceMs: 1500 },
      ...setup.options,
      dbPath: join(dir, 'warden.db'),
      actor: 'app',
      scope: (d) => ports.has(d.remotePort),
    })
    for (const [key, value] of Object.entries(setup.settings ?? {})) engine.setSetting(key, value)
    if (setup.tick === true) await engine.tick()
    if (setup.start === true) engine.start()
    return { engine, dir, close }
  } catch (e) {
    await close()
    throw e
  }
}

export interface WindowOptions extends OpenAppOptions {
  browser: Browser
  /** a temp engine made for this window and closed with it, or an engine the caller owns (and closes) */
  engine: EngineSetup | Engine
  /** the fleet member of that engine, when the test joined it to a fleet */
  fleet?: FleetSource
  /** or one built on the temp engine and its folder once they exist (a window that joins from Settings) */
  fleetFor?: (engine: Engine, dir: string) => FleetSource
}

export interface E2eWindow {
  page: Page
  app: AppPage
  engine: Engine
  bridge: Bridge
  /** the temp engine's folder; '' for an engine the caller owns */
  dir: string
  /**
   * Closes the page, the bridge and a temp engine (once: a second call waits for the first); resolves
   * with the errors the page logged, in order.
   */
  close(): Promise<string[]>
}

/** The window as a user opens it from `warden ui`, on the Sessions view (its heading drawn). */
export async function openWindow(opts: WindowOptions): Promise<E2eWindow> {
  const { browser, engine: given, fleet: fixed, fleetFor, ...appOpts } = opts
  const temp = given instanceof Engine ? null : await tempEngine(given)
  const engine = temp?.engine ?? (given as Engine)
  const fleet = fleetFor ? fleetFor(engine, temp?.dir ?? '') : fixed
  let bridge: Bridge | undefined
  let app: AppPage | undefined
  let closing: Promise<string[]> | undefined
  const close = (): Promise<string[]> =>
    (closing ??= (async () => {
      await app?.close()
      await bridge?.close()
      await temp?.close()
      return app?.errors ?? []
    })())
  try {
    bridge = await startBridge({ engine, rendererDir: RENDERER_DIR, ...(fleet ? { fleet } : {}) })
    app = await openApp(browser, bridge, appOpts)
    await app.page.locator('h1', { hasText: 'Active Sessions' }).waitFor()
    return { page: app.page, app, engine, bridge, dir: temp?.dir ?? '', close }
  } catch (e) {
    await close()
    throw e
  }
}

/** Waits until `engine` has recorded `n` open sessions, scanning as it waits (the tick that sees new clients). */
export async function untilSessions(engine: Engine, n: number): Promise<Session[]> {
  await waitFor(
    async () => {
      await engine.tick()
      return engine.list().length === n
    },
    15_000,
    `${n} sessions in the engine`,
  )
  return engine.list()
}

/** For the scripts: closes the window, and throws with what it logged if it logged errors. */
export async function closeClean(window: E2eWindow): Promise<void> {
  const errors = await window.close()
  if (errors.length > 0) throw new Error(`the window logged errors:\n${errors.join('\n')}`)
}
