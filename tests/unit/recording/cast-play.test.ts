// Reading a cast back and replaying it with its timing (src/main/recording/cast-play.ts), on a
// clock the test controls.
import { describe, expect, it } from 'vitest'
import { CastFormatError, parseCast, playCast } from '../../../src/main/recording/cast-play'

const HEADER = JSON.stringify({
  version: 2,
  width: 80,
  height: 24,
  timestamp: 1,
  command: 'ssh x',
  title: 'ssh x',
})

function cast(...events: unknown[]): string {
  return [HEADER, ...events.map((e) => JSON.stringify(e))].join('\n') + '\n'
}

describe('parseCast', () => {
  it('reads the header and the events', () => {
    const c = parseCast(cast([0.1, 'o', 'a'], [0.2, 'r', '100x30'], [0.3, 'm', 'x']))
    expect(c.header).toMatchObject({ version: 2, width: 80, height: 24 })
    expect(c.events.map((e) => e.code)).toEqual(['o', 'r', 'm'])
  })

  it.each([
    ['', /empty/],
    ['{"version":1,"width":80,"height":24}\n', /version 1/],
    [`${HEADER}\nnot json\n`, /line 2 is not JSON/],
    [cast([0.1, 'x', 'a']), /unknown event code/],
    [cast(['0.1', 'o', 'a']), /time is not a number/],
    [cast([0.1, 'o', 5]), /data is not text/],
    [cast([0.5, 'o', 'a'], [0.2, 'o', 'b']), /line 3: the time goes back/],
  ])('refuses a malformed file: %j', (text, reason) => {
    expect(() => parseCast(text)).toThrow(CastFormatError)
    expect(() => parseCast(text)).toThrow(reason)
  })
})

describe('playCast', () => {
  /** a clock that only sleeping moves; what was written, and when */
  function harness(speed: number, signal?: AbortSignal) {
    let now = 0
    const written: [number, string][] = []
    const sleeps: number[] = []
    return {
      written,
      sleeps,
      opts: {
        speed,
        now: () => now,
        sleep: (ms: number) => {
          sleeps.push(ms)
          now += ms
          return Promise.resolve()
        },
        write: (d: string) => {
          written.push([now, d])
          // writing takes 5 ms: the schedule must not drift by it
          now += 5
          return Promise.resolve()
        },
        ...(signal ? { signal } : {}),
      },
    }
  }

  it('writes the output at its recorded times, without drift; input, resize and markers are not shown', async () => {
    const h = harness(1)
    const c = parseCast(
      cast([0.1, 'o', 'a'], [0.1, 'i', 'typed'], [0.5, 'r', '1x1'], [1.0, 'o', 'b'], [1.0, 'o', 'c']),
    )
    expect(await playCast(c, h.opts)).toBe(true)
    expect(h.written).toEqual([
      [100, 'a'],
      [1000, 'b'],
      [1005, 'c'],
    ])
  })

  it('--speed divides the waits (negative control: speed 1 waits the full time)', async () => {
    const c = parseCast(cast([0, 'o', 'a'], [2, 'o', 'b']))
    const fast = harness(4)
    await playCast(c, fast.opts)
    expect(fast.written.map(([t]) => t)).toEqual([0, 500])
    const normal = harness(1)
    await playCast(c, normal.opts)
    expect(normal.written.map(([t]) => t)).toEqual([0, 2000])
  })

  it('stops when aborted', async () => {
    const ac = new AbortController()
    const h = harness(1, ac.signal)
    h.opts.write = (d: string) => {
      h.written.push([0, d])
      ac.abort()
      return Promise.resolve()
    }
    expect(await playCast(parseCast(cast([0, 'o', 'a'], [1, 'o', 'b'])), h.opts)).toBe(false)
    expect(h.written.map(([, d]) => d)).toEqual(['a'])
  })
})
