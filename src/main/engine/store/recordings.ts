import type Database from 'better-sqlite3'
import { z } from 'zod'
import { checkWith } from '@shared/check'
import {
  RECORDING_KINDS,
  recordingFileSchema,
  recordingIdSchema,
  type Recording,
  type RecordingKind,
  type RecordingStatus,
  type SessionRecording,
} from '@shared/recording'
import type { RecordingEnd, RecordingStart } from '../../recording/ledger'
import { StoreError } from './errors'

interface RecordingDbRow {
  id: number
  session_id: string | null
  kind: RecordingKind
  file: string
  pid: number | null
  process_start: number | null
  started_at: number
  ended_at: number | null
  bytes: number
  duration_ms: number
  sha256: string | null
  status: RecordingStatus
  detail: string | null
  input_recorded: number
  title: string
}

const COLUMNS = `id, session_id, kind, file, pid, process_start, started_at, ended_at, bytes, duration_ms,
  sha256, status, detail, input_recorded, title`

/**
 * The column a session row carries about its recording (the latest, when a session has several), as
 * JSON: sessions.ts selects it beside the session's own columns and parses it with parseSessionRecording.
 */
export const SESSION_RECORDING_COLUMN = `(SELECT json_object('id', rc.id, 'kind', rc.kind, 'status', rc.status)
    FROM recordings rc WHERE rc.session_id = s.id ORDER BY rc.id DESC LIMIT 1) AS recording`

export function parseSessionRecording(text: string | null): SessionRecording | null {
  if (text === null) return null
  const v = JSON.parse(text) as SessionRecording
  return { id: v.id, kind: v.kind, status: v.status }
}

function toRecording(r: RecordingDbRow): Recording {
  return {
    id: r.id,
    sessionId: r.session_id,
    kind: r.kind,
    file: r.file,
    pid: r.pid,
    processStart: r.process_start,
    startedAt: new Date(r.started_at).toISOString(),
    endedAt: r.ended_at === null ? null : new Date(r.ended_at).toISOString(),
    bytes: r.bytes,
    durationSec: r.duration_ms / 1000,
    sha256: r.sha256,
    status: r.status,
    detail: r.detail,
    inputRecorded: r.input_recorded === 1,
    title: r.title,
  }
}

const ms = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER)
const pid = z
  .number()
  .int()
  .min(1)
  .max(2 ** 32)
/** What a recorder may write: checked here, the one gate every recorder's row passes. */
const startSchema = z
  .object({
    kind: z.enum(RECORDING_KINDS),
    file: recordingFileSchema,
    pid: pid.nullable(),
    processStart: ms.nullable(),
    startedAt: ms,
    inputRecorded: z.boolean(),
    title: z.string().max(2000),
  })
  .strict()
  .refine((s) => (s.pid === null) === (s.processStart === null), 'pid and processStart come together')
const endSchema = z
  .object({
    endedAt: ms,
    bytes: ms,
    durationSec: z
      .number()
      .min(0)
      .max(Number.MAX_SAFE_INTEGER / 1000),
    sha256: z.string().regex(/^[0-9a-f]{64}$/, 'sha256 is 64 lower-case hex characters'),
    status: z.enum(['complete', 'failed']),
    detail: z.string().max(2000).nullable(),
  })
  .strict()

function must<T>(r: { ok: true; value: T } | { ok: false; error: string }): T {
  if (!r.ok) throw new StoreError('BAD_RECORDING', r.error)
  return r.value
}

