// Records the window of every RDP session the policy says to record (shouldRecord in src/shared/recording.ts),
// while the engine's loop runs. It listens to the change feed (change-feed.ts: 'changed', 'ended') instead
// of running a loop of its own: a new RDP session → wait for its client's X11 window → ffmpeg x11grab
// (src/main/recording/ffmpeg-capture.ts) → a ledger row; the session's end, the window closing or ffmpeg
// dying → the row is finished with its size, length and sha256. A capture that fails ends the recording as
// `failed` with the reason, never the session.
import { closeSync, rmSync, statSync } from 'node:fs'
import type { EventEmitter } from 'node:events'
import type { Session } from '@shared/model'
import { shouldRecord, windowTitleSuffix, type RecordingOverrides } from '@shared/recording'
import type { Settings } from '@shared/settings'
import { startCapture, type Capture, type CaptureResult, type CaptureSpec } from '../recording/ffmpeg-capture'
import { createRecordingFile, sha256File } from '../recording/files'
import type { RecordingLedger } from '../recording/ledger'
import { displayOf, windowInfo, windowsOf, type X11Display, type X11Window } from '../recording/x11-window'
import type { EngineEvents } from './change-feed'

export interface RdpRecorderTiming {
  /** how long a new session's client has to map its window (an RDP client shows it once connected) */
  windowWaitMs: number
  windowPollMs: number
  /** 'q' → SIGTERM → SIGKILL, each after this long */
  stopGraceMs: number
  /** how often a recorded window's size is looked at (a new size starts a new segment) */
  geometryPollMs: number
}

export const RDP_RECORDER_TIMING: Readonly<RdpRecorderTiming> = Object.freeze({
  windowWaitMs: 20_000,
  windowPollMs: 250,
  stopGraceMs: 5000,
  geometryPollMs: 1000,
})

export interface RdpRecorderDeps {
  events: Pick<EventEmitter<EngineEvents>, 'on' | 'off'>
  list: () => Session[]
  settings: () => Settings
  /** the resource's recording override, by the session's resource name */
  resource: (s: Session) => Pick<RecordingOverrides, 'record'> | null
  ledger: RecordingLedger
  /** the recordings folder (made 0700 on first use) */
  dir: () => string
  /** a recording's row changed (begun, finished): the window and the tray show it */
  changed: () => void
  reportError: (e: unknown) => void
  timing?: Partial<RdpRecorderTiming>
  /** the X11 side and ffmpeg (tests keep the real ones; a platform without X11 finds no window) */
  findWindow?: (pid: number) => Promise<{ display: X11Display; window: X11Window } | null>
  capture?: (spec: CaptureSpec) => Capture
  /** a window's geometry now, null when it is gone (x11-window.ts windowInfo) */
  geometry?: (id: string, display: X11Display) => Promise<X11Window | null>
  now?: () => number
}

interface Job {
  /** the session ended (or the recorder stopped) before or during the capture */
  cancelled: boolean
  capture: Capture | null
  /** settles once the row is finished (or nothing was begun) */
  settled: Promise<void>
}

async function firstWindow(pid: number): Promise<{ display: X11Display; window: X11Window } | null> {
  const display = await displayOf(pid)
  if (!display) return null
  const [window] = await windowsOf(pid, display)
  return window ? { display, window } : null
}

/** where x11grab can run: the X11 desktops */
const X11_PLATFORMS: ReadonlySet<NodeJS.Platform> = new Set(['linux', 'freebsd', 'openbsd', 'netbsd'])

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

export class RdpRecorder {
  private readonly jobs = new Map<string, Job>()
  /** sessions recorded once in this run: a window that closed mid-session is not waited for again */
  private readonly done = new Set<string>()
  private readonly timing: Readonly<RdpRecorderTiming>
  private readonly now: () => number
  private running = false

  constructor(private readonly deps: RdpRecorderDeps) {
    this.timing = { ...RDP_RECORDER_TIMING, ...deps.timing }
    this.now = deps.now ?? Date.now
  }

  private readonly onChanged = (sessions: Session[]): void => {
    for (const s of sessions) this.consider(s)
  }

