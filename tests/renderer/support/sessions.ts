// Session, snapshot and resource builders for the renderer tests.
import type { SessionsSnapshot } from '@shared/contract'
import { computeStats, type Resource, type Session } from '@shared/model'
import { formatDuration } from '@shared/duration'

let counter = 0

/** A 12-hex-digit id as the engine makes them (the contract refuses anything else). */
export function sessionId(n: number): string {
  return n.toString(16).padStart(12, '0')
}

export function makeSession(o: Partial<Session> = {}): Session {
  counter++
  const durationMs = o.durationMs ?? 5 * 60_000
  const status = o.status ?? 'active'
  return {
    id: sessionId(counter),
    resourceName: `host${counter}`,
    resourceType: 'ssh',
    startTime: '2026-03-04T14:05:00.000Z',
    duration: formatDuration(durationMs),
    status,
    device: 'laptop',
    location: 'Berlin, DE',
    ipAddress: '192.0.2.10',
    durationMs,
    lastActivity: '2026-03-04T14:10:00.000Z',
    lastSeen: '2026-03-04T14:10:00.000Z',
    endTime: status === 'disconnected' ? '2026-03-04T15:00:00.000Z' : null,
    endReason: status === 'disconnected' ? 'user' : null,
    endedBy: status === 'disconnected' ? 'user' : null,
    pid: 1000 + counter,
    processStart: 1_700_000_000_000,
    exe: '/usr/bin/ssh',
    client: 'ssh',
    host: `host${counter}.example.net`,
    user: 'alice',
    remotePort: 22,
    localAddress: '192.0.2.1',
    flags: [],
    endable: true,
    recording: null,
    ...o,
  }
}

export function snapshot(sessions: Session[], at = 1_700_000_000_000): SessionsSnapshot {
  return { sessions, stats: computeStats(sessions), at }
}

/** A configured web resource on the global idle rules; override what the test is about. */
export function makeResource(o: Partial<Resource> = {}): Resource {
  return {
    id: 3,
    name: 'Wiki',
    type: 'web',
    target: 'https://wiki.example',
    displayName: null,
    configured: true,
    createdAt: '2026-11-27T10:00:00.000Z',
    idleAfterSec: null,
    warnAfterSec: null,
    disconnectAfterSec: null,
    record: null,
    recordInput: null,
    ...o,
  }
}
