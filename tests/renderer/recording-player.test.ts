import type { VueWrapper } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { WardenError } from '@shared/contract'
import type { Recording, RecordingIntegrity } from '@shared/recording'
import { DEFAULT_SETTINGS, SETTING_RANGES, settingsSchema, type Settings } from '@shared/settings'
import { SSH_NOT_RECORDED_HINT } from '@renderer/lib/recordings'
import { installFakeWarden } from './support/fake-warden'
import { answerStartup, mountApp, settle, squash } from './support/app'
import { makeResource, makeSession, snapshot } from './support/sessions'

// window.warden must exist before @renderer/api is evaluated
const fake = installFakeWarden()
// the window's modules, compiled once here rather than inside the first test's time limit
await import('@renderer/App.vue')
await import('@renderer/components/RecordingPlayer.vue')

const CAST =
  '{"version": 2, "width": 80, "height": 24, "timestamp": 1764660000, "title": "ssh db1"}\n' +
  '[0.25, "o", "hello from the recorded session\\r\\n"]\n' +
  '[0.5, "m", "end"]\n'
const SHA = 'ab'.repeat(32)

function recordingRow(o: Partial<Recording> = {}): Recording {
  return {
    id: 7,
    sessionId: null,
    kind: 'ssh-cast',
    file: 'ssh-20261202-0700-1.cast',
    pid: 4242,
    processStart: 1_700_000_000_000,
    startedAt: '2026-12-02T07:00:00.000Z',
    endedAt: '2026-12-02T07:01:05.000Z',
    bytes: new TextEncoder().encode(CAST).length,
    durationSec: 65,
    sha256: SHA,
    status: 'complete',
    detail: null,
    inputRecorded: false,
    title: 'ssh db1',
    ...o,
  }
}

const recorded = makeSession({
  resourceName: 'db1',
  recording: { id: 7, kind: 'ssh-cast', status: 'complete' },
})
const recording = makeSession({
  resourceName: 'db2',
  recording: { id: 8, kind: 'ssh-cast', status: 'recording' },
})
const outside = makeSession({ resourceName: 'db3', recording: null })
const optedOut = makeSession({ resourceName: 'db4', recording: null })
const web = makeSession({ resourceName: 'wiki', resourceType: 'web', recording: null })

let app: VueWrapper | null = null
let settings: Settings
let files: Map<number, { bytes: Uint8Array; integrity: RecordingIntegrity }>

/** readRecording as the engine answers it: chunks of `chunk` bytes, refused unless the file is intact. */
function serve(chunk: number): void {
  fake.on('verifyRecording', (id) => {
    const f = files.get(id)
    return { id, integrity: f?.integrity ?? 'missing', detail: f ? '' : 'no such file' }
  })
  fake.on('readRecording', (id, offset) => {
    const f = files.get(id)
    if (f?.integrity !== 'intact')
      throw new WardenError('RECORDING_UNAVAILABLE', `recording ${id} is not intact`)
    const part = f.bytes.subarray(offset, offset + chunk)
    return {
      id,
      offset,
      data: btoa(String.fromCharCode(...part)),
      total: f.bytes.length,
      done: offset + part.length >= f.bytes.length,
    }
  })
}

beforeEach(() => {
  fake.reset()
  settings = { ...DEFAULT_SETTINGS, recordSsh: true }
  answerStartup(fake, settings)
  fake.on('getSettings', () => settings)
  fake.on('listResources', () => [
    makeResource({ id: 4, name: 'db4', type: 'ssh', target: 'db4', record: false }),
  ])
  fake.on('listSessions', () => snapshot([recorded, recording, outside, optedOut, web]))
  fake.on('setSetting', (key, value) => {
    const next = settingsSchema.safeParse({ ...settings, [key]: value })
    if (!next.success) throw new WardenError('BAD_SETTING', `${key} is out of range`)
    settings = next.data
    return settings
  })
  fake.on('listRecordings', () => [recordingRow({ sessionId: recorded.id })])
  files = new Map([[7, { bytes: new TextEncoder().encode(CAST), integrity: 'intact' }]])
  serve(16)
})

afterEach(() => {
  vi.restoreAllMocks()
  app?.unmount()
  app = null
  document.body.innerHTML = ''
})

function tagOf(id: string): HTMLElement | null {
  return document.querySelector<HTMLElement>(`tr[data-session-id="${id}"] [data-recording]`)
}

function dialog(): HTMLElement | null {
  return document.querySelector<HTMLElement>('[data-dialog="recording"]')
}

