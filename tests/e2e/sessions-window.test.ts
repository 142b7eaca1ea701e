import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import type { Engine } from '@engine/index'
import type { Session } from '@shared/model'
import { byLastActivity, filterSessions, sorters } from '@renderer/lib/sessions'
import { untilSessions } from '../support/e2e-harness'
import { e2eSuite } from '../support/e2e-suite'
import {
  freePort,
  isAlive,
  sshClient,
  startChromium,
  startSshd,
  startWebServer,
  startXrdp,
  waitFor,
  xfreerdpClient,
  type ClientProc,
  type Sshd,
  type WebServer,
} from '../support/peers'

// The built window in Debian's Chromium, `window.warden` backed by the real engine over the loopback
// bridge, with real ssh sessions to a real sshd and a real browser session to a real web server.

let sshd: Sshd
let web: WebServer
// every client of a test ends with it, so tests never see each other's sessions
const e2e = e2eSuite({
  peers: async () => ([sshd, web] = await Promise.all([startSshd(), startWebServer()])),
  fresh: true,
})

/** A fresh engine on a temp database, scoped to this file's peers; the window open on it. */
async function openWindow(
  opts: { loop?: boolean; colorScheme?: 'light' | 'dark'; ports?: number[] } = {},
): Promise<Page> {
  const ports = [sshd.port, web.port, ...(opts.ports ?? [])]
  const w = await e2e.open({
    engine: { ports, tick: true, start: opts.loop === true },
    ...(opts.colorScheme ? { colorScheme: opts.colorScheme } : {}),
  })
  return w.page
}

const eng = (): Engine => e2e.engine

function ssh(): Promise<ClientProc> {
  return sshClient(sshd, ['-T', 'warden-test'], { command: 'sleep 120' })
}

async function rowIds(page: Page): Promise<string[]> {
  const rows = await page.locator('tr[data-session-id]').all()
  return Promise.all(rows.map(async (r) => (await r.getAttribute('data-session-id')) ?? ''))
}

async function waitForRows(page: Page, n: number): Promise<string[]> {
  await waitFor(async () => (await page.locator('tr[data-session-id]').count()) === n, 15_000, `${n} rows`)
  return rowIds(page)
}

function row(page: Page, id: string) {
  return page.locator(`tr[data-session-id="${id}"]`)
}

async function card(page: Page, label: string): Promise<string> {
  return (await page.locator(`[data-stat="${label}"] [data-value]`).innerText()).trim()
}

/** Waits until the engine has recorded `n` open sessions (the tick that sees new clients). */
const engineSees = (n: number): Promise<Session[]> => untilSessions(e2e.engine, n)

