import fs from 'node:fs'
import { describe, expect, it } from 'vitest'
import { invokes, type Envelope } from '@shared/contract'
import { createHandlers, dispatch } from '../../../src/main/api/handlers'
import { engineFactory, FakeOs } from '../../support/fake-os'
import { writeRecording } from '../../support/recordings'

// The contract's recording calls through the one dispatch path the window's calls take (parse with the
// contract's schema, run, envelope), over the real engine on a real SQLite file.

const makeEngine = engineFactory('warden-rec-contract-')

function setup() {
  const { engine } = makeEngine(new FakeOs())
  const content = Buffer.from('{"version":2,"width":80,"height":24}\n[0.1,"o","hi"]\n')
  const { id, path } = writeRecording(engine.recordings.dir, engine.recordings.ledger, content)
  const call = (name: 'listRecordings' | 'readRecording' | 'verifyRecording', args: unknown) =>
    dispatch(createHandlers(engine, 'test'), invokes[name].channel, args)
  return { id, content, path, call }
}

/** "CODE message" of a refused call */
function errorOf(r: Envelope): string {
  return r.ok ? 'no error' : `${r.error.code} ${r.error.message}`
}

describe('the recording calls', () => {
  it('list, read and verify an intact recording', async () => {
    const { id, content, call } = setup()
    expect(await call('listRecordings', [{}])).toMatchObject({ ok: true, value: [{ id, kind: 'ssh-cast' }] })
    const read = await call('readRecording', [id, 0])
    expect(read).toMatchObject({ ok: true, value: { id, offset: 0, total: content.length, done: true } })
    const data = (read as { value: { data: string } }).value.data
    expect(Buffer.from(data, 'base64').equals(content)).toBe(true)
    expect(await call('verifyRecording', [id])).toMatchObject({ ok: true, value: { integrity: 'intact' } })
  })

  it('refuses bad input with a clear error and changes nothing', async () => {
    const { id, call } = setup()
    for (const args of [[0, 0], [-3, 0], [1.5, 0], ['1', 0], [id], [id, 0, 1]]) {
      const r = await call('readRecording', args)
      expect(r, JSON.stringify(args)).toMatchObject({ ok: false, error: { code: 'BAD_ARGS' } })
    }
    const negative = await call('readRecording', [id, -1])
    expect(negative).toEqual({
      ok: false,
      error: { code: 'BAD_ARGS', message: 'an offset must not be negative' },
    })
    expect(await call('verifyRecording', ['x'])).toMatchObject({ ok: false, error: { code: 'BAD_ARGS' } })
    expect(errorOf(await call('listRecordings', [{ sessionId: 'nope' }]))).toMatch(
      /^BAD_ARGS a session id is 12 hex characters$/,
    )
    expect(await call('listRecordings', [{ other: 1 }])).toMatchObject({
      ok: false,
      error: { code: 'BAD_ARGS' },
    })
    expect(await call('readRecording', [id + 100, 0])).toMatchObject({
      ok: false,
      error: { code: 'UNKNOWN_RECORDING', message: `no recording with id ${id + 100}` },
    })
    expect(await call('verifyRecording', [id])).toMatchObject({ ok: true, value: { integrity: 'intact' } })
  })

  it('never serves an altered recording', async () => {
    const { id, path, call } = setup()
    fs.appendFileSync(path, '[0.2,"o","injected"]\n')
    expect(errorOf(await call('readRecording', [id, 0]))).toMatch(
      /^RECORDING_UNAVAILABLE recording \d+ is altered and is not served/,
    )
    expect(await call('verifyRecording', [id])).toMatchObject({ ok: true, value: { integrity: 'altered' } })
  })

  it("updateResourcePolicy sets a resource's recording overrides beside its idle ones", async () => {
    const { engine } = makeEngine(new FakeOs())
    engine.addResource({ type: 'ssh', name: 'db1', target: 'db1' })
    const call = (patch: unknown) =>
      dispatch(createHandlers(engine, 'test'), invokes.updateResourcePolicy.channel, ['db1', patch])
    expect(await call({ record: true, recordInput: false, idleAfterSec: 60 })).toMatchObject({
      ok: true,
      value: { record: true, recordInput: false, idleAfterSec: 60 },
    })
    expect(errorOf(await call({ record: 'yes' }))).toMatch(
      /^BAD_ARGS a recording override is true \(record\)/,
    )
    expect(errorOf(await call({ recordAudio: true }))).toMatch(
      /^BAD_ARGS updateResourcePolicy: 1: Unrecognized key/,
    )
    expect(engine.findResource('db1')).toMatchObject({ record: true, recordInput: false, idleAfterSec: 60 })
    expect(await call({ record: null })).toMatchObject({
      ok: true,
      value: { record: null, recordInput: false },
    })
  })
})
