// The vitest half of the e2e harness (tests/support/e2e-harness.ts): one Chromium for the file, the file's
// real peers, and after every test its windows closed and checked: a window that logged a console error or
// threw fails the test that opened it.
import type { Browser } from 'playwright-core'
import { afterAll, afterEach, beforeAll, expect } from 'vitest'
import type { Engine } from '@engine/index'
import { stopAll } from './peers'
import { launchChromium } from './ui'
import { openWindow, type E2eWindow, type WindowOptions } from './e2e-harness'

export interface SuiteOptions {
  /** starts the file's peers, assigning them where its tests read them */
  peers?: () => Promise<unknown>
  /**
   * Every test gets fresh peers: after it, stopAll() ends every client and peer it started and `peers`
   * runs again, so tests never see each other's sessions.
   */
  fresh?: boolean
  /** runs after each test before its windows close (e.g. a recording stopped before its engine closes) */
  beforeClose?: () => Promise<void> | void
}

export interface E2eSuite {
  /** the file's Chromium */
  readonly browser: Browser
  /** opens a window for the running test: closed after it, and the test fails if the page logged errors */
  open(opts: Omit<WindowOptions, 'browser'>): Promise<E2eWindow>
  /** the window the running test opened last */
  readonly window: E2eWindow
  /** its engine */
  readonly engine: Engine
}

/** Registers the file's beforeAll, afterEach and afterAll; call it once at the top of an e2e file. */
export function e2eSuite(opts: SuiteOptions = {}): E2eSuite {
  let browser: Browser | undefined
  const windows: E2eWindow[] = []

  beforeAll(async () => {
    await opts.peers?.()
    browser = await launchChromium()
  })
  afterEach(async () => {
    const errors: string[] = []
    try {
      await opts.beforeClose?.()
    } finally {
      for (const w of windows.splice(0)) errors.push(...(await w.close()))
    }
    if (opts.fresh === true) {
      await stopAll()
      await opts.peers?.()
    }
    expect(errors).toEqual([])
  })
  afterAll(async () => {
    await browser?.close()
    await stopAll()
  })

  const suite: E2eSuite = {
    get browser() {
      if (!browser) throw new Error('no browser: e2eSuite’s beforeAll has not run')
      return browser
    },
    async open(windowOpts) {
      const w = await openWindow({ ...windowOpts, browser: suite.browser })
      windows.push(w)
      return w
    },
    get window() {
      const w = windows.at(-1)
      if (!w) throw new Error('no window: the test has not opened one')
      return w
    },
    get engine() {
      return suite.window.engine
    },
  }
  return suite
}
