// Every setting's bounds and default, once, without zod: the window imports these alone, so zod stays
// out of its JavaScript at start (issue 15). The zod schema in ./settings, the reason a value is refused
// (SETTING_RULES) and the ranges the window shows (SETTING_RANGES, below) are all derived from
// SETTING_BOUNDS, so the engine, the store, IPC, the CLI and the window cannot drift apart.
// Pure TypeScript: no zod, Node, DOM or Electron API.
import { formatSeconds } from './duration'
import type { SettingKey, Settings } from './settings'

/** A whole-number setting: its bounds, its unit, and what 0 means where 0 is allowed. */
export interface Bounds {
  readonly min: number
  readonly max: number
  readonly unit?: 'seconds' | 'milliseconds' | 'days'
  readonly zero?: 'never' | 'no limit'
}

const DAY = 86_400
/** The bounds of every whole-number setting. */
export const SETTING_BOUNDS = {
  // no "never": 0 would make every session idle the moment it starts
  idleAfterSec: { min: 5, max: DAY, unit: 'seconds' },
  warnAfterSec: { min: 0, max: 7 * DAY, unit: 'seconds', zero: 'never' },
  disconnectAfterSec: { min: 0, max: 7 * DAY, unit: 'seconds', zero: 'never' },
  pollIntervalMs: { min: 200, max: 60_000, unit: 'milliseconds' },
  retentionDays: { min: 1, max: 3650, unit: 'days' },
  limitSsh: { min: 0, max: 1000, zero: 'no limit' },
  limitRdp: { min: 0, max: 1000, zero: 'no limit' },
  limitWeb: { min: 0, max: 1000, zero: 'no limit' },
  /** recordings beyond this many megabytes in total: the oldest are removed first (with a notice) */
  recordingsMaxMb: { min: 10, max: 1_000_000 },
} as const satisfies Record<string, Bounds>
export const BOUNDS: Record<NumberKey, Bounds> = SETTING_BOUNDS
export type NumberKey = keyof typeof SETTING_BOUNDS

/** Whether `key` has bounds: a whole-number setting. */
export function isNumberKey(key: SettingKey): key is NumberKey {
  return Object.hasOwn(BOUNDS, key)
}

/** The range a person types, for the window's hints: "5s to 1d", "0 (never) to 7d", "200 to 60000". */
function rangeOf(key: NumberKey): string {
  const b = BOUNDS[key]
  const show = (n: number): string => (b.unit === 'seconds' ? formatSeconds(n, false) : String(n))
  return `${b.zero ? `0 (${b.zero})` : show(b.min)} to ${show(b.max)}`
}

function byKey<K extends string, V>(keys: readonly K[], f: (k: K) => V): Record<K, V> {
  return Object.fromEntries(keys.map((k) => [k, f(k)])) as Record<K, V>
}

/** What each whole-number setting accepts, as typed in the window and the CLI. */
export const SETTING_RANGES: Record<NumberKey, string> = byKey(Object.keys(BOUNDS) as NumberKey[], rangeOf)

export const DEFAULT_SETTINGS: Settings = {
  idleAfterSec: 300,
  warnAfterSec: 600,
  disconnectAfterSec: 1800,
  pollIntervalMs: 1000,
  retentionDays: 90,
  notifications: true,
  awayWhenSystemIdle: false,
  limitSsh: 0,
  limitRdp: 0,
  limitWeb: 0,
  limitAction: 'notify',
  lockAction: 'away',
  launchAtLogin: false,
  closeToTray: true,
  recordSsh: false,
  recordRdp: false,
  recordingsMaxMb: 2048,
  securityContact: '',
}

export function isSettingKey(k: string): k is SettingKey {
  return Object.hasOwn(DEFAULT_SETTINGS, k)
}

/** The idle settings a resource may override; the cross-field rules are in ./rules. */
export const POLICY_KEYS = ['idleAfterSec', 'warnAfterSec', 'disconnectAfterSec'] as const
export type PolicyKey = (typeof POLICY_KEYS)[number]
