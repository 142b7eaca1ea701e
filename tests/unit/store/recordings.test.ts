import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { MIGRATIONS } from '@engine/store'
import type { Store } from '@engine/store'
import { migrate, userVersion } from '@engine/store/migrations'
import type { RecordingStart } from '../../../src/main/recording/ledger'
import { createStoreLedger } from '../../../src/main/recording/store-ledger'
import { newSession, storeErrorCode as storeCode, useTempDir } from './helpers'

// The recordings table (migration 4) and the resources' recording overrides, on a real SQLite file.

const t = useTempDir()
const HASH = 'a'.repeat(64)
/** when helpers.ts's sessions start */
const T = 1_700_000_000_000
let n = 0

function start(o: Partial<RecordingStart> = {}): RecordingStart {
  n++
  return {
    kind: 'ssh-cast',
    file: `20261127T090000Z-${String(n).padStart(12, '0')}.cast`,
    pid: null,
    processStart: null,
    startedAt: 1_700_000_000_000 + n,
    inputRecorded: false,
    title: 'ssh alice@db1',
    ...o,
  }
}

function end(bytes: number, endedAt = 1_700_000_100_000) {
  return { endedAt, bytes, durationSec: 1.5, sha256: HASH, status: 'complete' as const, detail: null }
}

function sessionWithProcess(s: Store, id: string, pid: number, processStart: number): void {
  const r = s.ensureResource('ssh', 'db1', 'db1.example.com')
  s.applyTick([newSession(r.id, { id, pid, processStart })], [], 1)
}

describe('migration 4', () => {
  it('takes a version 3 file through 4 to the latest and keeps every row; overrides start as the global setting', () => {
    const raw = new Database(t.db())
    migrate(raw, MIGRATIONS.slice(0, 3))
    expect(userVersion(raw)).toBe(3)
    raw.exec(`INSERT INTO resources (id, name, type, target, configured, idle_after_sec, created_at)
              VALUES (1, 'db1', 'ssh', 'db1.example.com', 1, 120, 5)`)
    raw.close()
    const before = openStoreAt3Rows()
    const s = t.open()
    expect(s.listResources()).toEqual([expect.objectContaining({ id: 1, idleAfterSec: 120, record: null })])
    expect(s.getSession('old-session')?.resourceName).toBe('db1')
    expect(s.events('old-session').length).toBe(before)
    expect(s.listRecordings()).toEqual([])
    s.close()
    const check = new Database(t.db(), { readonly: true })
    expect(userVersion(check)).toBe(MIGRATIONS.length)
    check.close()
  })
})

/** A session and its event written into the v3 file with SQL of that version; returns the event count. */
function openStoreAt3Rows(): number {
  const raw = new Database(t.db())
  raw.exec(`INSERT INTO sessions (id, key, resource_id, device_id, start_time, last_activity, last_seen, status,
      pid, process_start, exe, client, host, ip_address, remote_port, local_address, location, endable)
    VALUES ('old-session', 'k', 1, 'd', 1, 1, 1, 'active', 10, 11, '/usr/bin/ssh', 'ssh', 'db1',
      '192.0.2.1', 22, '10.0.0.1', 'Berlin, DE', 1)`)
  raw.exec(`INSERT INTO events (session_id, at, kind) VALUES ('old-session', 1, 'created')`)
  raw.close()
  return 1
}

