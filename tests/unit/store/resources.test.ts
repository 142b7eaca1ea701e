import { describe, expect, it } from 'vitest'
import type { ResourceRow, Store } from '@engine/store'
import { newSession, storeErrorCode as code, useTempDir } from './helpers'

const t = useTempDir()

describe('resources', () => {
  it('ensureResource finds by (type, name), case-insensitively, or records it unconfigured', () => {
    const s = t.open({ now: () => Date.UTC(2024, 4, 1) })
    const a = s.ensureResource('ssh', 'Prod', 'prod.example.com')
    expect(a).toMatchObject({
      name: 'Prod',
      type: 'ssh',
      configured: false,
      idleAfterSec: null,
      createdAt: '2024-05-01T00:00:00.000Z',
    })
    expect(s.ensureResource('ssh', 'prod', 'other').id).toBe(a.id)
    expect(s.ensureResource('ssh', ' Prod ', 'x').id).toBe(a.id)
    expect(s.ensureResource('rdp', 'Prod', 'prod.example.com').id).not.toBe(a.id)
  })

  it('addResource configures a new resource or adopts a recorded one', () => {
    const s = t.open()
    const added = s.addResource({
      type: 'web',
      name: 'Wiki',
      target: 'https://wiki.example/home',
      idleAfterSec: 60,
    })
    expect(added).toMatchObject({
      configured: true,
      target: 'https://wiki.example/home',
      idleAfterSec: 60,
      warnAfterSec: null,
    })
    expect(code(() => s.addResource({ type: 'web', name: 'wiki', target: 'https://x.example' }))).toBe(
      'BAD_RESOURCE',
    )

    const recorded = s.ensureResource('ssh', 'db1', 'db1.internal')
    const adopted = s.addResource({
      type: 'ssh',
      name: 'db1',
      target: 'db1.example.com',
      disconnectAfterSec: 0,
    })
    expect(adopted).toMatchObject({
      id: recorded.id,
      configured: true,
      target: 'db1.example.com',
      disconnectAfterSec: 0,
    })
  })

  const badInputs: [string, Parameters<Store['addResource']>[0]][] = [
    ['empty name', { type: 'ssh', name: '  ', target: 'h' }],
    ['long name', { type: 'ssh', name: 'x'.repeat(201), target: 'h' }],
    ['control char', { type: 'ssh', name: 'a\u001b[31m', target: 'h' }],
    ['bad type', { type: 'telnet' as 'ssh', name: 'a', target: 'h' }],
    ['web not a url', { type: 'web', name: 'a', target: 'wiki.example' }],
    ['web ftp', { type: 'web', name: 'a', target: 'ftp://wiki.example' }],
    ['web javascript', { type: 'web', name: 'a', target: 'javascript:alert(1)' }],
    ['empty target', { type: 'rdp', name: 'a', target: '' }],
    ['negative policy', { type: 'ssh', name: 'a', target: 'h', idleAfterSec: -1 }],
    ['policy too large', { type: 'ssh', name: 'a', target: 'h', warnAfterSec: 604_801 }],
    ['fractional policy', { type: 'ssh', name: 'a', target: 'h', disconnectAfterSec: 1.5 }],
    ['idle after 0 (idle has no never)', { type: 'ssh', name: 'a', target: 'h', idleAfterSec: 0 }],
    ['an end before the default warning', { type: 'ssh', name: 'a', target: 'h', disconnectAfterSec: 10 }],
    ['credentials in a web address', { type: 'web', name: 'a', target: 'https://u:p@wiki.example/' }],
  ]
  it.each(badInputs)('refuses %s with BAD_RESOURCE and writes nothing', (_label, input) => {
    const s = t.open()
    expect(code(() => s.addResource(input))).toBe('BAD_RESOURCE')
    expect(s.listResources()).toEqual([])
  })

  it('accepts the limits', () => {
    const s = t.open()
    expect(
      s.addResource({
        type: 'ssh',
        name: 'x'.repeat(200),
        target: 'h',
        idleAfterSec: 5,
        warnAfterSec: 604_799,
        disconnectAfterSec: 604_800,
      }).name,
    ).toHaveLength(200)
    expect(s.addResource({ type: 'web', name: 'w', target: 'http://127.0.0.1:8080/' }).target).toBe(
      'http://127.0.0.1:8080/',
    )
  })

  it('a bad policy when adopting a recorded resource leaves it as it was', () => {
    const s = t.open()
    const recorded = s.ensureResource('ssh', 'db1', 'db1.internal')
    expect(code(() => s.addResource({ type: 'ssh', name: 'db1', target: 'h', idleAfterSec: -5 }))).toBe(
      'BAD_RESOURCE',
    )
    expect(s.findResource('db1')).toEqual(recorded)
  })

  it('updateResourcePolicy changes only the keys given; null clears', () => {
    const s = t.open()
    const r = s.addResource({ type: 'ssh', name: 'a', target: 'h', idleAfterSec: 60, warnAfterSec: 120 })
    expect(s.updateResourcePolicy(r.id, { warnAfterSec: null, disconnectAfterSec: 900 })).toMatchObject({
      idleAfterSec: 60,
      warnAfterSec: null,
      disconnectAfterSec: 900,
    })
    expect(code(() => s.updateResourcePolicy(r.id, { idleAfterSec: 1e9 }))).toBe('BAD_RESOURCE')
    expect(code(() => s.updateResourcePolicy(424242, { idleAfterSec: 5 }))).toBe('NOT_FOUND')
    expect(s.findResource(String(r.id))?.idleAfterSec).toBe(60)
  })

  it('removeResource keeps history: a referenced resource is unconfigured, an unreferenced one deleted', () => {
    const s = t.open()
    const used = s.addResource({ type: 'ssh', name: 'used', target: 'h', idleAfterSec: 60 })
    const unused = s.addResource({ type: 'ssh', name: 'unused', target: 'h' })
    const launched = s.addResource({ type: 'web', name: 'launched', target: 'https://l.example' })
    s.applyTick(
      [newSession(used.id, { id: 'hist' })],
      [{ kind: 'end', id: 'hist', at: 2, reason: 'user', actor: 'cli' }],
      1,
    )
    s.addLaunch({ pid: 5, processStart: 5, resourceId: launched.id, at: 1 })

    expect(s.removeResource(used.id)).toBe(true)
    const kept: ResourceRow | null = s.findResource('used')
    expect(kept).toMatchObject({
      configured: false,
      idleAfterSec: null,
      warnAfterSec: null,
      disconnectAfterSec: null,
    })
    expect(s.getSession('hist')?.resourceName).toBe('used')
    expect(s.history({}).rows[0]?.resourceName).toBe('used')
    expect(s.removeResource(used.id)).toBe(false) // nothing left to remove

    expect(s.removeResource(unused.id)).toBe(true)
    expect(s.findResource('unused')).toBeNull()
    expect(s.removeResource(launched.id)).toBe(true)
    expect(s.findResource('launched')?.configured).toBe(false)
    expect(s.removeResource(999)).toBe(false)
  })

  it('findResource takes an id or a name (case-insensitive); listResources filters', () => {
    const s = t.open()
    const a = s.addResource({ type: 'rdp', name: 'Desk', target: 'desk.example' })
    s.ensureResource('ssh', 'desk', 'desk.example')
    const num = s.addResource({ type: 'ssh', name: '4242', target: 'h' })
    expect(s.findResource(String(a.id))?.id).toBe(a.id)
    expect(s.findResource('DESK')?.id).toBe(a.id) // the configured one wins a shared name
    expect(s.findResource('4242')?.id).toBe(num.id) // no id 4242: falls back to the name
    expect(s.findResource('nope')).toBeNull()
    expect(s.listResources().map((r) => `${r.type}:${r.name}`)).toEqual(['rdp:Desk', 'ssh:4242', 'ssh:desk'])
    expect(s.listResources({ configuredOnly: true }).map((r) => r.name)).toEqual(['Desk', '4242'])
    expect(s.listResources({ type: 'ssh' }).map((r) => r.name)).toEqual(['4242', 'desk'])
  })

  it('findResource: a name wins over an id (resources remove 1 must not remove #1 when one is named "1")', () => {
    const s = t.open()
    const keep = s.addResource({ type: 'ssh', name: 'keepme', target: 'keep.example' })
    const one = s.addResource({ type: 'ssh', name: '1', target: 'one.example' })
    expect(keep.id).toBe(1)
    expect(s.findResource('1')?.id).toBe(one.id)
    expect(s.findResource(' 1 ')?.id).toBe(one.id)
    // No resource is named "2": the id is the fallback.
    expect(s.findResource('2')?.name).toBe('1')
  })

  it('devices upsert and read back', () => {
    const s = t.open()
    expect(s.getDevice('d')).toBeNull()
    s.upsertDevice({ id: 'd', name: 'old', os: 'Linux', model: 'X' })
    s.upsertDevice({ id: 'd', name: 'new', os: 'Linux', model: 'Y' })
    expect(s.getDevice('d')).toEqual({ id: 'd', name: 'new', os: 'Linux', model: 'Y' })
  })
})
