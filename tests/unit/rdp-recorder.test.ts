import { EventEmitter } from 'node:events'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { EngineEvents } from '@engine/change-feed'
import { RdpRecorder } from '@engine/rdp-recorder'
import type { Session } from '@shared/model'
import { windowSizeOf } from '@shared/recording'
import { DEFAULT_SETTINGS, type Settings } from '@shared/settings'
import type { Capture, CaptureResult, CaptureSpec } from '../../src/main/recording/ffmpeg-capture'
import type { RecordingEnd, RecordingLedger, RecordingStart } from '../../src/main/recording/ledger'
import { makeSession } from '../renderer/support/sessions'

// The recorder's decisions on the change feed, with the X11 side and ffmpeg faked (the real ones are in
// tests/integration/rdp-capture.test.ts and engine-rdp-record.test.ts).

let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'warden-rdprec-unit-'))
})
afterEach(() => {
  rmSync(dir, { recursive: true, force: true })
})

const WINDOW = { id: '0x2a', x: 0, y: 0, width: 800, height: 600, viewable: true, name: 'FreeRDP' }

class FakeCapture implements Capture {
  pid = 4242
  startedAt = 1000
  stops = 0
  private resolve: (r: CaptureResult) => void = () => undefined
  readonly done = new Promise<CaptureResult>((r) => (this.resolve = r))
  end(r: Partial<CaptureResult> = {}): void {
    this.resolve({ status: 'complete', end: 'stopped', detail: null, endedAt: 5000, exit: 0, ...r })
  }
  stop(): Promise<CaptureResult> {
    this.stops++
    this.end()
    return this.done
  }
}

function harness(
  opts: {
    settings?: Partial<Settings>
    record?: boolean | null
    window?: boolean
    /** the window's size when looked at again (default: as it was) */
    size?: () => { width: number; height: number }
  } = {},
) {
  const events = new EventEmitter<EngineEvents>()
  const begun: RecordingStart[] = []
  const finished: RecordingEnd[] = []
  const ledger: RecordingLedger = {
    begin: (s) => begun.push(s),
    beginSole: (s) => begun.push(s),
    attachProcess: () => undefined,
    finish: (_id, e) => {
      finished.push(e)
      return {} as never
    },
  }
  const captures: { spec: CaptureSpec; capture: FakeCapture }[] = []
  const errors: unknown[] = []
  let clock = 1000
  let sessions: Session[] = []
  let looks = 0
  const recorder = new RdpRecorder({
    events,
    list: () => sessions,
    settings: () => ({ ...DEFAULT_SETTINGS, recordRdp: true, ...opts.settings }),
    resource: () => ({ record: opts.record ?? null }),
    ledger,
    dir: () => dir,
    changed: () => undefined,
    reportError: (e) => errors.push(e),
    timing: { windowWaitMs: 300, windowPollMs: 10, stopGraceMs: 50, geometryPollMs: 10 },
    geometry: (id) => {
      looks++
      const size = opts.size?.() ?? { width: WINDOW.width, height: WINDOW.height }
      return Promise.resolve({ ...WINDOW, id, ...size })
    },
    now: () => (clock += 10),
    findWindow: () =>
      Promise.resolve(
        opts.window === false
          ? null
          : {
              display: { display: ':5', xauthority: null },
              window: WINDOW,
            },
      ),
    capture: (spec) => {
      const capture = new FakeCapture()
      captures.push({ spec, capture })
      return capture
    },
  })
  const open = (s: Session): void => {
    sessions = [s]
    events.emit('changed', sessions)
  }
  return { recorder, events, begun, finished, captures, errors, open, looks: () => looks }
}

const rdp = (over: Partial<Session> = {}): Session =>
  makeSession({
    id: 'aaaaaaaaaaaa',
    resourceType: 'rdp',
    client: 'xfreerdp',
    pid: 77,
    processStart: 5,
    ...over,
  })

