import type Database from 'better-sqlite3'

/**
 * Migration 5 (issue 13): the anomaly review's tables, each with one module of statements beside it
 * (exe-hashes.ts, reviews.ts, review-hits.ts, allow-list.ts, asn-ranges.ts). Times are ms since the epoch.
 */
export function migrateReview(db: Database.Database): void {
  db.exec(`
    -- A client binary's sha256, by the file's identity: hashed once per new binary, never per tick.
    CREATE TABLE exe_hashes (
      dev        INTEGER NOT NULL,
      ino        INTEGER NOT NULL,
      size       INTEGER NOT NULL,
      mtime_ms   INTEGER NOT NULL,
      path       TEXT NOT NULL,
      sha256     TEXT NOT NULL,
      first_seen INTEGER NOT NULL,
      PRIMARY KEY (dev, ino, size, mtime_ms)
    ) STRICT, WITHOUT ROWID;
    -- "a path seen before now has another hash"
    CREATE INDEX exe_hashes_path ON exe_hashes (path, first_seen);

    -- One review per session: its score, what became of it, and what the rules saw (ancestry with
    -- each exe's path, sha256 and argv; remote network) as JSON, for the evidence bundle after the
    -- processes are gone.
    CREATE TABLE reviews (
      session_id TEXT PRIMARY KEY REFERENCES sessions (id),
      at         INTEGER NOT NULL,
      score      INTEGER NOT NULL,
      state      TEXT NOT NULL CHECK (state IN ('flagged', 'clear', 'accepted', 'reported')),
      context    TEXT NOT NULL
    ) STRICT;
    CREATE INDEX reviews_state ON reviews (state, at);

    CREATE TABLE review_hits (
      session_id TEXT NOT NULL REFERENCES sessions (id),
      rule       TEXT NOT NULL,
      key        TEXT NOT NULL,
      reason     TEXT NOT NULL,
      weight     INTEGER NOT NULL,
      at         INTEGER NOT NULL,
      -- a notice was shown for it (alert fatigue: one per rule and key per 24 h)
      noticed    INTEGER NOT NULL DEFAULT 0 CHECK (noticed IN (0, 1)),
      PRIMARY KEY (session_id, rule, key)
    ) STRICT;
    CREATE INDEX review_hits_key ON review_hits (rule, key, at) WHERE noticed = 1;

    -- "Mark as expected"
    CREATE TABLE allow_list (
      rule     TEXT NOT NULL,
      key      TEXT NOT NULL,
      added_at INTEGER NOT NULL,
      note     TEXT NOT NULL,
      PRIMARY KEY (rule, key)
    ) STRICT;

    -- Network (ASN) ranges from @ip-location-db/asn, imported once. Addresses as 16-byte big-endian
    -- BLOBs (IPv4 mapped into ::ffff:0:0/96), so one memcmp order serves both families.
    CREATE TABLE asn_ranges (
      start BLOB PRIMARY KEY,
      end   BLOB NOT NULL,
      asn   INTEGER NOT NULL,
      org   TEXT NOT NULL
    ) STRICT, WITHOUT ROWID;
    CREATE TABLE asn_import (
      source TEXT PRIMARY KEY,
      rows   INTEGER NOT NULL,
      at     INTEGER NOT NULL
    ) STRICT;

    -- The learned rules read a type's history grouped by address and host: a covering index.
    CREATE INDEX sessions_resource_ip ON sessions (resource_id, ip_address, start_time);
  `)
}
