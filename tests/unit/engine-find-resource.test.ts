import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { engineOnFakeOs, FakeOs } from '../support/fake-os'
import type { Store } from '@engine/store/types'

// `warden resources remove|set NAME` and `warden open NAME` all look the resource up through
// engine.findResource: a name must win over an id there (issue 9, fault 5).

let dir: string
let store: Store | null = null
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'warden-find-'))
})
afterEach(() => {
  store?.close()
  store = null
  rmSync(dir, { recursive: true, force: true })
})

describe('engine.findResource', () => {
  it('a resource named "1" wins over the resource with id 1, for remove and set alike', () => {
    const made = engineOnFakeOs(new FakeOs(), join(dir, 'w.db'))
    store = made.store
    const { engine } = made
    const keep = engine.addResource({ type: 'ssh', name: 'keepme', target: 'keep.example' })
    engine.addResource({ type: 'web', name: '1', target: 'https://one.example/' })
    expect(keep.id).toBe(1)

    expect(engine.findResource('1').name).toBe('1')
    expect(engine.updateResourcePolicy('1', { idleAfterSec: 60 }).name).toBe('1')
    expect(engine.removeResource('1').name).toBe('1')
    expect(engine.resources().map((r) => r.name)).toEqual(['keepme'])
    // With no resource named "1" left, the id still finds keepme.
    expect(engine.findResource('1').name).toBe('keepme')
  })
})
