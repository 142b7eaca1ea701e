import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import type { Engine } from '@engine/index'
import type { Session } from '@shared/model'
import { untilSessions } from '../support/e2e-harness'
import { e2eSuite } from '../support/e2e-suite'
import { isAlive, sshClient, startSshd, waitFor, type ClientProc, type Sshd } from '../support/peers'

// The live table's multi-select and row context menu (issue 15 part 3): the built window in Debian's
// Chromium over the loopback bridge, the real engine, real ssh sessions to a real sshd.
// WARDEN_SCREENSHOTS=1 also saves the selection and the menu under docs/screenshots/.

const shotsDir = fileURLToPath(new URL('../../docs/screenshots', import.meta.url))
const shots = process.env.WARDEN_SCREENSHOTS === '1'

let sshd: Sshd
const e2e = e2eSuite({ peers: async () => (sshd = await startSshd()), fresh: true })

async function openWindow(): Promise<Page> {
  const w = await e2e.open({ engine: { name: 'warden-e2e-table-', ports: [sshd.port], tick: true } })
  return w.page
}

const eng = (): Engine => e2e.engine

function ssh(): Promise<ClientProc> {
  return sshClient(sshd, ['-T', 'warden-test'], { command: 'sleep 120' })
}

/** Waits until the engine has recorded `n` open sessions (the tick that sees new clients). */
const engineSees = (n: number): Promise<Session[]> => untilSessions(e2e.engine, n)

async function waitForRows(page: Page, n: number): Promise<void> {
  await waitFor(async () => (await page.locator('tr[data-session-id]').count()) === n, 15_000, `${n} rows`)
}

/** A screenshot once the menu's or dialog's fade-in is over (finished, not waited for). */
async function settledShot(page: Page, name: string): Promise<void> {
  await page.evaluate(
    'for (const a of document.getAnimations()) if (a.effect?.getComputedTiming().endTime !== Infinity) a.finish()',
  )
  await page.screenshot({ path: join(shotsDir, name) })
}

function sessionOf(sessions: Session[], c: ClientProc): Session {
  const s = sessions.find((x) => x.pid === c.pid)
  if (!s) throw new Error(`no session for pid ${c.pid}`)
  return s
}

describe('multi-select', () => {
  it('End selected ends exactly the two ticked sessions (by keyboard); the third lives', async () => {
    const clients = [await ssh(), await ssh(), await ssh()]
    const page = await openWindow()
    const sessions = await engineSees(3)
    await waitForRows(page, 3)
    const [a, b, c] = clients.map((cl) => sessionOf(sessions, cl)) as [Session, Session, Session]

    expect(await page.locator('[data-action="end-selected"]').count()).toBe(0)
    // by keyboard: focus a row's checkbox, Space ticks it
    for (const s of [a, b]) {
      await page.locator(`[data-select="${s.id}"]`).focus()
      await page.keyboard.press('Space')
    }
    const button = page.locator('[data-action="end-selected"]')
    await expect.poll(() => button.innerText()).toContain('End selected (2)')
    expect(await page.locator(`[data-select="${a.id}"]`).getAttribute('aria-label')).toBe(
      `Select ${a.resourceName}`,
    )
    if (shots) await settledShot(page, 'selection.png')

    const dialog = page.locator('[data-dialog="end-selected"]')
    await button.click()
    await dialog.waitFor()
    // the shared wording (src/shared/model.ts endAllWarning) with the count
    expect(await dialog.innerText()).toContain('This will immediately terminate all 2 active sessions.')
    if (shots) await settledShot(page, 'end-selected-dialog.png')
    await dialog.locator('[data-action="cancel"]').click()
    await dialog.waitFor({ state: 'detached' })
    for (const cl of clients) expect(isAlive(cl.pid)).toBe(true)

    await button.click()
    await dialog.locator('[data-action="confirm"]').click()
    await waitForRows(page, 1)
    expect(await page.locator('tr[data-session-id]').getAttribute('data-session-id')).toBe(c.id)
    await page.locator('.n-message', { hasText: 'Ended 2 sessions.' }).waitFor()
    expect(await page.locator('[data-announce]').innerText()).toContain('Ended 2 sessions.')
    // focus lands in the table, not on <body>
    await expect
      .poll(() => page.evaluate<string | undefined>('document.activeElement?.tagName'))
      .toBe('TABLE')
    for (const cl of clients.slice(0, 2)) await waitFor(() => !isAlive(cl.pid), 10_000, 'ssh to exit')
    expect(isAlive(clients[2]?.pid ?? -1)).toBe(true)
    for (const s of [a, b])
      expect(eng().get(s.id)).toMatchObject({ status: 'disconnected', endReason: 'bulk' })
    expect(eng().get(c.id).status).not.toBe('disconnected')
    expect(await page.locator('[data-action="end-selected"]').count()).toBe(0)
  })
})

