import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { runCli } from '../../src/cli/cli'
import { parseArgs, parseSince, UsageError } from '../../src/cli/args'

let dir: string
let db: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'warden-cli-'))
  db = join(dir, 'w.db')
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = []
  const err: string[] = []
  const code = await runCli(argv, {
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    confirm: null,
    env: { WARDEN_DB: db },
  })
  return { code, out: out.join('\n'), err: err.join('\n') }
}

describe('warden CLI usage', () => {
  it('exits 2 with a one-line reason on bad usage', async () => {
    for (const argv of [
      ['frobnicate'],
      ['list', '--bogus'],
      ['list', 'extra'],
      ['end'],
      ['end', 'a', 'b'],
      ['end', '--all', 'abc'],
      ['history', '--type', 'telnet'],
      ['history', '--since', 'yesterday-ish'],
      ['history', '--limit', '0'],
      ['settings', 'set', 'idleAfterSec'],
      ['settings', 'set', 'idleAfterSec', 'ten'],
      ['settings', 'set', 'nope', '1'],
      ['resources', 'add', '--type', 'web', 'OnlyName'],
      ['--db'],
      [],
      ['settings', 'get', 'constructor'],
      ['history', '--limit', '1e2'],
      ['resources', 'add', '--type', 'ssh', 'box', 'box.example', '--idle-after', '0'],
    ]) {
      const r = await cli(...argv)
      expect(r.code, argv.join(' ')).toBe(2)
      if (argv.length === 0) {
        expect(r.err).toMatch(/^Usage: warden/) // no command: the usage, on stderr
        continue
      }
      expect(r.err.split('\n')).toHaveLength(1)
      expect(r.err).toMatch(/^warden: /)
    }
  })

  it('prints usage for --help and exits 0', async () => {
    const r = await cli('--help')
    expect(r.code).toBe(0)
    expect(r.out).toMatch(/warden \[--db PATH\] COMMAND/)
  })

  it('refuses an unknown or malformed id with exit 2, before anything is signalled', async () => {
    const unknown = await cli('end', '0123456789ab', '--yes')
    expect(unknown.code).toBe(2)
    expect(unknown.err).toBe('warden: no session with id 0123456789ab')
    const bad = await cli('end', 'rm -rf /', '--yes')
    expect(bad.code).toBe(2)
    expect(bad.err).toMatch(/invalid session id/)
  })
})

describe('warden settings and resources', () => {
  it('sets a valid value, refuses a bad one and leaves the old value', async () => {
    expect((await cli('settings', 'set', 'idleAfterSec', '120')).code).toBe(0)
    const bad = await cli('settings', 'set', 'idleAfterSec', '-4')
    expect(bad.code).toBe(2)
    expect(bad.err).toMatch(/idleAfterSec/)
    const get = await cli('settings', 'get', 'idleAfterSec')
    expect(get.out).toBe('120')
    const all = await cli('settings', 'get', '--json')
    expect(JSON.parse(all.out)).toMatchObject({ idleAfterSec: 120, warnAfterSec: 600 })
  })

  it('adds, lists, updates and removes web resources', async () => {
    const add = await cli(
      'resources',
      'add',
      '--type',
      'web',
      'Wiki',
      'https://wiki.example/',
      '--warn-after',
      '900',
    )
    expect(add.code).toBe(0)
    const badUrl = await cli('resources', 'add', '--type', 'web', 'Bad', 'not a url')
    expect(badUrl.code).toBe(2)
    const list = await cli('resources', 'list', '--json')
    const rows = JSON.parse(list.out) as { name: string; warnAfterSec: number | null }[]
    expect(rows).toMatchObject([{ name: 'Wiki', warnAfterSec: 900 }])
    expect((await cli('resources', 'set', 'Wiki', '--warn-after', 'default')).code).toBe(0)
    const after = JSON.parse((await cli('resources', 'list', '--json')).out) as {
      warnAfterSec: number | null
    }[]
    expect(after[0]?.warnAfterSec).toBeNull()
    expect((await cli('resources', 'remove', 'Wiki')).code).toBe(0)
    expect((await cli('resources', 'remove', 'Wiki')).code).toBe(2)
  })

  it('prints this device with its interfaces', async () => {
    const r = await cli('device', '--json')
    expect(r.code).toBe(0)
    const d = JSON.parse(r.out) as { id: string; name: string; interfaces: { address: string }[] }
    expect(d.id).toMatch(/^[0-9a-f]{16}$/)
    expect(d.interfaces.map((i) => i.address)).toContain('127.0.0.1')
    expect((await cli('device')).out).toMatch(/^DEVICE\s+OS\s+MODEL\s+ID/)
  })

  it('watch runs until stopped and exits 0', async () => {
    const out: string[] = []
    const stop = new AbortController()
    setTimeout(() => stop.abort(), 1500)
    const code = await runCli(['watch'], {
      out: (l) => out.push(l),
      err: (l) => out.push(l),
      confirm: null,
      env: { WARDEN_DB: db },
      stop: stop.signal,
      engine: { scope: () => false }, // this machine's own sessions are not part of the test
    })
    expect(code).toBe(0)
    expect(out).toEqual(['Watching sessions (Ctrl-C to stop)…'])
  })

  it('history is empty on a new database, in text and JSON', async () => {
    expect((await cli('history')).out).toBe('No sessions in the history match.')
    expect(JSON.parse((await cli('history', '--json', '--type', 'ssh', '--since', '7d')).out)).toEqual([])
  })

  it('honours --db over WARDEN_DB', async () => {
    const other = join(dir, 'other.db')
    expect((await cli('--db', other, 'settings', 'set', 'retentionDays', '30')).code).toBe(0)
    expect(statSync(other).size).toBeGreaterThan(0)
    expect((await cli('settings', 'get', 'retentionDays')).out).toBe('90')
  })
})

describe('argument parsing', () => {
  it('parses flags strictly', () => {
    expect(parseArgs(['a', '--json', '--type=ssh'], ['json'], ['type'])).toEqual({
      positional: ['a'],
      flags: new Map<string, string | true>([
        ['json', true],
        ['type', 'ssh'],
      ]),
    })
    expect(() => parseArgs(['--type'], [], ['type'])).toThrow(UsageError)
    expect(() => parseArgs(['--json', '--json'], ['json'], [])).toThrow(/twice/)
    expect(() => parseArgs(['-x'], [], [])).toThrow(/unknown option/)
  })
  it('parses --since dates and relative times', () => {
    const now = Date.UTC(2026, 10, 27)
    expect(parseSince('7d', now)).toBe(now - 7 * 86_400_000)
    expect(parseSince('2026-11-01T00:00:00Z', now)).toBe(Date.UTC(2026, 10, 1))
    expect(() => parseSince('2026-13-45', now)).toThrow(UsageError)
    expect(() => parseSince('last week', now)).toThrow(UsageError)
  })
})
