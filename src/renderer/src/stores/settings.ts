import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import type { DeviceSummary } from '@shared/contract'
import type { Resource } from '@shared/model'
import type { RecordingPatch } from '@shared/recording'
import type { ResourcePolicy, SettingKey, Settings } from '@shared/settings'
import { api, errorText } from '@renderer/api'

// No rule is checked here: the main process checks every change at the IPC door (the contract's zod
// schemas, src/shared/contract.ts) and in the engine (src/shared/rules.ts), and a refusal comes back as
// one line a person can read (src/shared/check.ts checkArgs), which the forms show as is. zod
// stays out of the window's JavaScript altogether (issue 15: it was an 84 KB chunk).

/** Settings, resources and this device. Every change goes to the engine, which validates it. */
export const useSettingsStore = defineStore('settings', () => {
  const settings = shallowRef<Settings | null>(null)
  const resources = shallowRef<Resource[]>([])
  const device = shallowRef<DeviceSummary | null>(null)
  const loadError = ref<string | null>(null)

  // a load that returns after a save must not put the old values back
  let generation = 0
  async function load(): Promise<void> {
    const mine = ++generation
    try {
      const [s, r, d] = await Promise.all([api.getSettings(), api.listResources(), api.getDevice()])
      if (mine !== generation) return
      settings.value = s
      resources.value = r
      device.value = d
      loadError.value = null
    } catch (e) {
      loadError.value = errorText(e)
    }
  }

  /** Saves one setting. Resolves to null when saved, or to the engine's reason when refused. */
  async function set<K extends SettingKey>(key: K, value: Settings[K]): Promise<string | null> {
    try {
      generation++
      settings.value = await api.setSetting(key, value)
      return null
    } catch (e) {
      return errorText(e)
    }
  }

  async function reloadResources(): Promise<void> {
    resources.value = await api.listResources()
  }

  async function addWeb(name: string, target: string): Promise<string | null> {
    try {
      await api.addWebResource({ name, target })
      await reloadResources()
      return null
    } catch (e) {
      return errorText(e)
    }
  }

  async function remove(id: number): Promise<string | null> {
    try {
      await api.removeResource(String(id))
      await reloadResources()
      return null
    } catch (e) {
      return errorText(e)
    }
  }

  /**
   * A resource's overrides: idle (null = the global setting) and recording (on, off, null = the global
   * setting). Null when saved, else the reason the main process refused it.
   */
  async function setPolicy(id: number, p: Partial<ResourcePolicy> & RecordingPatch): Promise<string | null> {
    try {
      generation++
      const updated = await api.updateResourcePolicy(String(id), p)
      resources.value = resources.value.map((r) => (r.id === updated.id ? updated : r))
      return null
    } catch (e) {
      return errorText(e)
    }
  }

  async function open(id: number): Promise<string | null> {
    try {
      await api.openWebResource(String(id))
      return null
    } catch (e) {
      return errorText(e)
    }
  }

  return { settings, resources, device, loadError, load, set, addWeb, remove, setPolicy, open }
})