/** Statements of the recordings table, prepared once per connection. */
export function recordingsTable(db: Database.Database) {
  const insert = db.prepare<Record<string, string | number | null>>(
    `INSERT INTO recordings (kind, file, pid, process_start, started_at, status, input_recorded, title)
     VALUES (@kind, @file, @pid, @processStart, @startedAt, 'recording', @inputRecorded, @title)`,
  )
  const setProcess = db.prepare<{ id: number; pid: number; processStart: number }>(
    'UPDATE recordings SET pid = @pid, process_start = @processStart WHERE id = @id',
  )
  // The latest session of that process: one client process is one session (a shared Remmina process
  // holds several; its window's recording goes with the newest).
  const matchById = db.prepare<[number]>(
    `UPDATE recordings SET session_id = (
       SELECT s.id FROM sessions s WHERE s.pid = recordings.pid AND s.process_start = recordings.process_start
       ORDER BY s.start_time DESC, s.id DESC LIMIT 1)
     WHERE id = ? AND session_id IS NULL AND pid IS NOT NULL`,
  )
  const matchSession = db.prepare<{ id: string; pid: number; processStart: number }>(
    `UPDATE recordings SET session_id = @id
     WHERE session_id IS NULL AND pid = @pid AND process_start = @processStart`,
  )
  const finish = db.prepare<Record<string, string | number | null>>(
    `UPDATE recordings SET ended_at = @endedAt, bytes = @bytes, duration_ms = @durationMs, sha256 = @sha256,
       status = @status, detail = @detail
     WHERE id = @id AND status = 'recording'`,
  )
  const openOfProcess = db
    .prepare<{ kind: string; pid: number; processStart: number }, number>(
      `SELECT id FROM recordings
       WHERE status = 'recording' AND kind = @kind AND pid = @pid AND process_start = @processStart LIMIT 1`,
    )
    .pluck()
  const byId = db.prepare<[number], RecordingDbRow>(`SELECT ${COLUMNS} FROM recordings WHERE id = ?`)
  const all = db.prepare<[], RecordingDbRow>(
    `SELECT ${COLUMNS} FROM recordings ORDER BY started_at DESC, id DESC`,
  )
  const bySession = db.prepare<[string], RecordingDbRow>(
    `SELECT ${COLUMNS} FROM recordings WHERE session_id = ? ORDER BY started_at DESC, id DESC`,
  )
  const del = db.prepare<[number]>('DELETE FROM recordings WHERE id = ?')
  // Retention: with their session when it is purged; one never matched to a session by its own end.
  const expired = db.prepare<{ before: number }, RecordingDbRow>(
    `SELECT ${COLUMNS} FROM recordings r WHERE
       (r.session_id IS NULL AND r.ended_at IS NOT NULL AND r.ended_at < @before)
       OR r.session_id IN (SELECT id FROM sessions WHERE end_time IS NOT NULL AND end_time < @before)
     ORDER BY r.id`,
  )
  const total = db.prepare<[], number>('SELECT coalesce(sum(bytes), 0) FROM recordings').pluck()
  // Oldest first; one still being written is never removed (its recorder holds the file open).
  const closedOldestFirst = db.prepare<[], RecordingDbRow>(
    `SELECT ${COLUMNS} FROM recordings WHERE status <> 'recording' ORDER BY started_at, id`,
  )

  function get(id: number): Recording | null {
    const r = byId.get(id)
    return r === undefined ? null : toRecording(r)
  }

  function mustGet(id: number): Recording {
    const r = get(id)
    if (r === null) throw new StoreError('NOT_FOUND', `no recording with id ${id}`)
    return r
  }

  function begin(start: RecordingStart): number {
    const s = must(checkWith(startSchema, start))
    const id = Number(
      insert.run({ ...s, inputRecorded: s.inputRecorded ? 1 : 0, title: s.title }).lastInsertRowid,
    )
    matchById.run(id)
    return id
  }

  return {
    get,
    begin,
    /**
     * begin, unless a recording of this kind is open for the same process (pid + start): then null. Run in
     * one IMMEDIATE transaction (store.ts beginSoleRecording), so of two engines on one database (the
     * app and `warden watch`) only one records a session.
     */
    beginSole(start: RecordingStart): number | null {
      const s = must(checkWith(startSchema, start))
      if (s.pid !== null && s.processStart !== null) {
        const open = openOfProcess.get({ kind: s.kind, pid: s.pid, processStart: s.processStart })
        if (open !== undefined) return null
      }
      return begin(s)
    },
    attachProcess(id: number, p: number, processStart: number): void {
      must(checkWith(recordingIdSchema, id))
      must(checkWith(pid, p))
      must(checkWith(ms, processStart))
      if (setProcess.run({ id, pid: p, processStart }).changes === 0)
        throw new StoreError('NOT_FOUND', `no recording with id ${id}`)
      matchById.run(id)
    },
    finish(id: number, end: RecordingEnd): Recording {
      must(checkWith(recordingIdSchema, id))
      const e = must(checkWith(endSchema, end))
      const changed = finish.run({
        id,
        endedAt: e.endedAt,
        bytes: e.bytes,
        durationMs: Math.round(e.durationSec * 1000),
        sha256: e.sha256,
        status: e.status,
        detail: e.detail,
      }).changes
      const row = mustGet(id)
      if (changed === 0) throw new StoreError('BAD_RECORDING', `recording ${id} was already closed`)
      return row
    },
    /** a session just recorded: the recordings of its process begun before it was seen are now its own */
    matchSession(id: string, p: number, processStart: number): void {
      matchSession.run({ id, pid: p, processStart })
    },
    list(filter: { sessionId?: string } = {}): Recording[] {
      const rows = filter.sessionId === undefined ? all.all() : bySession.all(filter.sessionId)
      return rows.map(toRecording)
    },
    remove(id: number): boolean {
      return del.run(id).changes === 1
    },
    /** the rows retention removes at `before` (see purge in store.ts), deleted; their files are the caller's */
    purgeBefore(before: number): Recording[] {
      const rows = expired.all({ before }).map(toRecording)
      for (const r of rows) del.run(r.id)
      return rows
    },
    totalBytes(): number {
      return total.get() ?? 0
    },
    /** the closed recordings to remove, oldest first, for the total to fit in maxBytes */
    overCap(maxBytes: number): Recording[] {
      let over = (total.get() ?? 0) - maxBytes
      const out: Recording[] = []
      if (over <= 0) return out
      for (const r of closedOldestFirst.iterate()) {
        out.push(toRecording(r))
        over -= r.bytes
        if (over <= 0) break
      }
      return out
    },
  }
}
