// `npm run screenshots`: the README's pictures, taken from the real window on the real engine with real
// sessions (ssh to a real sshd, xfreerdp to xrdp, a page in Chromium), never from fixtures.
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Browser, Page } from 'playwright-core'
import {
  closeClean,
  openWindow,
  tempEngine,
  type E2eWindow,
  type TempEngine,
  type WindowOptions,
} from '../support/e2e-harness'
import {
  freePort,
  sshClient,
  sshInteractive,
  startChromium,
  startSshd,
  startWebServer,
  startXrdp,
  stopAll,
  waitFor,
  xfreerdpClient,
} from '../support/peers'
import { launchChromium } from '../support/ui'
import buildRenderer from './build-renderer'

const out = fileURLToPath(new URL('../../docs/screenshots', import.meta.url))

async function shoot(page: Page, name: string): Promise<void> {
  // let transitions and the live clock settle
  await page.waitForTimeout(600)
  await page.screenshot({ path: join(out, `${name}.png`) })
  console.log(`docs/screenshots/${name}.png`)
}

/** The view scrolls inside the window: a window as tall as the view shows all of it. */
async function fitHeight(page: Page): Promise<void> {
  const height = await page.evaluate<number>("document.querySelector('main').scrollHeight")
  const width = page.viewportSize()?.width ?? 1280
  await page.setViewportSize({ width, height: Math.max(800, Math.ceil(height)) })
}

async function main(): Promise<void> {
  mkdirSync(out, { recursive: true })
  await buildRenderer()
  let browser: Browser | null = null
  let temp: TempEngine | null = null
  const windows: E2eWindow[] = []
  const stops: (() => void)[] = []
  try {
    const [sshd, web, xrdp] = await Promise.all([startSshd(), startWebServer(), startXrdp()])
    temp = await tempEngine({
      name: 'warden-shots-',
      ports: [sshd.port, web.port, xrdp.port],
      settings: { idleAfterSec: 10 },
    })
    const engine = temp.engine
    engine.addResource({ type: 'web', name: 'Intranet wiki', target: web.url })

    // history first: sessions that ended for different reasons
    const gone = [await sshClient(sshd, ['-T', 'warden-test'], { command: 'sleep 300' })]
    gone.push(await sshClient(sshd, ['-T', 'warden-jump'], { command: 'sleep 300' }))
    gone.push(await sshClient(sshd, ['-T', 'warden-test'], { command: 'sleep 300' }))
    await waitFor(async () => (await engine.tick(), engine.list().length === 3), 15_000, 'three sessions')
    const idOf = (i: number) => engine.list().find((s) => s.pid === gone[i]?.pid)?.id ?? ''
    await engine.end(idOf(0))
    await engine.endMany([idOf(1)])
    await gone[2]?.stop()
    await waitFor(async () => (await engine.tick(), engine.list().length === 0), 15_000, 'all ended')

    // the live set: busy ssh, a quiet one (goes idle), a tunnel, a jump, RDP, a web page
    // (the busy ones echo a line every second through a remote `cat`)
    const busy = [await sshInteractive(sshd), await sshInteractive(sshd)]
    const keepBusy = setInterval(() => {
      for (const b of busy) void b.poke().catch(() => undefined)
    }, 1000)
    stops.push(() => clearInterval(keepBusy))
    await sshClient(sshd, ['-T', 'warden-via-jump'], { command: 'sleep 300' })
    await sshClient(sshd, ['-N', '-L', `127.0.0.1:${await freePort()}:127.0.0.1:9`, 'warden-test'])
    await sshClient(sshd, ['-T', 'warden-jump'], { command: 'sleep 300' })
    await xfreerdpClient(xrdp)
    await startChromium(`${web.url}?ping=1000`)
    engine.start()
    await waitFor(() => engine.list().length === 7, 20_000, 'seven live sessions')
    await waitFor(() => engine.stats().idle >= 2, 30_000, 'the quiet sessions to go idle')

    browser = await launchChromium()
    const b = browser
    /** a window on the engine (or on an empty one), closed with the others if a step fails */
    const view = async (opts: Omit<WindowOptions, 'browser'>): Promise<E2eWindow> => {
      const w = await openWindow({ browser: b, ...opts })
      windows.push(w)
      return w
    }

    const light = await view({ engine })
    const p = light.page
    await p.locator('tr[data-session-id]').nth(6).waitFor()
    await shoot(p, 'sessions')
    await p.locator('tr[data-session-id] [data-action="end"]:not([disabled])').first().click()
    await p.locator('[data-dialog="end-one"]').waitFor()
    await shoot(p, 'end-session-dialog')
    await p.locator('[data-dialog="end-one"] [data-action="cancel"]').click()
    await p.locator('[data-dialog="end-one"]').waitFor({ state: 'detached' })
    await p.click('[data-action="end-all"]')
    await p.locator('[data-dialog="end-all"]').waitFor()
    await shoot(p, 'end-all-dialog')
    await p.locator('[data-dialog="end-all"] [data-action="cancel"]').click()
    await p.locator('[data-dialog="end-all"]').waitFor({ state: 'detached' })
    await p.click('[data-view="history"]')
    await p.locator('tr[data-session-id]').nth(2).waitFor()
    await shoot(p, 'history')
    await p.click('[data-view="settings"]')
    await p.locator('#idleAfterSec').waitFor()
    await fitHeight(p)
    await shoot(p, 'settings')
    await closeClean(light)

    const dark = await view({ engine, colorScheme: 'dark' })
    await dark.page.locator('tr[data-session-id]').nth(6).waitFor()
    await shoot(dark.page, 'sessions-dark')
    await dark.page.click('[data-view="settings"]')
    await dark.page.locator('#idleAfterSec').waitFor()
    await fitHeight(dark.page)
    await shoot(dark.page, 'settings-dark')
    await closeClean(dark)

    const narrow = await view({ engine, viewport: { width: 900, height: 700 } })
    await narrow.page.locator('tr[data-session-id]').nth(6).waitFor()
    await shoot(narrow.page, 'sessions-900px')
    await closeClean(narrow)

    // the empty state: an engine that tracks nothing
    const empty = await view({ engine: { name: 'warden-shots-empty-', ports: [] } })
    await empty.page.locator('[data-empty]').waitFor()
    await shoot(empty.page, 'empty')
    await closeClean(empty)
  } finally {
    for (const s of stops) s()
    for (const w of windows) await w.close()
    await browser?.close()
    await temp?.close()
    await stopAll()
  }
}

await main()
