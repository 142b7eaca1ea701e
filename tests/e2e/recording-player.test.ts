import { closeSync, openSync, readSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import type { Locator, Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import type { Engine } from '@engine/index'
import { SSH_NOT_RECORDED_HINT } from '@renderer/lib/recordings'
import { windowTitleSuffix } from '@shared/recording'
import { axeSource, axeViolations } from '../support/axe'
import { e2eSuite } from '../support/e2e-suite'
import { sshClient, startSshd, startXrdp, waitFor, xfreerdpClient, type Sshd } from '../support/peers'
import { recordSsh, recordWebm } from '../support/recorded-sessions'

// The recording player in the built window, in Debian's Chromium over the loopback bridge, backed by the
// real engine and real recording files (issue 12): an asciicast v2 of a real ssh run under a real pty,
// and a WebM made by the real ffmpeg. Screenshots go to WARDEN_SCREENSHOTS_DIR when it is set.

const TEXT = 'hello from the recorded session'

let sshd: Sshd
const e2e = e2eSuite({ peers: async () => (sshd = await startSshd()), fresh: true })

async function openWindow(ports: number[]): Promise<Page> {
  const w = await e2e.open({
    engine: { name: 'warden-e2e-rec-', ports, settings: { recordSsh: true }, start: true },
  })
  return w.page
}

const eng = (): Engine => e2e.engine

/** The open session of `pid`, once the engine has it (and its recording matched, when `recorded`). */
async function sessionOf(pid: number, recorded: boolean): Promise<string> {
  const s = await waitFor(
    () =>
      eng()
        .list()
        .find((x) => x.pid === pid && (!recorded || x.recording !== null)),
    15_000,
    `the session of pid ${pid}`,
  )
  return s.id
}

function tag(page: Page, id: string) {
  return page.locator(`tr[data-session-id="${id}"] [data-recording]`)
}

/** The <video> element as the page sees it (this project's types have no DOM; these run in the page). */
interface VideoState {
  readyState: number
  currentTime: number
  videoWidth: number
  videoHeight: number
  muted: boolean
  play(): Promise<void>
}

async function shoot(page: Page, name: string, part?: Locator): Promise<void> {
  const out = process.env.WARDEN_SCREENSHOTS_DIR
  if (!out) return
  // a picture, not an assertion: let the dialog's and the buttons' transitions finish (as take-screenshots.ts)
  await page.waitForTimeout(600)
  await (part ?? page).screenshot({ path: join(out, `${name}.png`) })
}

describe('recording player', () => {
  it('tags the rows, then plays a real ssh cast from History, verified, with seek and speed', async () => {
    const page = await openWindow([sshd.port])
    const outside = await sshClient(sshd, ['-T', 'warden-test'], { command: 'sleep 120' })
    const rec = await recordSsh(sshd, eng().recordings.ledger, eng().recordings.dir, {
      text: TEXT,
      title: 'ssh warden-test',
    })
    const recId = await sessionOf(rec.pid, true)
    const outsideId = await sessionOf(outside.pid, false)

    // live: one being recorded, one that cannot be, with why and how on focus
    await expect.poll(() => tag(page, recId).getAttribute('data-recording')).toBe('recording')
    await expect.poll(() => tag(page, outsideId).getAttribute('data-recording')).toBe('not-recorded')
    await shoot(page, 'recording-tags')
    await page.locator(`tr[data-session-id="${outsideId}"] [data-hint="recording"]`).focus()
    const hint = page.locator('[data-hint-popup]', { hasText: 'cannot be read' })
    await hint.waitFor()
    expect(await hint.innerText()).toBe(SSH_NOT_RECORDED_HINT)
    await shoot(page, 'recording-not-recorded')

    // the remote command ends on a line: ssh exits, the cast closes with its sha256, the row ends
    rec.write('\r')
    await rec.finished
    await waitFor(() => eng().get(recId).status === 'disconnected', 15_000, 'the recorded session to end')
    await page.click('[data-view="history"]')
    const played = tag(page, recId)
    await expect.poll(() => played.getAttribute('data-recording')).toBe('recorded')
    await played.click()

    const dialog = page.locator('[data-dialog="recording"]')
    await dialog.locator('.ap-term-text', { hasText: TEXT }).waitFor()
    expect(await dialog.locator('[data-fact="integrity"]').getAttribute('data-integrity')).toBe('intact')
    const row = eng().recordings.get(rec.id)
    expect(await dialog.locator('[data-fact="sha256"]').innerText()).toBe(`${row.sha256?.slice(0, 12)}…`)
    expect(await dialog.locator('[data-fact="kind"]').innerText()).toBe('Terminal (asciicast v2)')
    // seek: the player's own control bar; speed: re-created at 2× and still showing the text. Clicked
    // once the cast has ended (a ~2 s cast at idleTimeLimit 2): a player re-created paused must paint the
    // frame at its position, not the blank start of the cast (the flaky half of this test before). The
    // player's own button says Play once it is no longer playing.
    expect(await dialog.locator('.ap-control-bar .ap-progressbar').count()).toBe(1)
    await expect.poll(() => dialog.locator('.ap-playback-button').getAttribute('aria-label')).toBe('Play')
    await dialog.locator('[data-speed="2"]').click()
    await expect.poll(() => dialog.locator('[data-speed="2"]').getAttribute('aria-pressed')).toBe('true')
    await dialog.locator('.ap-term-text', { hasText: TEXT }).waitFor()
    await shoot(page, 'recording-player-ssh')

    // Settings → Recording shows the policy as the engine has it
    await page.keyboard.press('Escape')
    await dialog.waitFor({ state: 'detached' })
    await page.click('[data-view="settings"]')
    const card = page.locator('[data-card="recording"]')
    await expect
      .poll(() => card.locator('[data-setting="recordSsh"]').getAttribute('aria-checked'))
      .toBe('true')
    await shoot(page, 'recording-settings', card)
  })

  it('plays a real WebM of an RDP session, and refuses it once the file is altered on disk', async () => {
    const xrdp = await startXrdp()
    const page = await openWindow([xrdp.port])
    const rdp = await xfreerdpClient(xrdp)
    const webm = await recordWebm(eng().recordings.ledger, eng().recordings.dir, {
      pid: rdp.pid,
      seconds: 2,
      title: 'xfreerdp /v:127.0.0.1',
    })
    const id = await sessionOf(rdp.pid, true)
    const recorded = tag(page, id)
    await expect.poll(() => recorded.getAttribute('data-recording')).toBe('recorded')
    await recorded.click()

    const dialog = page.locator('[data-dialog="recording"]')
    const player = dialog.locator('video[data-player="video"]')
    await player.waitFor()
    expect(await player.getAttribute('src')).toMatch(/^blob:/)
    await expect.poll(() => player.evaluate((el) => (el as VideoState).readyState)).toBeGreaterThanOrEqual(2)
    await player.evaluate((el) => {
      ;(el as VideoState).muted = true
      return (el as VideoState).play()
    })
    await expect.poll(() => player.evaluate((el) => (el as VideoState).currentTime)).toBeGreaterThan(0.3)
    expect(
      await player.evaluate((el) => [(el as VideoState).videoWidth, (el as VideoState).videoHeight]),
    ).toEqual([320, 240])
    await shoot(page, 'recording-player-rdp')
    await dialog.locator('.n-card-header__close').click()
    await dialog.waitFor({ state: 'detached' })

    // one byte changed on disk: the engine's sha256 check fails and the window says so, playing nothing
    const fd = openSync(webm.path, 'r+')
    const byte = Buffer.alloc(1)
    readSync(fd, byte, 0, 1, 200)
    writeSync(fd, Buffer.from([(byte[0] ?? 0) ^ 0xff]), 0, 1, 200)
    closeSync(fd)
    await recorded.click()
    const error = dialog.locator('[data-player-error]')
    await error.waitFor()
    expect(await error.innerText()).toContain('sha256 no longer matches')
    expect(await dialog.locator('[data-player]').count()).toBe(0)
    expect(await dialog.locator('[data-fact="integrity"]').getAttribute('data-integrity')).toBe('altered')
    await shoot(page, 'recording-player-altered')
  })

  it('plays an RDP session recorded in two parts (its window resized) one after the other, by keyboard too; axe-clean light and dark', async () => {
    const xrdp = await startXrdp()
    const page = (
      await e2e.open({
        engine: { name: 'warden-e2e-rec-', ports: [xrdp.port], start: true },
        initScripts: [axeSource],
      })
    ).page
    const rdp = await xfreerdpClient(xrdp)
    // the two files the recorder leaves when the client window goes from 320×240 to 480×360 (rdp-recorder.ts:
    // a new segment per size, titled with it), made here by the real ffmpeg, one after the other
    const part = (size: '320x240' | '480x360') =>
      recordWebm(eng().recordings.ledger, eng().recordings.dir, {
        pid: rdp.pid,
        seconds: 2,
        size,
        title: `xfreerdp /v:127.0.0.1${windowTitleSuffix({ id: '0x2a00007', width: Number(size.split('x')[0]), height: Number(size.split('x')[1]) })}`,
      })
    const first = await part('320x240')
    const second = await part('480x360')
    const id = await sessionOf(rdp.pid, true)
    await expect.poll(() => tag(page, id).getAttribute('data-recording')).toBe('recorded')
    await tag(page, id).click()

    const dialog = page.locator('[data-dialog="recording"]')
    const player = dialog.locator('video[data-player="video"]')
    const shown = () => dialog.locator('[data-segment][aria-current="true"]').getAttribute('data-segment')
    const size = () =>
      player.evaluate((el) => [(el as VideoState).videoWidth, (el as VideoState).videoHeight])
    await dialog.locator('[data-segment]').nth(1).waitFor()
    expect(await dialog.locator('[data-segment]').count()).toBe(2)
    expect(await dialog.locator('[data-segment]').nth(0).innerText()).toContain('320×240')
    expect(await dialog.locator('[data-segment]').nth(1).innerText()).toContain('480×360')
    // it opens at the first part: the session from its start
    expect(await shown()).toBe(String(first.id))
    await expect.poll(() => player.evaluate((el) => (el as VideoState).readyState)).toBeGreaterThanOrEqual(2)
    expect(await size()).toEqual([320, 240])
    await player.evaluate((el) => (el as VideoState).play())
    // at its end the second part plays on its own, and a screen reader is told
    await expect.poll(() => shown(), { timeout: 15_000 }).toBe(String(second.id))
    await expect.poll(() => player.evaluate((el) => (el as VideoState).currentTime)).toBeGreaterThan(0.3)
    expect(await size()).toEqual([480, 360])
    expect(await page.locator('[data-announce]').innerText()).toContain('Playing part 2 of 2.')
    expect(await axeViolations(page)).toEqual([])
    await shoot(page, 'recording-player-segments')

    // by keyboard: Part 1's button, Enter; then Tab to Part 2, Space
    await dialog.locator(`[data-segment="${first.id}"]`).focus()
    await page.keyboard.press('Enter')
    await expect.poll(() => shown()).toBe(String(first.id))
    await expect.poll(() => player.evaluate((el) => (el as VideoState).readyState)).toBeGreaterThanOrEqual(2)
    expect(await size()).toEqual([320, 240])
    await page.keyboard.press('Tab')
    expect(await page.evaluate<string | null>("document.activeElement.getAttribute('data-segment')")).toBe(
      String(second.id),
    )
    await page.keyboard.press('Space')
    await expect.poll(() => shown()).toBe(String(second.id))

    // the dark theme: a second window on the same engine
    const dark = (await e2e.open({ engine: eng(), colorScheme: 'dark', initScripts: [axeSource] })).page
    await expect.poll(() => tag(dark, id).getAttribute('data-recording')).toBe('recorded')
    await tag(dark, id).click()
    await dark.locator('[data-dialog="recording"] video[data-player="video"]').waitFor()
    await dark.locator('[data-dialog="recording"] [data-segment][aria-current="true"]').waitFor()
    expect(await axeViolations(dark)).toEqual([])
    await shoot(dark, 'recording-player-segments-dark')
    // closed before the first window, whose temp engine it shares
    expect(await e2e.window.close()).toEqual([])
  })

  it("Settings → Per-resource rules sets a resource's recording overrides; the engine has them", async () => {
    const page = await openWindow([])
    eng().addResource({ type: 'ssh', name: 'db-prod', target: 'db-prod.example' })
    eng().addResource({ type: 'rdp', name: 'win-desk', target: 'win-desk.example' })
    eng().addResource({ type: 'web', name: 'Wiki', target: 'https://wiki.example/' })
    await page.click('[data-view="settings"]')
    const card = page.locator('[data-card="overrides"]')
    const select = (name: string, key: string): Locator =>
      card.locator(`[data-recording-override="${name}"] [data-override-key="${key}"] .n-base-selection`)
    const pick = async (name: string, key: string, option: string): Promise<void> => {
      await select(name, key).click()
      // exact text: "Record" is also part of "Do not record"; and one menu at a time (the last one fades out)
      const menu = page.locator('.n-base-select-menu:visible')
      await menu.locator('.n-base-select-option', { hasText: new RegExp(`^${option}$`) }).click()
      // a closed menu stays in the page, hidden
      await expect.poll(() => menu.count()).toBe(0)
    }
    const res = (name: string) => eng().findResource(name)

    // Default says what the global setting makes it (recordSsh on, recordRdp off in this window)
    await select('db-prod', 'record').waitFor()
    expect(await select('db-prod', 'record').innerText()).toBe('Default (on)')
    expect(await select('win-desk', 'record').innerText()).toBe('Default (off)')
    expect(
      await card.locator('[data-recording-override="win-desk"] [data-override-key="recordInput"]').count(),
    ).toBe(0)
    expect(await card.locator('[data-override="Wiki"] [data-recording-override-none]').count()).toBe(1)

    await pick('db-prod', 'record', 'Do not record')
    await expect.poll(() => res('db-prod').record).toBe(false)
    await pick('db-prod', 'recordInput', 'Keystrokes too')
    await expect.poll(() => res('db-prod').recordInput).toBe(true)
    expect(res('db-prod').record).toBe(false) // one key changed, the other kept
    await pick('win-desk', 'record', 'Record')
    await expect.poll(() => res('win-desk').record).toBe(true)
    await expect.poll(() => select('win-desk', 'record').innerText()).toBe('Record')
    await shoot(page, 'recording-overrides', card)

    // back to the global setting: null, as `warden resources set NAME --record default`
    await pick('db-prod', 'record', 'Default \\(on\\)')
    await expect.poll(() => res('db-prod').record).toBeNull()
    expect(res('db-prod').recordInput).toBe(true)
  })
})
