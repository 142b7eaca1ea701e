import { spawn, type ChildProcess } from 'node:child_process'
import { copyFileSync, chmodSync, existsSync } from 'node:fs'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import type { Engine } from '@engine/index'
import type { Session } from '@shared/model'
import { e2eSuite } from '../support/e2e-suite'
import { BIN, isAlive, startSshd, waitFor, type Sshd } from '../support/peers'

// The anomaly review in the built window over the loopback bridge, on the real engine: a copy of ssh run
// from a temp folder is flagged; the count, the reasons, Mark as expected and Report from the row.

let sshd: Sshd
/** the running test's engine, as its assertions read it */
let engine: Engine | null = null
const clients: ChildProcess[] = []
const opened: string[] = []

const e2e = e2eSuite({
  peers: async () => (sshd = await startSshd()),
  beforeClose: () => {
    for (const c of clients.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL')
  },
})

async function openWindow(): Promise<Page> {
  const w = await e2e.open({
    engine: {
      name: 'warden-e2e-review-',
      ports: [sshd.port],
      start: true,
      options: {
        asnSource: null,
        contact: {
          openExternal: (url) => {
            opened.push(url)
            return Promise.resolve()
          },
        },
      },
    },
  })
  engine = w.engine
  return w.page
}

/** ssh -N with a copy of the ssh binary in this test's temp folder; resolves with its session. */
async function copiedSsh(): Promise<{ proc: ChildProcess; session: Session; copy: string }> {
  const copy = join(e2e.window.dir, 'ssh')
  if (!existsSync(copy)) {
    copyFileSync(BIN.ssh, copy)
    chmodSync(copy, 0o755)
  }
  const proc = spawn(copy, ['-F', sshd.clientConfigPath, '-N', 'warden-test'], { stdio: 'ignore' })
  clients.push(proc)
  const e = e2e.engine
  const session = await waitFor(
    () => e.list().find((s) => s.pid === proc.pid),
    15_000,
    'the copied ssh session',
  )
  return { proc, session, copy }
}

const flag = (page: Page, id: string) =>
  page.locator(`tr[data-session-id="${id}"] [data-review="needs-review"]`)

describe('anomaly review in the window', () => {
  it('shows the count and the reasons; Mark as expected clears them', async () => {
    const page = await openWindow()
    const { session, copy } = await copiedSsh()
    await flag(page, session.id).waitFor({ timeout: 15_000 })
    await expect.poll(() => page.locator('[data-review-count]').innerText()).toBe('1')
    await expect.poll(() => page.locator('[data-stat="Needs Review"] [data-value]').innerText()).toBe('1')
    await flag(page, session.id).click()
    await expect.poll(() => page.locator('[data-review-reasons]').innerText()).toContain(copy)
    await page.locator('[data-action="mark-expected"]').click()
    await expect.poll(() => page.locator('[data-review-count]').count()).toBe(0)
    await expect.poll(() => flag(page, session.id).count()).toBe(0)
    expect(engine?.review.allowList().map((a) => a.rule)).toEqual(['unknown-binary'])
  })

  it('Report suspicious from the row: the dialog says what it does, then the session ends as reported', async () => {
    const page = await openWindow()
    const { proc, session } = await copiedSsh()
    await flag(page, session.id).waitFor({ timeout: 15_000 })
    await flag(page, session.id).click()
    await page.locator('[data-action="report"]').click()
    const dialog = page.locator('[data-dialog="report"]')
    await expect.poll(() => dialog.innerText()).toContain('end the session now')
    await page.locator('#report-note').fill('I did not start this')
    await page.locator('[data-action="confirm-report"]').click()
    await expect
      .poll(() => page.locator('.n-message').allInnerTexts())
      .toEqual([expect.stringMatching(/Ended and reported\. Evidence bundle: .*report-.*\.json/)])
    await waitFor(() => !isAlive(proc.pid ?? 0), 10_000, 'the reported ssh to exit')
    await expect.poll(() => page.locator(`tr[data-session-id="${session.id}"]`).count()).toBe(0)
    expect(engine?.get(session.id).endReason).toBe('reported')
  })
})
