// The recordings folder and its files: where they live, how they are opened, how they are checked.
// Plain Node (no Electron): `warden ssh` (the CLI), the engine and the desktop app's RDP recorder share it.
import { createHash, randomBytes } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import type { Recording, RecordingCheck, RecordingKind } from '@shared/recording'
import { RECORDING_FILE_RE } from '@shared/recording'

export const RECORDINGS_FOLDER = 'recordings'

/** The extension of a new file of each kind: asciicast v2, and WebM (what MediaRecorder writes). */
export type RecordingExt = 'cast' | 'webm' | 'mkv' | 'mp4'
const DEFAULT_EXT: Record<RecordingKind, RecordingExt> = { 'ssh-cast': 'cast', 'rdp-video': 'webm' }

/**
 * The recordings folder beside the database (the app-data folder of src/main/engine/store/paths.ts, or
 * the folder of WARDEN_DB), so a test's or a user's other database gets recordings of its own.
 */
export function recordingsDirOf(dbPath: string): string {
  return path.join(path.dirname(path.resolve(dbPath)), RECORDINGS_FOLDER)
}

/**
 * Creates the folder when missing and makes it 0700 (recordings hold whatever the screen or the
 * terminal showed). Refuses a path that is not a real directory (a symlink planted there is refused,
 * not followed). Returns the folder.
 */
export function recordingsDir(dataDir: string): string {
  const dir = path.join(dataDir, RECORDINGS_FOLDER)
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 })
  const st = fs.lstatSync(dir)
  if (!st.isDirectory()) throw new Error(`${dir} is not a folder; recordings are not written there`)
  // mkdir's mode is masked by the umask and does nothing to a folder that already existed
  if ((st.mode & 0o777) !== 0o700) fs.chmodSync(dir, 0o700)
  return dir
}

/** "20261127T090000Z-1a2b3c4d5e6f.cast": sorts by time; the random part keeps two at once apart. */
export function recordingFileName(kind: RecordingKind, startedAt: number, ext?: RecordingExt): string {
  const stamp = new Date(startedAt)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')
  return `${stamp}-${randomBytes(6).toString('hex')}.${ext ?? DEFAULT_EXT[kind]}`
}

export interface RecordingFile {
  /** the name the row keeps (inside the recordings folder) */
  file: string
  path: string
  /** open for writing; the caller closes it */
  fd: number
}

/**
 * A new, empty file in `dir`, named by the app, opened for writing with O_EXCL (an existing file or a
 * symlink at that name is never written through) and mode 0600.
 */
export function createRecordingFile(
  dir: string,
  kind: RecordingKind,
  startedAt: number,
  ext?: RecordingExt,
): RecordingFile {
  const { O_CREAT, O_EXCL, O_WRONLY } = fs.constants
  const file = recordingFileName(kind, startedAt, ext)
  const full = path.join(dir, file)
  const fd = fs.openSync(full, O_CREAT | O_EXCL | O_WRONLY, 0o600)
  try {
    fs.fchmodSync(fd, 0o600) // the umask may only have narrowed it; be exact
  } catch (e) {
    fs.closeSync(fd)
    throw e
  }
  return { file, path: full, fd }
}

/** The path of a row's file; refuses a name that is not one the app chose (never a path). */
export function recordingPath(dir: string, file: string): string {
  if (!RECORDING_FILE_RE.test(file)) throw new Error(`"${file.slice(0, 80)}" is not a recording file name`)
  return path.join(dir, file)
}

/** Opens a recording for reading without following a symlink put in its place. */
export function openRecordingForRead(full: string): number {
  // Windows has no O_NOFOLLOW (Node leaves it undefined there)
  const noFollow = (fs.constants as Partial<typeof fs.constants>).O_NOFOLLOW ?? 0
  return fs.openSync(full, fs.constants.O_RDONLY | noFollow)
}

/** sha256 (hex) and size of what an open file holds, read as a stream from its start. */
export async function sha256Fd(fd: number): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256')
  let bytes = 0
  const stream = fs.createReadStream('', { fd, autoClose: false, start: 0, highWaterMark: 1 << 20 })
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    hash.update(chunk)
    bytes += chunk.length
  }
  return { sha256: hash.digest('hex'), bytes }
}

/** sha256 (hex) of a file, streamed (a recording may be larger than memory). */
export async function sha256File(full: string): Promise<string> {
  const fd = openRecordingForRead(full)
  try {
    return (await sha256Fd(fd)).sha256
  } finally {
    fs.closeSync(fd)
  }
}

/** What identifies one state of a file: any write changes its size, mtime or ctime (ctime cannot be set back). */
export function fileState(st: fs.Stats): string {
  return `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`
}

/**
 * Checks a row's file against the row: `open` while it is still being written (no hash yet), `missing`
 * when the file is gone, `altered` when its size or sha256 differs from what was recorded when it closed
 * (tamper evidence), else `intact`. `state` is the file's state that was hashed (see fileState).
 */
export async function checkIntegrity(
  row: Pick<Recording, 'id' | 'file' | 'status' | 'bytes' | 'sha256'>,
  dir: string,
): Promise<RecordingCheck & { state: string | null }> {
  const at = (integrity: RecordingCheck['integrity'], detail: string, state: string | null = null) => ({
    id: row.id,
    integrity,
    detail,
    state,
  })
  if (row.status === 'recording' || row.sha256 === null)
    return at('open', 'still being recorded: its sha256 is computed when it closes')
  let fd: number
  try {
    fd = openRecordingForRead(recordingPath(dir, row.file))
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    if (code === 'ENOENT') return at('missing', `${row.file} is no longer in ${dir}`)
    if (code === 'ELOOP') return at('altered', `${row.file} was replaced by a symbolic link`)
    throw e
  }
  try {
    const before = fs.fstatSync(fd)
    if (before.size !== row.bytes)
      return at('altered', `${row.file} has ${before.size} bytes; ${row.bytes} were recorded`)
    const { sha256 } = await sha256Fd(fd)
    const state = fileState(fs.fstatSync(fd))
    if (state !== fileState(before)) return at('altered', `${row.file} changed while it was being checked`)
    if (sha256 !== row.sha256)
      return at('altered', `${row.file} does not match its recorded sha256 (found ${sha256.slice(0, 12)}…)`)
    return at('intact', `${row.file}: ${row.bytes} bytes, sha256 ${row.sha256}`, state)
  } finally {
    fs.closeSync(fd)
  }
}

/** Removes a recording's file; one already gone is not an error. */
export function removeRecordingFile(dir: string, file: string): void {
  try {
    fs.unlinkSync(recordingPath(dir, file))
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e
  }
}
