// `npm run screenshots`: the README's pictures, taken from the real window on the real engine with real
// sessions (ssh to a real sshd, xfreerdp to xrdp, a page in Chromium), never from fixtures.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Browser, Page } from 'playwright-core'
import { build } from 'vite'
import { createEngine, type Engine } from '@engine/index'
import type { Detected } from '@engine/detect/types'
import { rendererConfig } from '../../vite.renderer.config'
import { startBridge, type Bridge } from '../support/bridge'
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
import { launchChromium, openApp, type OpenAppOptions } from '../support/ui'

const out = fileURLToPath(new URL('../../docs/screenshots', import.meta.url))
const rendererDir = fileURLToPath(new URL('../../out/renderer', import.meta.url))

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

async function view(
  browser: Browser,
  bridge: Bridge,
  opts: OpenAppOptions,
): Promise<{ page: Page; close: () => Promise<void> }> {
  const app = await openApp(browser, bridge, opts)
  await app.page.locator('h1', { hasText: 'Active Sessions' }).waitFor()
  return {
    page: app.page,
    close: async () => {
      if (app.errors.length > 0) throw new Error(`the window logged errors:\n${app.errors.join('\n')}`)
      await app.close()
    },
  }
}

async function main(): Promise<void> {
  mkdirSync(out, { recursive: true })
  await build({ ...rendererConfig, configFile: false, logLevel: 'warn' })
  const dir = mkdtempSync(join(tmpdir(), 'warden-shots-'))
  let browser: Browser | null = null
  const engines: Engine[] = []
  const bridges: Bridge[] = []
  const stops: (() => void)[] = []
  try {
    const [sshd, web, xrdp] = await Promise.all([startSshd(), startWebServer(), startXrdp()])
    const ports = new Set([sshd.port, web.port, xrdp.port])
    const engine = await createEngine({
      dbPath: join(dir, 'warden.db'),
      actor: 'app',
      scope: (d: Detected) => ports.has(d.remotePort),
    })
    engines.push(engine)
    engine.setSetting('idleAfterSec', 10)
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
    const bridge = await startBridge({ engine, rendererDir })
    bridges.push(bridge)

    const light = await view(browser, bridge, {})
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
    await light.close()

    const dark = await view(browser, bridge, { colorScheme: 'dark' })
    await dark.page.locator('tr[data-session-id]').nth(6).waitFor()
    await shoot(dark.page, 'sessions-dark')
    await dark.page.click('[data-view="settings"]')
    await dark.page.locator('#idleAfterSec').waitFor()
    await fitHeight(dark.page)
    await shoot(dark.page, 'settings-dark')
    await dark.close()

    const narrow = await view(browser, bridge, { viewport: { width: 900, height: 700 } })
    await narrow.page.locator('tr[data-session-id]').nth(6).waitFor()
    await shoot(narrow.page, 'sessions-900px')
    await narrow.close()

    // the empty state: an engine that tracks nothing
    const none = await createEngine({ dbPath: join(dir, 'empty.db'), actor: 'app', scope: () => false })
    engines.push(none)
    const emptyBridge = await startBridge({ engine: none, rendererDir })
    bridges.push(emptyBridge)
    const empty = await view(browser, emptyBridge, {})
    await empty.page.locator('[data-empty]').waitFor()
    await shoot(empty.page, 'empty')
    await empty.close()
  } finally {
    for (const s of stops) s()
    await browser?.close()
    for (const b of bridges) await b.close()
    for (const e of engines) await e.close()
    await stopAll()
    rmSync(dir, { recursive: true, force: true })
  }
}

await main()
