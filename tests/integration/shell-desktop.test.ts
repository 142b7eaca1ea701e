import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createEngine } from '@engine/index'
import type { Detected } from '@engine/detect/types'
import { startDesktop, type Desktop } from '../../src/main/shell/app'
import { FakeElectron } from '../support/fake-electron'
import { isAlive, sshInteractive, startSshd, stopAll, waitFor, type Sshd } from '../support/peers'

// The desktop shell driven by the real engine and real ssh sessions to a real sshd. Only Electron is
// faked (tests/support/fake-electron.ts): the tray menu, dialogs and notifications are recorded, and
// the test clicks them as a user would.

let sshd: Sshd
let dir: string
let desktop: Desktop | null = null

beforeAll(async () => {
  sshd = await startSshd()
})
afterAll(async () => {
  await stopAll()
})
afterEach(async () => {
  await desktop?.dispose()
  desktop = null
  if (dir) rmSync(dir, { recursive: true, force: true })
})

async function startApp(
  platform: NodeJS.Platform = 'linux',
): Promise<{ electron: FakeElectron; desktop: Desktop }> {
  dir = mkdtempSync(join(tmpdir(), 'warden-shell-'))
  const electron = new FakeElectron(platform, join(dir, 'userData'))
  const port = sshd.port
  const d = await startDesktop(electron, {
    preloadPath: '/app/out/preload/index.cjs',
    renderer: { file: '/app/out/renderer/index.html' },
    resourcesDir: '/app/resources',
    stateDir: dir,
    argv: ['session-warden', '--hidden'],
    execPath: '/usr/bin/true',
    env: { XDG_CONFIG_HOME: join(dir, 'config') },
    // the app's own engine, on a temporary database, scoped to this test's sshd
    createEngine: (opts) =>
      createEngine({
        ...opts,
        dbPath: join(dir, 'w.db'),
        terminate: { graceMs: 1500 },
        scope: (det: Detected) => det.remotePort === port,
      }),
    log: () => undefined,
  })
  if (!d) throw new Error('the app did not start')
  desktop = d
  return { electron, desktop: d }
}

/** the tray menu's session entries */
function traySessions(electron: FakeElectron): string[] {
  return electron.menu.items.flatMap((i) => (i.type === 'submenu' ? [i.label] : []))
}

describe('tray with real ssh sessions', () => {
  it('lists a real session and ends its ssh process from the tray in two clicks', async () => {
    const { electron, desktop: d } = await startApp()
    const client = await sshInteractive(sshd)
    await expect
      .poll(() => traySessions(electron), { timeout: 15_000 })
      .toEqual([expect.stringMatching(/^SSH · warden-test · /)])
    expect(electron.trays[0]?.image).toBe('/app/resources/tray/active.png')
    // click 1 opens the menu and the session's submenu; click 2 is End session
    electron.menu.click('End session')
    await waitFor(() => !isAlive(client.pid), 10_000, 'the ssh client to exit')
    await expect
      .poll(() => d.engine.history({ limit: 10 }).rows[0], { timeout: 10_000 })
      .toMatchObject({ resourceName: 'warden-test', endReason: 'user', endedBy: 'tray' })
    await expect.poll(() => traySessions(electron), { timeout: 15_000 }).toEqual([])
    expect(electron.trays[0]?.image).toBe('/app/resources/tray/none.png')
  })

  it('End all sessions… asks with the count and ends exactly those', async () => {
    const { electron } = await startApp()
    const a = await sshInteractive(sshd)
    const b = await sshInteractive(sshd)
    await expect.poll(() => traySessions(electron).length, { timeout: 15_000 }).toBe(2)
    electron.dialogAnswer = 0
    electron.menu.click('End all sessions…')
    await expect.poll(() => electron.dialogs.length).toBe(1)
    expect(electron.dialogs[0]?.message).toBe('End all 2 sessions?')
    expect(isAlive(a.pid) && isAlive(b.pid)).toBe(true)
    electron.dialogAnswer = 1
    electron.menu.click('End all sessions…')
    await waitFor(() => !isAlive(a.pid) && !isAlive(b.pid), 10_000, 'both ssh clients to exit')
    expect(electron.dialogs).toHaveLength(2)
  })
})

describe('idle notifications with a real idle ssh session', () => {
  it('warns at the threshold; Keep active restarts the clock; End now ends the process', async () => {
    const { electron, desktop: d } = await startApp('darwin')
    d.engine.setSetting('idleAfterSec', 5)
    d.engine.setSetting('warnAfterSec', 6)
    d.engine.setSetting('disconnectAfterSec', 0)
    const client = await sshInteractive(sshd)
    // no traffic: the kernel's idle clock on the ssh socket runs, the engine warns once past 6 s
    await expect.poll(() => electron.notifications.length, { timeout: 20_000 }).toBe(1)
    const first = electron.notifications[0]
    expect(first?.options.body).toMatch(
      /^Session warden-test has been idle for (less than a minute|1 minute)\.$/,
    )
    expect(first?.options.actions?.map((a) => a.text)).toEqual(['Keep active', 'End now'])
    expect(electron.trays[0]?.image).toBe('/app/resources/tray/warning.png')
    const id = d.engine.list()[0]?.id ?? ''

    first?.action(0) // Keep active
    await expect.poll(() => first?.closed, { timeout: 10_000 }).toBe(true)
    expect(d.engine.get(id).status).toBe('active')
    expect(electron.trays[0]?.image).toBe('/app/resources/tray/active.png')

    // still no traffic: it idles and is warned again
    await expect.poll(() => electron.notifications.length, { timeout: 20_000 }).toBe(2)
    electron.notifications[1]?.action(1) // End now
    await waitFor(() => !isAlive(client.pid), 10_000, 'the ssh client to exit')
    await expect.poll(() => d.engine.get(id).endedBy, { timeout: 10_000 }).toBe('notification')
  })

  it('negative control: a session with traffic every T/10 is never warned within 3T', async () => {
    const { electron, desktop: d } = await startApp('darwin')
    const T = 6
    d.engine.setSetting('idleAfterSec', 5)
    d.engine.setSetting('warnAfterSec', T)
    d.engine.setSetting('disconnectAfterSec', 0)
    const client = await sshInteractive(sshd)
    await expect.poll(() => d.engine.list().length, { timeout: 15_000 }).toBe(1)
    const until = Date.now() + 3 * T * 1000
    while (Date.now() < until) {
      await client.poke()
      await new Promise((r) => setTimeout(r, (T * 1000) / 10))
    }
    expect(electron.notifications).toEqual([])
    expect(d.engine.list()[0]?.status).toBe('active')
  })
})
