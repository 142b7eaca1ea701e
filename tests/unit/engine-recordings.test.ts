import fs from 'node:fs'
import { describe, expect, it } from 'vitest'
import type { Engine } from '@engine/engine'
import { EngineError } from '@engine/errors'
import type { RecordingsTrimmed } from '@engine/recordings'
import { RECORDING_CHUNK_MAX, type Recording } from '@shared/recording'
import { writeRecording } from '../support/recordings'
import { engineFactory, FakeOs, S, T0, UID } from '../support/fake-os'
import type { Capture, CaptureResult, CaptureSpec } from '../../src/main/recording/ffmpeg-capture'

// The engine's recordings (issue 12) on the scripted OS: sessions matched to recordings by pid +
// process start, reading only intact files, retention and the size cap. A real SQLite file and real
// files in a temp folder; the recorders themselves (warden ssh, the RDP capture) are tested elsewhere.

const makeEngine = engineFactory('warden-engine-rec-')
const MB = 1024 * 1024

/** A closed recording in the engine's folder, written through its ledger. */
function recorded(
  engine: Engine,
  content: Buffer,
  o: Parameters<typeof writeRecording>[3] = {},
): { id: number; path: string } {
  return writeRecording(engine.recordings.dir, engine.recordings.ledger, content, { startedAt: T0, ...o })
}

async function refusal(p: Promise<unknown>): Promise<EngineError> {
  const e: unknown = await p.then(
    () => null,
    (err: unknown) => err,
  )
  expect(e).toBeInstanceOf(EngineError)
  return e as EngineError
}

describe('matching recordings to sessions', () => {
  it('a recording begun before the engine saw its ssh is matched when the session is recorded', async () => {
    const os = new FakeOs()
    const { engine } = makeEngine(os)
    const p = os.ssh(4242, ['ssh', 'db1'])
    const id = engine.recordings.ledger.begin({
      kind: 'ssh-cast',
      file: '20261127T090000Z-000000000001.cast',
      pid: null,
      processStart: null,
      startedAt: T0,
      inputRecorded: false,
      title: 'ssh db1',
    })
    engine.recordings.ledger.attachProcess(id, p.pid, p.startTime)
    await engine.tick()
    const [s] = engine.list()
    expect(s?.recording).toEqual({ id, kind: 'ssh-cast', status: 'recording' })
    expect(engine.recordings.list(s?.id).map((r) => r.id)).toEqual([id])
  })

  it('a recording begun after the session is matched at once; another process with that pid is not', async () => {
    const os = new FakeOs()
    const { engine } = makeEngine(os)
    const p = os.ssh(5000, ['ssh', 'db2'])
    await engine.tick()
    const changed: string[] = []
    engine.on('changed', (list) => changed.push(String(list[0]?.recording?.status)))
    const other = recorded(engine, Buffer.from('x'), { pid: 5000, processStart: p.startTime + 10 })
    const mine = recorded(engine, Buffer.from('y'), { pid: 5000, processStart: p.startTime })
    const [s] = engine.list()
    expect(s?.recording).toEqual({ id: mine.id, kind: 'ssh-cast', status: 'complete' })
    expect(engine.recordings.get(other.id).sessionId).toBeNull()
    // the window hears of it on the next tick, although no session was created or ended
    await engine.tick()
    expect(changed).toEqual(['complete'])
    await engine.tick()
    expect(changed).toEqual(['complete']) // nothing new: said once
  })
})

describe('a recording stopped early', () => {
  /** a recording of `pid` begun by a recorder (another process: warden ssh), not yet closed */
  function begun(engine: Engine, pid: number, processStart: number): number {
    return engine.recordings.ledger.begin({
      kind: 'ssh-cast',
      file: `20261127T090000Z-00000000000${pid % 10}.cast`,
      pid,
      processStart,
      startedAt: T0,
      inputRecorded: false,
      title: `ssh ${pid}`,
    })
  }
  const fail = (engine: Engine, id: number, detail: string, endedAt: number): Recording =>
    engine.recordings.ledger.finish(id, {
      endedAt,
      bytes: 0,
      durationSec: 1,
      sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      status: 'failed',
      detail,
    })

  it('is announced once, with its reason, while its session goes on; one that failed before the first tick is not', async () => {
    const os = new FakeOs()
    const { engine } = makeEngine(os)
    const old = os.ssh(7000, ['ssh', 'old'])
    fail(engine, begun(engine, 7000, old.startTime), 'failed before this engine started', T0 - 60 * S)
    const p = os.ssh(7001, ['ssh', 'db1'])
    const id = begun(engine, 7001, p.startTime)
    const stopped: [string, number, string | null][] = []
    engine.on('recordingStopped', (s, r) => stopped.push([s.resourceName, r.id, r.detail]))
    await engine.tick()
    expect(stopped).toEqual([]) // the old failure is not news; db1's is still recording
    os.now += S
    await engine.tick()
    fail(engine, id, 'the disk is full: the recording stopped there', os.now)
    await engine.tick()
    expect(stopped).toEqual([['db1', id, 'the disk is full: the recording stopped there']])
    await engine.tick()
    expect(stopped).toHaveLength(1) // said once
    expect(engine.list().map((s) => s.status)).not.toContain('disconnected') // the sessions go on
  })

  it('a recording that closes normally is not announced', async () => {
    const os = new FakeOs()
    const { engine } = makeEngine(os)
    const p = os.ssh(7002, ['ssh', 'db2'])
    await engine.tick()
    const stopped: unknown[] = []
    engine.on('recordingStopped', (s) => stopped.push(s))
    recorded(engine, Buffer.from('fine'), { pid: 7002, processStart: p.startTime })
    await engine.tick()
    expect(engine.list()[0]?.recording?.status).toBe('complete')
    expect(stopped).toEqual([])
  })
})