describe('Sessions view', () => {
  it('shows exactly the engine’s sessions and stats, and sorts on every data column', async () => {
    const clients = [
      await ssh(),
      await sshClient(sshd, ['-N', 'warden-via-jump']),
      await sshClient(sshd, ['-N', '-L', `127.0.0.1:${await freePort()}:127.0.0.1:9`, 'warden-test']),
    ]
    const page = await openWindow()
    const sessions = await engineSees(clients.length)
    const ids = await waitForRows(page, sessions.length)
    expect(new Set(ids)).toEqual(new Set(sessions.map((s) => s.id)))

    for (const s of sessions) {
      const r = row(page, s.id)
      const text = await r.innerText()
      expect(text).toContain(s.resourceName)
      expect(text).toContain(s.device)
      expect(text).toContain(s.ipAddress)
      expect(text).toContain(s.location)
      expect(await r.locator('[data-status]').getAttribute('data-status')).toBe(s.status)
      expect(await r.locator('[data-icon]').getAttribute('data-icon')).toBe('ssh')
      expect(await r.getByRole('button', { name: `End session ${s.resourceName}` }).count()).toBe(1)
    }
    // the tunnel and the jump are marked
    const jump = sessions.find((s) => s.flags.includes('jump'))
    expect(jump).toBeDefined()
    if (jump) expect(await row(page, jump.id).locator('[data-flag="jump"]').count()).toBe(1)
    expect(await page.locator('[data-flag="tunnel"]').count()).toBeGreaterThan(0)

    const stats = eng().stats()
    expect(await card(page, 'Active Sessions')).toBe(String(stats.active))
    expect(await card(page, 'Idle Sessions')).toBe(String(stats.idle))
    // the card ticks on its own: it shows the engine's total of a moment before or after
    const total = await card(page, 'Total Duration')
    expect([stats.totalDuration, eng().stats().totalDuration]).toContain(total)

    // every data column sorts; Actions does not
    const sortable = await page.locator('button.th-sort').all()
    expect(await Promise.all(sortable.map((b) => b.getAttribute('data-sort')))).toEqual([
      'resource',
      'device',
      'duration',
      'location',
      'activity',
      'status',
    ])
    const byName = [...sessions].sort(sorters.resource).map((s) => s.resourceName)
    await page.click('[data-sort="resource"]')
    await expect.poll(async () => names(page, await rowIds(page))).toEqual(byName)
    expect(await page.getAttribute('th[data-col-key="resource"]', 'aria-sort')).toBe('ascending')
    await page.click('[data-sort="resource"]')
    await expect.poll(async () => names(page, await rowIds(page))).toEqual([...byName].reverse())
    expect(await page.getAttribute('th[data-col-key="resource"]', 'aria-sort')).toBe('descending')

    // by keyboard: the header is a button
    await page.locator('[data-sort="status"]').focus()
    await page.keyboard.press('Enter')
    await expect.poll(() => page.getAttribute('th[data-col-key="status"]', 'aria-sort')).toBe('ascending')
    expect(await page.getAttribute('th[data-col-key="resource"]', 'aria-sort')).toBe('none')

    const byDuration = [...sessions].sort(sorters.duration).map((s) => s.id)
    await page.click('[data-sort="duration"]')
    await expect.poll(() => rowIds(page)).toEqual(byDuration)
    await page.click('[data-sort="duration"]')
    await expect.poll(() => rowIds(page)).toEqual([...byDuration].reverse())

    function names(p: Page, order: string[]): Promise<string[]> {
      return Promise.all(
        order.map(async (id) => (await p.locator(`tr[data-session-id="${id}"] .name`).innerText()).trim()),
      )
    }
  })

  it('filters by text, type and status as the engine’s rows say, and sorts by Last activity', async () => {
    await ssh()
    await ssh()
    await sshClient(sshd, ['-N', 'warden-via-jump'])
    const page = await openWindow()
    const sessions = await engineSees(3)
    await waitForRows(page, 3)
    const jump = sessions.find((s) => s.flags.includes('jump'))
    if (!jump) throw new Error('no jump session')
    const want = (f: Parameters<typeof filterSessions>[1]) =>
      new Set(filterSessions(eng().list(), f).map((s) => s.id))
    const none = { text: '', types: [], statuses: [] }

    const search = page.locator('input[aria-label="Search sessions"]')
    await search.fill(jump.ipAddress === '127.0.0.1' ? jump.resourceName : jump.ipAddress)
    const byText = want({ ...none, text: await search.inputValue() })
    await expect.poll(async () => new Set(await rowIds(page))).toEqual(byText)
    await expect
      .poll(() => page.locator('[data-filtered]').innerText())
      .toBe(`${byText.size} of 3 sessions shown`)
    const shot = process.env.WARDEN_SCREENSHOTS_DIR
    if (shot) {
      await page.waitForTimeout(600) // a picture, not an assertion: let the rows' transition finish
      await page.screenshot({ path: join(shot, 'filtered-table.png') })
    }
    await search.fill('')
    await expect.poll(() => rowIds(page)).toHaveLength(3)

    // by keyboard: the type and status chips are toggle buttons
    await page.locator('[data-filter-type="rdp"]').focus()
    await page.keyboard.press('Enter')
    expect(await page.locator('[data-filter-type="rdp"]').getAttribute('aria-pressed')).toBe('true')
    await expect.poll(() => rowIds(page)).toEqual([])
    await page.click('[data-filter-type="rdp"]')
    await page.click('[data-filter-status="idle"]')
    await expect.poll(async () => new Set(await rowIds(page))).toEqual(want({ ...none, statuses: ['idle'] }))
    await page.click('[data-filter-status="idle"]')
    await expect.poll(() => rowIds(page)).toHaveLength(3)

    await page.click('[data-sort="activity"]')
    await expect.poll(() => rowIds(page)).toEqual([...eng().list()].sort(byLastActivity).map((s) => s.id))
    expect(await page.getAttribute('th[data-col-key="activity"]', 'aria-sort')).toBe('ascending')
  })

  it('Cancel changes nothing; End removes exactly that session and its ssh process is gone', async () => {
    const [a, b] = [await ssh(), await ssh()]
    const page = await openWindow()
    const sessions = await engineSees(2)
    await waitForRows(page, 2)
    const target = sessions.find((s) => s.pid === a.pid)
    const other = sessions.find((s) => s.pid === b.pid)
    if (!target || !other) throw new Error('sessions not matched to their clients')

    // by keyboard: focus the row's X, Enter opens the dialog, Escape cancels it
    await row(page, target.id)
      .getByRole('button', { name: `End session ${target.resourceName}` })
      .focus()
    await page.keyboard.press('Enter')
    const dialog = page.locator('[data-dialog="end-one"]')
    await dialog.waitFor()
    expect(await dialog.innerText()).toContain(
      'Ending a session may result in loss of unsaved work. Save your work before terminating sessions.',
    )
    expect(await dialog.innerText()).toContain(`pid ${target.pid}`)
    await page.keyboard.press('Escape')
    await dialog.waitFor({ state: 'detached' })

    // with the mouse: Cancel
    await row(page, target.id).locator('[data-action="end"]').click()
    await dialog.waitFor()
    await dialog.locator('[data-action="cancel"]').click()
    await dialog.waitFor({ state: 'detached' })
    expect(await rowIds(page)).toHaveLength(2)
    expect(isAlive(a.pid)).toBe(true)
    expect(eng().get(target.id).status).not.toBe('disconnected')

    // End
    await row(page, target.id).locator('[data-action="end"]').click()
    await dialog.locator('[data-action="confirm"]').click()
    await row(page, target.id).waitFor({ state: 'detached' })
    expect(await rowIds(page)).toEqual([other.id])
    await page.locator('.n-message', { hasText: `Ended ${target.resourceName}` }).waitFor()
    await waitFor(() => !isAlive(a.pid), 10_000, 'the ended ssh to exit')
    expect(isAlive(b.pid)).toBe(true)
    const ended = eng().get(target.id)
    expect(ended).toMatchObject({ status: 'disconnected', endReason: 'user', endedBy: 'app' })
    expect(eng().get(other.id).status).not.toBe('disconnected')
  })

  it('End All names the right count, Cancel keeps everything, End all ends them all', async () => {
    const clients = [await ssh(), await ssh(), await sshClient(sshd, ['-N', 'warden-via-jump'])]
    const page = await openWindow()
    const sessions = await engineSees(3)
    await waitForRows(page, 3)

    const dialog = page.locator('[data-dialog="end-all"]')
    await page.click('[data-action="end-all"]')
    await dialog.waitFor()
    expect(await dialog.innerText()).toContain('End All Sessions')
    expect(await dialog.innerText()).toContain(
      'This will immediately terminate all 3 active sessions. Any unsaved work may be lost. Are you sure you want to continue?',
    )
    await dialog.locator('[data-action="cancel"]').click()
    await dialog.waitFor({ state: 'detached' })
    expect(await rowIds(page)).toHaveLength(3)
    for (const c of clients) expect(isAlive(c.pid)).toBe(true)

    await page.click('[data-action="end-all"]')
    await dialog.locator('[data-action="confirm"]').click()
    await page.locator('[data-empty]').waitFor()
    await page.locator('.n-message', { hasText: 'Ended 3 sessions.' }).waitFor()
    expect(await page.locator('[data-announce]').innerText()).toContain('Ended 3 sessions.')
    for (const c of clients) await waitFor(() => !isAlive(c.pid), 10_000, 'ssh to exit')
    for (const s of sessions)
      expect(eng().get(s.id)).toMatchObject({ status: 'disconnected', endReason: 'bulk', endedBy: 'app' })
    expect(await page.locator('[data-action="end-all"]').isDisabled()).toBe(true)
    expect(await card(page, 'Active Sessions')).toBe('0')
  })

  it('shows the empty state, Refresh picks up a new session, and the loop pushes later ones', async () => {
    const page = await openWindow()
    const empty = page.locator('[data-empty]')
    await empty.waitFor()
    expect(await empty.innerText()).toContain(
      "This is normal when you're not currently connected to any resources.",
    )
    expect(await page.locator('[data-action="end-all"]').isDisabled()).toBe(true)

    // no loop runs: only Refresh (a scan now) can show the new session
    const a = await ssh()
    await page.click('[data-action="refresh"]')
    await waitFor(
      async () => {
        if ((await page.locator('tr[data-session-id]').count()) === 1) return true
        await page.click('[data-action="refresh"]') // the client may still be authenticating
        return false
      },
      15_000,
      'the refreshed row',
    )
    const [s] = eng().list()
    expect(s?.pid).toBe(a.pid)
    expect(await rowIds(page)).toEqual([s?.id])

    // with the loop running, a new session arrives by itself (sessions:changed)
    eng().start()
    const b = await ssh()
    const ids = await waitForRows(page, 2)
    expect(
      eng()
        .list()
        .map((x) => x.pid),
    ).toContain(b.pid)
    expect(new Set(ids)).toEqual(
      new Set(
        eng()
          .list()
          .map((x) => x.id),
      ),
    )
  })

  it('an RDP session shows as RDP with the Monitor icon, and End ends the xfreerdp process', async () => {
    const xrdp = await startXrdp()
    const page = await openWindow({ loop: true, ports: [xrdp.port] })
    const rdp = await xfreerdpClient(xrdp)
    const [id] = await waitForRows(page, 1)
    const s = eng().get(id ?? '')
    expect(s).toMatchObject({ resourceType: 'rdp', pid: rdp.pid, endable: true })
    const r = row(page, s.id)
    expect(await r.locator('[data-icon]').getAttribute('data-icon')).toBe('rdp')
    expect(await r.innerText()).toContain('RDP')
    await r.locator('[data-action="end"]').click()
    await page.locator('[data-dialog="end-one"] [data-action="confirm"]').click()
    await page.locator('[data-empty]').waitFor()
    await page.locator('.n-message', { hasText: `Ended ${s.resourceName}` }).waitFor()
    expect(isAlive(rdp.pid)).toBe(false)
    expect(eng().get(s.id)).toMatchObject({ status: 'disconnected', endReason: 'user' })
  })

  it('a session in the everyday browser says it cannot be ended; End all leaves it and says so', async () => {
    const page = await openWindow({ loop: true })
    eng().addResource({ type: 'web', name: 'Intranet', target: web.url })
    const everyday = await startChromium(`${web.url}?ping=1000`)
    const a = await ssh()
    const [first, second] = await waitForRows(page, 2)
    const sessions = eng().list()
    const inBrowser = sessions.find((s) => s.resourceType === 'web')
    expect(inBrowser).toMatchObject({ resourceName: 'Intranet', endable: false })
    if (!inBrowser || !first || !second) throw new Error('no web session')
    const r = row(page, inBrowser.id)
    expect(await r.locator('[data-icon]').getAttribute('data-icon')).toBe('web')
    expect(await r.locator('[data-flag="in-browser"]').count()).toBe(1)
    const x = r.getByRole('button', { name: 'Intranet cannot be ended here' })
    expect(await x.isDisabled()).toBe(true)
    // the reason, by keyboard: focus shows it, and it is the wrapper's accessible description
    await r.locator('[data-hint="why"]').focus()
    await page.locator('[data-hint-popup]', { hasText: 'close its tab there' }).waitFor()
    expect(await r.locator('[data-hint="why"]').getAttribute('aria-describedby')).toMatch(/^hint-/)
    // the tip of the window's last column stays inside the window at its own width (three lines, not a
    // column of letters squeezed against the right edge)
    const tip = await page.locator('[data-hint-popup]').boundingBox()
    const width = page.viewportSize()?.width ?? 0
    expect(tip !== null && tip.x >= 0 && tip.x + tip.width <= width && tip.height < 100).toBe(true)
    const hintShot = process.env.WARDEN_SCREENSHOTS_DIR
    if (hintShot) await page.screenshot({ path: join(hintShot, 'hint-tooltip.png') }) // a picture only

    await page.click('[data-action="end-all"]')
    const dialog = page.locator('[data-dialog="end-all"]')
    expect(await dialog.innerText()).toContain('This will immediately terminate the 1 active session.')
    expect(await dialog.innerText()).toContain('1 session runs in your everyday browser and will stay open')
    await dialog.locator('[data-action="confirm"]').click()
    await waitFor(() => !isAlive(a.pid), 10_000, 'ssh to exit')
    await waitForRows(page, 1)
    expect(await rowIds(page)).toEqual([inBrowser.id])
    expect(isAlive(everyday.pid)).toBe(true)
  })
})

