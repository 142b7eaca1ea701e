// `warden play` over a real database and recordings folder, and the `warden ssh` command line
// (pass-through, help, loop guard, no ssh) as a user runs them: bin/warden.js in its own process.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openStore } from '@engine/store'
import { CastWriter } from '../../../src/main/recording/cast'
import { createRecordingFile, recordingsDir } from '../../../src/main/recording/files'
import { installShim } from '../../../src/main/recording/shim'
import { createStoreLedger } from '../../../src/main/recording/store-ledger'
import { warden } from '../../support/warden-cli'

let dir = ''
let db = ''
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'warden-play-'))
  db = path.join(dir, 'w.db')
})
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true })
})

/** A closed recording made the way `warden ssh` makes one; returns its id and file path. */
function recordCast(outputs: string[]): { id: number; file: string } {
  const store = openStore({ path: db })
  try {
    const startedAt = Date.now()
    const f = createRecordingFile(recordingsDir(dir), 'ssh-cast', startedAt)
    const cast = new CastWriter({
      fd: f.fd,
      header: { width: 80, height: 24, startedAt, command: 'ssh h', title: 'ssh h', env: {} },
    })
    const ledger = createStoreLedger(store)
    const id = ledger.begin({
      kind: 'ssh-cast',
      file: f.file,
      pid: null,
      processStart: null,
      startedAt,
      inputRecorded: false,
      title: 'ssh h',
    })
    for (const o of outputs) cast.output(Buffer.from(o))
    ledger.finish(id, { endedAt: Date.now(), ...cast.close() })
    return { id, file: f.path }
  } finally {
    store.close()
  }
}

describe('warden play', () => {
  it('plays an intact recording to the terminal', async () => {
    const { id } = recordCast(['hello ', 'wörld\r\n', '\x1b[1mbold\x1b[0m'])
    const r = await warden(['play', String(id), '--speed', '50'], { WARDEN_DB: db })
    expect(r).toMatchObject({ code: 0, err: '' })
    expect(r.out).toBe('hello wörld\r\n\x1b[1mbold\x1b[0m')
  })

  it('refuses an altered or missing recording and plays nothing', async () => {
    const { id, file } = recordCast(['secret output\r\n'])
    const text = fs.readFileSync(file, 'utf8')
    fs.writeFileSync(file, text.replace('secret', 'SECRET'))
    const altered = await warden(['play', String(id)], { WARDEN_DB: db })
    expect(altered.code).toBe(1)
    expect(altered.out).toBe('')
    expect(altered.err).toMatch(/is not played: altered/)
    fs.unlinkSync(file)
    const missing = await warden(['play', String(id)], { WARDEN_DB: db })
    expect(missing).toMatchObject({ code: 1, out: '' })
    expect(missing.err).toMatch(/is not played: missing/)
  })

  it('refuses a bad id or speed with exit 2, an unknown id with exit 1', async () => {
    expect((await warden(['play', 'x'], { WARDEN_DB: db })).code).toBe(2)
    expect((await warden(['play', '1', '--speed', '0'], { WARDEN_DB: db })).code).toBe(2)
    const unknown = await warden(['play', '99'], { WARDEN_DB: db })
    expect(unknown.code).toBe(1)
    expect(unknown.err).toMatch(/no recording 99/)
  })
})

describe('warden ssh, the command line', () => {
  it("hands ssh's own options over untouched (ssh -V) and records nothing for them", async () => {
    const r = await warden(['ssh', '-V'], { WARDEN_DB: db })
    expect(r.code).toBe(0)
    expect(r.err).toMatch(/^OpenSSH_/)
    expect(fs.existsSync(path.join(dir, 'recordings'))).toBe(false)
  })

  it('shows its own help for --help alone', async () => {
    const r = await warden(['ssh', '--help'])
    expect(r.code).toBe(0)
    expect(r.out).toMatch(/Usage: warden ssh \[ssh options\] destination \[command\]/)
  })

  it('stops a loop of warden ssh calling itself (negative control: one level deep still runs ssh)', async () => {
    const loop = await warden(['ssh', '-V'], { WARDEN_DB: db, WARDEN_SSH_DEPTH: '4' })
    expect(loop.code).toBe(255)
    expect(loop.err).toMatch(/ssh calls itself/)
    const nested = await warden(['ssh', '-V'], { WARDEN_DB: db, WARDEN_SSH_DEPTH: '1' })
    expect(nested.code).toBe(0)
  })

  it('never runs the shim as the real ssh: with only the shim on PATH it says so (127)', async () => {
    installShim({ home: dir, warden: [process.execPath, '/nonexistent/warden.js'], alias: false })
    const r = await warden(['ssh', '-V'], { WARDEN_DB: db, PATH: path.join(dir, '.local', 'bin') })
    expect(r.code).toBe(127)
    expect(r.err).toMatch(/no ssh on PATH/)
  })
})
