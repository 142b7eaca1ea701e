import fs from 'node:fs'
import path from 'node:path'
import { createHash } from 'node:crypto'
import {
  RECORDING_CHUNK_MAX,
  recordingIdSchema,
  type Recording,
  type RecordingCheck,
  type RecordingChunk,
  recordingsTrimmedText,
} from '@shared/recording'
import {
  checkIntegrity,
  fileState,
  openRecordingForRead,
  recordingPath,
  recordingsDir,
  removeRecordingFile,
} from '../recording/files'
import type { RecordingLedger } from '../recording/ledger'
import { createStoreLedger } from '../recording/store-ledger'
import { checkSessionId, EngineError } from './errors'
import type { Store } from './store/types'

const MB = 1024 * 1024

/** The size cap removed recordings (oldest first): the change feed announces it as a notice. */
export interface RecordingsTrimmed {
  /** ms since the epoch */
  at: number
  removed: Recording[]
  /** the cap (setting recordingsMaxMb) and the total after removing them */
  maxMb: number
  totalBytes: number
  /** one line for the user (recordingsTrimmedText's body, src/shared/recording.ts) */
  message: string
}

/**
 * The engine's room for recordings (issue 12): the folder beside the database, the ledger the
 * in-process recorders write through, and reading a recording only while it is intact. An altered or
 * missing file is refused, never served as if intact: the first chunk is read after a full sha256 check,
 * each later one only while the file is still in the state that was hashed (size, mtime, ctime: any
 * write changes them, and ctime cannot be set back). Retention and the size cap remove files with rows.
 */
export class EngineRecordings {
  /** recording id → the file state that hashed intact */
  private readonly verified = new Map<number, string>()
  private folder: string | null = null
  readonly ledger: RecordingLedger

  constructor(
    private readonly store: Store,
    /** the folder the database is in (null for an in-memory database: no recordings folder) */
    private readonly dataDir: string | null,
  ) {
    this.ledger = createStoreLedger(store)
  }

  /** The recordings folder, created 0700 on first use. */
  get dir(): string {
    if (this.dataDir === null)
      throw new EngineError('RECORDING_UNAVAILABLE', 'an in-memory database has no recordings folder')
    this.folder ??= recordingsDir(this.dataDir)
    return this.folder
  }

  /** Newest first; one session's only when sessionId is given. */
  list(sessionId?: string): Recording[] {
    if (sessionId !== undefined) checkSessionId(sessionId)
    return this.store.listRecordings(sessionId === undefined ? {} : { sessionId })
  }

  get(id: number): Recording {
    if (!recordingIdSchema.safeParse(id).success)
      throw new EngineError(
        'BAD_ID',
        `invalid recording id ${JSON.stringify(id)} (expected a whole number from 1)`,
      )
    const row = this.store.getRecording(id)
    if (row === null) throw new EngineError('UNKNOWN_RECORDING', `no recording with id ${id}`)
    return row
  }

  /** A row by an id the engine itself holds (no checks): null when it is gone. */
  find(id: number): Recording | null {
    return this.store.getRecording(id)
  }

  /** Checks the file against its row (size and sha256): intact, altered, missing, or open. */
  async verify(id: number): Promise<RecordingCheck> {
    const { state, ...check } = await checkIntegrity(this.get(id), this.dir)
    if (state === null) this.verified.delete(id)
    else this.verified.set(id, state)
    return check
  }

  /** One chunk (at most RECORDING_CHUNK_MAX bytes) of an intact recording, from `offset`. */
  async read(id: number, offset: number): Promise<RecordingChunk> {
    if (!Number.isSafeInteger(offset) || offset < 0)
      throw new EngineError(
        'BAD_QUERY',
        `invalid offset ${JSON.stringify(offset)} (a whole number of bytes from 0)`,
      )
    const row = this.get(id)
    const fd = await this.openIntact(row)
    try {
      const total = row.bytes
      if (offset > total)
        throw new EngineError(
          'BAD_QUERY',
          `offset ${offset} is past the end of recording ${id} (${total} bytes)`,
        )
      const buf = Buffer.alloc(Math.min(RECORDING_CHUNK_MAX, total - offset))
      let got = 0
      while (got < buf.length) {
        const n = fs.readSync(fd, buf, got, buf.length - got, offset + got)
        if (n === 0) break
        got += n
      }
      // written to while being read: what was read is not vouched for
      if (got !== buf.length || fileState(fs.fstatSync(fd)) !== this.verified.get(id))
        throw unavailable(row, 'altered', `${row.file} changed while it was being read`)
      return { id, offset, data: buf.toString('base64'), total, done: offset + got >= total }
    } finally {
      fs.closeSync(fd)
    }
  }

