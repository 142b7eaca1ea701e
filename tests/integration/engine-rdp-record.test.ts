import { execFile } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createEngine, type Engine } from '@engine/index'
import type { Detected } from '@engine/detect/types'
import { openStore } from '@engine/store'
import type { Recording } from '@shared/recording'
import type { Session } from '@shared/model'
import { windowsOf } from '../../src/main/recording/x11-window'
import { holdsFor, isAlive, startXrdp, stopAll, waitFor, xfreerdpClient, type Xrdp } from '../support/peers'

// xfreerdp → xrdp under Xvfb with the real engine's loop running: with recordRdp on, the client's window is
// recorded from when it appears until the session ends; with it off nothing is; an ffmpeg killed under
// the recorder fails the recording, not the session.

let dir: string
let engine: Engine | null = null
let xrdp: Xrdp

beforeAll(async () => {
  xrdp = await startXrdp()
})
afterAll(async () => {
  await stopAll()
})
afterEach(async () => {
  if (engine) await engine.close()
  engine = null
  rmSync(dir, { recursive: true, force: true })
})

async function newEngine(record: boolean): Promise<Engine> {
  dir = mkdtempSync(join(tmpdir(), 'warden-rdprec-'))
  engine = await createEngine({
    dbPath: join(dir, 'w.db'),
    actor: 'test',
    terminate: { graceMs: 2000 },
    scope: (d: Detected) => d.remotePort === xrdp.port,
    rdpRecorder: { timing: { windowWaitMs: 10_000, windowPollMs: 100, stopGraceMs: 3000 } },
  })
  engine.setSetting('pollIntervalMs', 250)
  engine.setSetting('recordRdp', record)
  engine.start()
  return engine
}

/** The rows as another process (the CLI) reads them from the same database. */
function recordings(): Recording[] {
  const store = openStore({ path: join(dir, 'w.db') })
  try {
    return store.listRecordings()
  } finally {
    store.close()
  }
}

function probe(file: string): Promise<{ duration: number; width: number; height: number; frames: number }> {
  const args = [
    '-v',
    'error',
    '-count_frames',
    '-show_entries',
    'format=duration:stream=width,height,nb_read_frames',
  ]
  return new Promise((resolve, reject) => {
    execFile('ffprobe', [...args, '-of', 'json', file], (err, out) => {
      if (err) {
        reject(new Error(`ffprobe ${file}: ${err.message}`))
        return
      }
      const j = JSON.parse(out) as {
        format: { duration: string }
        streams: { width: number; height: number; nb_read_frames: string }[]
      }
      const s = j.streams[0]
      resolve({
        duration: Number(j.format.duration),
        width: s?.width ?? 0,
        height: s?.height ?? 0,
        frames: Number(s?.nb_read_frames ?? 0),
      })
    })
  })
}

/** ffmpeg processes that are children of this test process (the recorder's captures). */
function ffmpegChildren(): number[] {
  return readdirSync('/proc')
    .filter((n) => /^\d+$/.test(n))
    .filter((n) => {
      try {
        const stat = readFileSync(`/proc/${n}/stat`, 'utf8')
        const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
        return Number(f[1]) === process.pid && stat.includes('(ffmpeg)')
      } catch {
        return false
      }
    })
    .map(Number)
}

const windowOf = (pid: number): ReturnType<typeof windowsOf> =>
  windowsOf(pid, { display: xrdp.display, xauthority: null })

async function sessionOf(e: Engine): Promise<Session> {
  return waitFor(() => e.list().find((s) => s.remotePort === xrdp.port), 15_000, 'the RDP session')
}

describe('RDP recording through the engine', () => {
  it('records the client window while the session runs and stops when it is ended', async () => {
    const e = await newEngine(true)
    const client = await xfreerdpClient(xrdp)
    const s = await sessionOf(e)
    const win = await waitFor(async () => (await windowOf(client.pid))[0], 10_000, "xfreerdp's window")
    const rec = await waitFor(
      () => (e.get(s.id).recording?.status === 'recording' ? recordings()[0] : undefined),
      15_000,
      'the recording to begin',
    )
    expect(rec).toMatchObject({ sessionId: s.id, kind: 'rdp-video', pid: client.pid, status: 'recording' })
    const path = join(dir, 'recordings', rec.file)
    expect(statSync(path).mode & 0o777).toBe(0o600)
    expect(statSync(join(dir, 'recordings')).mode & 0o777).toBe(0o700)
    // a few seconds of session, measured by the file: every second is a WebM cluster written out
    await waitFor(
      () => Date.now() - Date.parse(rec.startedAt) >= 4000 && statSync(path).size > 0,
      15_000,
      '4 s',
    )
    expect(await e.end(s.id)).toMatchObject({ ok: true })
    const done = await waitFor(
      () => recordings().find((r) => r.id === rec.id && r.status !== 'recording'),
      15_000,
      'the recording to finish',
    )
    const ended = e.get(s.id)
    expect(done).toMatchObject({ status: 'complete', detail: null, bytes: statSync(path).size })
    expect(done.sha256).toMatch(/^[0-9a-f]{64}$/)
    expect(ffmpegChildren()).toEqual([])
    const video = await probe(path)
    const recorded = (Date.parse(done.endedAt ?? '') - Date.parse(done.startedAt)) / 1000
    const session = (Date.parse(ended.endTime ?? '') - Date.parse(done.startedAt)) / 1000
    expect(Math.abs(video.duration - recorded)).toBeLessThan(1)
    expect(Math.abs(video.duration - session)).toBeLessThan(1)
    expect(Math.abs(done.durationSec - video.duration)).toBeLessThan(1)
    expect(video.frames).toBeGreaterThanOrEqual(Math.floor(video.duration * 10) - 2)
    expect({ width: video.width, height: video.height }).toEqual({
      width: win.width - (win.width % 2),
      height: win.height - (win.height % 2),
    })
  })

  it('with recordRdp off, nothing is recorded', async () => {
    const e = await newEngine(false)
    const client = await xfreerdpClient(xrdp)
    const s = await sessionOf(e)
    await waitFor(
      () => windowsOf(client.pid, { display: xrdp.display, xauthority: null }),
      10_000,
      'the window',
    )
    // as long as the recording took to begin with the setting on, and more
    await holdsFor(() => ffmpegChildren().length === 0 && recordings().length === 0, 4000, 'no recording')
    expect(e.get(s.id).recording).toBeNull()
    await client.stop()
  })

  it('an ffmpeg killed under the recorder fails the recording with a reason; the session goes on', async () => {
    const e = await newEngine(true)
    const client = await xfreerdpClient(xrdp)
    const s = await sessionOf(e)
    const pid = await waitFor(() => e.rdpRecorder.active.get(s.id), 15_000, 'the capture')
    expect(ffmpegChildren()).toContain(pid)
    process.kill(pid, 'SIGKILL')
    const failed = await waitFor(
      () => recordings().find((r) => r.status !== 'recording'),
      15_000,
      'the recording to fail',
    )
    expect(failed).toMatchObject({
      status: 'failed',
      detail: 'ffmpeg was killed (SIGKILL) during the capture',
    })
    expect(e.get(s.id)).toMatchObject({ status: 'active', recording: { id: failed.id, status: 'failed' } })
    expect(isAlive(client.pid)).toBe(true)
    // and it is not restarted behind the user's back within this session
    await holdsFor(() => ffmpegChildren().length === 0, 1500, 'no new capture')
    await client.stop()
  })
})