  private readonly onEnded = (s: Session): void => {
    this.done.delete(s.id)
    const job = this.jobs.get(s.id)
    if (!job) return
    job.cancelled = true
    void job.capture?.stop(this.timing.stopGraceMs)
  }

  /** Starts following the change feed; the RDP sessions already open are considered now. */
  start(): void {
    if (this.running) return
    this.running = true
    this.deps.events.on('changed', this.onChanged)
    this.deps.events.on('ended', this.onEnded)
    this.onChanged(this.deps.list())
  }

  /** Stops following, stops every capture and waits until their rows are finished. */
  async stop(): Promise<void> {
    if (!this.running) return
    this.running = false
    this.deps.events.off('changed', this.onChanged)
    this.deps.events.off('ended', this.onEnded)
    const pending = [...this.jobs.values()]
    for (const job of pending) {
      job.cancelled = true
      void job.capture?.stop(this.timing.stopGraceMs)
    }
    await Promise.all(pending.map((j) => j.settled))
  }

  /** the ffmpeg pids recording now, by session id (diagnostics and tests) */
  get active(): ReadonlyMap<string, number> {
    const out = new Map<string, number>()
    for (const [id, job] of this.jobs) if (job.capture) out.set(id, job.capture.pid)
    return out
  }

  private consider(s: Session): void {
    if (!this.running || s.resourceType !== 'rdp' || s.status === 'disconnected') return
    // another process (the app beside `warden watch`) may be recording it already: a cheap first look;
    // the atomic check is the ledger's beginSole in record()
    if (this.jobs.has(s.id) || this.done.has(s.id) || s.recording?.status === 'recording') return
    if (!shouldRecord('rdp', this.deps.settings(), this.deps.resource(s))) return
    const job: Job = { cancelled: false, capture: null, settled: Promise.resolve() }
    this.jobs.set(s.id, job)
    this.done.add(s.id)
    job.settled = this.record(s, job)
      .catch((e: unknown) => this.deps.reportError(e))
      .finally(() => this.jobs.delete(s.id))
  }

  /** The client's window, polled until the deadline; null when it never came or the session ended first. */
  private async waitForWindow(
    s: Session,
    job: Job,
  ): Promise<{ display: X11Display; window: X11Window } | null> {
    const find = this.deps.findWindow ?? firstWindow
    const deadline = this.now() + this.timing.windowWaitMs
    for (;;) {
      if (job.cancelled) return null
      const found = await find(s.pid)
      if (found) return found
      if (this.now() >= deadline) return null
      await sleep(this.timing.windowPollMs)
    }
  }

  private async record(s: Session, job: Job): Promise<void> {
    // x11grab needs an X server: elsewhere the row says so at once instead of after the window deadline
    const noX11 = !this.deps.findWindow && !X11_PLATFORMS.has(process.platform)
    const found = noX11 ? null : await this.waitForWindow(s, job)
    if (job.cancelled) return
    if (!found) {
      await this.noWindow(s, noX11)
      return
    }
    // one segment per window size: x11grab grabs the size it started with, so a window made larger would
    // be cropped (and one made smaller ends the grab: "Cannot get the image data"); each size gets a file
    // and a row of its own, each plays at its own size in the window's <video> and exports on its own
    let window: X11Window | null = found.window
    while (window) window = await this.segment(s, job, found.display, window)
  }

  /** No window to record: a `failed` row saying why, so the policy's "record this" never fails silently. */
  private async noWindow(s: Session, noX11: boolean): Promise<void> {
    const startedAt = this.now()
    const begun = this.begin(s, startedAt, null)
    if (!begun) return
    await this.finish(begun.id, begun.path, startedAt, {
      status: 'failed',
      end: 'died',
      detail: noX11
        ? `RDP windows are recorded with ffmpeg x11grab, which needs X11: not available on ${process.platform}`
        : `no X11 window of ${s.client} (pid ${s.pid}) appeared within ${Math.round(this.timing.windowWaitMs / 1000)} s: only X11 windows can be recorded (a Wayland-native client cannot)`,
      endedAt: startedAt,
      exit: null,
    })
  }

