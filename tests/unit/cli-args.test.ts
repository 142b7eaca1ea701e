import { describe, expect, it } from 'vitest'
import { parseLine, UsageError } from '../../src/cli/args'
import { durationSeconds, sinceTime } from '../../src/cli/input'

const OPTIONS = {
  json: { type: 'boolean', help: '' },
  type: { type: 'string', help: '' },
} as const

describe('parseLine (node:util parseArgs, strict)', () => {
  it('parses flags, values and positionals', () => {
    expect(parseLine(['a', '--json', '--type=ssh', 'b'], OPTIONS)).toEqual({
      values: { json: true, type: 'ssh' },
      positionals: ['a', 'b'],
    })
    expect(parseLine(['--type', 'rdp', '--', '--json'], OPTIONS)).toEqual({
      values: { type: 'rdp' },
      positionals: ['--json'],
    })
    // a negative number is a value, not an option
    expect(parseLine(['-4', '--type', '-5'], OPTIONS)).toEqual({
      values: { type: '-5' },
      positionals: ['-4'],
    })
  })

  it('refuses with a one-line reason', () => {
    const reason = (argv: string[]): string => {
      try {
        parseLine(argv, OPTIONS)
      } catch (e) {
        expect(e).toBeInstanceOf(UsageError)
        return (e as Error).message
      }
      throw new Error(`accepted ${argv.join(' ')}`)
    }
    expect(reason(['--type'])).toBe('--type needs a value')
    expect(reason(['--type', '--json'])).toBe('--type needs a value')
    expect(reason(['--type='])).toBe('--type needs a value')
    expect(reason(['--json=1'])).toBe('--json takes no value')
    expect(reason(['--json', '--json'])).toBe('--json given twice')
    expect(reason(['--type=a', '--type', 'b'])).toBe('--type given twice')
    expect(reason(['--bogus'])).toBe('unknown option --bogus')
    expect(reason(['-x'])).toBe('unknown option -x')
  })
})

describe('durations and dates from the line (one parser: @shared/duration)', () => {
  it('reads units, never and bare seconds', () => {
    expect(durationSeconds('x', '10m')).toBe(600)
    expect(durationSeconds('x', '1h 30m')).toBe(5400)
    expect(durationSeconds('x', 'never')).toBe(0)
    expect(durationSeconds('x', '0')).toBe(0)
    expect(durationSeconds('x', '90')).toBe(90)
    expect(() => durationSeconds('--warn-after', 'soon')).toThrow(/^--warn-after: /)
    expect(durationSeconds('x', '-5')).toBe(-5) // for the schema to refuse with its range
  })

  it('parses --since dates and times ago', () => {
    const now = Date.UTC(2026, 10, 27)
    expect(sinceTime('7d', now)).toBe(now - 7 * 86_400_000)
    expect(sinceTime('1h 30m', now)).toBe(now - 5_400_000)
    expect(sinceTime('2026-11-01T00:00:00Z', now)).toBe(Date.UTC(2026, 10, 1))
    for (const bad of ['2026-13-45', 'last week', 'never', '0', '7'])
      expect(() => sinceTime(bad, now), bad).toThrow(UsageError)
  })
})
