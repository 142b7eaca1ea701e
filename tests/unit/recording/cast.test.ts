// The asciicast v2 writer (src/main/recording/cast.ts) against real files: a temp file for the
// format, and /dev/full, which really answers every write with ENOSPC, for the full disk.
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { CastWriter, type CastHeader } from '../../../src/main/recording/cast'

const header: CastHeader = {
  width: 100,
  height: 30,
  startedAt: Date.UTC(2026, 0, 2, 3, 4, 5, 678),
  command: 'ssh -p 2222 alice@db1',
  title: 'ssh alice@db1',
  env: { TERM: 'xterm-256color', SHELL: '/bin/bash' },
}

let dir = ''
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'warden-cast-'))
})
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true })
})

/** A clock the test moves (ms). */
function manualClock(start = 1000): { now: () => number; advance: (ms: number) => void } {
  let t = start
  return { now: () => t, advance: (ms) => (t += ms) }
}

function openCast(): { file: string; fd: number } {
  const file = path.join(dir, 'a.cast')
  return { file, fd: fs.openSync(file, 'wx', 0o600) }
}

function readLines(file: string): unknown[] {
  return fs
    .readFileSync(file, 'utf8')
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as unknown)
}

describe('CastWriter', () => {
  it('writes the v2 header and o / i / r / m events with their times', () => {
    const { file, fd } = openCast()
    const clock = manualClock()
    const w = new CastWriter({ fd, header, clock: clock.now })
    clock.advance(250)
    w.output(Buffer.from('hello\r\n'))
    clock.advance(1000.0004)
    w.input(Buffer.from('ls\r'))
    w.resize(120, 40)
    clock.advance(10)
    w.marker('end of test')
    const r = w.close()
    const [h, ...events] = readLines(file)
    expect(h).toEqual({
      version: 2,
      width: 100,
      height: 30,
      timestamp: Math.floor(header.startedAt / 1000),
      command: header.command,
      title: header.title,
      env: { TERM: 'xterm-256color', SHELL: '/bin/bash' },
    })
    expect(events).toEqual([
      [0.25, 'o', 'hello\r\n'],
      [1.25, 'i', 'ls\r'],
      [1.25, 'r', '120x40'],
      [1.26, 'm', 'end of test'],
    ])
    const bytes = fs.readFileSync(file)
    expect(r).toEqual({
      bytes: bytes.length,
      durationSec: 1.26,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      status: 'complete',
      detail: null,
    })
    // the fd is closed: using it again fails
    expect(() => fs.fstatSync(fd)).toThrow()
  })

  it('keeps a UTF-8 character split over two reads whole', () => {
    const { file, fd } = openCast()
    const w = new CastWriter({ fd, header })
    const text = 'é€😀 ok'
    const bytes = Buffer.from(text, 'utf8')
    // split inside every multi-byte character: after 1 byte of é, 2 of €, 3 of 😀
    const cuts = [1, 4, 8, bytes.length]
    let from = 0
    for (const to of cuts) {
      w.output(bytes.subarray(from, to))
      from = to
    }
    w.close()
    const out = readLines(file)
      .slice(1)
      .map((e) => (e as [number, string, string])[2])
      .join('')
    expect(out).toBe(text)
    expect(out).not.toContain('\uFFFD')
  })

  it('turns an unfinished character at the very end into U+FFFD on close (and nothing is lost silently)', () => {
    const { file, fd } = openCast()
    const w = new CastWriter({ fd, header })
    w.output(Buffer.from([0x61, 0xe2, 0x82]))
    w.close()
    const data = readLines(file)
      .slice(1)
      .map((e) => (e as [number, string, string])[2])
    expect(data).toEqual(['a', '\uFFFD'])
  })

  it('never writes a time earlier than the one before, even from a clock that goes back', () => {
    const { file, fd } = openCast()
    const times = [0, 5, 3, 3, 9, 1]
    let i = 0
    const w = new CastWriter({ fd, header, clock: () => times[Math.min(i++, times.length - 1)] ?? 0 })
    for (let k = 0; k < 4; k++) w.output(Buffer.from(`${k}`))
    w.close()
    const ts = readLines(file)
      .slice(1)
      .map((e) => (e as [number])[0])
    expect(ts).toEqual([0.005, 0.005, 0.005, 0.009])
  })

  it('stops with a reason on a full disk (/dev/full: ENOSPC) and never throws', () => {
    const fd = fs.openSync('/dev/full', 'w')
    const w = new CastWriter({ fd, header })
    expect(w.stopped).toMatch(/ENOSPC/)
    expect(() => {
      w.output(Buffer.from('more'))
      w.resize(1, 1)
    }).not.toThrow()
    const r = w.close()
    expect(r.status).toBe('failed')
    expect(r.detail).toMatch(/^recording stopped: the disk is full \(ENOSPC\)/)
    expect(r.bytes).toBe(0)
    expect(r.sha256).toBe(createHash('sha256').digest('hex'))
  })

  it('keeps what was written before a write error, and its sha256 matches the file (negative control: a working fd)', () => {
    const { file, fd } = openCast()
    const w = new CastWriter({ fd, header })
    w.output(Buffer.from('kept'))
    // the fd goes bad under the writer (closed behind its back): the next write fails with EBADF
    fs.closeSync(fd)
    w.output(Buffer.from('lost'))
    expect(w.stopped).toMatch(/EBADF/)
    const r = w.close()
    const bytes = fs.readFileSync(file)
    expect(r.status).toBe('failed')
    expect(r.bytes).toBe(bytes.length)
    expect(r.sha256).toBe(createHash('sha256').update(bytes).digest('hex'))
    expect(bytes.toString()).toContain('kept')
    expect(bytes.toString()).not.toContain('lost')
  })

  it('escapes control characters so every event line is one JSON line', () => {
    const { file, fd } = openCast()
    const w = new CastWriter({ fd, header })
    w.output(Buffer.from('\x1b[31mred\x1b[0m\n"q"\u2028'))
    w.close()
    const lines = fs.readFileSync(file, 'utf8').trimEnd().split('\n')
    expect(lines).toHaveLength(2)
    expect((JSON.parse(lines[1] ?? '') as unknown[])[2]).toBe('\x1b[31mred\x1b[0m\n"q"\u2028')
  })
})
