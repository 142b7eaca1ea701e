// An asciicast v2 writer: the terminal stream of a `warden ssh` session as a file asciinema-player
// (and `warden play`) can replay. Format: https://docs.asciinema.org/manual/asciicast/v2/ — a JSON
// header line, then one JSON array per event: [time in seconds since the start, code, data], where
// code is "o" (output), "i" (input), "r" (resize, data "COLSxROWS") or "m" (marker).
//
// A recording must never end the session it records: a write that fails (ENOSPC on a full disk,
// EIO) stops the recording with a reason and every later call does nothing. The session goes on.
import { createHash, type Hash } from 'node:crypto'
import fs from 'node:fs'

export interface CastHeader {
  width: number
  height: number
  /** when the recording started, ms since the epoch (written as whole seconds, as the spec says) */
  startedAt: number
  /** the recorded command line, e.g. "ssh -p 2222 alice@db1" */
  command: string
  title: string
  env: { TERM?: string | undefined; SHELL?: string | undefined }
}

export interface CastResult {
  /** bytes written to the file (the header included) */
  bytes: number
  /** from the start to close(), by the monotonic clock */
  durationSec: number
  /** hex sha256 of exactly the bytes written */
  sha256: string
  status: 'complete' | 'failed'
  /** why the recording stopped early; null when it did not */
  detail: string | null
}

export interface CastWriterOptions {
  /** an open, writable file descriptor; the writer owns it and closes it in close() */
  fd: number
  header: CastHeader
  /** a monotonic clock in ms (default: performance.now, which never goes back) */
  clock?: () => number
}

function errorReason(e: unknown): string {
  const code = typeof e === 'object' && e !== null && 'code' in e ? String(e.code) : ''
  const message = e instanceof Error ? e.message : String(e)
  if (code === 'ENOSPC') return `the disk is full (ENOSPC): ${message}`
  return code ? `${code}: ${message}` : message
}

export class CastWriter {
  private readonly fd: number
  private readonly clock: () => number
  private readonly start: number
  private readonly hash: Hash = createHash('sha256')
  // One decoder per direction, in streaming mode: a UTF-8 character split over two reads is held
  // back until its last byte arrives instead of becoming two U+FFFD (WHATWG Encoding, "stream").
  private readonly outDecoder = new TextDecoder('utf-8')
  private readonly inDecoder = new TextDecoder('utf-8')
  private lastT = 0
  private written = 0
  private failure: string | null = null
  private closed: CastResult | null = null

  constructor(opts: CastWriterOptions) {
    this.fd = opts.fd
    this.clock = opts.clock ?? (() => performance.now())
    this.start = this.clock()
    const h = opts.header
    const env: Record<string, string> = {}
    if (h.env.TERM !== undefined) env.TERM = h.env.TERM
    if (h.env.SHELL !== undefined) env.SHELL = h.env.SHELL
    this.write(
      JSON.stringify({
        version: 2,
        width: h.width,
        height: h.height,
        timestamp: Math.floor(h.startedAt / 1000),
        command: h.command,
        title: h.title,
        env,
      }) + '\n',
    )
  }

  /** why the recording stopped early, or null while it runs */
  get stopped(): string | null {
    return this.failure
  }

  output(chunk: Uint8Array): void {
    this.event('o', this.outDecoder.decode(chunk, { stream: true }))
  }

  input(chunk: Uint8Array): void {
    this.event('i', this.inDecoder.decode(chunk, { stream: true }))
  }

  resize(cols: number, rows: number): void {
    this.event('r', `${cols}x${rows}`)
  }

  marker(label: string): void {
    this.event('m', label)
  }

  /** Flushes what the decoders hold, closes the fd, and returns the file's size, length and hash. */
  close(): CastResult {
    if (this.closed) return this.closed
    // bytes of an unfinished character at the very end: the decoder turns them into U+FFFD
    this.event('o', this.outDecoder.decode())
    this.event('i', this.inDecoder.decode())
    const durationSec = Math.max(0, (this.clock() - this.start) / 1000)
    try {
      fs.closeSync(this.fd)
    } catch (e) {
      this.failure ??= errorReason(e)
    }
    this.closed = {
      bytes: this.written,
      durationSec: Math.round(durationSec * 1000) / 1000,
      sha256: this.hash.digest('hex'),
      status: this.failure === null ? 'complete' : 'failed',
      detail: this.failure === null ? null : `recording stopped: ${this.failure}`,
    }
    return this.closed
  }

  private event(code: 'o' | 'i' | 'r' | 'm', data: string): void {
    if (this.failure !== null || this.closed !== null) return
    if (data === '' && (code === 'o' || code === 'i')) return
    // microseconds, never less than the previous event's time even after rounding
    const t = Math.max(this.lastT, Math.round((this.clock() - this.start) * 1000) / 1e6)
    this.lastT = t
    this.write(`${JSON.stringify([t, code, data])}\n`)
  }

  private write(line: string): void {
    if (this.failure !== null) return
    const buf = Buffer.from(line, 'utf8')
    let off = 0
    try {
      while (off < buf.length) {
        const n = fs.writeSync(this.fd, buf, off, buf.length - off)
        // only what reached the file is hashed, so a failed recording's sha256 still matches it
        this.hash.update(buf.subarray(off, off + n))
        off += n
        this.written += n
      }
    } catch (e) {
      this.failure = errorReason(e)
    }
  }
}
