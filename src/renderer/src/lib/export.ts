// History export: CSV (RFC 4180, spreadsheet-safe) and JSON.
import type { Session } from '@shared/model'

const COLUMNS: readonly (keyof Session)[] = [
  'id',
  'resourceName',
  'resourceType',
  'host',
  'user',
  'device',
  'ipAddress',
  'location',
  'startTime',
  'endTime',
  'duration',
  'durationMs',
  'status',
  'endReason',
  'endedBy',
  'client',
  'flags',
]

function text(v: unknown): string {
  if (v === null || v === undefined) return ''
  if (Array.isArray(v)) return v.join(' ')
  if (typeof v === 'string') return v
  if (typeof v === 'number' || typeof v === 'boolean') return String(v)
  return JSON.stringify(v)
}

function cell(v: unknown): string {
  let t = text(v)
  // A cell starting with = + - @ is a formula to spreadsheets: keep it text.
  if (/^[=+\-@\t\r]/.test(t)) t = `'${t}`
  return /[",\r\n]/.test(t) ? `"${t.replace(/"/g, '""')}"` : t
}

export function toCsv(rows: readonly Session[]): string {
  const lines = [COLUMNS.join(',')]
  for (const r of rows) lines.push(COLUMNS.map((c) => cell(r[c])).join(','))
  // the byte-order mark makes spreadsheets read UTF-8 ("München"), not the local code page
  return '\uFEFF' + lines.join('\r\n') + '\r\n'
}

export function toJson(rows: readonly Session[]): string {
  return JSON.stringify(rows, null, 2) + '\n'
}

/** Saves text as a file through the browser's download (Electron shows its save dialog). */
export function download(name: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }))
  const a = document.createElement('a')
  a.href = url
  a.download = name
  a.rel = 'noopener'
  document.body.append(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}
