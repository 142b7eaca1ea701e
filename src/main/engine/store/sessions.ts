import type Database from 'better-sqlite3'
import { HISTORY_LIMIT } from '@shared/history'
import { END_REASONS, SESSION_FLAGS } from '@shared/model'
import type { EndReason, ResourceType, SessionFlag, SessionStatus } from '@shared/model'
import { StoreError } from './errors'
import { parseSessionRecording, SESSION_RECORDING_COLUMN } from './recordings'
import type { HistoryPage, HistoryQuery, NewSession, SessionRow } from './types'

export const DEFAULT_PAGE = HISTORY_LIMIT.default
export const MAX_PAGE = HISTORY_LIMIT.max

interface SessionDbRow {
  id: string
  key: string
  resource_id: number
  device_id: string
  start_time: number
  last_activity: number
  last_seen: number
  status: SessionStatus
  pid: number
  process_start: number
  exe: string
  client: string
  host: string
  user: string | null
  ip_address: string
  remote_port: number
  local_address: string
  location: string
  flags: string
  endable: number
  end_time: number | null
  end_reason: string | null
  ended_by: string | null
  warned_at: number | null
  end_request_reason: string | null
  end_request_actor: string | null
  end_request_at: number | null
  resource_name: string
  resource_display_name: string | null
  resource_type: ResourceType
  device_name: string
  recording: string | null
}

const SELECT = `
  SELECT s.*, r.name AS resource_name, r.display_name AS resource_display_name, r.type AS resource_type, coalesce(d.name, '') AS device_name,
    ${SESSION_RECORDING_COLUMN}
  FROM sessions s
  JOIN resources r ON r.id = s.resource_id
  LEFT JOIN devices d ON d.id = s.device_id`

function parseFlags(text: string): SessionFlag[] {
  try {
    const v: unknown = JSON.parse(text)
    if (!Array.isArray(v)) return []
    // A flag only a newer version knows is dropped rather than passed on untyped.
    return v.filter((f): f is SessionFlag => (SESSION_FLAGS as readonly unknown[]).includes(f))
  } catch {
    return []
  }
}

function asEndReason(v: string | null): EndReason | null {
  return (END_REASONS as readonly (string | null)[]).includes(v) ? (v as EndReason) : null
}

function toRow(r: SessionDbRow): SessionRow {
  return {
    id: r.id,
    key: r.key,
    resourceId: r.resource_id,
    deviceId: r.device_id,
    startTime: r.start_time,
    lastActivity: r.last_activity,
    lastSeen: r.last_seen,
    status: r.status,
    pid: r.pid,
    processStart: r.process_start,
    exe: r.exe,
    client: r.client,
    host: r.host,
    user: r.user,
    ipAddress: r.ip_address,
    remotePort: r.remote_port,
    localAddress: r.local_address,
    location: r.location,
    flags: parseFlags(r.flags),
    endable: r.endable === 1,
    resourceName: r.resource_name,
    resourceDisplayName: r.resource_display_name,
    resourceType: r.resource_type,
    deviceName: r.device_name,
    endTime: r.end_time,
    endReason: asEndReason(r.end_reason),
    endedBy: r.ended_by,
    warnedAt: r.warned_at,
    recording: parseSessionRecording(r.recording),
  }
}

// --- keyset cursor: opaque to callers, base64url of [start_time, id] of the last row shown ---

interface Cursor {
  t: number
  i: string
}

export function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify([c.t, c.i]), 'utf8').toString('base64url')
}

export function decodeCursor(s: string): Cursor {
  const fail = (): never => {
    throw new StoreError('BAD_CURSOR', 'the history cursor is not one this store returned')
  }
  // Node's base64 decoder skips junk silently; insist on the exact alphabet and a clean round trip.
  if (s.length === 0 || s.length > 1024 || !/^[A-Za-z0-9_-]+$/.test(s)) fail()
  const buf = Buffer.from(s, 'base64url')
  if (buf.toString('base64url') !== s) fail()
  let v: unknown
  try {
    v = JSON.parse(buf.toString('utf8'))
  } catch {
    return fail()
  }
  if (!Array.isArray(v) || v.length !== 2) return fail()
  const [t, i] = v as unknown[]
  if (typeof t !== 'number' || !Number.isSafeInteger(t) || typeof i !== 'string' || i === '') return fail()
  return { t, i }
}

