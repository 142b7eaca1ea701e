import { execFile } from 'node:child_process'
import { chmodSync, closeSync, mkdtempSync, openSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startCapture, type Capture } from '../../src/main/recording/ffmpeg-capture'
import { windowInfo, type X11Display } from '../../src/main/recording/x11-window'
import { EventEmitter } from 'node:events'
import type { EngineEvents } from '@engine/change-feed'
import { RdpRecorder } from '@engine/rdp-recorder'
import { openStore } from '@engine/store'
import type { Recording } from '@shared/recording'
import { DEFAULT_SETTINGS } from '@shared/settings'
import { createStoreLedger } from '../../src/main/recording/store-ledger'
import { makeSession } from '../renderer/support/sessions'
import { startPatternWindow, startXvfb, stopAll, waitFor, type Xvfb } from '../support/peers'

// The window capture on a real X server (Xvfb) with the real ffmpeg: the pixels of a window of a known pid
// are in the file, the capture stops cleanly, ends with the window, and says why when it fails.

let xvfb: Xvfb
let dir: string
let display: X11Display

beforeAll(async () => {
  xvfb = await startXvfb()
  display = { display: xvfb.display, xauthority: null }
  dir = mkdtempSync(join(tmpdir(), 'warden-capture-'))
})
afterAll(async () => {
  await stopAll()
  rmSync(dir, { recursive: true, force: true })
})

const SIZE = { width: 320, height: 240 }
const BARS = `smptebars=size=${SIZE.width}x${SIZE.height}:rate=10`
const RGB = `rgbtestsrc=size=${SIZE.width}x${SIZE.height}:rate=10`

