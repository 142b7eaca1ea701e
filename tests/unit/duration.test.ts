import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { formatSeconds, parseDurationText, parseWholeNumber } from '@shared/duration'

describe('parseDurationText', () => {
  it.each([
    ['10m', 600],
    ['1h 30m', 5400],
    ['1h30m', 5400],
    ['  1h   30m  ', 5400],
    ['45s', 45],
    ['2d', 172_800],
    ['1d 2h 3m 4s', 93_784],
    ['1H 5M', 3900],
    ['1.5m', 90],
    ['0.5h', 1800],
    ['0', 0],
    ['never', 0],
    ['NEVER', 0],
    ['0s', 0],
  ])('%j → %i seconds', (text, seconds) => {
    expect(parseDurationText(text)).toEqual({ ok: true, seconds })
  })

  it('asks for a duration when the text is empty', () => {
    expect(parseDurationText('')).toEqual({ ok: false, error: 'enter a duration, e.g. 10m' })
    expect(parseDurationText('   ')).toEqual({ ok: false, error: 'enter a duration, e.g. 10m' })
  })

  it('asks for a unit for a bare number other than 0', () => {
    for (const t of ['10', '1.5', '00'])
      expect(parseDurationText(t)).toEqual({ ok: false, error: 'add a unit: s, m, h or d (e.g. 10m)' })
  })

  it('refuses what is not a duration, quoting the text', () => {
    expect(parseDurationText('abc')).toEqual({
      ok: false,
      error: '"abc" is not a duration: use s, m, h or d, e.g. 1h 30m',
    })
    expect(parseDurationText(' 1x ')).toEqual({
      ok: false,
      error: '"1x" is not a duration: use s, m, h or d, e.g. 1h 30m',
    })
    for (const t of ['10m!', 'm10', '-5m', '5m-', '1h and 30m', '.5m', '5 minutes'])
      expect(parseDurationText(t).ok, t).toBe(false)
  })

  it('refuses a fraction of a second', () => {
    expect(parseDurationText('0.5s')).toEqual({ ok: false, error: 'use whole seconds' })
    expect(parseDurationText('1.01m')).toEqual({ ok: false, error: 'use whole seconds' })
  })
})

describe('formatSeconds', () => {
  it('writes the shortest exact text', () => {
    expect(formatSeconds(0, true)).toBe('never')
    expect(formatSeconds(0, false)).toBe('0s')
    expect(formatSeconds(45, true)).toBe('45s')
    expect(formatSeconds(600, true)).toBe('10m')
    expect(formatSeconds(5400, false)).toBe('1h 30m')
    expect(formatSeconds(3601, false)).toBe('1h 1s')
    expect(formatSeconds(86_400, false)).toBe('1d')
    expect(formatSeconds(604_800, true)).toBe('7d')
    expect(formatSeconds(93_784, false)).toBe('1d 2h 3m 4s')
  })

  it('round-trips through parseDurationText for any whole number of seconds', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 * 365 * 86_400 }), fc.boolean(), (sec, zeroIsNever) => {
        const text = formatSeconds(sec, zeroIsNever)
        expect(parseDurationText(text)).toEqual({ ok: true, seconds: sec })
      }),
      { numRuns: 2000 },
    )
  })

  it('is canonical: units descend, each below the next one up, no zero parts', () => {
    const size: Record<string, number> = { d: 86_400, h: 3600, m: 60, s: 1 }
    const rank = 'dhms'
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10 * 365 * 86_400 }), (sec) => {
        const parts = formatSeconds(sec, false).split(' ')
        let last = -1
        for (const p of parts) {
          const m = /^(\d+)([dhms])$/.exec(p)
          expect(m, p).not.toBeNull()
          if (!m) return
          const [, n = '', u = ''] = m
          const r = rank.indexOf(u)
          expect(r).toBeGreaterThan(last)
          last = r
          expect(Number(n)).toBeGreaterThan(0)
          if (u !== 'd') expect(Number(n) * (size[u] ?? 0)).toBeLessThan(size[rank[r - 1] ?? 'd'] ?? 0)
        }
      }),
    )
  })

  it('parses back any text the user may type the long way to the same number', () => {
    // "90m" and "1h 30m" mean the same; formatting the parsed value gives the short form
    fc.assert(
      fc.property(
        fc.record({
          d: fc.integer({ min: 0, max: 30 }),
          h: fc.integer({ min: 0, max: 100 }),
          m: fc.integer({ min: 0, max: 1000 }),
          s: fc.integer({ min: 0, max: 10_000 }),
        }),
        ({ d, h, m, s }) => {
          const text = `${d}d ${h}h ${m}m ${s}s`
          const total = d * 86_400 + h * 3600 + m * 60 + s
          expect(parseDurationText(text)).toEqual({ ok: true, seconds: total })
          expect(parseDurationText(formatSeconds(total, true))).toEqual({ ok: true, seconds: total })
        },
      ),
    )
  })
})

describe('parseWholeNumber', () => {
  it('accepts whole numbers, trimmed, with a sign', () => {
    expect(parseWholeNumber('12')).toEqual({ ok: true, value: 12 })
    expect(parseWholeNumber(' 7 ')).toEqual({ ok: true, value: 7 })
    expect(parseWholeNumber('0')).toEqual({ ok: true, value: 0 })
    expect(parseWholeNumber('-3')).toEqual({ ok: true, value: -3 })
  })

  it('refuses anything else with one reason', () => {
    for (const t of ['1.5', '', ' ', '1e3', '12abc', '0x10', '+4', '1 000', 'ten'])
      expect(parseWholeNumber(t), t).toEqual({ ok: false, error: 'enter a whole number' })
  })
})