/** One open ssh session in the window, and an ended one of the same resource so History has a row. */
async function oneOpenOneEnded(): Promise<{ page: Page; client: ClientProc; s: Session; ended: Session }> {
  const client = await ssh()
  const page = await openWindow()
  const [s] = await engineSees(1)
  if (!s || s.pid !== client.pid) throw new Error('session not matched')
  await waitForRows(page, 1)
  const other = await ssh()
  const [ended] = (await engineSees(2)).filter((x) => x.pid === other.pid)
  if (!ended) throw new Error('second session not seen')
  await eng().end(ended.id)
  await waitForRows(page, 1)
  return { page, client, s, ended }
}

describe('row context menu', () => {
  it('opens by keyboard (Shift+F10, the ContextMenu key), Escape returns focus, Show in History filters', async () => {
    const { page, client, s, ended } = await oneOpenOneEnded()

    const box = page.locator(`[data-select="${s.id}"]`)
    await box.focus()
    await page.keyboard.press('Shift+F10')
    const menu = page.locator('.n-dropdown-menu')
    await menu.waitFor()
    const items = await menu.locator('.n-dropdown-option').allInnerTexts()
    expect(items.map((t) => t.trim())).toEqual(['End…', 'Copy host', 'Show in History', 'Rename…'])
    if (shots) await settledShot(page, 'row-menu.png')
    await page.keyboard.press('Escape')
    await menu.waitFor({ state: 'detached' })
    await expect
      .poll(() =>
        page.evaluate<boolean>(
          `document.querySelector('[data-select="${s.id}"]').contains(document.activeElement)`,
        ),
      )
      .toBe(true)
    // the Enter that picks an item does not tick the checkbox the menu was opened from
    expect(await box.isChecked()).toBe(false)

    await page.keyboard.press('ContextMenu')
    await menu.waitFor()
    await page.keyboard.press('ArrowDown')
    await page.keyboard.press('ArrowDown')
    await page.keyboard.press('ArrowDown')
    await page.keyboard.press('Enter')
    await page.locator('h1', { hasText: 'History' }).waitFor()
    const search = page.getByRole('textbox', { name: /search/i })
    expect(await search.inputValue()).toBe(s.resourceName)
    await waitFor(
      async () => (await page.locator(`tr[data-session-id="${ended.id}"]`).count()) === 1,
      10_000,
      'the ended row in History',
    )
    expect(isAlive(client.pid)).toBe(true)
  })

  it('Copy host puts the session’s host on the clipboard and says so', async () => {
    const { page, s } = await oneOpenOneEnded()
    // headless Chromium grants the async clipboard only with these permissions, per origin
    await page
      .context()
      .grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(page.url()).origin })
    await page.evaluate(`navigator.clipboard.writeText('before')`)
    await page.locator(`[data-select="${s.id}"]`).focus()
    await page.keyboard.press('Shift+F10')
    await page.locator('.n-dropdown-menu').waitFor()
    await page.locator('.n-dropdown-option', { hasText: 'Copy host' }).click()
    await page.locator('.n-message', { hasText: `Copied ${s.host}.` }).waitFor()
    expect(await page.evaluate<string>('navigator.clipboard.readText()')).toBe(s.host)
    expect(s.host).not.toBe('')
  })
})

describe('rename', () => {
  it('Rename… gives the ssh resource a display name: the row and History show it; bad text is refused', async () => {
    const { page, s, ended } = await oneOpenOneEnded()

    await page.locator(`[data-select="${s.id}"]`).focus()
    await page.keyboard.press('Shift+F10')
    await page.locator('.n-dropdown-menu').waitFor()
    await page.locator('.n-dropdown-option', { hasText: 'Rename…' }).click()
    const dialog = page.locator('[data-dialog="rename"]')
    const input = dialog.getByRole('textbox', { name: 'Display name' })
    expect(await input.inputValue()).toBe(s.resourceName)
    // a control character: refused by the engine, the error shown, nothing changed
    await input.fill('bad\u0007name')
    await dialog.locator('[data-action="confirm"]').click()
    await dialog.locator('[role="alert"]').waitFor()
    expect(eng().findResource(s.resourceName).displayName).toBeNull()

    await input.fill('Build server')
    await dialog.locator('[data-action="confirm"]').click()
    await dialog.waitFor({ state: 'detached' })
    await expect
      .poll(() => page.locator(`tr[data-session-id="${s.id}"]`).innerText())
      .toContain('Build server')
    expect(eng().get(s.id).resourceName).toBe('Build server')
    expect(eng().findResource('warden-test').displayName).toBe('Build server')

    await page.click('[data-view="history"]')
    await page.locator('h1', { hasText: 'History' }).waitFor()
    await expect
      .poll(() => page.locator(`tr[data-session-id="${ended.id}"]`).innerText())
      .toContain('Build server')
  })
})
