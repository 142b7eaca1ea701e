// A session recording as every part of the app sees it: the store's row, the CLI's `recordings list`,
// the window's player. Pure TypeScript + zod (no Node, DOM or Electron API). Issue 12; the design is in
// docs/architecture.md "Recording".
import { z } from 'zod'

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

export const recordingIdSchema = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER)

/** A per-resource recording override: on, off, or null = the global setting (recordSsh / recordRdp). */
export const recordOverrideSchema = z.boolean().nullable()

/** The chunk size the window reads a recording in (contract `readRecording`). */
export const RECORDING_CHUNK_MAX = 4 * 1024 * 1024
