// Playwright helpers for the UI tests: Debian's Chromium (never a downloaded browser) opening the app
// served by the test bridge (`warden ui`'s server), at the address with its key, as a user opens it.
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import type { Bridge } from './bridge'

export const CHROMIUM_PATH = '/usr/bin/chromium'

/** Root-safe, quiet flags: no sandbox (CI runs as root), no background traffic to Google. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS })
}

export interface OpenAppOptions {
  colorScheme?: 'light' | 'dark'
  viewport?: { width: number; height: number }
  /** scripts to run in the page before its own, warden-web.js included (the benchmark's instrumentation) */
  initScripts?: string[]
}

export interface AppPage {
  context: BrowserContext
  page: Page
  /** console errors and uncaught page errors, in order: a clean run leaves this empty */
  errors: string[]
  /** closes the context (and what else the opener started for it) */
  close(): Promise<void>
}

/** A fresh context (no state shared between tests), navigated to the app's address with its key. */
export async function openApp(browser: Browser, bridge: Bridge, opts: OpenAppOptions = {}): Promise<AppPage> {
  const context = await browser.newContext({
    viewport: opts.viewport ?? { width: 1280, height: 800 },
    colorScheme: opts.colorScheme ?? 'light',
  })
  try {
    for (const content of opts.initScripts ?? []) await context.addInitScript({ content })
    const page = await context.newPage()
    const errors: string[] = []
    page.on('console', (msg) => {
      if (msg.type() === 'error') errors.push(`console: ${msg.text()}`)
    })
    page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`))
    await page.goto(bridge.appUrl)
    return { context, page, errors, close: () => context.close() }
  } catch (e) {
    await context.close()
    throw e
  }
}
