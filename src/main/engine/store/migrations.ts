import type Database from 'better-sqlite3'
import { StoreError } from './errors'
import { migrateReview } from './review-schema'

export type Migration = (db: Database.Database) => void

/**
 * Marks the file as ours in its header (https://www.sqlite.org/pragma.html#pragma_application_id), so
 * `--db` pointed at another program's database is refused instead of adopted. "Wrdn" in ASCII.
 */
export const APPLICATION_ID = 0x5772_646e

/** The tables of migration 1: how a file from before APPLICATION_ID is still recognised as ours. */
export const LEGACY_TABLES: readonly string[] = [
  'devices',
  'events',
  'launches',
  'resources',
  'sessions',
  'settings',
]

/**
 * Schema history: migrations[i] takes the database from user_version i to i + 1. Append only; never edit a
 * migration that has shipped.
 *
 * Times are integer ms since the epoch. Tables are STRICT so a wrong type is an error, not a silent cast.
 */
export const MIGRATIONS: readonly Migration[] = [
  (db) => {
    db.exec(`
      CREATE TABLE devices (
        id    TEXT PRIMARY KEY,
        name  TEXT NOT NULL,
        os    TEXT NOT NULL,
        model TEXT NOT NULL
      ) STRICT;

      -- NOCASE: host names are case-insensitive, and findResource looks names up case-insensitively.
      CREATE TABLE resources (
        id                   INTEGER PRIMARY KEY,
        name                 TEXT NOT NULL COLLATE NOCASE,
        type                 TEXT NOT NULL CHECK (type IN ('ssh', 'rdp', 'web')),
        target               TEXT NOT NULL,
        configured           INTEGER NOT NULL DEFAULT 0 CHECK (configured IN (0, 1)),
        idle_after_sec       INTEGER,
        warn_after_sec       INTEGER,
        disconnect_after_sec INTEGER,
        created_at           INTEGER NOT NULL,
        UNIQUE (type, name)
      ) STRICT;

      -- device_id has no foreign key: a session is recorded even before its device row is written.
      CREATE TABLE sessions (
        id             TEXT PRIMARY KEY,
        key            TEXT NOT NULL,
        resource_id    INTEGER NOT NULL REFERENCES resources (id),
        device_id      TEXT NOT NULL,
        start_time     INTEGER NOT NULL,
        last_activity  INTEGER NOT NULL,
        last_seen      INTEGER NOT NULL,
        status         TEXT NOT NULL CHECK (status IN ('active', 'idle', 'disconnected')),
        pid            INTEGER NOT NULL,
        process_start  INTEGER NOT NULL,
        exe            TEXT NOT NULL,
        client         TEXT NOT NULL,
        host           TEXT NOT NULL,
        user           TEXT,
        ip_address     TEXT NOT NULL,
        remote_port    INTEGER NOT NULL,
        local_address  TEXT NOT NULL,
        location       TEXT NOT NULL,
        flags          TEXT NOT NULL DEFAULT '[]', -- JSON array of SessionFlag
        endable        INTEGER NOT NULL CHECK (endable IN (0, 1)),
        end_time       INTEGER,
        end_reason     TEXT,
        ended_by       TEXT,
        warned_at      INTEGER,
        -- An end asked for but not yet seen through: whichever process (app or CLI) then sees the
        -- process gone records this cause instead of 'process-exit'.
        end_request_reason TEXT,
        end_request_actor  TEXT,
        end_request_at     INTEGER,
        -- "Disconnected is final": an ended row is exactly a row with an end time.
        CHECK ((status = 'disconnected') = (end_time IS NOT NULL))
      ) STRICT;

      -- The app and the CLI share this file and may both scan: one live session is recorded once.
      CREATE UNIQUE INDEX sessions_open_key ON sessions (key) WHERE end_time IS NULL;
      CREATE INDEX sessions_open ON sessions (start_time, id) WHERE end_time IS NULL;
      -- History is paged by start time, newest first; id breaks ties so the keyset is total.
      CREATE INDEX sessions_history ON sessions (start_time DESC, id DESC);
      CREATE INDEX sessions_ended ON sessions (end_time) WHERE end_time IS NOT NULL;
      -- Lets removeResource (and the foreign-key check on delete) avoid a full scan.
      CREATE INDEX sessions_resource ON sessions (resource_id);

      -- No ON DELETE CASCADE: only purge removes history, and it deletes events explicitly.
      CREATE TABLE events (
        id         INTEGER PRIMARY KEY,
        session_id TEXT NOT NULL REFERENCES sessions (id),
        at         INTEGER NOT NULL,
        kind       TEXT NOT NULL,
        detail     TEXT,
        actor      TEXT
      ) STRICT;
      CREATE INDEX events_session ON events (session_id, id);

      -- Browser processes Session Warden launched for a web resource; (pid, start time) is the identity.
      CREATE TABLE launches (
        pid           INTEGER NOT NULL,
        process_start INTEGER NOT NULL,
        resource_id   INTEGER NOT NULL REFERENCES resources (id),
        at            INTEGER NOT NULL,
        PRIMARY KEY (pid, process_start)
      ) STRICT;
      CREATE INDEX launches_resource ON launches (resource_id);

      CREATE TABLE settings (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL -- JSON
      ) STRICT;
    `)
  },
  // 2: "new location" flags ask whether a location was ever seen before; keep that an index probe
  (db) => {
    db.exec('CREATE INDEX sessions_location ON sessions (location)')
  },
  // 3: the header says whose file this is (set on every new file too, since migrations run on create)
  (db) => {
    db.pragma(`application_id = ${APPLICATION_ID}`)
  },
  // 4: session recordings (issue 12) and each resource's recording overrides (NULL = the global setting)
  (db) => {
    db.exec(`
      -- session_id is set once the engine has matched the recorded process (pid + process_start) to a
      -- session; a recording whose process was never tracked keeps NULL.
      CREATE TABLE recordings (
        id             INTEGER PRIMARY KEY,
        session_id     TEXT REFERENCES sessions (id),
        kind           TEXT NOT NULL CHECK (kind IN ('ssh-cast', 'rdp-video')),
        file           TEXT NOT NULL UNIQUE,
        pid            INTEGER,
        process_start  INTEGER,
        started_at     INTEGER NOT NULL,
        ended_at       INTEGER,
        bytes          INTEGER NOT NULL DEFAULT 0 CHECK (bytes >= 0),
        duration_ms    INTEGER NOT NULL DEFAULT 0 CHECK (duration_ms >= 0),
        sha256         TEXT,
        status         TEXT NOT NULL CHECK (status IN ('recording', 'complete', 'failed')),
        detail         TEXT,
        input_recorded INTEGER NOT NULL CHECK (input_recorded IN (0, 1)),
        title          TEXT NOT NULL,
        -- a closed recording has its end and its hash (tamper evidence); an open one has neither
        CHECK ((status = 'recording') = (ended_at IS NULL)),
        CHECK ((status = 'recording') = (sha256 IS NULL))
      ) STRICT;
      CREATE INDEX recordings_session ON recordings (session_id);
      CREATE INDEX recordings_process ON recordings (pid, process_start);
      -- the other way round: a recorder that learns its process after the session was seen finds it
      CREATE INDEX sessions_process ON sessions (pid, process_start);

      ALTER TABLE resources ADD COLUMN record INTEGER CHECK (record IN (0, 1));
      ALTER TABLE resources ADD COLUMN record_input INTEGER CHECK (record_input IN (0, 1));
    `)
  },
  // 5: anomaly review (issue 13), docs/architecture.md "Anomaly review"
  migrateReview,
  // 6: a display name for any resource (issue 15 part 3): shown instead of its name, which stays its key
  (db) => db.exec('ALTER TABLE resources ADD COLUMN display_name TEXT'),
]

