import { randomBytes } from 'node:crypto'
import type { Session } from '@shared/model'
import { formatDuration } from '@shared/duration'
import type { SessionRow } from './store/types'

export function newSessionId(): string {
  return randomBytes(6).toString('hex')
}

/** A stored row as the window, the CLI and the events show it. */
export function toSession(r: SessionRow, now: number): Session {
  const end = r.endTime ?? now
  const durationMs = Math.max(0, end - r.startTime)
  return {
    id: r.id,
    // the display name where the user gave one: every view (rows, History, tray, notifications) shows it
    resourceName: r.resourceDisplayName ?? r.resourceName,
    resourceType: r.resourceType,
    startTime: new Date(r.startTime).toISOString(),
    duration: formatDuration(durationMs),
    status: r.endTime !== null ? 'disconnected' : r.status,
    device: r.deviceName,
    location: r.location,
    ipAddress: r.ipAddress,
    durationMs,
    lastActivity: new Date(r.lastActivity).toISOString(),
    lastSeen: new Date(r.lastSeen).toISOString(),
    endTime: r.endTime === null ? null : new Date(r.endTime).toISOString(),
    endReason: r.endReason,
    endedBy: r.endedBy,
    pid: r.pid,
    processStart: r.processStart,
    exe: r.exe,
    client: r.client,
    host: r.host,
    user: r.user,
    remotePort: r.remotePort,
    localAddress: r.localAddress,
    flags: r.flags,
    endable: r.endable,
    recording: r.recording,
  }
}