function run(file: string, args: string[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${file} ${args.join(' ')}: ${err.message}\n${stderr.toString()}`))
      else resolve(stdout)
    })
  })
}

/** One frame as raw RGB: from a recording at `at` seconds, or a lavfi source's first frame. */
function frameOf(input: { file: string; at: number } | { lavfi: string }): Promise<Buffer> {
  const src =
    'lavfi' in input ? ['-f', 'lavfi', '-i', input.lavfi] : ['-ss', String(input.at), '-i', input.file]
  return run('ffmpeg', ['-v', 'error', ...src, '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'])
}

/** Mean absolute difference per channel (0–255) of two frames of the same size. */
function meanAbsDiff(a: Buffer, b: Buffer): number {
  expect(a.length).toBe(b.length)
  let sum = 0
  for (let i = 0; i < a.length; i++) sum += Math.abs((a[i] ?? 0) - (b[i] ?? 0))
  return sum / a.length
}

async function probe(file: string): Promise<{ duration: number; width: number; height: number }> {
  const out = await run('ffprobe', [
    '-v',
    'error',
    '-show_entries',
    'format=duration:stream=width,height',
    '-of',
    'json',
    file,
  ])
  const j = JSON.parse(out.toString()) as {
    format: { duration: string }
    streams: { width: number; height: number }[]
  }
  return {
    duration: Number(j.format.duration),
    width: j.streams[0]?.width ?? 0,
    height: j.streams[0]?.height ?? 0,
  }
}

/** The recordings folder's way: an empty file, 0600, created exclusively before ffmpeg writes it. */
function newFile(name: string): string {
  const path = join(dir, name)
  closeSync(openSync(path, 'wx', 0o600))
  return path
}

/** Until the file holds at least `bytes` (frames are flushed one by one: -flush_packets 1). */
function grown(path: string, bytes: number, c: Capture): Promise<number> {
  return waitFor(
    async () => {
      const r = await Promise.race([c.done, Promise.resolve(null)])
      if (r) throw new Error(`the capture ended early: ${JSON.stringify(r)}`)
      const size = statSync(path).size
      return size >= bytes ? size : undefined
    },
    15_000,
    `${path} to reach ${bytes} bytes`,
    100,
  )
}

describe('window capture with ffmpeg x11grab', () => {
  it('records the pixels of a known window; a different pattern does not match', async () => {
    const bars = await startPatternWindow(xvfb.display, BARS)
    expect(bars.window).toMatchObject(SIZE)
    const path = newFile('bars.webm')
    const c = startCapture({ display, window: bars.window, path })
    await grown(path, 3000, c)
    const r = await c.stop()
    expect(r).toMatchObject({ status: 'complete', end: 'stopped', detail: null })
    expect(statSync(path).mode & 0o777).toBe(0o600)
    expect(await probe(path)).toMatchObject(SIZE)

    const captured = await frameOf({ file: path, at: 0.3 })
    const same = meanAbsDiff(captured, await frameOf({ lavfi: BARS }))
    const other = meanAbsDiff(captured, await frameOf({ lavfi: RGB }))
    // measured: ~1.2 for the same bars (SDL's colour conversion and VP9), ~105 against rgbtestsrc
    expect(same).toBeLessThan(8)
    expect(other).toBeGreaterThan(40)
    await bars.stop()

    // the other way round: a window drawing rgbtestsrc matches rgbtestsrc, not the bars
    const rgb = await startPatternWindow(xvfb.display, RGB)
    const path2 = newFile('rgb.webm')
    const c2 = startCapture({ display, window: rgb.window, path: path2 })
    await grown(path2, 3000, c2)
    expect((await c2.stop()).status).toBe('complete')
    const captured2 = await frameOf({ file: path2, at: 0.3 })
    expect(meanAbsDiff(captured2, await frameOf({ lavfi: RGB }))).toBeLessThan(8)
    expect(meanAbsDiff(captured2, await frameOf({ lavfi: BARS }))).toBeGreaterThan(40)
    await rgb.stop()
  })

  it('stops with the window: the file is finished and says how long it ran', async () => {
    const bars = await startPatternWindow(xvfb.display, BARS)
    const path = newFile('closing.webm')
    const c = startCapture({ display, window: bars.window, path })
    await grown(path, 3000, c)
    await bars.stop()
    const r = await c.done
    expect(r).toMatchObject({ status: 'complete', end: 'window-closed', exit: 0 })
    expect(await windowInfo(bars.window.id, display)).toBeNull()
    const p = await probe(path)
    expect(p.duration).toBeGreaterThan(0.3)
    expect(p.duration).toBeLessThanOrEqual((r.endedAt - c.startedAt) / 1000 + 0.5)
  })

  it('an ffmpeg killed under it is a failure with the reason', async () => {
    const bars = await startPatternWindow(xvfb.display, BARS)
    const path = newFile('killed.webm')
    const c = startCapture({ display, window: bars.window, path })
    await grown(path, 3000, c)
    process.kill(c.pid, 'SIGKILL')
    expect(await c.done).toMatchObject({
      status: 'failed',
      end: 'died',
      detail: 'ffmpeg was killed (SIGKILL) during the capture',
    })
    // what was written before is kept and still decodes (every frame was flushed)
    expect((await frameOf({ file: path, at: 0 })).length).toBe(SIZE.width * SIZE.height * 3)
    await bars.stop()
  })

  it('a full disk ends the capture as failed, saying so', async () => {
    const bars = await startPatternWindow(xvfb.display, BARS)
    // /dev/full: every write fails with ENOSPC, as on a full disk
    const c = startCapture({ display, window: bars.window, path: '/dev/full' })
    expect(await c.done).toMatchObject({
      status: 'failed',
      end: 'disk-full',
      detail: 'the disk is full: the recording stopped there',
    })
    await bars.stop()
  })

  it('an ffmpeg that ignores q and SIGTERM is killed after the deadline; a real one stops within it', async () => {
    const bars = await startPatternWindow(xvfb.display, BARS)
    const stubborn = join(dir, 'stubborn-ffmpeg')
    writeFileSync(stubborn, "#!/bin/sh\ntrap '' TERM\nwhile :; do sleep 0.1; done\n")
    chmodSync(stubborn, 0o700)
    const c = startCapture({ display, window: bars.window, path: newFile('stubborn.webm'), ffmpeg: stubborn })
    const t0 = Date.now()
    expect(await c.stop(300)).toMatchObject({ status: 'failed', end: 'killed', exit: 'SIGKILL' })
    expect(Date.now() - t0).toBeGreaterThanOrEqual(600)

    const path = newFile('prompt.webm')
    const real = startCapture({ display, window: bars.window, path })
    await grown(path, 3000, real)
    expect(await real.stop(5000)).toMatchObject({ status: 'complete', end: 'stopped' })
    await bars.stop()
  })
})

/** xdotool on the test's X server. */
function xdotool(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('xdotool', args, { env: { ...process.env, DISPLAY: xvfb.display } }, (err) => {
      if (err) reject(new Error(`xdotool ${args.join(' ')}: ${err.message}`))
      else resolve()
    })
  })
}

describe('the RDP recorder on a real window that is resized', () => {
  it('goes on in a new segment at the new size: each file plays at its own size (ffprobe)', async () => {
    const win = await startPatternWindow(xvfb.display, 'testsrc=size=320x240:rate=10')
    const store = openStore({ path: join(dir, 'resize.db') })
    const events = new EventEmitter<EngineEvents>()
    const errors: unknown[] = []
    const session = makeSession({ resourceType: 'rdp', client: 'xfreerdp', pid: win.pid, processStart: 1 })
    const recorder = new RdpRecorder({
      events,
      list: () => [session],
      settings: () => ({ ...DEFAULT_SETTINGS, recordRdp: true }),
      resource: () => null,
      ledger: createStoreLedger(store),
      dir: () => dir,
      changed: () => undefined,
      reportError: (e) => errors.push(e),
      timing: { windowWaitMs: 10_000, windowPollMs: 100, stopGraceMs: 3000, geometryPollMs: 250 },
    })
    const rows = (): Recording[] =>
      store
        .listRecordings()
        .filter((r) => r.pid === win.pid)
        .reverse()
    const grownTo = (n: number, bytes: number): Promise<Recording> =>
      waitFor(
        () => {
          const r = rows()[n]
          return r && statSync(join(dir, r.file)).size >= bytes ? r : undefined
        },
        20_000,
        `segment ${n + 1} to reach ${bytes} bytes`,
        100,
      )
    try {
      recorder.start()
      await grownTo(0, 3000)
      // larger: x11grab would have kept grabbing 320×240 of it
      await xdotool(['windowsize', win.window.id, '480', '360'])
      await grownTo(1, 3000)
      await recorder.stop()
      const [first, second] = rows()
      expect(rows().map((r) => r.status)).toEqual(['complete', 'complete'])
      expect(await probe(join(dir, first?.file ?? ''))).toMatchObject({ width: 320, height: 240 })
      expect(await probe(join(dir, second?.file ?? ''))).toMatchObject({ width: 480, height: 360 })
      expect((await probe(join(dir, second?.file ?? ''))).duration).toBeGreaterThan(0.2)
      expect(errors).toEqual([])
    } finally {
      await recorder.stop()
      store.close()
      await win.stop()
    }
  })
})
