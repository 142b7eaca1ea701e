import type { Session, SessionStats } from '@shared/model'
import type { ResourceRow } from '@engine/store/types'
import type { Settings } from '@shared/settings'

const TYPE_LABEL = { ssh: 'SSH', rdp: 'RDP', web: 'Web' } as const

/** An aligned text table; the last column is not padded. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd()
  return [line(header), ...rows.map(line)].join('\n')
}

function localTime(iso: string): string {
  const d = new Date(iso)
  const pad = (n: number): string => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`
}

function statusText(s: Session): string {
  const base = s.status === 'active' ? 'Active' : s.status === 'idle' ? 'Idle' : 'Disconnected'
  return s.status === 'disconnected' && s.endReason ? `${base} (${s.endReason})` : base
}

/** The Sessions page's columns (docs/architecture.md "The product"): Resource, Device, Duration, Location, Status — plus the id to act on. */
export function sessionsTable(sessions: readonly Session[]): string {
  return table(
    ['ID', 'RESOURCE', 'TYPE', 'DEVICE', 'IP ADDRESS', 'DURATION', 'STARTED', 'LOCATION', 'STATUS', 'FLAGS'],
    sessions.map((s) => [
      s.id,
      s.resourceName,
      TYPE_LABEL[s.resourceType],
      s.device,
      s.ipAddress,
      s.duration,
      localTime(s.startTime),
      s.location,
      statusText(s),
      [...s.flags, ...(s.endable ? [] : ['cannot-end'])].join(','),
    ]),
  )
}

export function statsText(st: SessionStats): string {
  return table(
    ['ACTIVE SESSIONS', 'IDLE SESSIONS', 'TOTAL DURATION'],
    [[String(st.active), String(st.idle), st.totalDuration]],
  )
}

export function settingsText(s: Settings): string {
  return table(
    ['SETTING', 'VALUE'],
    Object.entries(s).map(([k, v]) => [k, String(v)]),
  )
}

/** The resources with their display name (SHOWN AS, '-' for none: the name itself is shown). */
export function resourcesTable(rows: readonly ResourceRow[]): string {
  const opt = (v: number | null): string => (v === null ? '-' : String(v))
  return table(
    [
      'ID',
      'NAME',
      'SHOWN AS',
      'TYPE',
      'TARGET',
      'CONFIGURED',
      'IDLE AFTER',
      'WARN AFTER',
      'DISCONNECT AFTER',
      'RECORD',
    ],
    rows.map((r) => [
      String(r.id),
      r.name,
      r.displayName ?? '-',
      TYPE_LABEL[r.type],
      r.target,
      r.configured ? 'yes' : 'no',
      opt(r.idleAfterSec),
      opt(r.warnAfterSec),
      opt(r.disconnectAfterSec),
      recordText(r),
    ]),
  )
}

/** A resource's recording overrides: on / off, "+keys" when keystrokes are recorded, "-" for the settings. */
function recordText(r: Pick<ResourceRow, 'record' | 'recordInput'>): string {
  const base = r.record === null ? '-' : r.record ? 'on' : 'off'
  return r.recordInput === null ? base : `${base}${r.recordInput ? '+keys' : ',no-keys'}`
}
