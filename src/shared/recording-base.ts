// A session recording as every part of the app sees it: the store's row, the CLI's `recordings list`,
// the window's player. Its kinds, limits and rules, without zod: the window imports these alone, so zod
// stays out of its JavaScript at start (issue 15); the zod schemas built from them are in ./recording.
// Pure TypeScript (no Node, DOM or Electron API). Issue 12; the design is in docs/architecture.md "Recording".

/**
 * - ssh-cast: an asciicast v2 file written by `warden ssh` (the terminal stream of an ssh that runs
 *   under Session Warden's own pseudo-terminal; an ssh started elsewhere cannot be recorded)
 * - rdp-video: a video of the RDP client's window (ffmpeg x11grab on X11, desktopCapturer in the app)
 */
export const RECORDING_KINDS = ['ssh-cast', 'rdp-video'] as const
export type RecordingKind = (typeof RECORDING_KINDS)[number]

/**
 * - recording: the file is still being written (its sha256 is not known yet)
 * - complete: closed; bytes, duration and sha256 are final
 * - failed: stopped early (a full disk, the capture tool died); what was written is kept and hashed
 */
export const RECORDING_STATUSES = ['recording', 'complete', 'failed'] as const
export type RecordingStatus = (typeof RECORDING_STATUSES)[number]

/** What checking a closed recording against its row finds (tamper evidence). */
export const RECORDING_INTEGRITY = ['intact', 'altered', 'missing', 'open'] as const
export type RecordingIntegrity = (typeof RECORDING_INTEGRITY)[number]

export interface Recording {
  id: number
  /** the tracked session, once the engine has matched the recorded process to it */
  sessionId: string | null
  kind: RecordingKind
  /** file name inside the recordings folder (never a path a caller chose) */
  file: string
  /** the recorded client process: pid + start time (ms since the epoch) */
  pid: number | null
  processStart: number | null
  /** ISO 8601 */
  startedAt: string
  endedAt: string | null
  bytes: number
  durationSec: number
  /** hex, set when the file closes */
  sha256: string | null
  status: RecordingStatus
  /** why it failed or stopped early, in words */
  detail: string | null
  /** keystrokes (`i` events) are in the cast: only when the resource's policy says so */
  inputRecorded: boolean
  /** what was recorded, e.g. "ssh -p 2222 alice@db1" */
  title: string
}

/**
 * A recording's file name as the app chooses it (src/main/recording/files.ts): one plain name inside the
 * recordings folder, never a path (no separator, no "..", no leading dot), so a row cannot point outside.
 */
export const RECORDING_FILE_RE = /^[A-Za-z0-9][A-Za-z0-9_-]{0,100}\.(cast|webm|mkv|mp4)$/

/** The chunk size the window reads a recording in (contract `readRecording`). */
export const RECORDING_CHUNK_MAX = 4 * 1024 * 1024

/** One chunk of a verified recording (contract `readRecording`): at most RECORDING_CHUNK_MAX bytes. */
export interface RecordingChunk {
  id: number
  offset: number
  /** base64 */
  data: string
  /** the file's size in bytes */
  total: number
  /** this chunk reaches the end of the file */
  done: boolean
}

/** What checking a recording found (contract `verifyRecording`, `warden recordings verify`). */
export interface RecordingCheck {
  id: number
  integrity: RecordingIntegrity
  /** one line for the user */
  detail: string
}

/** What a session row says about its recording (the live table's and History's "Recorded"). */
export interface SessionRecording {
  id: number
  kind: RecordingKind
  status: RecordingStatus
}

// ------------------------------------------------------------------ the recording policy

/** A resource's own recording overrides: null = the global setting (recordSsh / recordRdp; input off). */
export interface RecordingOverrides {
  record: boolean | null
  recordInput: boolean | null
}

/** The overrides a resource's recording patch may hold (recordingPatchSchema in ./recording). */
export const RECORDING_PATCH_KEYS = ['record', 'recordInput'] as const

/**
 * Whether a session of this kind is recorded: the resource's override wins; otherwise the global
 * setting (recordSsh / recordRdp, both off by default). The one place this rule is written.
 */
export function shouldRecord(
  kind: 'ssh' | 'rdp',
  settings: { recordSsh: boolean; recordRdp: boolean },
  resource: Pick<RecordingOverrides, 'record'> | null,
): boolean {
  const override = resource?.record ?? null
  if (override !== null) return override
  return kind === 'ssh' ? settings.recordSsh : settings.recordRdp
}

/**
 * Whether keystrokes (asciicast `i` events) are recorded: only when the resource says so, because what
 * is typed includes passwords at prompts the terminal does not echo. Off by default; no global setting.
 */
export function shouldRecordInput(resource: Pick<RecordingOverrides, 'recordInput'> | null): boolean {
  return resource?.recordInput === true
}

/**
 * Splits a resource change into its recording overrides and the rest (the idle overrides, checked by
 * src/shared/rules.ts): the window and the CLI send both in one patch.
 */
export function splitRecordingPatch(patch: unknown): { rest: unknown; recording: unknown } {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch))
    return { rest: patch, recording: {} }
  const rest: Record<string, unknown> = {}
  const recording: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(patch))
    ((RECORDING_PATCH_KEYS as readonly string[]).includes(k) ? recording : rest)[k] = v
  return { rest, recording }
}

// ------------------------------------------------------------------ notices (issue 12)

/** A notice about recordings: the desktop app's OS notification and `warden watch`'s line say the same. */
export interface RecordingNotice {
  title: string
  body: string
}

const MIB = 1024 * 1024

/** The size cap (recordingsMaxMb) removed the oldest recordings. */
export function recordingsTrimmedText(t: {
  removed: readonly Pick<Recording, 'bytes'>[]
  maxMb: number
  totalBytes: number
}): RecordingNotice {
  const n = t.removed.length
  const freed = t.removed.reduce((sum, r) => sum + r.bytes, 0)
  return {
    title: 'Old recordings removed',
    body:
      `Recordings passed ${t.maxMb} MB: removed the ${n === 1 ? 'oldest' : `${n} oldest`} ` +
      `(${(freed / MIB).toFixed(1)} MB); ${(t.totalBytes / MIB).toFixed(1)} MB remain.`,
  }
}

/** A recording stopped early (a full disk, the capture tool died) while its session goes on. */
export function recordingStoppedText(
  s: { resourceName: string; resourceType: string },
  r: Pick<Recording, 'detail'>,
): RecordingNotice {
  const why = r.detail?.trim() || 'the recorder stopped early'
  return {
    title: 'Recording stopped',
    body: `The recording of ${s.resourceType.toUpperCase()} session ${s.resourceName} stopped: ${why}. The session goes on; what was recorded is kept.`,
  }
}

/**
 * The end of an RDP segment's title: the captured window and its size (src/main/engine/rdp-recorder.ts).
 * A resized window starts a new segment (a new row), so this is how the window's player and `warden
 * recordings list` tell a session's segments apart. Written here and read back by windowSizeOf.
 */
export function windowTitleSuffix(w: { id: string | number; width: number; height: number }): string {
  return ` (window ${w.id}, ${w.width}×${w.height})`
}

/** The window size a segment's title ends with (windowTitleSuffix), or null (a cast, an older row). */
export function windowSizeOf(title: string): { width: number; height: number } | null {
  const m = / \(window [^,()]+, (\d{1,5})×(\d{1,5})\)$/.exec(title)
  return m ? { width: Number(m[1]), height: Number(m[2]) } : null
}
