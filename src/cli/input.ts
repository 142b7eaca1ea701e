import { historyQuerySchema, type HistoryFilter } from '@shared/history'
import { formatSeconds, parseDurationText } from '@shared/duration'
import {
  isSettingKey,
  parseSettingText,
  SETTING_KEYS,
  SETTING_RULES,
  type ResourcePolicy,
  type SettingKey,
  type Settings,
} from '@shared/settings'
import type { RecordingPatch } from '@shared/recording'
import { UsageError } from './args'

// The CLI's one adapter onto the rules in src/shared: words from the command line become typed
// values here, and every bound is checked by the shared schemas (again by the engine). Nothing
// below restates a range.

/**
 * Seconds from a duration as the window's Settings page takes it ("10m", "1h 30m", "never", "0",
 * parsed by @shared/duration). A plain whole number stays seconds, as it was before units.
 */
export function durationSeconds(label: string, text: string): number {
  const t = text.trim()
  if (/^-?\d+$/.test(t)) return Number(t) // a negative one is refused with the setting's own rule
  const p = parseDurationText(t)
  if (!p.ok) throw new UsageError(`${label}: ${p.error}`)
  return p.seconds
}

/** Settings kept in seconds are the durations (idle, warn and disconnect after). */
function isDurationSetting(key: SettingKey): boolean {
  return key.endsWith('Sec')
}

/** `settings set KEY VALUE…`: a duration may come as one quoted word or several ("1h", "30m"). */
export function settingFromWords(
  key: string,
  words: readonly string[],
): { key: SettingKey; value: Settings[SettingKey] } {
  if (isSettingKey(key) && isDurationSetting(key))
    return { key, value: durationSeconds(key, words.join(' ')) } // its bounds: engine.setSetting
  if (words.length !== 1) throw new UsageError('usage: warden settings set KEY VALUE')
  const r = parseSettingText(key, words[0] as string)
  if (!r.ok) throw new UsageError(r.error)
  return r
}

/** What each setting accepts, for `warden help settings`. */
export function settingLines(): string[] {
  return [
    'Settings:',
    ...SETTING_KEYS.map((k) => `  ${k}: ${SETTING_RULES[k]}${isDurationSetting(k) ? ', or a duration' : ''}`),
  ]
}

/** A value as `settings set` echoes it: durations also in words ("5400 (1h 30m)"). */
export function settingShown(key: SettingKey, value: Settings[SettingKey]): string {
  if (typeof value === 'number' && isDurationSetting(key)) return `${value} (${formatSeconds(value, true)})`
  return String(value)
}

const POLICY_FLAGS = [
  ['idle-after', 'idleAfterSec'],
  ['warn-after', 'warnAfterSec'],
  ['disconnect-after', 'disconnectAfterSec'],
] as const
export type PolicyFlags = { [F in (typeof POLICY_FLAGS)[number][0]]?: string }

/** --idle-after/--warn-after/--disconnect-after as durations; "default" (only on set) = the global one. */
export function policyFromFlags(values: PolicyFlags, allowDefault: boolean): Partial<ResourcePolicy> {
  const out: Partial<ResourcePolicy> = {}
  for (const [flag, key] of POLICY_FLAGS) {
    const text = values[flag]
    if (text === undefined) continue
    out[key] = allowDefault && text === 'default' ? null : durationSeconds(`--${flag}`, text)
  }
  return out
}

const RECORD_FLAGS = [
  ['record', 'record'],
  ['record-input', 'recordInput'],
] as const
export type RecordFlags = { [F in (typeof RECORD_FLAGS)[number][0]]?: string }
const ON_OFF: Record<string, boolean | null> = { on: true, off: false, default: null }

/** --record / --record-input as on, off or default (the global setting; keystrokes: off). */
export function recordingFromFlags(values: RecordFlags): RecordingPatch {
  const out: RecordingPatch = {}
  for (const [flag, key] of RECORD_FLAGS) {
    const text = values[flag]
    if (text === undefined) continue
    const v = ON_OFF[text]
    if (v === undefined) throw new UsageError(`--${flag}: expected on, off or default (got "${text}")`)
    out[key] = v
  }
  return out
}

const DATE = /^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/

/** --since: a date (2026-11-27, an ISO time) or a time ago as a duration ("7d", "1h 30m"). */
export function sinceTime(text: string, now: number): number {
  if (DATE.test(text)) {
    const t = Date.parse(text)
    if (Number.isNaN(t)) throw new UsageError(`--since: "${text}" is not a valid date`)
    return t
  }
  const ago = parseDurationText(text)
  if (!ago.ok || ago.seconds === 0)
    throw new UsageError(
      `--since: "${text}" is not a date or a time ago (use 2026-11-27, an ISO time, or 7d / 12h / 1h 30m)`,
    )
  return now - ago.seconds * 1000
}

export interface HistoryFlags {
  type?: string
  reason?: string
  since?: string
  search?: string
  limit?: string
}
const FLAG_OF: Record<string, string> = { text: 'search' }

/** The history flags as a query, checked by the same schema the window's calls are. */
export function historyQuery(f: HistoryFlags, now: number): HistoryFilter {
  if (f.limit !== undefined && !/^\d+$/.test(f.limit))
    throw new UsageError(`--limit: "${f.limit}" is not a whole number`)
  const r = historyQuerySchema.safeParse({
    limit: f.limit === undefined ? 50 : Number(f.limit),
    ...(f.type !== undefined ? { type: f.type } : {}),
    ...(f.reason !== undefined ? { reason: f.reason } : {}),
    ...(f.since !== undefined ? { since: sinceTime(f.since, now) } : {}),
    ...(f.search !== undefined ? { text: f.search } : {}),
  })
  if (r.success) return r.data
  const issue = r.error.issues[0]
  const field = String(issue?.path[0] ?? '')
  throw new UsageError(`--${FLAG_OF[field] ?? field}: ${issue?.message ?? 'not accepted'}`)
}
