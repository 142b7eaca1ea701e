// `npx tsx tests/e2e/take-review-screenshots.ts`: the README's anomaly-review pictures (a flagged row
// with its reasons, the Report suspicious dialog), from the real window on the real engine with a real
// ssh session: a copy of the ssh binary run from a temp folder, to the real sshd.
import { spawn, type ChildProcess } from 'node:child_process'
import { chmodSync, copyFileSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Browser } from 'playwright-core'
import { closeClean, openWindow, tempEngine, type E2eWindow, type TempEngine } from '../support/e2e-harness'
import { BIN, sshClient, startSshd, stopAll, waitFor } from '../support/peers'
import { launchChromium } from '../support/ui'
import buildRenderer from './build-renderer'

const out = fileURLToPath(new URL('../../docs/screenshots', import.meta.url))

async function main(): Promise<void> {
  mkdirSync(out, { recursive: true })
  await buildRenderer()
  let temp: TempEngine | null = null
  let browser: Browser | null = null
  let window: E2eWindow | null = null
  let copied: ChildProcess | null = null
  try {
    const sshd = await startSshd()
    temp = await tempEngine({
      name: 'warden-review-shots-',
      ports: [sshd.port],
      options: { asnSource: null, contact: { openExternal: () => Promise.resolve() } },
    })
    const engine = temp.engine
    await sshClient(sshd, ['-T', 'warden-test'], { command: 'sleep 300' })
    const copy = join(temp.dir, 'ssh')
    copyFileSync(BIN.ssh, copy)
    chmodSync(copy, 0o755)
    copied = spawn(copy, ['-F', sshd.clientConfigPath, '-N', 'warden-test'], { stdio: 'ignore' })
    engine.start()
    await waitFor(async () => (await engine.review.list()).length === 1, 20_000, 'the flagged session')
    browser = await launchChromium()
    window = await openWindow({ browser, engine })
    const p = window.page
    await p.locator('[data-review="needs-review"]').waitFor()
    await p.locator('[data-review="needs-review"]').click()
    await p.locator('[data-review-reasons]').waitFor()
    await p.waitForTimeout(600)
    await p.screenshot({ path: join(out, 'review-flagged-row.png') })
    await p.locator('[data-action="report"]').click()
    await p.locator('[data-dialog="report"]').waitFor()
    await p.waitForTimeout(600)
    await p.screenshot({ path: join(out, 'report-dialog.png') })
    await closeClean(window)
    console.log('docs/screenshots/review-flagged-row.png\ndocs/screenshots/report-dialog.png')
  } finally {
    copied?.kill('SIGKILL')
    await window?.close()
    await browser?.close()
    await temp?.close()
    await stopAll()
  }
}

await main()
