import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import type { Session } from '@shared/model'
import { shouldRecord } from '@shared/recording-base'
import { api } from '@renderer/api'
import type { RecordingSource } from '@renderer/lib/recordings'
import { useSettingsStore } from './settings'

/** What the player shows: one recording, named after its session. */
export interface PlayerTarget {
  recordingId: number
  sessionId: string
  /** the session's resource, for the dialog's title */
  name: string
}

/** The contract's calls the player reads a recording through (src/shared/contract.ts). */
export const contractSource: RecordingSource = {
  verify: (id) => api.verifyRecording(id),
  read: (id, offset) => api.readRecording(id, offset),
}

/**
 * The recording tag's policy and the one player of the window (mounted once, in AppShell): a tag in
 * any table opens it here, so the player stays open while rows come and go under it.
 */
export const useRecordingsStore = defineStore('recordings', () => {
  const settingsStore = useSettingsStore()
  const target = shallowRef<PlayerTarget | null>(null)
  /** a recording has been opened: the player is mounted from then on (AppShell) */
  const used = ref(false)

  let asked = false
  /** The settings and resources the policy needs, read once if no view has read them yet. */
  function ensurePolicy(): void {
    if (asked || settingsStore.settings !== null) return
    asked = true
    void settingsStore.load()
  }

  /**
   * Whether the policy wants this session recorded (src/shared/recording.ts shouldRecord: the
   * resource's override, else recordSsh / recordRdp). False until the settings are known.
   */
  function policyRecords(s: Pick<Session, 'resourceType' | 'resourceName'>): boolean {
    if (s.resourceType === 'web') return false
    ensurePolicy()
    const settings = settingsStore.settings
    if (settings === null) return false
    const resource =
      settingsStore.resources.find((r) => r.type === s.resourceType && r.name === s.resourceName) ?? null
    return shouldRecord(s.resourceType, settings, resource)
  }

  function open(s: Pick<Session, 'id' | 'resourceName' | 'recording'>): void {
    if (s.recording === null) return
    used.value = true
    target.value = { recordingId: s.recording.id, sessionId: s.id, name: s.resourceName }
  }

  function close(): void {
    target.value = null
  }

  return { target, used, policyRecords, open, close }
})
