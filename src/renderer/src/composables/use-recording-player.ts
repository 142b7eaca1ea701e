import { onBeforeUnmount, shallowRef } from 'vue'
import type { Recording, RecordingIntegrity } from '@shared/recording'
import { errorText } from '@renderer/api'
import {
  castText,
  loadRecording,
  mimeOf,
  RecordingRefused,
  type RecordingSource,
} from '@renderer/lib/recordings'

export type PlayerState =
  | { phase: 'idle' }
  | { phase: 'loading'; read: number; total: number }
  /** not played: altered, missing, still open, or the engine refused a chunk */
  | { phase: 'refused'; message: string }
  | { phase: 'cast'; text: string }
  /** an object URL of the verified bytes (blob:, allowed by the page's media-src) */
  | { phase: 'video'; url: string }

export interface PlayerRequest {
  recordingId: number
  sessionId: string
}

/**
 * Loads one recording for the player: its row (listRecordings, for the facts), the engine's check
 * (verifyRecording: anything but intact is refused and never read), then its bytes
 * (readRecording). A newer request or close() makes an older load's result go nowhere; a video's
 * object URL is revoked when the next recording loads and when the component goes.
 */
export function useRecordingPlayer(
  source: RecordingSource,
  listRecordings: (filter: { sessionId: string }) => Promise<Recording[]>,
) {
  const row = shallowRef<Recording | null>(null)
  const integrity = shallowRef<RecordingIntegrity | null>(null)
  const state = shallowRef<PlayerState>({ phase: 'idle' })
  let generation = 0
  let url: string | null = null

  function release(): void {
    if (url !== null) URL.revokeObjectURL(url)
    url = null
  }

  function close(): void {
    generation++
    release()
    row.value = null
    integrity.value = null
    state.value = { phase: 'idle' }
  }

  async function open(req: PlayerRequest): Promise<void> {
    close()
    const mine = generation
    const current = (): boolean => mine === generation
    state.value = { phase: 'loading', read: 0, total: 0 }
    try {
      const rows = await listRecordings({ sessionId: req.sessionId })
      if (!current()) return
      const r = rows.find((x) => x.id === req.recordingId)
      if (r === undefined)
        throw new RecordingRefused(
          'This recording is no longer kept (removed with its session, or by the size limit).',
        )
      row.value = r
      const parts = await loadRecording(source, r.id, {
        verified: (c) => current() && (integrity.value = c.integrity),
        progress: (read, total) => current() && (state.value = { phase: 'loading', read, total }),
      })
      if (!current()) return
      if (r.kind === 'ssh-cast') state.value = { phase: 'cast', text: castText(parts) }
      else {
        url = URL.createObjectURL(new Blob(parts, { type: mimeOf(r) }))
        state.value = { phase: 'video', url }
      }
    } catch (e) {
      if (!current()) return
      const message = e instanceof RecordingRefused ? e.message : `Not played: ${errorText(e)}`
      state.value = { phase: 'refused', message }
    }
  }

  onBeforeUnmount(close)
  return { row, integrity, state, open, close }
}
