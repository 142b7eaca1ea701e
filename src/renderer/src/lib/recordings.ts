// Pure logic of the window's recording tag and player (issue 12): what a row says about its recording,
// the facts the player shows, and how a recording's bytes reach the page. No Vue: unit-tested on its own.
// The bytes come only through the contract (verifyRecording, then readRecording in base64 chunks):
// the page never opens a file:// address (docs/architecture.md "Recording playback").
import { isOpen, type Session } from '@shared/model'
import {
  windowSizeOf,
  type Recording,
  type RecordingCheck,
  type RecordingChunk,
  type RecordingIntegrity,
  type RecordingKind,
} from '@shared/recording-base'

export type RecordingTagState = 'recording' | 'recorded' | 'partial' | 'not-recorded'

export interface RecordingTag {
  state: RecordingTagState
  label: string
  /** the tooltip: what the tag means and, for "Not recorded", why and how */
  hint: string
  /** a click opens the player (a closed recording) */
  playable: boolean
}

/** Why an ssh the policy wants recorded is not, and how to record it (issue 12 "Why"). */
export const SSH_NOT_RECORDED_HINT =
  'Recording is on for this SSH session, but this ssh was not started through Session Warden: the ' +
  'terminal of a program Session Warden did not start cannot be read. Connect with “warden ssh HOST”, ' +
  'or run “warden shim install” once so that every ssh goes through it.'

/** Why an RDP session the policy wants recorded is not (the RDP recorder captures the client's window). */
export const RDP_NOT_RECORDED_HINT =
  'Recording is on for this RDP session, but its client window could not be captured: the capture needs ' +
  "the client's own window on X11 (found by its _NET_WM_PID), or, in the desktop app, the screen " +
  "recording permission. See the recorder's notice for the reason."

/**
 * The row's tag: Recording / Recorded / Recorded (partial) from the session's recording, or "Not
 * recorded" for an open session the policy wants recorded that has none. `policyRecords` is
 * shouldRecord(kind, settings, resource) for this session (src/shared/recording.ts). An ended session
 * without a recording says nothing: the policy of today is not the policy it ran under.
 */
export function recordingTag(
  s: Pick<Session, 'status' | 'resourceType' | 'recording'>,
  policyRecords: boolean,
): RecordingTag | null {
  const r = s.recording
  if (r !== null) {
    if (r.status === 'recording')
      return {
        state: 'recording',
        label: 'Recording',
        hint: 'This session is being recorded now. The recording can be played once it has closed.',
        playable: false,
      }
    if (r.status === 'failed')
      return {
        state: 'partial',
        label: 'Recorded (partial)',
        hint: 'The recording stopped early (a full disk, or the capture ended); what was written is kept. Click to play it.',
        playable: true,
      }
    return { state: 'recorded', label: 'Recorded', hint: 'Click to play the recording.', playable: true }
  }
  if (!policyRecords || !isOpen(s) || s.resourceType === 'web') return null
  return {
    state: 'not-recorded',
    label: 'Not recorded',
    hint: s.resourceType === 'ssh' ? SSH_NOT_RECORDED_HINT : RDP_NOT_RECORDED_HINT,
    playable: false,
  }
}

// ------------------------------------------------------------------ facts

export const KIND_LABELS: Record<RecordingKind, string> = {
  'ssh-cast': 'Terminal (asciicast v2)',
  'rdp-video': 'Window video',
}

/** "812 B", "1.4 MB", "2.0 GB" (decimal units, as `ls -h --si` and the recordingsMaxMb setting count) */
export function formatBytes(n: number): string {
  if (n < 1000) return `${n} B`
  const units = ['kB', 'MB', 'GB', 'TB']
  let v = n / 1000
  let i = 0
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000
    i++
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i] ?? 'TB'}`
}

/** "1:05", "1:02:03" for the recording's length */
export function formatLength(sec: number): string {
  const s = Math.max(0, Math.round(sec))
  const h = Math.floor(s / 3600)
  const m = Math.floor((s % 3600) / 60)
  const ss = String(s % 60).padStart(2, '0')
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`
}

/** The first 12 hex digits: enough to compare by eye with `warden recordings list` and sha256sum. */
export function shortSha(sha: string | null): string {
  return sha === null ? '—' : `${sha.slice(0, 12)}…`
}

export const INTEGRITY_LABELS: Record<RecordingIntegrity, string> = {
  intact: 'Intact (sha256 matches)',
  altered: 'Altered (sha256 does not match)',
  missing: 'Missing',
  open: 'Still being written',
}

/** Why a recording is not played, in words; null when it is intact and may be played. */
export function refusalText(integrity: RecordingIntegrity, detail: string): string | null {
  const text = REFUSALS[integrity]
  if (text === null) return null
  const found = detail.trim()
  return found === '' ? text : `${text} Found: ${found}.`
}