describe('recording rows', () => {
  it('begin, attach and finish through the ledger; list and get read them back', () => {
    const s = t.open()
    const ledger = createStoreLedger(s)
    const id = ledger.begin(start({ inputRecorded: true }))
    expect(s.getRecording(id)).toMatchObject({ status: 'recording', sha256: null, endedAt: null, pid: null })
    ledger.attachProcess(id, 4321, 1_700_000_000_500)
    const done = ledger.finish(id, end(2048))
    expect(done).toMatchObject({
      id,
      sessionId: null,
      kind: 'ssh-cast',
      pid: 4321,
      processStart: 1_700_000_000_500,
      bytes: 2048,
      durationSec: 1.5,
      sha256: HASH,
      status: 'complete',
      inputRecorded: true,
      title: 'ssh alice@db1',
      endedAt: new Date(1_700_000_100_000).toISOString(),
    })
    expect(s.listRecordings()).toEqual([done])
    expect(s.recordingsBytes()).toBe(2048)
  })

  it('refuses bad rows with a clear error and writes nothing', () => {
    const s = t.open()
    expect(storeCode(() => s.beginRecording(start({ file: '../etc/passwd.cast' })))).toBe('BAD_RECORDING')
    expect(storeCode(() => s.beginRecording(start({ file: 'x/y.cast' })))).toBe('BAD_RECORDING')
    expect(storeCode(() => s.beginRecording(start({ pid: 5 })))).toBe('BAD_RECORDING')
    expect(storeCode(() => s.beginRecording({ ...start(), kind: 'tape' } as never))).toBe('BAD_RECORDING')
    expect(s.listRecordings()).toEqual([])
    const id = s.beginRecording(start())
    expect(storeCode(() => s.finishRecording(id, { ...end(1), sha256: 'nothex' }))).toBe('BAD_RECORDING')
    expect(storeCode(() => s.finishRecording(id, { ...end(1), bytes: -1 }))).toBe('BAD_RECORDING')
    expect(s.getRecording(id)?.status).toBe('recording')
    s.finishRecording(id, end(1))
    expect(storeCode(() => s.finishRecording(id, end(99)))).toBe('BAD_RECORDING')
    expect(s.getRecording(id)?.bytes).toBe(1)
    expect(storeCode(() => s.finishRecording(999, end(1)))).toBe('NOT_FOUND')
    expect(storeCode(() => s.attachRecordingProcess(999, 1, 1))).toBe('NOT_FOUND')
    const dup = start()
    s.beginRecording(dup)
    expect(() => s.beginRecording({ ...dup })).toThrow(/UNIQUE/)
  })

  it('matches a recording begun after its session (pid + process start), and not another process', () => {
    const s = t.open()
    sessionWithProcess(s, 'sess-early', 700, 7000)
    const other = s.beginRecording(start({ pid: 700, processStart: 7001 })) // pid reused: another process
    const id = s.beginRecording(start({ pid: 700, processStart: 7000 }))
    expect(s.getRecording(id)?.sessionId).toBe('sess-early')
    expect(s.getRecording(other)?.sessionId).toBeNull()
    const late = s.beginRecording(start())
    s.attachRecordingProcess(late, 700, 7000)
    expect(s.getRecording(late)?.sessionId).toBe('sess-early')
    expect(s.listRecordings({ sessionId: 'sess-early' }).map((r) => r.id)).toEqual([late, id])
  })

  it('matches a recording begun before its session when the session is recorded', () => {
    const s = t.open()
    const id = s.beginRecording(start({ kind: 'rdp-video', file: '20261127T090000Z-abc.webm' }))
    s.attachRecordingProcess(id, 800, 8000)
    expect(s.getRecording(id)?.sessionId).toBeNull()
    sessionWithProcess(s, 'sess-late', 800, 8000)
    expect(s.getRecording(id)?.sessionId).toBe('sess-late')
    // the session row says it is recorded (the live table, History)
    expect(s.getSession('sess-late')?.recording).toEqual({ id, kind: 'rdp-video', status: 'recording' })
    expect(s.openSessions().find((r) => r.id === 'sess-late')?.recording?.status).toBe('recording')
    s.finishRecording(id, end(10))
    expect(s.openSessions().find((r) => r.id === 'sess-late')?.recording?.status).toBe('complete')
    expect(s.history({ includeOpen: true }).rows[0]?.recording).toEqual({
      id,
      kind: 'rdp-video',
      status: 'complete',
    })
  })

  it('retention takes recordings with their purged sessions, and unmatched ones by their own end', () => {
    const s = t.open()
    sessionWithProcess(s, 'sess-old', 900, 9000)
    sessionWithProcess(s, 'sess-new', 901, 9001)
    s.applyTick(
      [],
      [
        { kind: 'end', id: 'sess-old', at: T + 100, reason: 'user', actor: 't' },
        { kind: 'end', id: 'sess-new', at: T + 5_000, reason: 'user', actor: 't' },
      ],
      T + 5_000,
    )
    const old = s.beginRecording(start({ pid: 900, processStart: 9000 }))
    const kept = s.beginRecording(start({ pid: 901, processStart: 9001 }))
    const orphan = s.beginRecording(start())
    s.finishRecording(orphan, end(5, T + 200))
    const open = s.beginRecording(start()) // unmatched and still recording: never expired
    expect(s.purgeRecordings(T + 1_000).map((r) => r.id)).toEqual([old, orphan])
    expect(s.purge(T + 1_000)).toBe(1)
    expect(
      s
        .listRecordings()
        .map((r) => r.id)
        .sort(),
    ).toEqual([kept, open].sort())
    expect(s.getSession('sess-new')).not.toBeNull()
  })

  it('purge alone still removes a purged session whose recording row is left (no foreign-key failure)', () => {
    const s = t.open()
    sessionWithProcess(s, 'sess-x', 910, 9100)
    s.applyTick([], [{ kind: 'end', id: 'sess-x', at: T + 100, reason: 'user', actor: 't' }], T + 100)
    s.beginRecording(start({ pid: 910, processStart: 9100 }))
    expect(s.purge(T + 1_000)).toBe(1)
    expect(s.listRecordings()).toEqual([])
  })

  it('names the closed recordings to remove, oldest first, to fit a size cap', () => {
    const s = t.open()
    const a = s.beginRecording(start({ startedAt: 1 }))
    const b = s.beginRecording(start({ startedAt: 2 }))
    const c = s.beginRecording(start({ startedAt: 3 }))
    const live = s.beginRecording(start({ startedAt: 0 })) // still being written: never removed
    s.finishRecording(a, end(400))
    s.finishRecording(b, end(300))
    s.finishRecording(c, end(200))
    expect(s.recordingsBytes()).toBe(900)
    expect(s.recordingsOverCap(1000)).toEqual([])
    expect(s.recordingsOverCap(900)).toEqual([])
    expect(s.recordingsOverCap(899).map((r) => r.id)).toEqual([a])
    expect(s.recordingsOverCap(200).map((r) => r.id)).toEqual([a, b])
    expect(s.recordingsOverCap(0).map((r) => r.id)).toEqual([a, b, c])
    expect(s.removeRecording(a)).toBe(true)
    expect(s.removeRecording(a)).toBe(false)
    expect(s.getRecording(live)?.status).toBe('recording')
  })
})

