// `npx tsx tests/e2e/take-review-screenshots.ts`: the README's anomaly-review pictures (a flagged row
// with its reasons, the Report suspicious dialog), from the real window on the real engine with a real
// ssh session: a copy of the ssh binary run from a temp folder, to the real sshd.
import { spawn, type ChildProcess } from 'node:child_process'
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Browser } from 'playwright-core'
import { build } from 'vite'
import { createEngine, type Engine } from '@engine/index'
import type { Detected } from '@engine/detect/types'
import { rendererConfig } from '../../vite.renderer.config'
import { startBridge, type Bridge } from '../support/bridge'
import { BIN, sshClient, startSshd, stopAll, waitFor } from '../support/peers'
import { launchChromium, openApp } from '../support/ui'

const out = fileURLToPath(new URL('../../docs/screenshots', import.meta.url))
const rendererDir = fileURLToPath(new URL('../../out/renderer', import.meta.url))

async function main(): Promise<void> {
  mkdirSync(out, { recursive: true })
  await build({ ...rendererConfig, configFile: false, logLevel: 'warn' })
  const dir = mkdtempSync(join(tmpdir(), 'warden-review-shots-'))
  let browser: Browser | null = null
  let engine: Engine | null = null
  let bridge: Bridge | null = null
  let copied: ChildProcess | null = null
  try {
    const sshd = await startSshd()
    engine = await createEngine({
      dbPath: join(dir, 'warden.db'),
      actor: 'app',
      scope: (d: Detected) => d.remotePort === sshd.port,
      asnSource: null,
      contact: { openExternal: () => Promise.resolve() },
    })
    await sshClient(sshd, ['-T', 'warden-test'], { command: 'sleep 300' })
    const copy = join(dir, 'ssh')
    copyFileSync(BIN.ssh, copy)
    chmodSync(copy, 0o755)
    copied = spawn(copy, ['-F', sshd.clientConfigPath, '-N', 'warden-test'], { stdio: 'ignore' })
    engine.start()
    const e = engine
    await waitFor(async () => (await e.review.list()).length === 1, 20_000, 'the flagged session')
    browser = await launchChromium()
    bridge = await startBridge({ engine, rendererDir })
    const app = await openApp(browser, bridge)
    const p = app.page
    await p.locator('[data-review="needs-review"]').waitFor()
    await p.locator('[data-review="needs-review"]').click()
    await p.locator('[data-review-reasons]').waitFor()
    await p.waitForTimeout(600)
    await p.screenshot({ path: join(out, 'review-flagged-row.png') })
    await p.locator('[data-action="report"]').click()
    await p.locator('[data-dialog="report"]').waitFor()
    await p.waitForTimeout(600)
    await p.screenshot({ path: join(out, 'report-dialog.png') })
    if (app.errors.length > 0) throw new Error(`the window logged errors:\n${app.errors.join('\n')}`)
    await app.close()
    console.log('docs/screenshots/review-flagged-row.png\ndocs/screenshots/report-dialog.png')
  } finally {
    copied?.kill('SIGKILL')
    await browser?.close()
    await bridge?.close()
    await engine?.close()
    await stopAll()
    rmSync(dir, { recursive: true, force: true })
  }
}

await main()
