// The RecordingLedger port (./ledger.ts) over the SQLite store: what `warden ssh` and the RDP recorder
// write through. The rows, their checks and the matching to sessions are in
// src/main/engine/store/recordings.ts.
import type { Store } from '../engine/store/types'
import type { RecordingLedger } from './ledger'

export function createStoreLedger(
  store: Pick<Store, 'beginRecording' | 'beginSoleRecording' | 'attachRecordingProcess' | 'finishRecording'>,
): RecordingLedger {
  return {
    begin: (start) => store.beginRecording(start),
    beginSole: (start) => store.beginSoleRecording(start),
    attachProcess: (id, pid, processStart) => {
      store.attachRecordingProcess(id, pid, processStart)
    },
    finish: (id, end) => store.finishRecording(id, end),
  }
}
