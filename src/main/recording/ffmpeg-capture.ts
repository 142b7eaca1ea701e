// Records one X11 window with Debian's ffmpeg (x11grab, https://ffmpeg.org/ffmpeg-devices.html#x11grab) into a
// WebM file the window's <video> plays (Chromium plays VP9 in WebM). VP9 in libvpx's realtime mode
// (`-deadline realtime -cpu-used 8 -row-mt 1`) was measured here at about half VP8's CPU for a 1280×800
// window at 10 fps (bench/rdp-capture-bench.ts).
//
// Stopping: ffmpeg reads 'q' on stdin as "stop and finish the file" (it writes the WebM cues and duration);
// SIGTERM does the same on its first delivery; SIGKILL is the last resort and leaves the file unfinished.
// When the captured window goes away, x11grab's next read fails ("Failed to query xcb pointer" / "Cannot
// get the image data") and ffmpeg finishes the file itself and exits 0: that is the window closing.
import { spawn, type ChildProcess } from 'node:child_process'
import { displayEnv, type X11Display, type X11Window } from './x11-window'

export interface CaptureSpec {
  display: X11Display
  window: Pick<X11Window, 'id' | 'width' | 'height'>
  /** the output file: created by the caller (0600, in the recordings folder); ffmpeg overwrites it in place */
  path: string
  /** frames a second (default 10) */
  fps?: number
  /** draw the mouse pointer into the video (default true) */
  drawMouse?: boolean
  /** the ffmpeg binary (default /usr/bin/ffmpeg's name on PATH) */
  ffmpeg?: string
}

export const CAPTURE_FPS = 10

/** ffmpeg's arguments for one window capture. */
export function captureArgs(spec: CaptureSpec): string[] {
  if (!/^0x[0-9a-f]+$/i.test(spec.window.id)) throw new Error(`not an X11 window id: ${spec.window.id}`)
  const fps = spec.fps ?? CAPTURE_FPS
  if (!Number.isInteger(fps) || fps < 1 || fps > 60) throw new Error(`frame rate must be 1–60, not ${fps}`)
  // yuv420p needs even sizes: a window of odd width loses its last column rather than failing the encoder
  const even = (n: number): number => Math.max(2, n - (n % 2))
  return [
    '-hide_banner',
    '-nostats',
    '-loglevel',
    'error',
    '-f',
    'x11grab',
    '-framerate',
    String(fps),
    '-draw_mouse',
    spec.drawMouse === false ? '0' : '1',
    '-window_id',
    spec.window.id,
    '-i',
    spec.display.display,
    '-vf',
    `crop=${even(spec.window.width)}:${even(spec.window.height)}:0:0`,
    '-c:v',
    'libvpx-vp9',
    '-deadline',
    'realtime',
    '-cpu-used',
    '8',
    '-row-mt',
    '1',
    // no look-ahead: libvpx otherwise holds 25 frames (2.5 s) before it writes the first one
    '-lag-in-frames',
    '0',
    '-b:v',
    '1M',
    // a keyframe every 10 s: the player can seek without decoding the whole file
    '-g',
    String(fps * 10),
    '-pix_fmt',
    'yuv420p',
    // a WebM cluster a second, written out at once: ffmpeg 5.1 notices a failed write (a full disk: ENOSPC)
    // only when its 32 KB buffer flushes, which a still screen may take minutes to fill, and the Matroska
    // muxer otherwise holds 5 s of frames; so a killed ffmpeg loses at most a second
    '-cluster_time_limit',
    '1000',
    '-flush_packets',
    '1',
    '-f',
    'webm',
    '-y',
    spec.path,
  ]
}

export type CaptureEnd =
  /** stop() asked for it and ffmpeg finished the file */
  | 'stopped'
  /** the captured window went away (the client closed it) */
  | 'window-closed'
  /** the disk is full: what was written is kept */
  | 'disk-full'
  /** ffmpeg died or failed on its own */
  | 'died'
  /** it did not stop within the deadline and was killed: the file may be unfinished */
  | 'killed'