describe('idle warning and auto-disconnect', () => {
  it('the window shows the idle warning, then the disconnect, and the row leaves', async () => {
    const a = await ssh()
    const page = await openWindow({ loop: true })
    const [id] = await waitForRows(page, 1)
    eng().setSetting('idleAfterSec', 5)
    eng().setSetting('warnAfterSec', 6)
    eng().setSetting('disconnectAfterSec', 10)
    const warning = page.locator('[data-notice="idle-warning"]')
    await warning.waitFor({ timeout: 30_000 })
    expect(await warning.innerText()).toMatch(
      /warden-test has been idle for <1m\. It will be disconnected in <1m\./,
    )
    const notice = page.locator('[data-notice="auto-ended"]')
    await notice.waitFor({ timeout: 30_000 })
    expect(await notice.innerText()).toContain(
      'warden-test was disconnected because it had been idle too long.',
    )
    await page.locator('[data-empty]').waitFor()
    await waitFor(() => !isAlive(a.pid), 10_000, 'the idle ssh to exit')
    expect(eng().get(id ?? '')).toMatchObject({ status: 'disconnected', endReason: 'idle-timeout' })
  })

  it('Keep active on the idle warning restarts the idle clock: the row is active again, the notice goes', async () => {
    await ssh()
    const page = await openWindow({ loop: true })
    const [id] = await waitForRows(page, 1)
    if (!id) throw new Error('no row')
    eng().setSetting('idleAfterSec', 5)
    eng().setSetting('warnAfterSec', 6)
    eng().setSetting('disconnectAfterSec', 0)
    const warning = page.locator('[data-notice="idle-warning"]')
    await warning.waitFor({ timeout: 30_000 })
    expect(eng().get(id).status).toBe('idle')
    await page.click('[data-action="keep-active"]')
    await warning.waitFor({ state: 'detached' })
    // the engine restarted its clock (it goes idle again 5 s later: look before that)
    expect(eng().get(id).status).toBe('active')
    expect(await row(page, id).getAttribute('data-status')).toBe('active')
    expect(await page.locator('.n-message').innerText()).toContain('warden-test is kept active')
  })
})

