import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import type { DeviceSummary } from '@shared/contract'
import type { Resource } from '@shared/model'
import type { RecordingPatch } from '@shared/recording'
import type { ResourcePolicy, SettingKey, Settings } from '@shared/settings'
import { DEFAULT_SETTINGS } from '@shared/settings-base'
import { api, errorText } from '@renderer/api'

// The forms pre-check with the engine's own zod rules (src/shared/resource.ts, recording.ts, rules.ts),
// imported on the first check, not at start: zod is ~80 KB of the window's JavaScript (issue 15). The
// recordings store, loaded at start, imports this store.

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
    // the contract's own rule, in the words of the form (the engine checks again)
    const { newWebResourceSchema } = await import('@shared/resource')
    const checked = newWebResourceSchema.safeParse({ name, target })
    if (!checked.success) return checked.error.issues.map((i) => i.message).join('; ')
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

  async function setPolicy(id: number, p: Partial<ResourcePolicy>): Promise<string | null> {
    // the engine's own rules give the reason in words before anything is sent (the engine checks
    // again, against the settings as they are then)
    const { policyAfter } = await import('@shared/rules')
    const current = resources.value.find((r) => r.id === id) ?? null
    const checked = policyAfter(settings.value ?? DEFAULT_SETTINGS, current, p)
    if (!checked.ok) return checked.error
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

  /** A resource's recording overrides (on, off, null = the global setting); null when saved, else why not. */
  async function setRecording(id: number, p: RecordingPatch): Promise<string | null> {
    const { recordingPatchSchema } = await import('@shared/recording')
    const checked = recordingPatchSchema.safeParse(p)
    if (!checked.success) return checked.error.issues.map((i) => i.message).join('; ')
    try {
      generation++
      const updated = await api.updateResourcePolicy(String(id), checked.data)
      resources.value = resources.value.map((r) => (r.id === updated.id ? updated : r))
      return null
    } catch (e) {
      return errorText(e)
    }
  }

  return { settings, resources, device, loadError, load, set, addWeb, remove, setPolicy, setRecording, open }
})