describe('two engines on one database (the app beside warden watch)', () => {
  it("record an RDP session once: the second to begin finds the first one's open row", async () => {
    const os = new FakeOs()
    const pid = 8000
    os.procs.set(pid, {
      pid,
      ppid: 1,
      uid: UID,
      startTime: os.now,
      exe: '/usr/bin/xfreerdp',
      argv: ['xfreerdp', '/v:win1'],
      comm: 'xfreerdp',
    })
    os.traffic.set(pid, os.now)
    os.remote.set(pid, ['203.0.113.9', 3389])
    // both find the client's window at the same moment, after both have decided to record it
    let release = (): void => undefined
    const gate = new Promise<void>((r) => (release = r))
    const captures: CaptureSpec[] = []
    const rdpRecorder = {
      timing: { windowWaitMs: 5000, windowPollMs: 10, stopGraceMs: 50 },
      findWindow: async () => {
        await gate
        return {
          display: { display: ':9', xauthority: null },
          window: { id: '0x2a', x: 0, y: 0, width: 640, height: 480, viewable: true, name: 'FreeRDP' },
        }
      },
      capture: (spec: CaptureSpec): Capture => {
        captures.push(spec)
        let end: (r: CaptureResult) => void = () => undefined
        const done = new Promise<CaptureResult>((r) => (end = r))
        const stop = (): Promise<CaptureResult> => {
          end({ status: 'complete', end: 'stopped', detail: null, endedAt: os.now, exit: 0 })
          return done
        }
        return { pid: 1, startedAt: os.now, done, stop }
      },
    }
    const a = makeEngine(os, 'w.db', 'app', { rdpRecorder }).engine
    const b = makeEngine(os, 'w.db', 'watch', { rdpRecorder }).engine
    a.setSetting('recordRdp', true)
    await a.tick()
    expect(b.list().map((s) => s.pid)).toEqual([pid])
    a.rdpRecorder.start()
    b.rdpRecorder.start()
    release()
    await expect.poll(() => captures.length).toBe(1)
    await Promise.all([a.rdpRecorder.stop(), b.rdpRecorder.stop()])
    expect(captures).toHaveLength(1)
    const rows = a.recordings.list().filter((r) => r.pid === pid)
    expect(rows.map((r) => r.status)).toEqual(['complete'])
    // the loser's empty file is gone: one file, the winner's
    expect(fs.readdirSync(a.recordings.dir)).toEqual([rows[0]?.file])
  })
})