async function openPlayer(): Promise<HTMLElement> {
  app = await mountApp()
  await settle()
  tagOf(recorded.id)?.click()
  await settle()
  const d = dialog()
  if (!d) throw new Error('the player did not open')
  return d
}

describe('the recording tag in the live table', () => {
  it('says Recorded (a button), Recording, and Not recorded with why and how; nothing where nothing applies', async () => {
    app = await mountApp()
    await settle()
    const done = tagOf(recorded.id)
    expect(done?.tagName).toBe('BUTTON')
    expect(done?.getAttribute('data-recording')).toBe('recorded')
    expect(done?.getAttribute('aria-label')).toBe('Recorded: play the recording of db1')
    expect(squash(done?.textContent)).toBe('Recorded')
    expect(tagOf(recording.id)?.getAttribute('data-recording')).toBe('recording')
    expect(squash(tagOf(recording.id)?.textContent)).toBe('Recording')
    // an ssh started outside Session Warden while recordSsh is on: why, and how
    const not = tagOf(outside.id)
    expect(not?.getAttribute('data-recording')).toBe('not-recorded')
    const trigger = not?.closest('[data-hint="recording"]')
    expect(squash(trigger?.textContent)).toContain(SSH_NOT_RECORDED_HINT)
    // its resource says record: off (shouldRecord: the override wins), and web is never recorded
    expect(tagOf(optedOut.id)).toBeNull()
    expect(tagOf(web.id)).toBeNull()
  })

  it('follows the engine: a recording begun, then closed, changes the row’s tag', async () => {
    app = await mountApp()
    await settle()
    expect(tagOf(outside.id)?.getAttribute('data-recording')).toBe('not-recorded')
    const begun = {
      ...outside,
      recording: { id: 9, kind: 'ssh-cast' as const, status: 'recording' as const },
    }
    fake.emit('onSessionsChanged', snapshot([recorded, recording, begun, optedOut, web]))
    await settle()
    expect(tagOf(outside.id)?.getAttribute('data-recording')).toBe('recording')
    const closed = { ...begun, recording: { ...begun.recording, status: 'complete' as const } }
    fake.emit('onSessionsChanged', snapshot([recorded, recording, closed, optedOut, web]))
    await settle()
    expect(tagOf(outside.id)?.getAttribute('data-recording')).toBe('recorded')
  })

  it('says nothing for an ssh outside Session Warden when recordSsh is off', async () => {
    settings = { ...settings, recordSsh: false }
    app = await mountApp()
    await settle()
    expect(tagOf(outside.id)).toBeNull()
    expect(tagOf(recorded.id)?.getAttribute('data-recording')).toBe('recorded')
  })
})

