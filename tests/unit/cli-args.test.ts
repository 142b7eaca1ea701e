import { describe, expect, it } from 'vitest'
import { parseLine, UsageError } from '../../src/cli/args'
import { runCli } from '../../src/cli/cli'
import { GLOBAL_OPTIONS, isGroup, type Command } from '../../src/cli/command'
import { COMMANDS } from '../../src/cli/commands'
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
    expect(() => durationSeconds('x', '-5')).toThrow(UsageError)
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

const commands: Command[] = COMMANDS.flatMap((c) => (isGroup(c) ? [...c.subcommands] : [c]))

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = []
  const err: string[] = []
  const code = await runCli(argv, {
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    confirm: null,
    env: {},
  })
  return { code, out: out.join('\n'), err: err.join('\n') }
}

describe('help, printed from the command definitions', () => {
  it('every usage line names only declared options, and every option is in a usage line', () => {
    for (const c of commands) {
      const declared = Object.keys(c.options)
      const used = new Set(c.usage.flatMap((u) => [...u.matchAll(/--([a-z-]+)/g)].map((m) => m[1])))
      expect(
        [...used].filter((o) => !declared.includes(o as string)),
        c.usage[0],
      ).toEqual([])
      expect(
        declared.filter((o) => !used.has(o)),
        c.usage[0],
      ).toEqual([])
      for (const o of Object.values(c.options)) expect(o.help, c.usage[0]).not.toBe('')
    }
  })

  it('warden --help lists every usage line and the global options', async () => {
    const r = await run('--help')
    expect(r.code).toBe(0)
    for (const u of commands.flatMap((c) => c.usage)) expect(r.out).toContain(`  ${u}`)
    for (const o of Object.values(GLOBAL_OPTIONS)) expect(r.out).toContain(o.help)
    expect(r.out).toMatch(/--db PATH/)
    expect((await run('help')).out).toBe(r.out)
    expect((await run('-h')).out).toBe(r.out)
  })

  it('help CMD and CMD --help print the same, with each option and its help', async () => {
    for (const [name, sub] of [['history'], ['end'], ['resources', 'set'], ['settings', 'set']] as const) {
      const viaHelp = await run('help', name, ...(sub ? [sub] : []))
      const viaFlag = await run(name, ...(sub ? [sub] : []), '--help')
      expect(viaHelp.code).toBe(0)
      expect(viaFlag).toEqual(viaHelp)
      const c = commands.find((x) => x.usage[0]?.startsWith(sub ? `${name} ${sub} ` : `${name} `)) as Command
      expect(viaHelp.out).toContain(`Usage: warden ${c.usage[0]}`)
      for (const o of Object.values(c.options)) expect(viaHelp.out).toContain(o.help)
    }
    const group = await run('help', 'resources')
    for (const sub of ['list', 'add', 'set', 'remove']) expect(group.out).toContain(`warden resources ${sub}`)
    expect((await run('settings', 'set', '--help')).out).toMatch(/idleAfterSec: [^\n]*or a duration/)
  })
})
