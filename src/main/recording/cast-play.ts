// Reading an asciicast v2 file back (`warden play`): the header and the events, checked line by
// line (https://docs.asciinema.org/manual/asciicast/v2/), and the schedule that replays the output
// with its timing. The file's integrity (sha256 against its row) is checked before this reads it.

export interface CastEvent {
  /** seconds since the start */
  t: number
  code: 'o' | 'i' | 'r' | 'm'
  data: string
}

export interface ParsedCast {
  header: { version: 2; width: number; height: number; timestamp?: number; command?: string; title?: string }
  events: CastEvent[]
}

export class CastFormatError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'CastFormatError'
  }
}

function parseLineJson(line: string, n: number): unknown {
  try {
    return JSON.parse(line) as unknown
  } catch {
    throw new CastFormatError(`line ${n} is not JSON`)
  }
}

function parseHeader(line: string): ParsedCast['header'] {
  const h = parseLineJson(line, 1)
  if (typeof h !== 'object' || h === null || Array.isArray(h))
    throw new CastFormatError('no asciicast header')
  const o = h as Record<string, unknown>
  if (o.version !== 2) throw new CastFormatError(`asciicast version ${String(o.version)} (only 2 is read)`)
  if (!Number.isInteger(o.width) || !Number.isInteger(o.height))
    throw new CastFormatError('the header has no width and height')
  return o as ParsedCast['header']
}

function parseEvent(line: string, n: number): CastEvent {
  const e = parseLineJson(line, n)
  if (!Array.isArray(e) || e.length !== 3)
    throw new CastFormatError(`line ${n} is not an event [time, code, data]`)
  const [t, code, data] = e as [unknown, unknown, unknown]
  if (typeof t !== 'number' || !Number.isFinite(t) || t < 0)
    throw new CastFormatError(`line ${n}: the time is not a number of seconds`)
  if (code !== 'o' && code !== 'i' && code !== 'r' && code !== 'm')
    throw new CastFormatError(`line ${n}: unknown event code ${JSON.stringify(code)}`)
  if (typeof data !== 'string') throw new CastFormatError(`line ${n}: the data is not text`)
  return { t, code, data }
}

export function parseCast(text: string): ParsedCast {
  const lines = text.split('\n')
  if (lines[lines.length - 1] === '') lines.pop()
  const first = lines[0]
  if (first === undefined) throw new CastFormatError('the file is empty')
  const header = parseHeader(first)
  const events = lines.slice(1).map((l, i) => parseEvent(l, i + 2))
  for (let i = 1; i < events.length; i++)
    if ((events[i]?.t ?? 0) < (events[i - 1]?.t ?? 0))
      throw new CastFormatError(`line ${i + 2}: the time goes back`)
  return { header, events }
}

export interface PlayOptions {
  speed: number
  write: (data: string) => Promise<void>
  sleep: (ms: number) => Promise<void>
  /** a monotonic clock in ms */
  now: () => number
  signal?: AbortSignal
}

/**
 * Writes the output events at their times (divided by `speed`), measured from one start so that
 * the time spent writing does not add up over a long recording. Input, resize and marker events
 * are not shown: the terminal already echoed what was typed, and a terminal cannot be resized.
 * Returns false when stopped by the signal.
 */
export async function playCast(cast: ParsedCast, opts: PlayOptions): Promise<boolean> {
  const start = opts.now()
  for (const e of cast.events) {
    if (opts.signal?.aborted) return false
    if (e.code !== 'o') continue
    const wait = start + (e.t * 1000) / opts.speed - opts.now()
    if (wait > 0) await opts.sleep(wait)
    await opts.write(e.data)
  }
  return !opts.signal?.aborted
}