describe('RdpRecorder', () => {
  it('records an RDP session from its window until its end, once', async () => {
    const h = harness()
    h.recorder.start()
    h.open(rdp())
    h.open(rdp()) // a second change while it records starts nothing more
    await expect.poll(() => h.captures.length).toBe(1)
    expect(h.captures[0]?.spec.window.id).toBe('0x2a')
    expect(h.begun[0]).toMatchObject({ kind: 'rdp-video', pid: 77, processStart: 5, inputRecorded: false })
    h.events.emit('ended', rdp({ status: 'disconnected' }))
    await expect.poll(() => h.finished.length).toBe(1)
    expect(h.captures[0]?.capture.stops).toBe(1)
    expect(h.finished[0]).toMatchObject({ status: 'complete', bytes: 0, detail: null })
    expect(h.finished[0]?.sha256).toMatch(/^[0-9a-f]{64}$/)
    await h.recorder.stop()
    expect(h.errors).toEqual([])
  })

  it('a window made larger (or smaller) goes on in a new segment at its new size; an odd pixel does not', async () => {
    let size = { width: 800, height: 600 }
    const h = harness({ size: () => size })
    h.recorder.start()
    h.open(rdp())
    await expect.poll(() => h.captures.length).toBe(1)
    size = { width: 801, height: 601 } // the same even size: yuv420p drops the odd column anyway
    const seen = h.looks()
    await expect.poll(() => h.looks()).toBeGreaterThan(seen + 3)
    expect(h.captures).toHaveLength(1)
    size = { width: 1024, height: 768 }
    await expect.poll(() => h.captures.length).toBe(2)
    expect(h.captures[0]?.capture.stops).toBe(1)
    expect(h.captures[1]?.spec.window).toMatchObject({ id: '0x2a', width: 1024, height: 768 })
    expect(h.finished[0]).toMatchObject({ status: 'complete' })
    // the window's player reads each segment's size back from its title (src/shared/recording.ts)
    expect(h.begun.map((b) => windowSizeOf(b.title))).toEqual([
      { width: 800, height: 600 },
      { width: 1024, height: 768 },
    ])
    size = { width: 640, height: 480 }
    await expect.poll(() => h.captures.length).toBe(3)
    h.events.emit('ended', rdp({ status: 'disconnected' }))
    await expect.poll(() => h.finished.length).toBe(3)
    await h.recorder.stop()
    expect(h.captures).toHaveLength(3)
    expect(h.errors).toEqual([])
  })

  it('records nothing when the policy says no, or for ssh and web sessions', async () => {
    for (const h of [harness({ settings: { recordRdp: false } }), harness({ record: false })]) {
      h.recorder.start()
      h.open(rdp())
      await h.recorder.stop()
      expect(h.begun).toEqual([])
    }
    const on = harness({ settings: { recordRdp: false }, record: true })
    on.recorder.start()
    on.open(rdp())
    await expect.poll(() => on.captures.length).toBe(1)
    await on.recorder.stop()
    const ssh = harness()
    ssh.recorder.start()
    ssh.open(rdp({ resourceType: 'ssh' }))
    await ssh.recorder.stop()
    expect(ssh.begun).toEqual([])
  })

  it('a window that never comes is a failed recording that says why; a session gone first leaves no row', async () => {
    const h = harness({ window: false })
    h.recorder.start()
    h.open(rdp())
    await expect.poll(() => h.finished.length, { timeout: 3000 }).toBe(1)
    expect(h.finished[0]).toMatchObject({ status: 'failed', bytes: 0 })
    expect(h.finished[0]?.detail).toMatch(/no X11 window of xfreerdp \(pid 77\) appeared/)

    const gone = harness({ window: false })
    gone.recorder.start()
    gone.open(rdp())
    gone.events.emit('ended', rdp({ status: 'disconnected' }))
    await gone.recorder.stop()
    expect(gone.begun).toEqual([])
  })

  it('a capture that fails on its own (a full disk) fails the row with the reason and is not restarted', async () => {
    const h = harness()
    h.recorder.start()
    h.open(rdp())
    await expect.poll(() => h.captures.length).toBe(1)
    h.captures[0]?.capture.end({
      status: 'failed',
      end: 'disk-full',
      detail: 'the disk is full: the recording stopped there',
    })
    await expect.poll(() => h.finished.length).toBe(1)
    expect(h.finished[0]).toMatchObject({
      status: 'failed',
      detail: 'the disk is full: the recording stopped there',
    })
    h.open(rdp({ recording: { id: 1, kind: 'rdp-video', status: 'failed' } }))
    await h.recorder.stop()
    expect(h.captures).toHaveLength(1)
  })

  it('stop() stops every capture and waits for its row', async () => {
    const h = harness()
    h.recorder.start()
    h.open(rdp())
    await expect.poll(() => h.captures.length).toBe(1)
    await h.recorder.stop()
    expect(h.finished).toHaveLength(1)
    expect(h.recorder.active.size).toBe(0)
  })
})