  /** A new file and row; null when another recorder (another engine on this database) has this session. */
  private begin(
    s: Session,
    startedAt: number,
    window: X11Window | null,
  ): { id: number; path: string } | null {
    const file = createRecordingFile(this.deps.dir(), 'rdp-video', startedAt, 'webm')
    closeSync(file.fd) // ffmpeg writes it by its path, in place: it stays 0600
    // atomic: of two engines on one database (the app beside `warden watch`), the first to begin records
    const id = this.deps.ledger.beginSole({
      kind: 'rdp-video',
      file: file.file,
      pid: s.pid,
      processStart: s.processStart,
      startedAt,
      inputRecorded: false,
      title: `${s.client} ${s.user ? `${s.user}@` : ''}${s.host}${window ? windowTitleSuffix(window) : ''}`,
    })
    if (id === null) {
      rmSync(file.path, { force: true }) // empty: nothing was written to it
      return null
    }
    this.deps.changed()
    return { id, path: file.path }
  }

  /**
   * One capture at the window's size, until the session ends, the window goes, or its size changes; the
   * window at its new size when the recording should go on in a new segment, else null.
   */
  private async segment(
    s: Session,
    job: Job,
    display: X11Display,
    window: X11Window,
  ): Promise<X11Window | null> {
    const startedAt = this.now()
    const begun = this.begin(s, startedAt, window)
    if (!begun) return null
    const start = this.deps.capture ?? startCapture
    const capture = start({ display, window, path: begun.path })
    job.capture = capture
    // the session may have ended while ffmpeg was starting
    if (job.cancelled) void capture.stop(this.timing.stopGraceMs)
    const watch = this.watchSize(display, window, capture, job)
    const result = await capture.done
    job.capture = null
    const resized = await watch.stop()
    await this.finish(begun.id, begun.path, startedAt, result)
    if (job.cancelled || result.status === 'failed') return null
    // a smaller window ends the grab before the next look: the window is looked at once more
    return resized ?? (result.end === 'window-closed' ? await this.resizedFrom(display, window) : null)
  }

  /** Looks at the window's size every geometryPollMs; a new size stops the capture (a new segment follows). */
  private watchSize(
    display: X11Display,
    window: X11Window,
    capture: Capture,
    job: Job,
  ): { stop: () => Promise<X11Window | null> } {
    const state: { running: boolean; resized: X11Window | null } = { running: true, resized: null }
    const on = (): boolean => state.running && !job.cancelled
    let wake = (): void => undefined
    const woken = new Promise<void>((r) => (wake = r))
    const loop = (async (): Promise<void> => {
      while (on()) {
        await Promise.race([sleep(this.timing.geometryPollMs), woken])
        const now = on() ? await this.resizedFrom(display, window) : null
        if (now && on()) {
          state.resized = now
          await capture.stop(this.timing.stopGraceMs)
          return
        }
      }
    })()
    return {
      stop: async () => {
        state.running = false
        wake()
        await loop
        return state.resized
      },
    }
  }

  /** The window at a size other than `was`'s (an even size: yuv420p), or null: same size, or gone. */
  private async resizedFrom(display: X11Display, was: X11Window): Promise<X11Window | null> {
    const geometry = this.deps.geometry ?? windowInfo
    const now = await geometry(was.id, display).catch((e: unknown) => {
      this.deps.reportError(e)
      return null
    })
    if (!now?.viewable) return null
    const even = (n: number): number => n - (n % 2)
    return even(now.width) !== even(was.width) || even(now.height) !== even(was.height) ? now : null
  }

  private async finish(id: number, path: string, startedAt: number, r: CaptureResult): Promise<void> {
    const bytes = statSync(path).size
    this.deps.ledger.finish(id, {
      endedAt: r.endedAt,
      bytes,
      durationSec: Math.max(0, r.endedAt - startedAt) / 1000,
      sha256: await sha256File(path),
      status: r.status,
      detail: r.detail,
    })
    this.deps.changed()
  }
}
