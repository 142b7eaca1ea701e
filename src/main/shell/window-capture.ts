// Recording an RDP client's window inside the desktop app: Electron's desktopCapturer finds the window and
// a MediaRecorder writes it as WebM (ports.ts ScreenCapturePort; electron.ts binds the real one). This is
// the path where ffmpeg x11grab (src/main/recording/ffmpeg-capture.ts) cannot go: macOS and Windows, where
// the OS asks for consent. The pure parts (may we capture here, which source is that window, what a run
// ends as) are tested with a fake port in tests/unit/shell/window-capture.test.ts.
import { closeSync, writeSync } from 'node:fs'
import type { Capture, CaptureResult } from '../recording/ffmpeg-capture'
import type { CaptureSourcePort, MediaRecorderPort, ScreenCapturePort } from './ports'

export type CaptureAccess =
  | { ok: true }
  /** the window can show `explanation` as it is, and offer the settings it names */
  | { ok: false; reason: 'needs-permission' | 'unsupported'; explanation: string }

/**
 * Whether the app may capture a window here, and if not, what the user has to do. macOS gates screen
 * capture behind the Screen Recording permission (TCC; System Settings › Privacy & Security); a Wayland
 * session lets an app capture only what the user picks in the desktop portal's own dialog
 * (org.freedesktop.portal.ScreenCast), each time, so no window can be recorded unattended.
 */
export function captureAccess(
  platform: NodeJS.Platform,
  env: NodeJS.ProcessEnv,
  screenAccess: ScreenCapturePort['screenAccess'],
): CaptureAccess {
  if (platform === 'darwin') {
    const status = screenAccess()
    if (status === 'granted') return { ok: true }
    const how =
      status === 'not-determined'
        ? 'macOS will ask the first time a session is recorded: choose Open System Settings and turn Session Warden on.'
        : 'Open System Settings › Privacy & Security › Screen Recording, turn Session Warden on, then quit and reopen Session Warden.'
    return {
      ok: false,
      reason: 'needs-permission',
      explanation: `Recording RDP windows needs the Screen Recording permission. ${how}`,
    }
  }
  if (platform === 'linux' && (env.XDG_SESSION_TYPE === 'wayland' || (env.WAYLAND_DISPLAY && !env.DISPLAY)))
    return {
      ok: false,
      reason: 'needs-permission',
      explanation:
        'This is a Wayland session: the desktop lets an app record a window only after you pick it in its screen-sharing dialog, every time, so Session Warden cannot record RDP windows unattended. An X11 session (or an RDP client running under XWayland, recorded with ffmpeg) can be recorded.',
    }
  if (platform === 'win32' || platform === 'linux') return { ok: true }
  return {
    ok: false,
    reason: 'unsupported',
    explanation: `Window recording is not available on ${platform}.`,
  }
}

/**
 * The capture source of a window: by its native id where we know it (X11: the id found by _NET_WM_PID,
 * `window:<decimal id>:0` in Chromium's DesktopMediaID), else the first whose title has the given text.
 */
export function sourceForWindow(
  sources: readonly CaptureSourcePort[],
  target: { x11Id?: string; title?: string },
): CaptureSourcePort | null {
  if (target.x11Id !== undefined) {
    const native = Number.parseInt(target.x11Id, 16)
    return sources.find((s) => s.id.split(':')[1] === String(native)) ?? null
  }
  const title = target.title?.toLowerCase()
  if (!title) return null
  return sources.find((s) => s.name.toLowerCase().includes(title)) ?? null
}

export interface PortCaptureOptions {
  /** the recording's file, open for writing (createRecordingFile's fd, 0600); closed when the run ends */
  fd: number
  /** how often the recorder's chunks are written to the file (ms) */
  flushEveryMs?: number
  now?: () => number
}

/**
 * Runs a MediaRecorder (already started on the window) into the file, as the recorder's `Capture`: the
 * RDP recorder (src/main/engine/rdp-recorder.ts) stops it when the session ends, and a window that closes
 * or a disk that fills ends it on its own.
 */
export function captureWithPort(rec: MediaRecorderPort, opts: PortCaptureOptions): Capture {
  const now = opts.now ?? Date.now
  const startedAt = now()
  let finished: CaptureResult | null = null
  let resolveDone: (r: CaptureResult) => void = () => undefined
  const done = new Promise<CaptureResult>((r) => (resolveDone = r))
  const end = (r: Omit<CaptureResult, 'endedAt' | 'exit'>): CaptureResult => {
    if (finished) return finished
    finished = { ...r, endedAt: now(), exit: null }
    clearInterval(timer)
    closeSync(opts.fd)
    resolveDone(finished)
    return finished
  }
  /** writes chunks; false after a failed write (the run has then ended as failed) */
  const write = (chunks: Uint8Array[]): boolean => {
    try {
      for (const c of chunks) writeSync(opts.fd, c)
      return true
    } catch (e) {
      const full = (e as NodeJS.ErrnoException).code === 'ENOSPC'
      void rec.stop().catch(() => undefined)
      end({
        status: 'failed',
        end: full ? 'disk-full' : 'died',
        detail: full
          ? 'the disk is full: the recording stopped there'
          : `writing the recording failed: ${String(e)}`,
      })
      return false
    }
  }
  // one step at a time: chunks reach the file in the order the recorder gave them
  let chain: Promise<unknown> = Promise.resolve()
  const serial = <T>(step: () => Promise<T>): Promise<T> => {
    const p = chain.then(step)
    chain = p.catch(() => undefined)
    return p
  }
  const timer = setInterval(() => {
    void serial(async () => {
      if (!finished) write(await rec.take())
    })
  }, opts.flushEveryMs ?? 1000)
  void rec.ended.then((why) =>
    serial(async () => {
      if (!finished && write(await rec.take()))
        end({ status: 'complete', end: 'window-closed', detail: why || null })
    }),
  )
  return {
    pid: process.pid,
    startedAt,
    done,
    stop: () =>
      serial(async () => {
        if (finished) return finished
        const last = await rec.stop().catch((e: unknown) => {
          end({ status: 'failed', end: 'died', detail: `the recorder did not stop cleanly: ${String(e)}` })
          return []
        })
        return write(last) ? end({ status: 'complete', end: 'stopped', detail: null }) : done
      }),
  }
}
