// Child process for crash.test.ts: writes sessions through the real store, one transaction each, and
// prints each id on stdout only after its transaction committed. Run with `node --import tsx`.
// argv: <db file> <id prefix> <count, or 0 for until killed> [shared|solo] [start at, ms since the epoch]
// With "shared", each round also records a session whose key the other writer records too.
// A start time makes two writers open the (fresh) file at the same moment, despite uneven start-up.
import { openStore } from '@engine/store'
import type { SessionUpdate } from '@engine/store'

const [file, prefix, countArg, mode, startAt] = process.argv.slice(2)
if (file === undefined || prefix === undefined) throw new Error('usage: writer-child <db> <prefix> <count> …')
const count = Number(countArg ?? '0') || Number.POSITIVE_INFINITY
const shared = mode === 'shared'
const start = Number(startAt ?? '0')
while (Date.now() < start) {
  // spin: a timer would add its own jitter
}

const store = openStore({ path: file })
if (store.recoveredFrom !== null) throw new Error(`unexpected recovery from ${store.recoveredFrom}`)
const resource = store.ensureResource('ssh', 'crash-host', 'crash.example')

let duplicates = 0
let sharedInserted = 0
for (let i = 0; i < count; i++) {
  const id = `${prefix}-${i}`
  const at = Date.now()
  const base = {
    resourceId: resource.id,
    deviceId: 'dev',
    startTime: at,
    lastActivity: at,
    lastSeen: at,
    status: 'active' as const,
    pid: process.pid,
    processStart: i,
    exe: '/usr/bin/ssh',
    client: 'ssh',
    host: 'crash.example',
    user: null,
    ipAddress: '192.0.2.1',
    remotePort: 22,
    localAddress: '127.0.0.1',
    location: '',
    flags: [],
    endable: true,
  }
  const created = [{ ...base, id, key: id }]
  if (shared) created.push({ ...base, id: `${id}-shared`, key: `shared-${i}` })
  // Some updates on the previous row too, so crashes also land in UPDATEs and event inserts.
  const prev = `${prefix}-${i - 1}`
  const updates: SessionUpdate[] =
    i === 0
      ? []
      : [
          { kind: 'status', id: prev, status: 'idle', at, lastSeen: at, lastActivity: at },
          { kind: 'end', id: prev, at, reason: 'process-exit', actor: 'engine' },
        ]
  const res = store.applyTick(created, updates, at)
  duplicates += res.duplicates.length
  if (res.inserted.includes(`${id}-shared`)) sharedInserted++
  // Pipes are synchronous on Linux: once this returns the line is the parent's even if we die next.
  process.stdout.write(`${id}\n`)
}
store.close()
process.stdout.write(`done duplicates=${duplicates} sharedInserted=${sharedInserted}\n`)