export interface CaptureResult {
  status: 'complete' | 'failed'
  end: CaptureEnd
  /** why it failed or stopped early, in words; null for a normal stop */
  detail: string | null
  endedAt: number
  /** ffmpeg's exit code, or the signal that ended it */
  exit: number | NodeJS.Signals | null
}

export interface Capture {
  pid: number
  startedAt: number
  /** settles when ffmpeg has exited, however that came about */
  readonly done: Promise<CaptureResult>
  /** 'q', then SIGTERM after `graceMs`, then SIGKILL after as long again */
  stop(graceMs?: number): Promise<CaptureResult>
}

const WINDOW_GONE = /Failed to query xcb pointer|Failed to get window geometry|Cannot get the image data/i

/** What an ffmpeg exit means, from how it exited, whether we asked, and what it said last. */
export function classifyExit(
  code: number | null,
  signal: NodeJS.Signals | null,
  stderr: string,
  asked: 'no' | 'stop' | 'kill',
): Pick<CaptureResult, 'status' | 'end' | 'detail'> {
  const last =
    stderr
      .trim()
      .split('\n')
      .filter((l) => l.trim() !== '')
      .at(-1)
      ?.trim() ?? ''
  if (/No space left on device/i.test(stderr))
    return { status: 'failed', end: 'disk-full', detail: 'the disk is full: the recording stopped there' }
  if (asked === 'kill')
    return {
      status: 'failed',
      end: 'killed',
      detail: 'ffmpeg did not stop in time and was killed: the end of the file may be unreadable',
    }
  if (asked === 'stop' && (code === 0 || signal === 'SIGTERM' || code === 255))
    return { status: 'complete', end: 'stopped', detail: null }
  if (code === 0 && WINDOW_GONE.test(stderr))
    return { status: 'complete', end: 'window-closed', detail: null }
  const how = signal ? `was killed (${signal})` : `exited with code ${code ?? '?'}`
  return {
    status: 'failed',
    end: 'died',
    detail: `ffmpeg ${how} during the capture${last ? `: ${last.slice(0, 300)}` : ''}`,
  }
}

/** Starts ffmpeg on the window. Never throws for ffmpeg's own failures: `done` says what happened. */
export function startCapture(spec: CaptureSpec, now: () => number = Date.now): Capture {
  const child: ChildProcess = spawn(spec.ffmpeg ?? 'ffmpeg', captureArgs(spec), {
    env: displayEnv(spec.display),
    stdio: ['pipe', 'ignore', 'pipe'],
  })
  let stderr = ''
  child.stderr?.on('data', (chunk: Buffer) => {
    // the last lines say why it stopped; keep a bounded tail
    stderr = (stderr + chunk.toString('utf8')).slice(-8192)
  })
  // a closed stdin (ffmpeg gone) must not become an unhandled 'error'
  child.stdin?.on('error', () => undefined)
  let asked: 'no' | 'stop' | 'kill' = 'no'
  const startedAt = now()
  const done = new Promise<CaptureResult>((resolve) => {
    child.on('error', (e) =>
      resolve({
        status: 'failed',
        end: 'died',
        detail: `ffmpeg could not start: ${e.message}`,
        endedAt: now(),
        exit: null,
      }),
    )
    child.on('close', (code, signal) =>
      resolve({ ...classifyExit(code, signal, stderr, asked), endedAt: now(), exit: signal ?? code }),
    )
  })
  let stopping: Promise<CaptureResult> | null = null
  const stop = (graceMs = 5000): Promise<CaptureResult> => {
    stopping ??= (async () => {
      if (child.exitCode !== null || child.signalCode !== null) return done
      asked = 'stop'
      child.stdin?.end('q')
      const timer = (ms: number): Promise<'late'> =>
        new Promise((r) => setTimeout(() => r('late'), ms).unref())
      if ((await Promise.race([done, timer(graceMs)])) !== 'late') return done
      child.kill('SIGTERM')
      if ((await Promise.race([done, timer(graceMs)])) !== 'late') return done
      asked = 'kill'
      child.kill('SIGKILL')
      return done
    })()
    return stopping
  }
  return { pid: child.pid ?? -1, startedAt, done, stop }
}
