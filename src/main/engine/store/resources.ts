import type Database from 'better-sqlite3'
import { checkWith, type Checked } from '@shared/check'
import type { ResourceType } from '@shared/model'
import { displayNameSchema, newResourceSchema } from '@shared/resource'
import { recordingPatchSchema, splitRecordingPatch, type RecordingPatch } from '@shared/recording'
import { newResourceAfter, policyAfter } from '@shared/rules'
import type { ResourcePolicy } from '@shared/settings'
import { StoreError } from './errors'
import { settingsTable } from './settings-table'
import type { ResourceRow } from './types'

interface ResourceDbRow {
  id: number
  name: string
  type: ResourceType
  target: string
  configured: number
  idle_after_sec: number | null
  warn_after_sec: number | null
  disconnect_after_sec: number | null
  created_at: number
  record: number | null
  record_input: number | null
  display_name: string | null
}

interface PolicyParams {
  id: number
  idle: number | null
  warn: number | null
  disconnect: number | null
  record: number | null
  recordInput: number | null
}

const COLUMNS =
  'id, name, type, target, configured, idle_after_sec, warn_after_sec, disconnect_after_sec, created_at, ' +
  'record, record_input, display_name'

/** NULL/0/1 in the database: null = the global setting (src/shared/recording.ts shouldRecord). */
function flag(v: number | null): boolean | null {
  return v === null ? null : v === 1
}

function flagColumn(v: boolean | null): number | null {
  return v === null ? null : v ? 1 : 0
}

function toRow(r: ResourceDbRow): ResourceRow {
  return {
    id: r.id,
    name: r.name,
    type: r.type,
    target: r.target,
    configured: r.configured === 1,
    idleAfterSec: r.idle_after_sec,
    warnAfterSec: r.warn_after_sec,
    disconnectAfterSec: r.disconnect_after_sec,
    createdAt: new Date(r.created_at).toISOString(),
    record: flag(r.record),
    recordInput: flag(r.record_input),
    displayName: r.display_name,
  }
}

function bad(reason: string): StoreError {
  return new StoreError('BAD_RESOURCE', reason)
}

/** The same rules as the engine's and IPC's (src/shared/resource.ts, src/shared/rules.ts). */
function must<T>(r: Checked<T>): T {
  if (!r.ok) throw bad(r.error)
  return r.value
}

/** A change of a resource's overrides: idle (src/shared/rules.ts) and recording (src/shared/recording.ts). */
export type ResourcePatch = Partial<ResourcePolicy> & RecordingPatch