describe("a resource's recording overrides", () => {
  it('sets on, off and back to the default; the idle overrides stay', () => {
    const s = t.open()
    const r = s.addResource({ type: 'ssh', name: 'db1', target: 'db1', idleAfterSec: 60 })
    expect(r).toMatchObject({ record: null, recordInput: null })
    expect(s.updateResourcePolicy(r.id, { record: true })).toMatchObject({
      record: true,
      recordInput: null,
      idleAfterSec: 60,
    })
    expect(s.updateResourcePolicy(r.id, { recordInput: false, warnAfterSec: 0 })).toMatchObject({
      record: true,
      recordInput: false,
      warnAfterSec: 0,
    })
    expect(s.updateResourcePolicy(r.id, { record: null })).toMatchObject({ record: null, recordInput: false })
  })

  it('refuses a value that is not on, off or null and changes nothing', () => {
    const s = t.open()
    const r = s.addResource({ type: 'ssh', name: 'db1', target: 'db1' })
    s.updateResourcePolicy(r.id, { record: true })
    expect(storeCode(() => s.updateResourcePolicy(r.id, { record: 1 } as never))).toBe('BAD_RESOURCE')
    expect(storeCode(() => s.updateResourcePolicy(r.id, { recordVideo: true } as never))).toBe('BAD_RESOURCE')
    expect(s.findResource('db1')).toMatchObject({ record: true, recordInput: null })
  })

  it('removing a resource with history forgets its overrides', () => {
    const s = t.open()
    const r = s.addResource({ type: 'ssh', name: 'db1', target: 'db1' })
    s.applyTick([newSession(r.id)], [], 1)
    s.updateResourcePolicy(r.id, { record: false })
    expect(s.removeResource(r.id)).toBe(true)
    expect(s.findResource('db1')).toMatchObject({ configured: false, record: null })
  })
})