  /**
   * Copies an intact recording into `destDir` under its own name (never over an existing file), checking
   * the copy's sha256 against the row; a copy that does not match is removed. Returns the copy's path.
   */
  async exportTo(id: number, destDir: string): Promise<{ path: string; bytes: number; sha256: string }> {
    const row = this.get(id)
    const dest = path.join(path.resolve(destDir), row.file)
    if (!fs.statSync(destDir, { throwIfNoEntry: false })?.isDirectory())
      throw new EngineError('BAD_DESTINATION', `${destDir} is not a folder`)
    const fd = await this.openIntact(row)
    let out: number
    try {
      out = fs.openSync(dest, fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_WRONLY, 0o600)
    } catch (e) {
      fs.closeSync(fd)
      const code = (e as NodeJS.ErrnoException).code
      throw new EngineError(
        'BAD_DESTINATION',
        `${dest}: ${code === 'EEXIST' ? 'already exists; not overwritten' : String(code)}`,
      )
    }
    const copied = copyHashing(fd, out)
    fs.closeSync(out)
    fs.closeSync(fd)
    if (copied.sha256 !== row.sha256 || copied.bytes !== row.bytes) {
      fs.rmSync(dest, { force: true })
      throw unavailable(row, 'altered', `${row.file} changed while it was being copied; the copy was removed`)
    }
    return { path: dest, bytes: copied.bytes, sha256: copied.sha256 }
  }

  /** A read-only descriptor of the file in the state that hashed intact (hashing again when it changed). */
  private async openIntact(row: Recording): Promise<number> {
    if (row.status === 'recording') throw unavailable(row, 'open', 'it is still being recorded')
    let fd: number
    try {
      fd = openRecordingForRead(recordingPath(this.dir, row.file))
    } catch {
      const check = await this.verify(row.id)
      throw unavailable(row, check.integrity, check.detail)
    }
    if (fileState(fs.fstatSync(fd)) === this.verified.get(row.id)) return fd
    const check = await this.verify(row.id)
    if (check.integrity === 'intact' && fileState(fs.fstatSync(fd)) === this.verified.get(row.id)) return fd
    fs.closeSync(fd)
    throw unavailable(row, check.integrity === 'intact' ? 'altered' : check.integrity, check.detail)
  }

  /**
   * Retention: the recordings of the sessions purged at `before` (and unmatched ones that ended before
   * it) lose their rows, then their files. Call before store.purge(before).
   */
  purge(before: number): Recording[] {
    if (this.dataDir === null) return []
    const rows = this.store.purgeRecordings(before)
    for (const r of rows) this.removeFile(r)
    return rows
  }

  /** The size cap: over recordingsMaxMb, the oldest closed recordings go (file, then row). */
  trim(maxMb: number, now: number): RecordingsTrimmed | null {
    if (this.dataDir === null || this.store.recordingsBytes() <= maxMb * MB) return null
    const removed = this.store.recordingsOverCap(maxMb * MB)
    for (const r of removed) {
      this.removeFile(r)
      this.store.removeRecording(r.id)
    }
    if (removed.length === 0) return null
    const totalBytes = this.store.recordingsBytes()
    const message = recordingsTrimmedText({ removed, maxMb, totalBytes }).body
    return { at: now, removed, maxMb, totalBytes, message }
  }

  private removeFile(r: Recording): void {
    this.verified.delete(r.id)
    removeRecordingFile(this.dir, r.file)
  }
}

function unavailable(row: Recording, integrity: string, detail: string): EngineError {
  return new EngineError(
    'RECORDING_UNAVAILABLE',
    `recording ${row.id} is ${integrity} and is not served: ${detail}`,
  )
}

/** Copies from one descriptor to another in 1 MiB steps, hashing what was copied. */
function copyHashing(from: number, to: number): { sha256: string; bytes: number } {
  const hash = createHash('sha256')
  const buf = Buffer.alloc(1 << 20)
  let bytes = 0
  for (;;) {
    const n = fs.readSync(from, buf, 0, buf.length, bytes)
    if (n === 0) break
    hash.update(buf.subarray(0, n))
    let written = 0
    while (written < n) written += fs.writeSync(to, buf, written, n - written)
    bytes += n
  }
  return { sha256: hash.digest('hex'), bytes }
}
