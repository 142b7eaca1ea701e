// The asciicast v2 writer (src/main/recording/cast.ts) against real files: a temp file for the
// format, and /dev/full, which really answers every write with ENOSPC, for the full disk.
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { CastWriter, COALESCE_BYTES, utf8Boundary, type CastHeader } from '../../../src/main/recording/cast'
import { waitFor } from '../../support/peers'
import { prng } from '../../support/seed-history'

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

  it("coalesces output within coalesceMs into one event at the first chunk's time; other events flush it first", () => {
    const { file, fd } = openCast()
    const clock = manualClock()
    const w = new CastWriter({ fd, header, clock: clock.now, coalesceMs: 16 })
    const parts = ['a', 'b', 'c', 'd', 'e']
    w.output(Buffer.from(parts[0] as string))
    clock.advance(10)
    w.output(Buffer.from(parts[1] as string)) // 10 ms after the first: joined
    clock.advance(6)
    w.output(Buffer.from(parts[2] as string)) // 16 ms: a new event
    clock.advance(1)
    w.input(Buffer.from('k')) // the pending "c" goes first, at its own time
    w.output(Buffer.from(parts[3] as string))
    clock.advance(2)
    w.resize(90, 20)
    w.output(Buffer.from(parts[4] as string))
    w.close()
    const events = readLines(file).slice(1)
    expect(events).toEqual([
      [0, 'o', 'ab'],
      [0.016, 'o', 'c'],
      [0.017, 'i', 'k'],
      [0.017, 'o', 'd'],
      [0.019, 'r', '90x20'],
      [0.019, 'o', 'e'],
    ])
    const out = events.filter((e) => (e as unknown[])[1] === 'o').map((e) => (e as string[])[2])
    expect(out.join('')).toBe(parts.join(''))
  })

  it('writes a coalesced event once it holds 64 KB, and after coalesceMs with no more output', async () => {
    const { file, fd } = openCast()
    const w = new CastWriter({ fd, header, coalesceMs: 30 })
    const big = 'x'.repeat(COALESCE_BYTES / 2)
    w.output(Buffer.from(big))
    expect(fs.readFileSync(file, 'utf8').split('\n').length).toBe(2) // the header only
    w.output(Buffer.from(big))
    expect(fs.readFileSync(file, 'utf8')).toContain(big + big)
    w.output(Buffer.from('tail'))
    await waitFor(() => fs.readFileSync(file, 'utf8').includes('tail'), 2_000, 'the timer to write "tail"')
    w.close()
    const out = readLines(file)
      .slice(1)
      .map((e) => (e as string[])[2])
    expect(out).toEqual([big + big, 'tail'])
  })

  it('decodes a seeded random byte stream cut anywhere exactly as one TextDecoder pass over it', () => {
    const rnd = prng(12)
    // valid text in every length, plus stray bytes: lone continuations, truncated and overlong leads
    const pieces = ['a', 'é', '€', '😀', '\n', '\x1b[0m']
    const stray = [[0x80], [0xbf], [0xc0], [0xe2, 0x82], [0xf0, 0x9f], [0xff], [0xed, 0xa0, 0x80]]
    for (let round = 0; round < 40; round++) {
      const bytes: number[] = []
      for (let k = 0; k < 400; k++) {
        if (rnd() < 0.15) bytes.push(...(stray[Math.floor(rnd() * stray.length)] as number[]))
        else bytes.push(...Buffer.from(pieces[Math.floor(rnd() * pieces.length)] as string))
      }
      const all = Buffer.from(bytes)
      const { file, fd } = openCast()
      const w = new CastWriter({ fd, header, coalesceMs: round % 2 === 0 ? 0 : 16 })
      for (let from = 0; from < all.length;) {
        const to = Math.min(all.length, from + 1 + Math.floor(rnd() * 9))
        w.output(all.subarray(from, to))
        from = to
      }
      w.close()
      const text = readLines(file)
        .slice(1)
        .map((e) => (e as string[])[2])
        .join('')
      expect(text).toBe(new TextDecoder('utf-8').decode(all))
      fs.rmSync(file)
    }
  })
})

describe('utf8Boundary', () => {
  it('cuts before an unfinished character only', () => {
    const cut = (...b: number[]): number => utf8Boundary(Buffer.from(b))
    expect(cut()).toBe(0)
    expect(cut(0x61)).toBe(1)
    expect(cut(0x61, 0xc3)).toBe(1) // é's first byte
    expect(cut(0x61, 0xc3, 0xa9)).toBe(3) // é whole
    expect(cut(0xe2, 0x82)).toBe(0) // 2 of €'s 3
    expect(cut(0xf0, 0x9f, 0x98)).toBe(0) // 3 of 😀's 4
    expect(cut(0xf0, 0x9f, 0x98, 0x80)).toBe(4)
    expect(cut(0x61, 0x80, 0x80, 0x80)).toBe(4) // stray continuations: nothing to wait for
  })
})