export function userVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number
}

export function newerSchemaError(found: number, known: number, file: string): StoreError {
  return new StoreError(
    'NEWER_SCHEMA',
    `${file} was written by a newer version of Session Warden (schema ${found}; this version knows up to ` +
      `${known}). Update Session Warden, or point WARDEN_DB at another file. The file was not changed.`,
  )
}

/**
 * Brings the schema up to date, one migration per IMMEDIATE transaction together with its version bump,
 * so a crash leaves either the old or the new version, never half of one. The version is re-read inside
 * the write lock: when the app and the CLI open a fresh file at once, the second one finds the work done.
 */
export function migrate(db: Database.Database, migrations: readonly Migration[] = MIGRATIONS): number {
  const step = db.transaction((): boolean => {
    const v = userVersion(db)
    if (v > migrations.length) throw newerSchemaError(v, migrations.length, db.name)
    if (v < 0)
      throw new StoreError('BAD_SCHEMA', `${db.name} has schema version ${v}, which no version writes`)
    const m = migrations[v]
    if (m === undefined) return false
    m(db)
    // PRAGMA takes no bound parameters; v is an integer we computed.
    db.pragma(`user_version = ${v + 1}`)
    return true
  })
  while (step.immediate()) {
    // one migration per loop
  }
  return userVersion(db)
}
