import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { runCli } from '../../src/cli/cli'
import { wardenInProcess, type WardenRun } from '../support/warden-cli'
import { GLOBAL_OPTIONS, isGroup, type Command } from '../../src/cli/command'
import { COMMANDS } from '../../src/cli/commands'
import { openStore } from '@engine/store'
import { recordingStoppedText, recordingsTrimmedText } from '@shared/recording'
import { recordingsDir } from '../../src/main/recording/files'
import { createStoreLedger } from '../../src/main/recording/store-ledger'
import { FakeOs, UID } from '../support/fake-os'
import { REC_T0, writeRecording } from '../support/recordings'

const MB = 1024 * 1024
// the sha256 of no bytes (a recording that failed before writing any)
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'

let dir: string
let db: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'warden-cli-'))
  db = join(dir, 'w.db')
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

const cli = (...argv: string[]): Promise<WardenRun> => wardenInProcess(argv, { env: { WARDEN_DB: db } })

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

  it('watch prints the recordings notices with the desktop notification texts', async () => {
    const os = new FakeOs()
    const p = os.ssh(4242, ['ssh', 'db1'])
    for (const [k, v] of [
      ['pollIntervalMs', '200'],
      ['recordingsMaxMb', '10'],
    ] as const)
      expect((await cli('settings', 'set', k, v)).code).toBe(0)
    const out: string[] = []
    const stop = new AbortController()
    const run = runCli(['watch', '--json'], {
      out: (l) => out.push(l),
      err: (l) => out.push(l),
      confirm: null,
      env: { WARDEN_DB: db },
      stop: stop.signal,
      engine: {
        probe: os,
        clock: { now: () => os.now },
        uid: UID,
        selfPid: 999_999,
        sshG: () => Promise.resolve(null),
      },
    })
    type Line = { event: string; message?: string; removed?: number[] }
    const lines = (): Line[] => out.map((l) => JSON.parse(l) as Line)
    const detail = 'the disk is full: the recording stopped there'
    let oldest: number | undefined
    try {
      await expect.poll(() => lines().map((l) => l.event), { timeout: 15_000 }).toContain('created')
      // what `warden ssh` (another process) leaves: its recording of db1 failed; two older closed ones
      const store = openStore({ path: db })
      try {
        const ledger = createStoreLedger(store)
        const id = ledger.begin({
          kind: 'ssh-cast',
          file: '20261127T090010Z-000000000042.cast',
          pid: p.pid,
          processStart: p.startTime,
          startedAt: os.now,
          inputRecorded: false,
          title: 'ssh db1',
        })
        ledger.finish(id, {
          endedAt: os.now + 1,
          bytes: 0,
          durationSec: 0,
          sha256: EMPTY_SHA256,
          status: 'failed',
          detail,
        })
        const folder = recordingsDir(dir)
        oldest = writeRecording(folder, ledger, Buffer.alloc(6 * MB, 1), { startedAt: REC_T0 - 2000 }).id
        writeRecording(folder, ledger, Buffer.alloc(6 * MB, 2), { startedAt: REC_T0 - 1000 })
      } finally {
        store.close()
      }
      await expect
        .poll(() => lines().map((l) => l.event), { timeout: 15_000 })
        .toEqual(expect.arrayContaining(['rec-stop', 'trimmed']))
    } finally {
      stop.abort()
    }
    expect(await run).toBe(0)
    const stopped = lines().filter((l) => l.event === 'rec-stop')
    expect(stopped.map((l) => l.message)).toEqual([
      recordingStoppedText({ resourceName: 'db1', resourceType: 'ssh' }, { detail }).body,
    ])
    const trimmed = lines().find((l) => l.event === 'trimmed')
    expect(trimmed?.removed).toEqual([oldest])
    expect(trimmed?.message).toBe(
      recordingsTrimmedText({ removed: [{ bytes: 6 * MB }], maxMb: 10, totalBytes: 6 * MB }).body,
    )
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

describe('warden flags and durations', () => {
  it('refuses repeated, unknown and valueless options and extra arguments, one line each', async () => {
    for (const argv of [
      ['--db', join(dir, 'a.db'), '--db', join(dir, 'b.db'), 'list'],
      ['list', '--db', join(dir, 'a.db'), '--db=' + join(dir, 'b.db')],
      ['list', '--json', '--json'],
      ['list', '--json=yes'],
      ['history', '--limit'],
      ['history', '--type', '--json'],
      ['--db=', 'stats'],
      ['stats', 'now'],
      ['open'],
      ['open', 'a', 'b'],
      ['resources'],
      ['resources', 'frob'],
      ['resources', 'set', 'Wiki'],
      ['resources', 'remove'],
      ['settings', 'get', 'idleAfterSec', 'extra'],
      ['settings', 'set', 'limitSsh', '1', '2'],
      ['help', 'frobnicate'],
    ]) {
      const r = await cli(...argv)
      expect(r.code, argv.join(' ')).toBe(2)
      expect(r.err, argv.join(' ')).toMatch(/^warden: [^\n]+$/)
    }
    expect((await cli('--db', db, '--db', db, 'stats')).err).toBe('warden: --db given twice')
  })

  it('takes durations for the seconds settings; plain numbers stay seconds', async () => {
    const set = async (...words: string[]): Promise<string> => (await cli('settings', 'set', ...words)).out
    expect(await set('idleAfterSec', '10m')).toBe('idleAfterSec = 600 (10m)')
    // the idle rules are checked together (src/shared/rules.ts): disconnect moves out before warn
    expect(await set('disconnectAfterSec', '2h', '15m')).toBe('disconnectAfterSec = 8100 (2h 15m)')
    expect(await set('warnAfterSec', '1h 30m')).toBe('warnAfterSec = 5400 (1h 30m)')
    expect(await set('disconnectAfterSec', 'never')).toBe('disconnectAfterSec = 0 (never)')
    expect(await set('warnAfterSec', '900')).toBe('warnAfterSec = 900 (15m)')
    // fault 3 from the command line: a disconnect before the warning is refused, nothing changed
    const contradiction = await cli('settings', 'set', 'disconnectAfterSec', '2')
    expect(contradiction.code).toBe(2)
    expect(contradiction.err).toMatch(/^warden: [^\n]*disconnect after[^\n]*warn after[^\n]*$/)
    expect((await cli('settings', 'get', 'disconnectAfterSec')).out.trim()).toBe('0')
    expect(await set('warnAfterSec', '0')).toBe('warnAfterSec = 0 (never)')
    // refused with the reason, nothing changed
    for (const bad of [['10 parsecs'], ['1h', 'soon'], ['1.5s'], ['never'], ['2d']]) {
      const r = await cli('settings', 'set', 'idleAfterSec', ...bad)
      expect(r.code, bad.join(' ')).toBe(2)
      expect(r.err).toMatch(/^warden: idleAfterSec[^\n]*$/)
    }
    const all = JSON.parse((await cli('settings', 'get', '--json')).out) as Record<string, unknown>
    expect(all).toMatchObject({ idleAfterSec: 600, warnAfterSec: 0, disconnectAfterSec: 0 })
  }, 20_000)

  it('takes durations for a resource policy, and default to clear one', async () => {
    const add = await cli('resources', 'add', 'Wiki', 'https://wiki.example/', '--idle-after', '2m')
    expect(add.code).toBe(0)
    const set = await cli('resources', 'set', 'Wiki', '--warn-after', '10m', '--disconnect-after', 'never')
    expect(set.code).toBe(0)
    const rows = JSON.parse((await cli('resources', 'list', '--json')).out) as unknown[]
    expect(rows[0]).toMatchObject({ idleAfterSec: 120, warnAfterSec: 600, disconnectAfterSec: 0 })
    const bad = await cli('resources', 'set', 'Wiki', '--warn-after', 'later')
    expect(bad.code).toBe(2)
    expect(bad.err).toMatch(/^warden: --warn-after: /)
    expect((await cli('resources', 'add', 'X', 'https://x.example/', '--warn-after', 'default')).code).toBe(2)
    const after = JSON.parse((await cli('resources', 'list', '--json')).out) as unknown[]
    expect(after).toEqual(rows)
  })

  it('history --since takes a time ago as a duration', async () => {
    expect((await cli('history', '--since', '1h 30m', '--json')).out).toBe('[]')
    expect((await cli('history', '--since', '45s')).code).toBe(0)
    const never = await cli('history', '--since', 'never')
    expect(never.code).toBe(2)
    expect(never.err).toMatch(/^warden: --since: /)
  })
})

describe('warden failures outside the line', () => {
  it('a database that cannot be opened is one line and exit 1', async () => {
    const r = await cli('--db', dir, 'stats') // a directory
    expect(r.code).toBe(1)
    expect(r.err).toMatch(/^warden: [^\n]+$/)
  })

  it("a browser that cannot start is the engine's reason and exit 1", async () => {
    expect((await cli('resources', 'add', 'Wiki', 'https://wiki.example/')).code).toBe(0)
    vi.stubEnv('WARDEN_BROWSER', join(dir, 'no-such-browser'))
    try {
      const r = await cli('open', 'Wiki')
      expect(r.code).toBe(1)
      expect(r.err).toMatch(/^warden: no Chromium-family browser found[^\n]*$/)
      expect(r.out).toBe('')
    } finally {
      vi.unstubAllEnvs()
    }
  })
})

const commands: Command[] = COMMANDS.flatMap((c) => (isGroup(c) ? [...c.subcommands] : [c]))

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
    const r = await cli('--help')
    expect(r.code).toBe(0)
    for (const u of commands.flatMap((c) => c.usage)) expect(r.out).toContain(`  ${u}`)
    for (const o of Object.values(GLOBAL_OPTIONS)) expect(r.out).toContain(o.help)
    expect(r.out).toMatch(/--db PATH/)
    expect((await cli('help')).out).toBe(r.out)
    expect((await cli('-h')).out).toBe(r.out)
  })

  it('help CMD and CMD --help print the same, with each option and its help', async () => {
    for (const [name, sub] of [['history'], ['end'], ['resources', 'set'], ['settings', 'set']] as const) {
      const viaHelp = await cli('help', name, ...(sub ? [sub] : []))
      const viaFlag = await cli(name, ...(sub ? [sub] : []), '--help')
      expect(viaHelp.code).toBe(0)
      expect(viaFlag).toEqual(viaHelp)
      const c = commands.find((x) => x.usage[0]?.startsWith(sub ? `${name} ${sub} ` : `${name} `)) as Command
      expect(viaHelp.out).toContain(`Usage: warden ${c.usage[0]}`)
      for (const o of Object.values(c.options)) expect(viaHelp.out).toContain(o.help)
    }
    const group = await cli('help', 'resources')
    for (const sub of ['list', 'add', 'set', 'remove']) expect(group.out).toContain(`warden resources ${sub}`)
    expect((await cli('settings', 'set', '--help')).out).toMatch(/idleAfterSec: [^\n]*or a duration/)
  })
})