describe('the player', () => {
  it('verifies first, reads every chunk, then plays the cast and shows its facts', async () => {
    const d = await openPlayer()
    await settle()
    expect(fake.calls('verifyRecording')).toEqual([[7]])
    const offsets = fake.calls('readRecording').map(([, offset]) => offset)
    expect(offsets[0]).toBe(0)
    expect(offsets.length).toBe(Math.ceil(recordingRow().bytes / 16))
    expect(d.querySelector('[data-player="cast"]')).not.toBeNull()
    expect(d.querySelector('[data-player-error]')).toBeNull()
    const fact = (name: string) => squash(d.querySelector(`[data-fact="${name}"]`)?.textContent)
    expect(fact('kind')).toBe('Terminal (asciicast v2)')
    expect(fact('size')).toBe(`${recordingRow().bytes} B`)
    expect(fact('length')).toBe('1:05')
    expect(fact('sha256')).toBe(`${SHA.slice(0, 12)}…`)
    expect(d.querySelector('[data-fact="sha256"]')?.getAttribute('title')).toBe(SHA)
    expect(fact('integrity')).toBe('Intact (sha256 matches)')
  })

  it('copies the full sha256; where the clipboard is refused, shows it whole and selected', async () => {
    const d = await openPlayer()
    await settle()
    d.querySelector<HTMLElement>('[data-action="copy-sha"]')?.click()
    await settle()
    expect(await navigator.clipboard.readText()).toBe(SHA)
    vi.spyOn(navigator.clipboard, 'writeText').mockRejectedValue(
      new DOMException('denied', 'NotAllowedError'),
    )
    d.querySelector<HTMLElement>('[data-action="copy-sha"]')?.click()
    await settle()
    expect(squash(d.querySelector('[data-fact="sha256"]')?.textContent)).toBe(SHA)
    expect(window.getSelection()?.toString()).toBe(SHA)
  })

  it('refuses an altered recording with a clear error and never reads it', async () => {
    files.set(7, { bytes: new TextEncoder().encode(CAST), integrity: 'altered' })
    const d = await openPlayer()
    await settle()
    const error = squash(d.querySelector('[data-player-error]')?.textContent)
    expect(error).toContain('sha256 no longer matches')
    expect(error).toContain('not played')
    expect(fake.calls('readRecording')).toEqual([])
    expect(d.querySelector('[data-player]')).toBeNull()
    expect(squash(d.querySelector('[data-fact="integrity"]')?.textContent)).toBe(
      'Altered (sha256 does not match)',
    )
  })

  it('refuses a missing file, and a file the engine stops serving half-way', async () => {
    files.delete(7)
    let d = await openPlayer()
    await settle()
    expect(squash(d.querySelector('[data-player-error]')?.textContent)).toContain('missing')
    app?.unmount()
    document.body.innerHTML = ''

    // intact when verified, altered before the second chunk: the engine refuses, nothing is played
    files.set(7, { bytes: new TextEncoder().encode(CAST), integrity: 'intact' })
    fake.on('readRecording', (id, offset) => {
      if (offset > 0) throw new WardenError('RECORDING_UNAVAILABLE', 'recording 7 was altered on disk')
      return { id, offset, data: btoa('{"version": 2'), total: 200, done: false }
    })
    d = await openPlayer()
    await settle()
    expect(squash(d.querySelector('[data-player-error]')?.textContent)).toContain(
      'recording 7 was altered on disk',
    )
    expect(d.querySelector('[data-player]')).toBeNull()
  })

  it('plays a window video from a blob: URL of the verified bytes', async () => {
    const webm = new Uint8Array([0x1a, 0x45, 0xdf, 0xa3, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    files.set(7, { bytes: webm, integrity: 'intact' })
    fake.on('listRecordings', () => [
      recordingRow({ sessionId: recorded.id, kind: 'rdp-video', file: 'rdp-1.webm', bytes: webm.length }),
    ])
    const d = await openPlayer()
    await settle()
    const video = d.querySelector<HTMLVideoElement>('video[data-player="video"]')
    expect(video?.getAttribute('src')).toMatch(/^blob:/)
    expect(video?.hasAttribute('controls')).toBe(true)
    expect(squash(d.querySelector('[data-fact="kind"]')?.textContent)).toBe('Window video')
  })
})

describe('the player, a session recorded in parts (its RDP window was resized)', () => {
  const bytesOf = (n: number) => new Uint8Array([0x1a, 0x45, 0xdf, 0xa3, n, n, n])
  /** listRecordings as the engine answers: newest first */
  function parts(): void {
    const part = (id: number, at: string, size: string) =>
      recordingRow({
        id,
        sessionId: recorded.id,
        kind: 'rdp-video',
        file: `rdp-${id}.webm`,
        startedAt: at,
        bytes: 7,
        durationSec: 2,
        title: `xfreerdp win1 (window 0x2a00007, ${size})`,
      })
    fake.on('listRecordings', () => [
      part(7, '2026-12-02T07:00:04.000Z', '480×360'),
      part(6, '2026-12-02T07:00:00.000Z', '320×240'),
    ])
    files = new Map([
      [6, { bytes: bytesOf(6), integrity: 'intact' }],
      [7, { bytes: bytesOf(7), integrity: 'intact' }],
    ])
  }
  const current = (d: HTMLElement) => d.querySelector<HTMLElement>('[data-segment][aria-current="true"]')
  const video = (d: HTMLElement) => d.querySelector<HTMLVideoElement>('video[data-player="video"]')

  it('opens at the first part and lists every part with its start, size, bytes and length', async () => {
    parts()
    const d = await openPlayer()
    await settle()
    expect(fake.calls('verifyRecording')).toEqual([[6]])
    const buttons = [...d.querySelectorAll<HTMLButtonElement>('[data-segments] button[data-segment]')]
    expect(buttons.map((b) => b.getAttribute('data-segment'))).toEqual(['6', '7'])
    expect(buttons.map((b) => b.type)).toEqual(['button', 'button'])
    expect(squash(buttons[0]?.textContent)).toMatch(
      /^Part 1 \d\d:\d\d:\d\d.* · 320×240 · 7 B · 0:02 Now showing$/,
    )
    expect(squash(buttons[1]?.textContent)).toMatch(/^Part 2 \d\d:\d\d:\d\d.* · 480×360 · 7 B · 0:02$/)
    expect(current(d)?.getAttribute('data-segment')).toBe('6')
    expect(squash(d.querySelector('[data-part-of]')?.textContent)).toBe('· Part 1 of 2')
    expect(video(d)?.autoplay).toBe(false)
  })

  it('plays on to the next part when one ends, and says so; a part chosen by the user is shown', async () => {
    parts()
    const d = await openPlayer()
    await settle()
    video(d)?.dispatchEvent(new Event('ended'))
    await settle()
    expect(fake.calls('verifyRecording')).toEqual([[6], [7]])
    expect(current(d)?.getAttribute('data-segment')).toBe('7')
    expect(video(d)?.autoplay).toBe(true)
    // (the live region adds a zero-width space every other time, so that the same text is said again)
    expect(squash(document.querySelector('[data-announce]')?.textContent).replace('\u200b', '')).toBe(
      'Playing part 2 of 2.',
    )
    // the last part's end goes nowhere
    video(d)?.dispatchEvent(new Event('ended'))
    await settle()
    expect(fake.calls('verifyRecording')).toEqual([[6], [7]])
    d.querySelector<HTMLElement>('[data-segment="6"]')?.click()
    await settle()
    expect(fake.calls('verifyRecording').at(-1)).toEqual([6])
    expect(current(d)?.getAttribute('data-segment')).toBe('6')
    expect(video(d)?.autoplay).toBe(false)
  })

  it('refuses an altered part with the reason, and the other parts stay playable', async () => {
    parts()
    files.set(6, { bytes: bytesOf(6), integrity: 'altered' })
    const d = await openPlayer()
    await settle()
    expect(squash(d.querySelector('[data-player-error]')?.textContent)).toContain('sha256 no longer matches')
    expect(fake.calls('readRecording').map(([id]) => id)).not.toContain(6)
    d.querySelector<HTMLElement>('[data-segment="7"]')?.click()
    await settle()
    expect(d.querySelector('[data-player-error]')).toBeNull()
    expect(video(d)?.getAttribute('src')).toMatch(/^blob:/)
  })

  it('shows no part list for a recording in one piece', async () => {
    const d = await openPlayer()
    await settle()
    expect(d.querySelector('[data-segments]')).toBeNull()
    expect(d.querySelector('[data-part-of]')).toBeNull()
  })
})

describe('Settings → Recording', () => {
  async function openCard(): Promise<HTMLElement> {
    app = await mountApp()
    document.querySelector<HTMLElement>('[data-view="settings"]')?.click()
    // Settings is a lazy chunk: it draws once its module has loaded, which is its first compile in this
    // file (over vitest's 1 s default on the loaded 2-core machine, with the parts' tests before it)
    const card = await vi.waitFor(
      () => {
        const el = document.querySelector<HTMLElement>('[data-card="recording"]')
        if (!el) throw new Error('no Recording card')
        return el
      },
      { timeout: 15_000 },
    )
    await settle()
    return card
  }

  it('saves recordSsh and recordRdp, shows the size cap with the shared range and how to record every ssh', async () => {
    const card = await openCard()
    card.querySelector<HTMLElement>('[data-setting="recordRdp"]')?.click()
    await settle()
    expect(fake.calls('setSetting')).toEqual([['recordRdp', true]])
    card.querySelector<HTMLElement>('[data-setting="recordSsh"]')?.click()
    await settle()
    expect(fake.calls('setSetting').at(-1)).toEqual(['recordSsh', false])
    expect(squash(card.querySelector('[data-setting="recordingsMaxMb"]')?.textContent)).toContain(
      SETTING_RANGES.recordingsMaxMb,
    )
    expect(squash(card.querySelector('[data-how="shim"]')?.textContent)).toContain('warden shim install')
  })

  it('a size cap out of range is refused under the field and not kept', async () => {
    const card = await openCard()
    const input = card.querySelector<HTMLInputElement>('#recordingsMaxMb')
    if (!input) throw new Error('no recordingsMaxMb field')
    input.value = '5'
    input.dispatchEvent(new Event('input', { bubbles: true }))
    await settle()
    input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, cancelable: true }))
    await settle()
    expect(fake.calls('setSetting')).toEqual([['recordingsMaxMb', 5]])
    expect(squash(card.querySelector('#recordingsMaxMb-msg')?.textContent)).toContain('out of range')
    expect(settings.recordingsMaxMb).toBe(DEFAULT_SETTINGS.recordingsMaxMb)
  })
})
