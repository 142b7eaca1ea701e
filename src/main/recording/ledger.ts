// The recorders' view of the store: a recorder (the `warden ssh` pty, the RDP window capture) opens a row
// when it starts writing a file and closes it with the file's final size, length and sha256. The SQLite
// implementation is store/recordings.ts; the engine matches rows to sessions by pid + process start.
import type { Recording, RecordingKind } from '@shared/recording'

export interface RecordingStart {
  kind: RecordingKind
  /** file name inside the recordings folder */
  file: string
  pid: number | null
  processStart: number | null
  /** ms since the epoch */
  startedAt: number
  inputRecorded: boolean
  title: string
}

export interface RecordingEnd {
  endedAt: number
  bytes: number
  durationSec: number
  sha256: string
  status: 'complete' | 'failed'
  detail: string | null
}

export interface RecordingLedger {
  /** a new row in state `recording`; returns its id */
  begin(start: RecordingStart): number
  /**
   * begin, unless another recorder (this process or another on the same database) already has a recording
   * of this kind open for the same process: then null and nothing is written. The check is atomic.
   */
  beginSole(start: RecordingStart): number | null
  /** the recorded process is known (a pty child is spawned after the file is opened) */
  attachProcess(id: number, pid: number, processStart: number): void
  finish(id: number, end: RecordingEnd): Recording
}
