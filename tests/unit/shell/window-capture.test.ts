import { mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { MediaRecorderPort } from '../../../src/main/shell/ports'
import { captureAccess, captureWithPort, sourceForWindow } from '../../../src/main/shell/window-capture'

// desktopCapturer + MediaRecorder behind the shell's port, driven through a fake recorder (the Electron
// binary cannot run here): permission answers, source matching, and how a run ends.

describe('captureAccess', () => {
  const granted = () => 'granted' as const
  it('macOS needs the Screen Recording permission, and says where to give it', () => {
    expect(captureAccess('darwin', {}, granted)).toEqual({ ok: true })
    const denied = captureAccess('darwin', {}, () => 'denied')
    expect(denied).toMatchObject({ ok: false, reason: 'needs-permission' })
    expect(denied.ok ? '' : denied.explanation).toMatch(/Privacy & Security › Screen Recording/)
    const first = captureAccess('darwin', {}, () => 'not-determined')
    expect(first.ok ? '' : first.explanation).toMatch(/macOS will ask the first time/)
  })

  it('a Wayland session needs the portal consent every time; X11 and Windows need nothing', () => {
    const wayland = captureAccess('linux', { XDG_SESSION_TYPE: 'wayland', DISPLAY: ':0' }, granted)
    expect(wayland).toMatchObject({ ok: false, reason: 'needs-permission' })
    expect(wayland.ok ? '' : wayland.explanation).toMatch(/screen-sharing dialog/)
    expect(captureAccess('linux', { WAYLAND_DISPLAY: 'wayland-0' }, granted).ok).toBe(false)
    expect(captureAccess('linux', { XDG_SESSION_TYPE: 'x11', DISPLAY: ':0' }, granted)).toEqual({ ok: true })
    expect(captureAccess('win32', {}, granted)).toEqual({ ok: true })
    expect(captureAccess('aix', {}, granted)).toMatchObject({ ok: false, reason: 'unsupported' })
  })
})

describe('sourceForWindow', () => {
  const sources = [
    { id: 'window:2097160:0', name: 'testsrc' },
    { id: 'window:44040199:0', name: 'FreeRDP: 127.0.0.1' },
  ]
  it('finds the X11 window by its id, else by title', () => {
    expect(sourceForWindow(sources, { x11Id: '0x2a00007' })?.name).toBe('FreeRDP: 127.0.0.1')
    expect(sourceForWindow(sources, { x11Id: '0x123' })).toBeNull()
    expect(sourceForWindow(sources, { title: 'freerdp' })?.id).toBe('window:44040199:0')
    expect(sourceForWindow(sources, { title: '' })).toBeNull()
    expect(sourceForWindow(sources, {})).toBeNull()
  })
})

/** A recorder whose chunks and end the test decides. */
function fakeRecorder(): MediaRecorderPort & { push(s: string): void; close(why: string): void } {
  let pending: Uint8Array[] = []
  let close: (why: string) => void = () => undefined
  const ended = new Promise<string>((r) => (close = r))
  return {
    ended,
    push: (s) => pending.push(new TextEncoder().encode(s)),
    close: (why) => close(why),
    take: () => {
      const out = pending
      pending = []
      return Promise.resolve(out)
    },
    stop: () => {
      pending.push(new TextEncoder().encode('[end]'))
      const out = pending
      pending = []
      return Promise.resolve(out)
    },
  }
}

let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'warden-wincap-'))
})
afterEach(() => {
  rmSync(dir, { recursive: true, force: true })
})

describe('captureWithPort', () => {
  it('writes the chunks in order and finishes the file on stop', async () => {
    const rec = fakeRecorder()
    const path = join(dir, 'a.webm')
    const c = captureWithPort(rec, { fd: openSync(path, 'wx', 0o600), flushEveryMs: 5 })
    rec.push('one,')
    await expect.poll(() => readFileSync(path, 'utf8')).toBe('one,')
    rec.push('two,')
    expect(await c.stop()).toMatchObject({ status: 'complete', end: 'stopped', detail: null })
    expect(readFileSync(path, 'utf8')).toBe('one,two,[end]')
    expect(await c.stop()).toMatchObject({ end: 'stopped' })
  })

  it('a window that closes ends it complete, with what the recorder said', async () => {
    const rec = fakeRecorder()
    const path = join(dir, 'b.webm')
    const c = captureWithPort(rec, { fd: openSync(path, 'wx', 0o600), flushEveryMs: 1000 })
    rec.push('frames')
    rec.close('the window closed')
    expect(await c.done).toMatchObject({
      status: 'complete',
      end: 'window-closed',
      detail: 'the window closed',
    })
    expect(readFileSync(path, 'utf8')).toBe('frames')
  })

  it('a full disk fails it, saying so', async () => {
    const rec = fakeRecorder()
    const c = captureWithPort(rec, { fd: openSync('/dev/full', 'w'), flushEveryMs: 5 })
    rec.push('x')
    expect(await c.done).toEqual(
      expect.objectContaining({
        status: 'failed',
        end: 'disk-full',
        detail: 'the disk is full: the recording stopped there',
      }),
    )
  })
})