describe('reading and verifying', () => {
  it('serves an intact recording in chunks and says where it ends', async () => {
    const os = new FakeOs()
    const { engine } = makeEngine(os)
    const content = Buffer.alloc(RECORDING_CHUNK_MAX + 1000)
    for (let i = 0; i < content.length; i++) content[i] = (i * 31) & 0xff
    const { id } = recorded(engine, content)
    expect(await engine.recordings.verify(id)).toMatchObject({ id, integrity: 'intact' })
    const first = await engine.recordings.read(id, 0)
    expect(first).toMatchObject({ id, offset: 0, total: content.length, done: false })
    const second = await engine.recordings.read(id, RECORDING_CHUNK_MAX)
    expect(second.done).toBe(true)
    const joined = Buffer.concat([Buffer.from(first.data, 'base64'), Buffer.from(second.data, 'base64')])
    expect(joined.equals(content)).toBe(true)
    expect(await engine.recordings.read(id, content.length)).toMatchObject({ data: '', done: true })
    expect((await refusal(engine.recordings.read(id, content.length + 1))).code).toBe('BAD_QUERY')
    expect((await refusal(engine.recordings.read(id, -1))).code).toBe('BAD_QUERY')
  })

  it('refuses an altered file, even after a first chunk was served, and a missing one', async () => {
    const os = new FakeOs()
    const { engine } = makeEngine(os)
    const content = Buffer.from('{"version":2}\n[0.5,"o","secret output"]\n')
    const { id, path } = recorded(engine, content)
    expect(Buffer.from((await engine.recordings.read(id, 0)).data, 'base64').equals(content)).toBe(true)
    const fd = fs.openSync(path, 'r+')
    fs.writeSync(fd, Buffer.from('S'), 0, 1, content.indexOf('secret'))
    fs.closeSync(fd)
    const e = await refusal(engine.recordings.read(id, 0))
    expect(e.code).toBe('RECORDING_UNAVAILABLE')
    expect(e.message).toMatch(/recording \d+ is altered and is not served: .*sha256/)
    expect(await engine.recordings.verify(id)).toMatchObject({ integrity: 'altered' })
    fs.rmSync(path)
    expect((await refusal(engine.recordings.read(id, 0))).message).toMatch(/is missing/)
    expect(await engine.recordings.verify(id)).toMatchObject({ integrity: 'missing' })
  })

  it('refuses bad and unknown ids, and a recording still being written', async () => {
    const os = new FakeOs()
    const { engine } = makeEngine(os)
    expect(() => engine.recordings.get(0)).toThrow(/invalid recording id 0/)
    expect(() => engine.recordings.get(99)).toThrow(/no recording with id 99/)
    expect(() => engine.recordings.list('nope')).toThrow(/invalid session id/)
    const id = engine.recordings.ledger.begin({
      kind: 'rdp-video',
      file: '20261127T090000Z-000000000002.webm',
      pid: null,
      processStart: null,
      startedAt: T0,
      inputRecorded: false,
      title: 'xfreerdp',
    })
    expect((await refusal(engine.recordings.read(id, 0))).message).toMatch(/still being recorded/)
    expect(await engine.recordings.verify(id)).toMatchObject({ integrity: 'open' })
  })
})

describe('retention and the size cap', () => {
  it('retention removes a purged session’s recordings, rows and files; younger ones stay', async () => {
    const os = new FakeOs()
    const { engine } = makeEngine(os, 'w.db', 'test', { timing: { purgeEveryMs: 0 } })
    engine.setSetting('retentionDays', 1)
    const p = os.ssh(6000, ['ssh', 'old'])
    await engine.tick()
    const old = recorded(engine, Buffer.from('old'), { pid: 6000, processStart: p.startTime })
    os.kill(6000)
    os.now += 10 * S
    await engine.tick()
    await engine.tick()
    const q = os.ssh(6001, ['ssh', 'young'])
    const young = recorded(engine, Buffer.from('young'), { pid: 6001, processStart: q.startTime })
    await engine.tick()
    os.now += 86_400 * S // exactly the retention since it ended: kept
    await engine.tick()
    expect(fs.existsSync(old.path)).toBe(true)
    expect(engine.recordings.list()).toHaveLength(2)
    os.now += 1 * S
    await engine.tick()
    expect(engine.recordings.list().map((r) => r.id)).toEqual([young.id])
    expect(fs.existsSync(old.path)).toBe(false)
    expect(fs.existsSync(young.path)).toBe(true)
  })

  it('over recordingsMaxMb the oldest closed recordings go first, with a notice; under it nothing goes', async () => {
    const os = new FakeOs()
    const { engine } = makeEngine(os)
    engine.setSetting('recordingsMaxMb', 10)
    const notices: RecordingsTrimmed[] = []
    engine.on('recordingsTrimmed', (n) => notices.push(n))
    const a = recorded(engine, Buffer.alloc(4 * MB, 1), { startedAt: T0 })
    const b = recorded(engine, Buffer.alloc(4 * MB, 2), { startedAt: T0 + 1 })
    await engine.tick()
    expect(notices).toEqual([]) // 8 MB: under the cap (negative control)
    const c = recorded(engine, Buffer.alloc(4 * MB, 3), { startedAt: T0 + 2 })
    await engine.tick()
    expect(engine.recordings.list().map((r) => r.id)).toEqual([c.id, b.id])
    expect(fs.existsSync(a.path)).toBe(false)
    expect(notices).toHaveLength(1)
    expect(notices[0]).toMatchObject({
      maxMb: 10,
      totalBytes: 8 * MB,
      removed: [expect.objectContaining({ id: a.id })],
    })
    expect(notices[0]?.message).toMatch(
      /Recordings passed 10 MB: removed the oldest \(4\.0 MB\); 8\.0 MB remain/,
    )
    await engine.tick()
    expect(notices).toHaveLength(1)
  })
})