/** LIKE pattern for "contains text", with the user's % _ and \ taken literally. */
export function likeContains(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`
}

interface HistoryParams {
  type?: ResourceType
  reason?: EndReason
  since?: number
  until?: number
  text?: string
  ct?: number
  ci?: string
  limit: number
}

/** Statements of the sessions table, prepared once per connection. */
export function sessionsTable(db: Database.Database) {
  const insert = db.prepare<Record<string, string | number | null>>(
    `INSERT INTO sessions (id, key, resource_id, device_id, start_time, last_activity, last_seen, status, pid,
       process_start, exe, client, host, user, ip_address, remote_port, local_address, location, flags, endable)
     VALUES (@id, @key, @resourceId, @deviceId, @startTime, @lastActivity, @lastSeen, @status, @pid,
       @processStart, @exe, @client, @host, @user, @ipAddress, @remotePort, @localAddress, @location, @flags,
       @endable)
     ON CONFLICT (key) WHERE end_time IS NULL DO NOTHING`,
  )
  const openIdByKey = db
    .prepare<[string], string>('SELECT id FROM sessions WHERE key = ? AND end_time IS NULL')
    .pluck()
  const byId = db.prepare<[string], SessionDbRow>(`${SELECT} WHERE s.id = ?`)
  const open = db.prepare<[], SessionDbRow>(`${SELECT} WHERE s.end_time IS NULL ORDER BY s.start_time, s.id`)

  // max(): the app and the CLI may both scan; a later writer with an older reading must not move time back.
  const touch = db.prepare<{ id: string; lastSeen: number; lastActivity: number }>(
    `UPDATE sessions SET last_seen = max(last_seen, @lastSeen), last_activity = max(last_activity, @lastActivity)
     WHERE id = @id AND end_time IS NULL`,
  )
  // Going active starts a new idle period later, so the next idle stretch may warn again.
  const setStatus = db.prepare<{
    id: string
    status: 'active' | 'idle'
    lastSeen: number
    lastActivity: number
  }>(
    `UPDATE sessions SET status = @status,
       last_seen = max(last_seen, @lastSeen), last_activity = max(last_activity, @lastActivity),
       warned_at = CASE WHEN @status = 'active' THEN NULL ELSE warned_at END
     WHERE id = @id AND end_time IS NULL AND status <> @status`,
  )
  const warn = db.prepare<{ id: string; at: number }>(
    'UPDATE sessions SET warned_at = @at WHERE id = @id AND end_time IS NULL AND warned_at IS NULL',
  )
  // max(): a clock step back must not give an ended session a negative duration.
  const end = db.prepare<{ id: string; at: number; reason: EndReason; actor: string }>(
    `UPDATE sessions SET status = 'disconnected', end_time = max(@at, start_time), end_reason = @reason,
       ended_by = @actor
     WHERE id = @id AND end_time IS NULL`,
  )
  const addFlag = db.prepare<{ id: string; flag: SessionFlag }>(
    `UPDATE sessions SET flags = json_insert(flags, '$[#]', @flag)
     WHERE id = @id AND end_time IS NULL AND NOT EXISTS (SELECT 1 FROM json_each(flags) WHERE value = @flag)`,
  )
  const seenLocation = db
    .prepare<[string], number>('SELECT 1 FROM sessions WHERE location = ? LIMIT 1')
    .pluck()
  const purge = db.prepare<[number]>('DELETE FROM sessions WHERE end_time IS NOT NULL AND end_time < ?')
  const requestEnd = db.prepare<{ id: string; reason: EndReason; actor: string; at: number }>(
    `UPDATE sessions SET end_request_reason = @reason, end_request_actor = @actor, end_request_at = @at
     WHERE id = @id AND end_time IS NULL`,
  )
  const pendingEnd = db.prepare<
    [string],
    Pick<SessionDbRow, 'end_request_reason' | 'end_request_actor' | 'end_request_at'>
  >(
    `SELECT end_request_reason, end_request_actor, end_request_at FROM sessions
     WHERE id = ? AND end_time IS NULL AND end_request_at IS NOT NULL`,
  )
  const clearEndRequest = db.prepare<[string]>(
    'UPDATE sessions SET end_request_reason = NULL, end_request_actor = NULL, end_request_at = NULL WHERE id = ?',
  )

  // One statement per combination of filters (at most 2^7), prepared on first use: optional filters
  // written as "(? IS NULL OR …)" would stop SQLite from using the index for the range and the keyset.
  const historyStatements = new Map<string, Database.Statement<HistoryParams, SessionDbRow>>()

  function historyStatement(
    p: HistoryParams,
    includeOpen: boolean,
  ): Database.Statement<HistoryParams, SessionDbRow> {
    const where: string[] = []
    if (!includeOpen) where.push('s.end_time IS NOT NULL')
    if (p.type !== undefined) where.push('r.type = @type')
    if (p.reason !== undefined) where.push('s.end_reason = @reason')
    if (p.since !== undefined) where.push('s.start_time >= @since')
    if (p.until !== undefined) where.push('s.start_time < @until')
    if (p.text !== undefined) {
      where.push(
        `(r.name LIKE @text ESCAPE '\\' OR r.display_name LIKE @text ESCAPE '\\' OR s.host LIKE @text ESCAPE '\\' OR s.ip_address LIKE @text ESCAPE '\\'` +
          ` OR s.location LIKE @text ESCAPE '\\')`,
      )
    }
    if (p.ct !== undefined) where.push('(s.start_time, s.id) < (@ct, @ci)')
    const shape = where.join(' AND ')
    let stmt = historyStatements.get(shape)
    if (stmt === undefined) {
      // "sessions s CROSS JOIN …" keeps sessions the outer loop, walking sessions_history in page order
      // and stopping after one page, instead of visiting every session of a type and sorting them.
      const sql = `
        SELECT s.*, r.name AS resource_name, r.display_name AS resource_display_name, r.type AS resource_type, coalesce(d.name, '') AS device_name,
          ${SESSION_RECORDING_COLUMN}
        FROM sessions s
        CROSS JOIN resources r ON r.id = s.resource_id
        LEFT JOIN devices d ON d.id = s.device_id
        ${shape === '' ? '' : `WHERE ${shape}`}
        ORDER BY s.start_time DESC, s.id DESC
        LIMIT @limit`
      stmt = db.prepare<HistoryParams, SessionDbRow>(sql)
      historyStatements.set(shape, stmt)
    }
    return stmt
  }

  return {
    /** inserts unless the key is already open; returns null when inserted, else the open row's id */
    insert(s: NewSession): string | null {
      const r = insert.run({
        id: s.id,
        key: s.key,
        resourceId: s.resourceId,
        deviceId: s.deviceId,
        startTime: s.startTime,
        lastActivity: s.lastActivity,
        lastSeen: s.lastSeen,
        status: s.status,
        pid: s.pid,
        processStart: s.processStart,
        exe: s.exe,
        client: s.client,
        host: s.host,
        user: s.user,
        ipAddress: s.ipAddress,
        remotePort: s.remotePort,
        localAddress: s.localAddress,
        location: s.location,
        flags: JSON.stringify(s.flags),
        endable: s.endable ? 1 : 0,
      })
      if (r.changes === 1) return null
      const existing = openIdByKey.get(s.key)
      if (existing === undefined) throw new Error(`session key ${s.key} conflicted but no open row holds it`)
      return existing
    },
    get(id: string): SessionRow | null {
      const r = byId.get(id)
      return r === undefined ? null : toRow(r)
    },
    open(): SessionRow[] {
      return open.all().map(toRow)
    },
    touch(id: string, lastSeen: number, lastActivity: number): boolean {
      return touch.run({ id, lastSeen, lastActivity }).changes === 1
    },
    setStatus(id: string, status: 'active' | 'idle', lastSeen: number, lastActivity: number): boolean {
      return setStatus.run({ id, status, lastSeen, lastActivity }).changes === 1
    },
    warn(id: string, at: number): boolean {
      return warn.run({ id, at }).changes === 1
    },
    seenLocation(location: string): boolean {
      return seenLocation.get(location) !== undefined
    },
    addFlag(id: string, flag: SessionFlag): boolean {
      return addFlag.run({ id, flag }).changes === 1
    },
    end(id: string, at: number, reason: EndReason, actor: string): boolean {
      return end.run({ id, at, reason, actor }).changes === 1
    },
    requestEnd(id: string, reason: EndReason, actor: string, at: number): boolean {
      return requestEnd.run({ id, reason, actor, at }).changes === 1
    },
    pendingEnd(
      id: string,
      now: number,
      maxAgeMs: number,
    ): { reason: EndReason; actor: string; at: number } | null {
      const r = pendingEnd.get(id)
      if (r === undefined || r.end_request_at === null || r.end_request_actor === null) return null
      const reason = asEndReason(r.end_request_reason)
      // A request left by a run that died mid-end must not relabel an exit much later.
      if (reason === null || now - r.end_request_at > maxAgeMs) return null
      return { reason, actor: r.end_request_actor, at: r.end_request_at }
    },
    clearEndRequest(id: string): void {
      clearEndRequest.run(id)
    },
    purgeBefore(before: number): number {
      return purge.run(before).changes
    },
    history(q: HistoryQuery): HistoryPage {
      const limit = clampLimit(q.limit)
      const p: HistoryParams = { limit: limit + 1 }
      if (q.type !== undefined) p.type = q.type
      if (q.reason !== undefined) p.reason = q.reason
      if (q.since !== undefined) p.since = q.since
      if (q.until !== undefined) p.until = q.until
      if (q.text !== undefined && q.text !== '') p.text = likeContains(q.text)
      if (q.cursor !== undefined) {
        const c = decodeCursor(q.cursor)
        p.ct = c.t
        p.ci = c.i
      }
      // One row more than asked tells whether another page exists without a COUNT.
      const rows = historyStatement(p, q.includeOpen === true).all(p)
      const more = rows.length > limit
      const page = more ? rows.slice(0, limit) : rows
      const last = page[page.length - 1]
      return {
        rows: page.map(toRow),
        nextCursor: more && last !== undefined ? encodeCursor({ t: last.start_time, i: last.id }) : null,
      }
    },
  }
}

function clampLimit(limit: number | undefined): number {
  if (limit === undefined || !Number.isFinite(limit)) return DEFAULT_PAGE
  return Math.min(MAX_PAGE, Math.max(1, Math.floor(limit)))
}
