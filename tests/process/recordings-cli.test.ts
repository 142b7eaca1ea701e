import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { createHash } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openStore } from '@engine/store'
import { recordingsDirOf } from '../../src/main/recording/files'
import { createStoreLedger } from '../../src/main/recording/store-ledger'
import { writeRecording } from '../support/recordings'
import { warden } from '../support/warden-cli'

// `warden recordings …` and `warden resources set --record` as a user runs them: bin/warden.js in a
// process of its own over a real database and real files. The recording is written the way a recorder
// writes one (a file from files.ts, a row through the ledger).

let dir = ''
let db = ''
let id = 0
let file = ''
const content = Buffer.from(
  '{"version":2,"width":80,"height":24,"title":"ssh db1"}\n[0.25,"o","uptime\\r\\n"]\n',
)

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'warden-rec-cli-'))
  db = path.join(dir, 'data', 'warden.db')
  const store = openStore({ path: db })
  try {
    store.addResource({ type: 'ssh', name: 'db1', target: 'db1.example.com' })
    const folder = recordingsDirOf(db)
    fs.mkdirSync(folder, { mode: 0o700 })
    const written = writeRecording(folder, createStoreLedger(store), content, { durationSec: 2.5 })
    id = written.id
    file = written.path
  } finally {
    store.close()
  }
})
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true })
})

const run = (...args: string[]) => warden(['--db', db, ...args])

describe('warden recordings', () => {
  it('lists the recordings as JSON and as a table', async () => {
    const json = await run('recordings', 'list', '--json')
    expect(json.code).toBe(0)
    expect(JSON.parse(json.out)).toEqual([
      expect.objectContaining({
        id,
        sessionId: null,
        kind: 'ssh-cast',
        file: path.basename(file),
        bytes: content.length,
        durationSec: 2.5,
        sha256: createHash('sha256').update(content).digest('hex'),
        status: 'complete',
      }),
    ])
    const text = await run('recordings', 'list')
    expect(text.out).toMatch(/^ID\s+SESSION\s+KIND\s+STARTED\s+DURATION\s+SIZE\s+STATUS\s+FILE$/m)
    expect(text.out).toContain(path.basename(file))
  })

  it('verifies and exports an intact recording; never overwrites', async () => {
    expect(await run('recordings', 'verify', String(id))).toMatchObject({ code: 0 })
    const out = path.join(dir, 'export1')
    fs.mkdirSync(out)
    const exported = await run('recordings', 'export', String(id), out)
    expect(exported.code, exported.err).toBe(0)
    const copy = path.join(out, path.basename(file))
    expect(fs.readFileSync(copy).equals(content)).toBe(true)
    expect(fs.statSync(copy).mode & 0o777).toBe(0o600)
    const again = await run('recordings', 'export', String(id), out)
    expect(again.code).toBe(2)
    expect(again.err).toMatch(/already exists; not overwritten/)
  })

  it('refuses bad ids and destinations with a clear error', async () => {
    const bad = await run('recordings', 'export', 'abc', dir)
    expect(bad).toMatchObject({
      code: 2,
      err: expect.stringMatching(/"abc" is not a recording id/) as unknown,
    })
    expect((await run('recordings', 'verify', '999')).err).toMatch(/no recording with id 999/)
    expect((await run('recordings', 'verify', '999')).code).toBe(2)
    const notDir = await run('recordings', 'export', String(id), path.join(dir, 'nope'))
    expect(notDir.code).toBe(2)
    expect(notDir.err).toMatch(/is not a folder/)
  })

  it('reports an altered recording and refuses to export it (exit 1, nothing written)', async () => {
    const fd = fs.openSync(file, 'r+')
    fs.writeSync(fd, Buffer.from('U'), 0, 1, content.indexOf('uptime'))
    fs.closeSync(fd)
    const verify = await run('recordings', 'verify', String(id))
    expect(verify.code).toBe(1)
    expect(verify.err).toMatch(new RegExp(`recording ${id}: altered \\(.*does not match its recorded sha256`))
    const out = path.join(dir, 'export2')
    fs.mkdirSync(out)
    const exported = await run('recordings', 'export', String(id), out)
    expect(exported.code).toBe(1)
    expect(exported.err).toMatch(/is altered and is not served/)
    expect(fs.readdirSync(out)).toEqual([])
    fs.rmSync(file)
    expect((await run('recordings', 'verify', String(id))).err).toMatch(/missing/)
  })
})

describe('warden resources set --record', () => {
  it('sets the overrides on, off and back to default; a bad value changes nothing', async () => {
    const set = await run('resources', 'set', 'db1', '--record', 'on', '--record-input', 'off')
    expect(set.code, set.err).toBe(0)
    const list = async () => JSON.parse((await run('resources', 'list', '--json')).out) as unknown[]
    expect(await list()).toEqual([expect.objectContaining({ name: 'db1', record: true, recordInput: false })])
    const bad = await run('resources', 'set', 'db1', '--record', 'maybe')
    expect(bad.code).toBe(2)
    expect(bad.err).toMatch(/--record: expected on, off or default \(got "maybe"\)/)
    expect(await list()).toEqual([expect.objectContaining({ record: true })])
    expect((await run('resources', 'set', 'db1', '--record', 'default')).code).toBe(0)
    expect(await list()).toEqual([expect.objectContaining({ record: null, recordInput: false })])
    expect((await run('resources', 'list')).out).toMatch(/RECORD\n.*-,no-keys$/m)
  })
})
