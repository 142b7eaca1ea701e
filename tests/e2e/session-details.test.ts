import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Engine } from '@engine/index'
import { startBridge, type Bridge } from '../support/bridge'
import { RENDERER_DIR, tempEngine, type TempEngine } from '../support/e2e-harness'
import { e2eSuite } from '../support/e2e-suite'
import { sshClient, startSshd, waitFor, type Sshd } from '../support/peers'
import { openApp, type AppPage } from '../support/ui'

// The session details drawer (issue 15 part 2) in Debian's Chromium over the loopback bridge, on the
// real engine with a real ssh session to the real sshd: its figures against the engine's own row,
// the dialog's focus and Esc, and Copy. WARDEN_SCREENSHOTS_DIR=docs/screenshots also keeps the README's picture.

let sshd: Sshd
// one engine and bridge for the file: the first test opens the window once its session is there, the
// second asks the same page
let temp: TempEngine
let engine: Engine
let bridge: Bridge
let app: AppPage

const e2e = e2eSuite({ peers: async () => (sshd = await startSshd()) })

beforeAll(async () => {
  temp = await tempEngine({
    name: 'warden-details-',
    ports: [sshd.port],
    // a 20 s idle limit reads counters every 2 s (activity.ts countersDue): samples come quicker
    settings: { idleAfterSec: 20 },
    start: true,
  })
  engine = temp.engine
  bridge = await startBridge({ engine, rendererDir: RENDERER_DIR })
})
afterAll(async () => {
  await app.close()
  await bridge.close()
  await temp.close()
})

describe('session details drawer', () => {
  it('shows the engine’s pid, remote port and executable; focus, Esc and Copy work', async () => {
    const client = await sshClient(sshd, ['-T', 'warden-test'], {
      // a line a second: traffic the ring's samples and the sparkline can show
      command: 'for i in $(seq 120); do echo $i; sleep 1; done',
    })
    await waitFor(() => Promise.resolve(engine.list().length === 1), 15_000, 'the ssh session in the engine')
    const [s] = engine.list()
    if (!s) throw new Error('no session')
    expect(s.pid).toBe(client.pid)
    app = await openApp(e2e.browser, bridge)
    const page = app.page
    await page
      .context()
      .grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(bridge.appUrl).origin })
    const details = page.locator(`tr[data-session-id="${s.id}"] [data-action="details"]`)
    await details.focus()
    await page.keyboard.press('Enter')

    const drawer = page.getByRole('dialog', { name: /session details/ })
    await drawer.waitFor()
    await expect.poll(() => drawer.locator('[data-field="pid"]').innerText()).toBe(String(s.pid))
    expect(await drawer.locator('[data-field="remote-port"]').innerText()).toBe(String(s.remotePort))
    expect(await drawer.locator('[data-field="exe"]').innerText()).toBe(s.exe)
    expect(s.exe).toMatch(/ssh$/)
    // focus moved into the dialog
    expect(await page.evaluate<boolean>(`document.activeElement?.closest('[role="dialog"]') !== null`)).toBe(
      true,
    )
    // the ring fills tick by tick: the sparkline draws once two samples exist
    await expect.poll(() => drawer.locator('[data-sparkline] polyline').count()).toBe(1)
    // the parent chain is read on this call: the ssh's parent is this test's process tree
    await expect.poll(() => drawer.locator('[data-field="parents"] li').count()).toBeGreaterThan(0)

    const shots = process.env.WARDEN_SCREENSHOTS_DIR
    if (shots) {
      // a few seconds of samples, the drawer at its top, a window tall enough for all of it
      await expect
        .poll(() => drawer.locator('[data-sparkline]').getAttribute('aria-label'))
        .toMatch(/in [3-9]\d* of/)
      await page.setViewportSize({ width: 1280, height: 1000 })
      mkdirSync(shots, { recursive: true })
      await page.waitForTimeout(600) // let the drawer's slide-in finish before the picture
      await page.screenshot({ path: join(shots, 'session-details.png') })
    }

    const want = `ssh -p ${s.remotePort} ${s.user ?? ''}${s.user ? '@' : ''}${s.host}`
    await drawer.locator('[data-copy="ssh"]').click()
    await expect
      .poll(() => drawer.locator('[data-copied]').innerText())
      .toMatch(/^(Copied|Could not copy) ssh command/)
    const said = await drawer.locator('[data-copied]').innerText()
    if (said.startsWith('Copied'))
      expect(await page.evaluate<string>('navigator.clipboard.readText()')).toBe(want)
    else console.warn(`clipboard refused here: ${said}`)
    await drawer.locator('[data-copy="ip"]').click()
    await expect.poll(() => drawer.locator('[data-copied]').innerText()).toMatch(/(Copied|Could not copy) IP/)

    await page.keyboard.press('Escape')
    await drawer.waitFor({ state: 'detached' })
    await expect
      .poll(() => page.evaluate<string | null>(`document.activeElement?.getAttribute('data-action') ?? null`))
      .toBe('details')
    expect(app.errors).toEqual([])
  })

  it('an unknown session id is refused with a clear error over the bridge', async () => {
    const reply = await app.page.evaluate<string>(
      `window.warden.getSessionDetails('0123456789ab').then(() => 'resolved', (e) => e.code + ': ' + e.message)`,
    )
    expect(reply).toBe('UNKNOWN_SESSION: no session with id 0123456789ab')
  })

  it('shows a ProxyJump that only the ssh config names (ssh -G), not the command line', async () => {
    // warden-via-jump: "ProxyJump warden-jump" in the -F file the test client uses (peers/sshd.ts)
    const client = await sshClient(sshd, ['-N', 'warden-via-jump'])
    const s = await waitFor(
      () => engine.list().find((x) => x.pid === client.pid),
      15_000,
      'the jumped session in the engine',
    )
    const page = app.page
    await page.locator(`tr[data-session-id="${s.id}"] [data-action="details"]`).click()
    const drawer = page.getByRole('dialog', { name: /session details/ })
    await expect.poll(() => drawer.locator('[data-field="jump"]').innerText()).toBe('warden-jump')
    expect(await drawer.locator('[data-copy="ssh"]').count()).toBe(1)
    await page.keyboard.press('Escape')
    await drawer.waitFor({ state: 'detached' })
  })
})