describe('Keep active from the row', () => {
  it('an idle row’s Keep active restarts the engine’s idle clock; the row is active again', async () => {
    await ssh()
    const page = await openWindow({ loop: true })
    const [id] = await waitForRows(page, 1)
    if (!id) throw new Error('no row')
    eng().setSetting('warnAfterSec', 0) // no warning notice: only the row's button
    eng().setSetting('disconnectAfterSec', 0)
    eng().setSetting('idleAfterSec', 5)
    const keep = row(page, id).locator('[data-action="keep-active-row"]')
    await keep.waitFor({ timeout: 30_000 })
    expect(eng().get(id).status).toBe('idle')
    await keep.focus()
    await page.keyboard.press('Enter')
    await expect.poll(() => row(page, id).getAttribute('data-status')).toBe('active')
    // the engine restarted its clock (it goes idle again 5 s later: look before that)
    expect(eng().get(id).status).toBe('active')
    expect(await page.locator('.n-message').innerText()).toContain('warden-test is kept active')
    await expect
      .poll(() => page.evaluate<string | null>("document.activeElement?.getAttribute('data-action') ?? null"))
      .toBe('end')
  })
})

describe('History view', () => {
  it('lists ended sessions with their cause, filters them, and exports CSV and JSON', async () => {
    const [a, b, c] = [await ssh(), await ssh(), await ssh()]
    const page = await openWindow()
    const sessions = await engineSees(3)
    const byPid = (pid: number) => sessions.find((s) => s.pid === pid)?.id ?? ''
    await eng().end(byPid(a.pid))
    await eng().endMany([byPid(b.pid)])
    await c.stop() // the client exits on its own
    await engineSees(0)

    await page.click('[data-view="history"]')
    await page.locator('h1', { hasText: 'Session History' }).waitFor()
    const ids = await waitForRows(page, 3)
    expect(new Set(ids)).toEqual(new Set(sessions.map((s) => s.id)))
    const reason = (pid: number) =>
      page.locator(`tr[data-session-id="${byPid(pid)}"] [data-reason]`).getAttribute('data-reason')
    expect(await reason(a.pid)).toBe('user')
    expect(await reason(b.pid)).toBe('bulk')
    expect(await reason(c.pid)).toBe('process-exit')
    expect(await row(page, byPid(a.pid)).innerText()).toContain('Ended by you')

    // filter by cause
    await page.locator('[data-filter="reason"]').click()
    await page.locator('.n-base-select-option', { hasText: 'Client closed' }).click()
    await expect.poll(() => rowIds(page)).toEqual([byPid(c.pid)])

    // text search that matches nothing: the history's own empty state
    await page.getByLabel('Search history').fill('no-such-host')
    await page.locator('[data-empty]').waitFor()
    await page.getByLabel('Search history').fill('')
    await expect.poll(() => rowIds(page)).toEqual([byPid(c.pid)])

    // dates (the browser's own date fields): from tomorrow on is nothing; up to today holds today whole
    const day = (d: Date) =>
      `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`
    const now = new Date()
    await page.getByLabel('From').fill(day(new Date(now.getFullYear(), now.getMonth(), now.getDate() + 1)))
    await page.locator('[data-empty]').waitFor()
    await page.click('[data-action="clear-dates"]')
    await page.getByLabel('to', { exact: true }).fill(day(now))
    await expect.poll(() => rowIds(page)).toEqual([byPid(c.pid)])
    await page.click('[data-action="clear-dates"]')
    await expect.poll(() => page.locator('[data-filter="to"]').inputValue()).toBe('')

    // exports hold what the filters select
    const [csv] = await Promise.all([page.waitForEvent('download'), page.click('[data-action="export-csv"]')])
    const csvText = readFileSync(await csv.path(), 'utf8')
    expect(csv.suggestedFilename()).toMatch(/^session-history-\d{4}-\d{2}-\d{2}\.csv$/)
    expect(csvText.split('\r\n')[0]).toContain('id,resourceName,resourceType')
    expect(csvText).toContain(byPid(c.pid))
    expect(csvText).not.toContain(byPid(a.pid))

    await page.locator('[data-filter="reason"] .n-base-clear').click()
    await expect.poll(async () => (await rowIds(page)).length).toBe(3)
    const [json] = await Promise.all([
      page.waitForEvent('download'),
      page.click('[data-action="export-json"]'),
    ])
    const rows = JSON.parse(readFileSync(await json.path(), 'utf8')) as Session[]
    expect(new Set(rows.map((r) => [r.id, r.endReason].join(':')))).toEqual(
      new Set([`${byPid(a.pid)}:user`, `${byPid(b.pid)}:bulk`, `${byPid(c.pid)}:process-exit`]),
    )
  })
})

