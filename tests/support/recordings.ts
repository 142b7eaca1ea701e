// A closed recording as a recorder leaves one: a real file from src/main/recording/files.ts in the
// recordings folder and its row through the ledger, with the file's true size and sha256. Shared by
// the engine's, the contract's and the CLI's recording tests.
import fs from 'node:fs'
import { createHash } from 'node:crypto'
import type { RecordingKind } from '@shared/recording'
import { createRecordingFile } from '../../src/main/recording/files'
import type { RecordingLedger } from '../../src/main/recording/ledger'

export const REC_T0 = Date.UTC(2026, 10, 27, 9)

export function writeRecording(
  dir: string,
  ledger: RecordingLedger,
  content: Buffer,
  o: {
    pid?: number
    processStart?: number
    startedAt?: number
    kind?: RecordingKind
    durationSec?: number
  } = {},
): { id: number; file: string; path: string; sha256: string } {
  const startedAt = o.startedAt ?? REC_T0
  const kind = o.kind ?? 'ssh-cast'
  const f = createRecordingFile(dir, kind, startedAt)
  fs.writeSync(f.fd, content)
  fs.closeSync(f.fd)
  const sha256 = createHash('sha256').update(content).digest('hex')
  const id = ledger.begin({
    kind,
    file: f.file,
    pid: o.pid ?? null,
    processStart: o.processStart ?? null,
    startedAt,
    inputRecorded: false,
    title: 'ssh db1',
  })
  ledger.finish(id, {
    endedAt: startedAt + 1000,
    bytes: content.length,
    durationSec: o.durationSec ?? 1,
    sha256,
    status: 'complete',
    detail: null,
  })
  return { id, file: f.file, path: f.path, sha256 }
}
