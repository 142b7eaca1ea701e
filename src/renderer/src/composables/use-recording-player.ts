import { computed, onBeforeUnmount, shallowRef } from 'vue'
import type { Recording, RecordingIntegrity } from '@shared/recording'
import { errorText } from '@renderer/api'
import {
  castText,
  loadRecording,
  mimeOf,
  RecordingRefused,
  sessionSegments,
  type RecordingSource,
} from '@renderer/lib/recordings'

export type PlayerState =
  | { phase: 'idle' }
  | { phase: 'loading'; read: number; total: number }
  /** not played: altered, missing, still open, or the engine refused a chunk */
  | { phase: 'refused'; message: string }
  /** `autoplay`: the part was reached by playing on from the one before */
  | { phase: 'cast'; text: string; autoplay: boolean }
  /** an object URL of the verified bytes (blob:, allowed by the page's media-src) */
  | { phase: 'video'; url: string; autoplay: boolean }

export interface PlayerRequest {
  recordingId: number
  sessionId: string
}

/**
 * Loads a session's recording for the player: the session's rows (listRecordings: every segment, for
 * the list and the facts), then one segment at a time: the engine's check (verifyRecording: anything but
 * intact is refused and never read), then its bytes (readRecording). A session opens at its first
 * segment, so it plays from the start; `playOn()` goes to the next one when a part ends. A newer request
 * or close() makes an older load's result go nowhere; a video's object URL is revoked when the next
 * part loads and when the component goes.
 */
export function useRecordingPlayer(
  source: RecordingSource,
  listRecordings: (filter: { sessionId: string }) => Promise<Recording[]>,
) {
  /** the session's segments, oldest first (one for almost every recording) */
  const segments = shallowRef<Recording[]>([])
  /** the segment shown */
  const row = shallowRef<Recording | null>(null)
  const integrity = shallowRef<RecordingIntegrity | null>(null)
  const state = shallowRef<PlayerState>({ phase: 'idle' })
  let generation = 0
  let url: string | null = null

  const index = computed(() => (row.value ? segments.value.indexOf(row.value) : -1))
  const next = computed(() => segments.value[index.value + 1] ?? null)

  function release(): void {
    if (url !== null) URL.revokeObjectURL(url)
    url = null
  }

  /** Forgets the part shown (and any load under way); the segment list stays. */
  function reset(): number {
    generation++
    release()
    row.value = null
    integrity.value = null
    state.value = { phase: 'idle' }
    return generation
  }

  function close(): void {
    reset()
    segments.value = []
  }

  function refuse(e: unknown): void {
    const message = e instanceof RecordingRefused ? e.message : `Not played: ${errorText(e)}`
    state.value = { phase: 'refused', message }
  }

  /** Shows segment `r` of the list: verified, read, then played (at once when `autoplay`). */
  async function play(r: Recording, autoplay = false): Promise<void> {
    const mine = reset()
    const current = (): boolean => mine === generation
    row.value = r
    state.value = { phase: 'loading', read: 0, total: 0 }
    try {
      const parts = await loadRecording(source, r.id, {
        verified: (c) => current() && (integrity.value = c.integrity),
        progress: (read, total) => current() && (state.value = { phase: 'loading', read, total }),
      })
      if (!current()) return
      if (r.kind === 'ssh-cast') state.value = { phase: 'cast', text: castText(parts), autoplay }
      else {
        url = URL.createObjectURL(new Blob(parts, { type: mimeOf(r) }))
        state.value = { phase: 'video', url, autoplay }
      }
    } catch (e) {
      if (current()) refuse(e)
    }
  }

  async function open(req: PlayerRequest): Promise<void> {
    close()
    const mine = generation
    state.value = { phase: 'loading', read: 0, total: 0 }
    try {
      const rows = sessionSegments(await listRecordings({ sessionId: req.sessionId }))
      if (mine !== generation) return
      if (!rows.some((x) => x.id === req.recordingId))
        throw new RecordingRefused(
          'This recording is no longer kept (removed with its session, or by the size limit).',
        )
      segments.value = rows
      const first = rows[0]
      if (first) await play(first)
    } catch (e) {
      if (mine === generation) refuse(e)
    }
  }

  /** Segment `id` of the list, chosen by the user. */
  function choose(id: number): void {
    const r = segments.value.find((x) => x.id === id)
    if (r && r !== row.value) void play(r)
  }

  /** The part shown has ended: the next one plays, if there is one. Returns it. */
  function playOn(): Recording | null {
    const n = next.value
    if (n) void play(n, true)
    return n
  }

  onBeforeUnmount(close)
  return { segments, row, index, integrity, state, open, close, choose, playOn }
}
