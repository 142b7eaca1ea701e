import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'
import { WardenError } from '@shared/contract'
import type { Resource } from '@shared/model'
import type { RecordingPatch } from '@shared/recording'
import { DEFAULT_SETTINGS } from '@shared/settings'
import { installFakeWarden } from './support/fake-warden'
import { makeResource } from './support/sessions'

// window.warden must exist before @renderer/api is evaluated
const fake = installFakeWarden()
const { useSettingsStore } = await import('@renderer/stores/settings')

const wiki: Resource = makeResource()

let store: ReturnType<typeof useSettingsStore>
beforeEach(() => {
  fake.reset()
  setActivePinia(createPinia())
  store = useSettingsStore()
})

/** The store loaded from an engine with default settings and these resources. */
async function loadWith(resources: Resource[]): Promise<void> {
  fake.on('getSettings', () => DEFAULT_SETTINGS)
  fake.on('listResources', () => resources)
  fake.on('getDevice', () => ({ id: 'd', name: 'vm', os: 'Linux', model: '', addresses: [], database: '/x' }))
  await store.load()
}

describe('settings store', () => {
  it('a per-resource value the contract refuses is explained and never sent', async () => {
    expect(await store.setPolicy(wiki.id, { idleAfterSec: 2 })).toBe(
      'idleAfterSec must be a whole number of seconds from 5 to 86400 (got 2)',
    )
    expect(await store.setPolicy(wiki.id, { disconnectAfterSec: -1 })).toBe(
      'disconnectAfterSec must be a whole number of seconds from 0 (never) to 604800 (got -1)',
    )
    expect(fake.calls('updateResourcePolicy')).toEqual([])
  })

  it('a web resource the contract refuses is explained in its own words and never added', async () => {
    expect(await store.addWeb('Grafana', 'ftp://grafana')).toBe(
      'the address must start with http:// or https://',
    )
    expect(await store.addWeb('', 'https://grafana.example')).toBe('a name is required')
    expect(fake.calls('addWebResource')).toEqual([])
  })

  it('a recording override that is not on, off or the global setting is explained and never sent', async () => {
    const bad = { record: 'yes' } as unknown as RecordingPatch
    expect(await store.setPolicy(wiki.id, bad)).toBe(
      'a recording override is true (record), false (do not record) or null (the global setting)',
    )
    expect(fake.calls('updateResourcePolicy')).toEqual([])
  })

  it('a good per-resource value is sent by id and replaces that resource only', async () => {
    const other = { ...wiki, id: 4, name: 'Grafana' }
    await loadWith([wiki, other])
    fake.on('updateResourcePolicy', (_id, p) => ({ ...wiki, ...p }))
    expect(await store.setPolicy(wiki.id, { idleAfterSec: 120 })).toBeNull()
    expect(fake.calls('updateResourcePolicy')).toEqual([['3', { idleAfterSec: 120 }]])
    expect(store.resources.map((r) => [r.name, r.idleAfterSec])).toEqual([
      ['Wiki', 120],
      ['Grafana', null],
    ])
  })

  it('set() returns the engine reason and keeps the settings it had', async () => {
    await loadWith([])
    fake.on('setSetting', () => {
      throw new WardenError(
        'BAD_SETTING',
        'pollIntervalMs must be a whole number of milliseconds from 200 to 60000',
      )
    })
    expect(await store.set('pollIntervalMs', 5)).toContain('from 200 to 60000')
    expect(store.settings).toEqual(DEFAULT_SETTINGS)
  })
})
