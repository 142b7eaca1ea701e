import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { SnapshotOptions } from '@engine/probe/types'
import type { Store } from '@engine/store/types'
import { engineOnFakeOs, FakeOs } from '../../support/fake-os'

// The engine tells the probe whether browsers' connections can make a session: without a
// configured web resource the Linux probe reads no browser's sockets (issue 10, CPU).

let dir: string
let store: Store | null = null
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'warden-browsers-'))
})
afterEach(() => {
  store?.close()
  store = null
  rmSync(dir, { recursive: true, force: true })
})

describe('the engine asks for browsers only with a web resource configured', () => {
  it('browsers: false with none, true once one is added', async () => {
    const os = new FakeOs()
    const asked: (SnapshotOptions | undefined)[] = []
    const snapshot = os.snapshot.bind(os)
    os.snapshot = (o?: SnapshotOptions) => {
      asked.push(o)
      return snapshot()
    }
    const made = engineOnFakeOs(os, join(dir, 'w.db'))
    store = made.store
    await made.engine.tick()
    expect(asked.at(-1)?.browsers).toBe(false)
    // an ssh resource changes nothing; a web one (an address: no DNS) does
    made.engine.addResource({ type: 'ssh', name: 'box', target: 'box.example' })
    await made.engine.tick()
    expect(asked.at(-1)?.browsers).toBe(false)
    made.engine.addResource({ type: 'web', name: 'Wiki', target: 'http://127.0.0.1:8080/' })
    await made.engine.tick()
    expect(asked.at(-1)?.browsers).toBe(true)
  })
})