describe('Settings view', () => {
  it('refuses a bad value inline and changes nothing; a good one takes effect on the sessions', async () => {
    const a = await ssh()
    const page = await openWindow({ loop: true })
    const [id] = await waitForRows(page, 1)
    if (!id) throw new Error('no row')
    expect(eng().list()[0]?.pid).toBe(a.pid)

    await page.click('[data-view="settings"]')
    const field = page.locator('#idleAfterSec')
    await field.waitFor()
    expect(await field.inputValue()).toBe('5m')

    // refused by the window's own parser: no unit
    await field.fill('2')
    await field.press('Enter')
    await expect.poll(() => page.locator('#idleAfterSec-msg').innerText()).toContain('add a unit')
    // refused by the engine, with its reason
    await field.fill('2s')
    await field.press('Enter')
    await expect
      .poll(() => page.locator('#idleAfterSec-msg').innerText())
      .toContain('idleAfterSec must be a whole number of seconds from 5 to 86400 (got 2)')
    expect(await field.getAttribute('aria-invalid')).toBe('true')
    expect(eng().getSettings().idleAfterSec).toBe(300)

    // accepted: the silent session goes idle on the sessions page
    await field.fill('5s')
    await field.press('Enter')
    await expect.poll(() => eng().getSettings().idleAfterSec).toBe(5)
    await expect.poll(() => field.getAttribute('aria-invalid')).toBe('false')
    await page.click('[data-view="sessions"]')
    await row(page, id).locator('[data-status="idle"]').waitFor({ timeout: 30_000 })
    expect(await card(page, 'Idle Sessions')).toBe('1')
    expect(await card(page, 'Active Sessions')).toBe('0')
  })

  it('saves the screen-lock action and the desktop app switches', async () => {
    const page = await openWindow()
    await page.click('[data-view="settings"]')
    const lock = page.locator('[data-setting="lockAction"] .n-base-selection')
    await lock.waitFor()
    expect(await lock.innerText()).toBe('Count me away (idle clocks run)')
    await lock.click()
    await page.locator('.n-base-select-option', { hasText: 'End all sessions' }).click()
    await expect.poll(() => eng().getSettings().lockAction).toBe('end')
    await lock.click()
    await page.locator('.n-base-select-option', { hasText: 'Do nothing' }).click()
    await expect.poll(() => eng().getSettings().lockAction).toBe('nothing')

    const desktop = page.locator('[data-card="desktop"]')
    await desktop.locator('[role="switch"][data-setting="closeToTray"]').click()
    await expect.poll(() => eng().getSettings().closeToTray).toBe(false)
    await desktop.locator('[role="switch"][data-setting="launchAtLogin"]').click()
    await expect.poll(() => eng().getSettings().launchAtLogin).toBe(true)
  })

  it('per-resource rules: an override is saved for that resource only, a bad one refused inline', async () => {
    await ssh()
    const page = await openWindow()
    await engineSees(1)
    const resource = eng().findResource('warden-test')
    await page.click('[data-view="settings"]')
    const idle = page.locator(`#idle-${resource.id}`)
    await idle.waitFor()
    expect(await idle.getAttribute('placeholder')).toBe('global')

    // the main process refuses (the window checks nothing itself): its reason is the row's message
    await idle.fill('2s')
    await idle.press('Enter')
    await expect
      .poll(() => page.locator(`#idle-${resource.id}-msg`).innerText())
      .toBe('idleAfterSec must be a whole number of seconds from 5 to 86400 (got 2)')
    expect(eng().findResource('warden-test').idleAfterSec).toBeNull()
    // a value in range that contradicts the global rules: the engine's reason
    const disc = page.locator(`#disc-${resource.id}`)
    await disc.fill('10s')
    await disc.press('Enter')
    await expect
      .poll(() => page.locator(`#disc-${resource.id}-msg`).innerText())
      .toBe(
        'disconnect after (10s, its own) must be later than warn after (10m, global): a session is warned before it is ended (warn after 0 turns warnings off)',
      )
    expect(eng().findResource('warden-test').disconnectAfterSec).toBeNull()

    await idle.fill('2m')
    await idle.press('Enter')
    await expect.poll(() => eng().findResource('warden-test').idleAfterSec).toBe(120)
    await page.locator(`#disc-${resource.id}`).fill('never')
    await page.locator(`#disc-${resource.id}`).press('Enter')
    await expect.poll(() => eng().findResource('warden-test').disconnectAfterSec).toBe(0)
    expect(eng().getSettings().idleAfterSec).toBe(300)

    // emptied: back to the global rule
    await idle.fill('')
    await idle.press('Enter')
    await expect.poll(() => eng().findResource('warden-test').idleAfterSec).toBeNull()
  })

  it('opened without its key, the page says which address to open instead of staying blank', async () => {
    await openWindow()
    const { bridge } = e2e.window
    const bare = await e2e.browser.newContext()
    try {
      const page = await bare.newPage()
      await page.goto(bridge.url)
      const alert = page.getByRole('alert')
      await alert.waitFor()
      expect(await alert.innerText()).toBe(
        'This page needs its key: open the address `warden ui` printed, including the #token=… part.',
      )
    } finally {
      await bare.close()
    }
  })

  it('follows the OS theme: dark, then light when the OS changes', async () => {
    const page = await openWindow({ colorScheme: 'dark' })
    await page.locator('.root.dark').waitFor()
    const bg = await page.evaluate<string>(
      "getComputedStyle(document.querySelector('.root')).backgroundColor",
    )
    expect(bg).toBe('rgb(16, 16, 20)')
    // the OS switches to light while the window is open
    await page.emulateMedia({ colorScheme: 'light' })
    await page.locator('.root.light').waitFor()
  })

  it('adds and removes web resources, refusing a bad address', async () => {
    const page = await openWindow()
    await page.click('[data-view="settings"]')
    await page.getByLabel('New resource name').fill('Grafana')
    await page.getByLabel('New resource address').fill('ftp://grafana')
    await page.click('[data-action="add-web"]')
    await expect
      .poll(() => page.locator('[data-error="add-web"]').innerText())
      .toBe('the address must start with http:// or https://')
    expect(eng().resources({ configuredOnly: true })).toEqual([])

    await page.getByLabel('New resource address').fill(web.url)
    await page.click('[data-action="add-web"]')
    await page.locator('[data-resource="Grafana"]').waitFor()
    expect(
      eng()
        .resources({ configuredOnly: true })
        .map((r) => [r.name, r.target]),
    ).toEqual([['Grafana', web.url]])

    await page.locator('[data-resource="Grafana"] [data-action="remove"]').click()
    await page.locator('[data-resource="Grafana"]').waitFor({ state: 'detached' })
    expect(eng().resources({ configuredOnly: true })).toEqual([])
  })
})
