import type Database from 'better-sqlite3'
import type { Settings } from '@shared/settings'
import { devicesTable } from './devices'
import { eventsTable } from './events'
import { launchesTable } from './launches'
import { recordingsTable } from './recordings'
import { resourcesTable } from './resources'
import { sessionsTable } from './sessions'
import { settingsTable } from './settings-table'
import { reviewTables } from './review-api'
import type { NewSession, SessionUpdate, StoreApi, TickResult } from './types'
import type { RecordingStart } from '../../recording/ledger'

export interface Tables {
  api: StoreApi
  /** whether the method writes (live.ts checks the file is still ours before every write) */
  writes(name: keyof StoreApi): boolean
}

/** Builds the store's methods over an open, migrated connection. Every statement is prepared here, once. */
export function createTables(db: Database.Database, now: () => number): Tables {
  const devices = devicesTable(db)
  const resources = resourcesTable(db, now)
  const sessions = sessionsTable(db)
  const events = eventsTable(db)
  const settings = settingsTable(db)
  const launches = launchesTable(db)
  const recordings = recordingsTable(db)

  const tick = db.transaction((created: NewSession[], updates: SessionUpdate[], at: number): TickResult => {
    const result: TickResult = { inserted: [], duplicates: [], ended: [] }
    for (const s of created) {
      const existingId = sessions.insert(s)
      if (existingId !== null) {
        result.duplicates.push({ key: s.key, existingId })
        continue
      }
      result.inserted.push(s.id)
      events.insert({ sessionId: s.id, at, kind: 'created', detail: null, actor: null })
      // a recorder that started the client (warden ssh) wrote its row before the engine saw the session
      recordings.matchSession(s.id, s.pid, s.processStart)
    }
    // In order, so a tick may say "idle" then "warned" for the same session.
    for (const u of updates) {
      switch (u.kind) {
        case 'touch':
          sessions.touch(u.id, u.lastSeen, u.lastActivity)
          break
        case 'status':
          if (sessions.setStatus(u.id, u.status, u.lastSeen, u.lastActivity)) {
            events.insert({ sessionId: u.id, at: u.at, kind: u.status, detail: null, actor: null })
          } else {
            // Same status (or another process changed it first): the readings still count.
            sessions.touch(u.id, u.lastSeen, u.lastActivity)
          }
          break
        case 'warned':
          if (sessions.warn(u.id, u.at)) {
            events.insert({ sessionId: u.id, at: u.at, kind: 'warned', detail: u.detail, actor: null })
          }
          break
        case 'end':
          if (sessions.end(u.id, u.at, u.reason, u.actor)) {
            events.insert({ sessionId: u.id, at: u.at, kind: 'ended', detail: u.reason, actor: u.actor })
            result.ended.push(u.id)
          }
          break
        case 'event':
          events.insert({ sessionId: u.id, at: u.at, kind: u.event, detail: u.detail, actor: u.actor })
          break
        case 'flag':
          sessions.addFlag(u.id, u.flag)
          break
      }
    }
    return result
  })

  const review = reviewTables(db)

  const purge = db.transaction((before: number): number => {
    // no cascade: a recording row would keep its session; the engine removes the files first
    // (purgeRecordings), so these are only rows begun since
    recordings.purgeBefore(before)
    review.purgeBefore(before)
    events.purgeBefore(before)
    return sessions.purgeBefore(before)
  })

  const purgeRecordings = db.transaction((before: number) => recordings.purgeBefore(before))
  // the check and the insert under one write lock: another process cannot begin in between
  const beginSole = db.transaction((start: RecordingStart) => recordings.beginSole(start))

  const setSetting = db.transaction(<K extends keyof Settings>(key: K, value: Settings[K]): Settings =>
    settings.set(key, value),
  )

  // The engine reads the open sessions, resources, launches and settings every tick. They are
  // served from memory while nothing was written: `PRAGMA data_version` changes when another
  // connection (the app beside the CLI) commits, and every write through this store bumps
  // `writes`.
  const dataVersion = db.prepare('PRAGMA data_version').pluck()
  let writes = 0
  const cache = new Map<string, { version: string; value: unknown }>()
  const cached = <T>(key: string, read: () => T): T => {
    const version = `${String(dataVersion.get())}:${String(writes)}`
    const hit = cache.get(key)
    if (hit?.version === version) return hit.value as T
    const value = read()
    cache.set(key, { version, value })
    return value
  }
  const writers = new Set<unknown>()
  const write = <A extends unknown[], R>(fn: (...a: A) => R): ((...a: A) => R) => {
    const wrapped = (...a: A): R => {
      writes++
      try {
        return fn(...a)
      } finally {
        writes++
      }
    }
    writers.add(wrapped)
    return wrapped
  }

  const api: StoreApi = {
    upsertDevice: write((d) => {
      devices.upsert(d)
    }),
    getDevice: (id) => devices.get(id),

    ensureResource: write((type, name, target) => resources.ensure(type, name, target)),
    addResource: write((r) => resources.add(r)),
    updateResourcePolicy: write((id, p) => resources.updatePolicy(id, p)),
    removeResource: write((id) => resources.remove(id)),
    setResourceDisplayName: write((id, text) => resources.setDisplayName(id, text)),
    listResources: (filter) =>
      filter === undefined ? cached('resources', () => resources.list()) : resources.list(filter),
    findResource: (nameOrId) => resources.find(nameOrId),

    // IMMEDIATE: take the write lock up front, so two writers queue on busy_timeout instead of one
    // failing with SQLITE_BUSY when it upgrades a read to a write.
    applyTick: write((created, updates, at) => tick.immediate(created, updates, at)),

    getSession: (id) => sessions.get(id),
    openSessions: () => cached('open', () => sessions.open()),
    seenLocation: (location) => sessions.seenLocation(location),
    history: (q) => sessions.history(q),
    events: (sessionId) => events.forSession(sessionId),

    requestEnd: write((id, reason, actor, at) => sessions.requestEnd(id, reason, actor, at)),
    pendingEnd: (id, now, maxAgeMs) => sessions.pendingEnd(id, now, maxAgeMs),
    clearEndRequest: write((id) => {
      sessions.clearEndRequest(id)
    }),

    addLaunch: write((l) => {
      launches.add(l)
    }),
    launches: () => cached('launches', () => launches.list()),
    removeLaunch: write((pid, processStart) => {
      launches.remove(pid, processStart)
    }),

    getSettings: () => cached('settings', () => settings.read()),
    setSetting: write((key, value) => setSetting.immediate(key, value)),

    purge: write((before) => purge.immediate(before)),

    beginRecording: write((start) => recordings.begin(start)),
    beginSoleRecording: write((start) => beginSole.immediate(start)),
    attachRecordingProcess: write((id, pid, processStart) => {
      recordings.attachProcess(id, pid, processStart)
    }),
    finishRecording: write((id, end) => recordings.finish(id, end)),
    listRecordings: (filter) => recordings.list(filter),
    getRecording: (id) => recordings.get(id),
    removeRecording: write((id) => recordings.remove(id)),
    purgeRecordings: write((before) => purgeRecordings.immediate(before)),
    recordingsBytes: () => cached('recordingsBytes', () => recordings.totalBytes()),
    recordingsOverCap: (maxBytes) => recordings.overCap(maxBytes),
    ...review.api(write),
  }
  return { api, writes: (name) => writers.has(api[name]) }
}

export function closeConnection(db: Database.Database): void {
  if (!db.open) return
  try {
    // Keeps the planner's statistics fresh (SQLite bounds the work); optional, so a busy file
    // (the other process writing) must not stop the close.
    db.pragma('optimize')
  } catch {
    // ignored: see above
  } finally {
    db.close()
  }
}