const REFUSALS: Record<RecordingIntegrity, string | null> = {
  intact: null,
  altered:
    'This recording was changed on disk after it was closed: its sha256 no longer matches the one recorded. It is not played, because it may not show what happened.',
  missing: 'The recording file is missing from the recordings folder. There is nothing to play.',
  open: 'This recording is still being written. It can be played once the session has ended.',
}

/** The MIME type of a recording for the page: a cast is text, a video by its container. */
export function mimeOf(r: Pick<Recording, 'kind' | 'file'>): string {
  if (r.kind === 'ssh-cast') return 'application/x-asciicast'
  const ext = /\.([a-z0-9]+)$/i.exec(r.file)?.[1]?.toLowerCase()
  if (ext === 'mp4') return 'video/mp4'
  if (ext === 'mkv') return 'video/x-matroska'
  return 'video/webm'
}

// ------------------------------------------------------------------ segments

/**
 * A session's recordings in the order they were made (oldest first): the parts the player plays one
 * after another. An RDP recording whose client window was resized is several segments, one per size
 * (docs/architecture.md "RDP recording"); listRecordings gives them newest first.
 */
export function sessionSegments(rows: readonly Recording[]): Recording[] {
  return [...rows].sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt) || a.id - b.id)
}

/** What the segment list says of one part: when it began, its window size (RDP), bytes and length. */
export function segmentFacts(r: Pick<Recording, 'startedAt' | 'title' | 'bytes' | 'durationSec'>): {
  start: string
  size: string | null
  bytes: string
  length: string
} {
  const w = windowSizeOf(r.title)
  return {
    start: new Date(r.startedAt).toLocaleTimeString(undefined, {
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    }),
    size: w ? `${w.width}×${w.height}` : null,
    bytes: formatBytes(r.bytes),
    length: formatLength(r.durationSec),
  }
}

// ------------------------------------------------------------------ loading

/** The contract's verifyRecording and readRecording (src/shared/contract.ts), as the loader needs them. */
export interface RecordingSource {
  verify: (id: number) => Promise<RecordingCheck>
  read: (id: number, offset: number) => Promise<RecordingChunk>
}

/**
 * Far above any terminal cast; a video larger than this is exported (`warden recordings export`)
 * rather than held in the window's memory.
 */
export const PLAY_MAX_BYTES = 512 * 1024 * 1024

export class RecordingRefused extends Error {
  override readonly name = 'RecordingRefused'
}

/** base64 → bytes, with the browser's own decoder (atob), which refuses anything that is not base64. */
export function decodeBase64(data: string): Uint8Array<ArrayBuffer> {
  const bin = atob(data)
  const out = new Uint8Array(bin.length)
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i)
  return out
}

/**
 * Verifies, then reads every chunk of recording `id`. Refuses (RecordingRefused, with the reason in
 * words) when the engine finds it altered, missing or still open, when a chunk does not continue where
 * the last one ended, or when the total changes between chunks: a file that changes while it is read
 * is not played either. `on.verified` gets the engine's check, `on.progress` the bytes read and the total.
 */
export async function loadRecording(
  source: RecordingSource,
  id: number,
  on: {
    verified?: (check: RecordingCheck) => void
    progress?: (read: number, total: number) => void
  } = {},
): Promise<Uint8Array<ArrayBuffer>[]> {
  const v = await source.verify(id)
  on.verified?.(v)
  const refusal = refusalText(v.integrity, v.detail)
  if (refusal !== null) throw new RecordingRefused(refusal)
  const parts: Uint8Array<ArrayBuffer>[] = []
  let offset = 0
  let total: number | null = null
  for (;;) {
    const chunk = await source.read(id, offset)
    if (chunk.id !== id || chunk.offset !== offset)
      throw new RecordingRefused(`The engine answered with the wrong part of recording ${id}.`)
    if (total === null) {
      total = chunk.total
      if (total > PLAY_MAX_BYTES)
        throw new RecordingRefused(
          `This recording is too large to play in the window; export it with \`warden recordings export ${id} DIR\`.`,
        )
    } else if (chunk.total !== total)
      throw new RecordingRefused('The recording file changed while it was read. It is not played.')
    const bytes = decodeBase64(chunk.data)
    if (bytes.length > 0) parts.push(bytes)
    offset += bytes.length
    on.progress?.(offset, total)
    if (chunk.done) break
    if (bytes.length === 0 || offset > total)
      throw new RecordingRefused(`Recording ${id} did not end where its size says it does.`)
  }
  if (offset !== total)
    throw new RecordingRefused(`Recording ${id} is ${offset} bytes long, not the ${total} its size says.`)
  return parts
}

/** The parts of a cast as its text (asciicast v2 is UTF-8 newline-delimited JSON). */
export function castText(parts: readonly Uint8Array[]): string {
  const decoder = new TextDecoder('utf-8')
  return parts.map((p, i) => decoder.decode(p, { stream: i < parts.length - 1 })).join('')
}