/** Statements of the resources table, prepared once per connection. */
export function resourcesTable(db: Database.Database, now: () => number) {
  const byId = db.prepare<[number], ResourceDbRow>(`SELECT ${COLUMNS} FROM resources WHERE id = ?`)
  const byTypeName = db.prepare<[ResourceType, string], ResourceDbRow>(
    `SELECT ${COLUMNS} FROM resources WHERE type = ? AND name = ?`,
  )
  // Several types may share a name: prefer the one the user configured, then the oldest.
  const byName = db.prepare<[string], ResourceDbRow>(
    `SELECT ${COLUMNS} FROM resources WHERE name = ? ORDER BY configured DESC, id LIMIT 1`,
  )
  const list = db.prepare<{ type: ResourceType | null; configuredOnly: number }, ResourceDbRow>(
    `SELECT ${COLUMNS} FROM resources
     WHERE (@type IS NULL OR type = @type) AND (@configuredOnly = 0 OR configured = 1)
     ORDER BY type, name`,
  )
  const insertIfMissing = db.prepare<[string, ResourceType, string, number]>(
    `INSERT INTO resources (name, type, target, configured, created_at) VALUES (?, ?, ?, 0, ?)
     ON CONFLICT (type, name) DO NOTHING`,
  )
  const insertConfigured = db.prepare<[string, ResourceType, string, number]>(
    'INSERT INTO resources (name, type, target, configured, created_at) VALUES (?, ?, ?, 1, ?)',
  )
  const makeConfigured = db.prepare<[string, number]>(
    'UPDATE resources SET configured = 1, target = ? WHERE id = ?',
  )
  const setPolicy = db.prepare<PolicyParams>(
    `UPDATE resources SET idle_after_sec = @idle, warn_after_sec = @warn, disconnect_after_sec = @disconnect,
       record = @record, record_input = @recordInput
     WHERE id = @id`,
  )
  // Sessions (history) and live launches point at a resource: then it is unconfigured, never deleted.
  const referenced = db
    .prepare<{ id: number }, number>(
      `SELECT EXISTS (SELECT 1 FROM sessions WHERE resource_id = @id)
           OR EXISTS (SELECT 1 FROM launches WHERE resource_id = @id)`,
    )
    .pluck()
  const unconfigure = db.prepare<[number]>(
    `UPDATE resources SET configured = 0, idle_after_sec = NULL, warn_after_sec = NULL,
       disconnect_after_sec = NULL, record = NULL, record_input = NULL
     WHERE id = ?`,
  )
  const del = db.prepare<[number]>('DELETE FROM resources WHERE id = ?')
  const setDisplay = db.prepare<[string | null, number]>('UPDATE resources SET display_name = ? WHERE id = ?')
  // a display name finds its resource too (the rdp recorder looks a session's shown name up)
  const byDisplayName = db.prepare<[string], ResourceDbRow>(
    `SELECT ${COLUMNS} FROM resources WHERE display_name = ? ORDER BY configured DESC, id LIMIT 1`,
  )

  function get(id: number): ResourceRow | null {
    const r = byId.get(id)
    return r === undefined ? null : toRow(r)
  }

  function mustGet(id: number): ResourceRow {
    const r = get(id)
    if (r === null) throw new StoreError('NOT_FOUND', `no resource with id ${id}`)
    return r
  }

  // the global idle rules a resource's overrides fall back to, read inside the same write
  const settings = settingsTable(db)

  /**
   * Merges a partial policy (idle and recording overrides) over the current one, checked with the
   * rules it falls back to.
   */
  function applyPolicy(current: ResourceRow, p: ResourcePatch): void {
    const { rest, recording } = splitRecordingPatch(p)
    const next = must(policyAfter(settings.read(), current, rest))
    const rec = must(checkWith(recordingPatchSchema, recording))
    setPolicy.run({
      id: current.id,
      idle: next.idleAfterSec,
      warn: next.warnAfterSec,
      disconnect: next.disconnectAfterSec,
      record: flagColumn(rec.record !== undefined ? rec.record : current.record),
      recordInput: flagColumn(rec.recordInput !== undefined ? rec.recordInput : current.recordInput),
    })
  }

  const ensure = db.transaction((type: ResourceType, name: string, target: string): ResourceRow => {
    // INSERT … DO NOTHING then SELECT: safe when the app and the CLI record the same host at once.
    insertIfMissing.run(name, type, target, now())
    const r = byTypeName.get(type, name)
    if (r === undefined) throw new Error(`resource ${type}:${name} vanished while being recorded`)
    return toRow(r)
  })

  const add = db.transaction(
    (type: ResourceType, name: string, target: string, p: Partial<ResourcePolicy>): ResourceRow => {
      const existing = byTypeName.get(type, name)
      let id: number
      if (existing === undefined) {
        id = Number(insertConfigured.run(name, type, target, now()).lastInsertRowid)
      } else if (existing.configured === 1) {
        throw bad(`a ${type} resource named "${existing.name}" is already configured`)
      } else {
        // Recorded earlier from a live session: the user now adopts it, history and all.
        id = existing.id
        makeConfigured.run(target, id)
      }
      // Validates the policy; a bad value throws and the transaction undoes the insert or the flip.
      applyPolicy(mustGet(id), p)
      return mustGet(id)
    },
  )

  const updatePolicy = db.transaction((id: number, p: ResourcePatch): ResourceRow => {
    applyPolicy(mustGet(id), p)
    return mustGet(id)
  })

  const remove = db.transaction((id: number): boolean => {
    const r = byId.get(id)
    if (r === undefined) return false
    if (referenced.get({ id }) === 0) return del.run(id).changes === 1
    // Sessions keep pointing at it so history keeps its name; it just stops being configured.
    if (
      r.configured === 0 &&
      r.idle_after_sec === null &&
      r.warn_after_sec === null &&
      r.disconnect_after_sec === null &&
      r.record === null &&
      r.record_input === null
    ) {
      return false
    }
    unconfigure.run(id)
    return true
  })

  return {
    get,
    ensure(type: ResourceType, name: string, target: string): ResourceRow {
      const r = must(checkWith(newResourceSchema, { type, name, target }))
      return ensure.immediate(r.type, r.name, r.target)
    },
    add(input: { type: ResourceType; name: string; target: string } & Partial<ResourcePolicy>): ResourceRow {
      // the overrides are checked again in the write, over the row as it is then (it may be adopted)
      const { type, name, target, ...policy } = must(newResourceAfter(settings.read(), input))
      return add.immediate(type, name, target, policy)
    },
    updatePolicy(id: number, p: ResourcePatch): ResourceRow {
      return updatePolicy.immediate(id, p)
    },
    /** Sets (or, with '' or null, clears) the display name; bad input changes nothing. */
    setDisplayName(id: number, text: string | null): ResourceRow {
      const value = must(checkWith(displayNameSchema, text ?? ''))
      mustGet(id)
      setDisplay.run(value, id)
      return mustGet(id)
    },
    remove(id: number): boolean {
      return remove.immediate(id)
    },
    list(filter: { type?: ResourceType; configuredOnly?: boolean } = {}): ResourceRow[] {
      return list
        .all({ type: filter.type ?? null, configuredOnly: filter.configuredOnly === true ? 1 : 0 })
        .map(toRow)
    },
    find(nameOrId: string): ResourceRow | null {
      const q = nameOrId.trim()
      // A name wins over an id: the user typed what they see in the list, and `resources remove 1`
      // must not remove resource #1 when another resource is named "1". An id is the fallback.
      const named = byName.get(q)
      if (named !== undefined) return toRow(named)
      const shown = byDisplayName.get(q)
      if (shown !== undefined) return toRow(shown)
      return /^\d{1,15}$/.test(q) ? get(Number(q)) : null
    },
  }
}
