// An asciicast v2 writer: the terminal stream of a `warden ssh` session as a file asciinema-player
// (and `warden play`) can replay. Format: https://docs.asciinema.org/manual/asciicast/v2/ — a JSON
// header line, then one JSON array per event: [time in seconds since the start, code, data], where
// code is "o" (output), "i" (input), "r" (resize, data "COLSxROWS") or "m" (marker).
//
// Output is coalesced when `coalesceMs` is set: chunks that arrive within coalesceMs of the first
// one (and up to COALESCE_BYTES) become one "o" event at the first one's time. The spec gives an
// event no size or rate ("data" is whatever was printed then), so a player shows the same frames to
// the eye at 16 ms (one 60 Hz frame), and a 50 MB flood costs hundreds of lines, not tens of
// thousands. Any other event (input, resize, marker) and close() write the pending output first.
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
  /** join output chunks that arrive within this many ms into one event (default 0: one per chunk) */
  coalesceMs?: number
}

/** The most one coalesced output event holds before it is written (bytes of output). */
export const COALESCE_BYTES = 64 * 1024

/**
 * Where a chunk's unfinished UTF-8 character starts (chunk.length when it ends on a whole one).
 * Only a lead byte (11xxxxxx) within the last 3 bytes can start one that needs more bytes; a
 * decoder never carries anything across a non-continuation byte (it either ends the character
 * before it or reports it as U+FFFD: WHATWG Encoding, UTF-8 decoder), so decoding the two parts
 * apart gives what decoding them together does.
 */
export function utf8Boundary(chunk: Uint8Array): number {
  const n = chunk.length
  for (let i = n - 1; i >= Math.max(0, n - 3); i--) {
    const b = chunk[i] as number
    if ((b & 0xc0) === 0x80) continue // a continuation byte: look further back
    if (b < 0xc0) return n // ASCII: whatever is before it is complete
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2
    return n - i < need ? i : n
  }
  return n
}

/**
 * A streaming UTF-8 decoder (split characters held back until their last byte), through
 * Buffer#toString: TextDecoder's { stream: true } leaves Node's fast path for a slower
 * converter (lib/internal/encoding.js), and measured 13% of warden's CPU in a 50 MB flood.
 */
class Utf8Stream {
  private held: Buffer = Buffer.alloc(0)

  decode(chunk: Uint8Array): string {
    let b = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
    if (this.held.length > 0) b = Buffer.concat([this.held, b])
    const cut = utf8Boundary(b)
    this.held = cut === b.length ? Buffer.alloc(0) : Buffer.from(b.subarray(cut))
    return b.toString('utf8', 0, cut)
  }

  /** the end of the stream: an unfinished character becomes U+FFFD */
  end(): string {
    const rest = this.held.toString('utf8')
    this.held = Buffer.alloc(0)
    return rest
  }
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
  // One decoder per direction, streaming: a UTF-8 character split over two reads is held back
  // until its last byte arrives instead of becoming two U+FFFD.
  private readonly outDecoder = new Utf8Stream()
  private readonly inDecoder = new Utf8Stream()
  private readonly coalesceMs: number
  /** output not written yet (coalescing): its parts, their bytes, and the time of the first */
  private pending: string[] = []
  private pendingBytes = 0
  private pendingT = 0
  private pendingTimer: NodeJS.Timeout | null = null
  private lastT = 0
  private written = 0
  private failure: string | null = null
  private closed: CastResult | null = null

  constructor(opts: CastWriterOptions) {
    this.fd = opts.fd
    this.clock = opts.clock ?? (() => performance.now())
    this.coalesceMs = opts.coalesceMs ?? 0
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
    const text = this.outDecoder.decode(chunk)
    if (this.coalesceMs <= 0) this.event('o', text)
    else this.coalesce(text, chunk.length)
  }

  input(chunk: Uint8Array): void {
    this.event('i', this.inDecoder.decode(chunk))
  }

  /** writes the output held for coalescing (as one event at its first chunk's time) */
  flush(): void {
    if (this.pendingTimer !== null) clearTimeout(this.pendingTimer)
    this.pendingTimer = null
    if (this.pending.length === 0) return
    const data = this.pending.length === 1 ? (this.pending[0] as string) : this.pending.join('')
    this.pending = []
    this.pendingBytes = 0
    this.event('o', data, this.pendingT)
  }

  private coalesce(text: string, bytes: number): void {
    if (text === '' || this.failure !== null || this.closed !== null) return
    const now = this.clock()
    if (this.pending.length > 0 && now - this.pendingT >= this.coalesceMs) this.flush()
    if (this.pending.length === 0) {
      this.pendingT = now
      // written even if no more output comes: the file is never more than coalesceMs behind
      this.pendingTimer = setTimeout(() => this.flush(), this.coalesceMs)
      this.pendingTimer.unref()
    }
    this.pending.push(text)
    this.pendingBytes += bytes
    if (this.pendingBytes >= COALESCE_BYTES) this.flush()
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
    this.flush()
    this.event('o', this.outDecoder.end())
    this.event('i', this.inDecoder.end())
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

  private event(code: 'o' | 'i' | 'r' | 'm', data: string, at?: number): void {
    if (this.failure !== null || this.closed !== null) return
    if (data === '' && (code === 'o' || code === 'i')) return
    // output held for coalescing was printed before this event: it goes first
    if (at === undefined) this.flush()
    // microseconds, never less than the previous event's time even after rounding
    const t = Math.max(this.lastT, Math.round(((at ?? this.clock()) - this.start) * 1000) / 1e6)
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
