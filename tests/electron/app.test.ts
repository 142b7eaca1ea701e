import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { _electron, type ElectronApplication, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isAlive, sshInteractive, startSshd, stopAll, type Sshd } from '../support/peers'
import { electronStatus } from './electron-status'

// The real desktop app in the real Electron: where the Electron binary exists (a developer's machine,
// `npm run test:electron`). Here it cannot be downloaded, so this suite is skipped, and says why in its
// title, in the console and in the CI summary line (tests/support/summary.mjs lists skipped tests).

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const status = electronStatus()
if (!status.ok) console.warn(`Electron suite skipped: ${status.reason}`)
const title = status.ok ? 'the Electron app' : `the Electron app (skipped: ${status.reason})`

interface TrayItem {
  type?: string
  label?: string
}

describe.skipIf(!status.ok)(title, () => {
  let app: ElectronApplication
  let page: Page
  let sshd: Sshd
  let dir: string

  beforeAll(async () => {
    if (!status.ok) return
    dir = mkdtempSync(join(tmpdir(), 'warden-electron-'))
    sshd = await startSshd()
    app = await _electron.launch({
      executablePath: status.executable,
      args: [ROOT],
      env: { ...process.env, WARDEN_DB: join(dir, 'w.db'), WARDEN_E2E: '1' },
    })
    page = await app.firstWindow()
    await page.waitForLoadState('domcontentloaded')
  })
  afterAll(async () => {
    await app.close()
    await stopAll()
    rmSync(dir, { recursive: true, force: true })
  })

  it('opens the Sessions window', async () => {
    expect(await page.title()).toBe('Session Warden')
    await expect.poll(() => page.getByRole('heading', { name: 'Sessions' }).count()).toBeGreaterThan(0)
  })

  it('the page has no Node: no require, no process; window.warden is the contract only', async () => {
    const globals = await page.evaluate(() => ({
      require: typeof (globalThis as { require?: unknown }).require,
      process: typeof (globalThis as { process?: unknown }).process,
      module: typeof (globalThis as { module?: unknown }).module,
      warden: Object.keys((globalThis as unknown as { warden: object }).warden).sort(),
    }))
    expect(globals.require).toBe('undefined')
    expect(globals.process).toBe('undefined')
    expect(globals.module).toBe('undefined')
    expect(globals.warden).toContain('listSessions')
    expect(globals.warden).not.toContain('invoke')
  })

  it('window.open is blocked and no second window appears', async () => {
    const opened = await page.evaluate(
      () => (globalThis as unknown as { open(url: string): unknown }).open('https://example.com/') === null,
    )
    expect(opened).toBe(true)
    expect(app.windows()).toHaveLength(1)
  })

  it('shows a real ssh session, lists it in the tray, and ends it', async () => {
    const client = await sshInteractive(sshd)
    const row = page.getByRole('row', { name: /warden-test/ })
    await expect.poll(() => row.count(), { timeout: 15_000 }).toBeGreaterThan(0)

    const tray = await app.evaluate(() => {
      const d = (globalThis as { __warden?: { tray: { view: { items: TrayItem[] } } } }).__warden
      return d?.tray.view.items.map((i) => i.label ?? '---') ?? []
    })
    expect(tray.some((l) => l.includes('warden-test'))).toBe(true)
    expect(tray).toContain('Quit Session Warden')

    await row
      .first()
      .getByRole('button', { name: /^End session/ })
      .click()
    await page
      .getByRole('dialog')
      .getByRole('button', { name: /^End session/ })
      .click()
    await expect.poll(() => isAlive(client.pid), { timeout: 10_000 }).toBe(false)
  })
})
