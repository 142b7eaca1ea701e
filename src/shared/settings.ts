import { z } from 'zod'

// Every setting with its bounds. A bad value is refused with the reason; nothing is changed.
export const settingsSchema = z.object({
  /** no traffic for this long -> idle */
  idleAfterSec: z.number().int().min(5).max(86_400),
  /** idle warning after this long idle; 0 = never */
  warnAfterSec: z.number().int().min(0).max(604_800),
  /** auto-disconnect after this long idle; 0 = never */
  disconnectAfterSec: z.number().int().min(0).max(604_800),
  pollIntervalMs: z.number().int().min(200).max(60_000),
  /** history older than this is purged */
  retentionDays: z.number().int().min(1).max(3650),
  notifications: z.boolean(),
  /** when the computer itself is idle, traffic (keep-alives) does not keep sessions active */
  awayWhenSystemIdle: z.boolean(),
  /** concurrent-session limit per type; 0 = off */
  limitSsh: z.number().int().min(0).max(1000),
  limitRdp: z.number().int().min(0).max(1000),
  limitWeb: z.number().int().min(0).max(1000),
  /** what a limit does: notify only, or end the newest session over the limit */
  limitAction: z.enum(['notify', 'end-newest']),
  /** what locking the screen does: nothing, count the user away (idle clocks run), or end sessions */
  lockAction: z.enum(['nothing', 'away', 'end']),
  /** the desktop app starts (in the tray) when the user logs in */
  launchAtLogin: z.boolean(),
  /** closing the window keeps the app running in the tray */
  closeToTray: z.boolean(),
})

export type Settings = z.infer<typeof settingsSchema>

/** What each setting accepts, in words, for error messages (mirrors settingsSchema). */
export const SETTING_RULES: Record<keyof Settings, string> = {
  idleAfterSec: 'a whole number of seconds from 5 to 86400',
  warnAfterSec: 'a whole number of seconds from 0 (never) to 604800',
  disconnectAfterSec: 'a whole number of seconds from 0 (never) to 604800',
  pollIntervalMs: 'a whole number of milliseconds from 200 to 60000',
  retentionDays: 'a whole number of days from 1 to 3650',
  notifications: 'true or false',
  awayWhenSystemIdle: 'true or false',
  limitSsh: 'a whole number from 0 (no limit) to 1000',
  limitRdp: 'a whole number from 0 (no limit) to 1000',
  limitWeb: 'a whole number from 0 (no limit) to 1000',
  limitAction: 'notify or end-newest',
  lockAction: 'nothing, away or end',
  launchAtLogin: 'true or false',
  closeToTray: 'true or false',
}
export type SettingKey = keyof Settings

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
}

export const SETTING_KEYS = Object.keys(DEFAULT_SETTINGS) as SettingKey[]

export function isSettingKey(k: string): k is SettingKey {
  return Object.hasOwn(DEFAULT_SETTINGS, k)
}

/** A value as it is echoed in an error: short, whatever it is. */
function shown(value: unknown): string {
  let text: string
  try {
    const json = JSON.stringify(value) as string | undefined
    text = json === undefined ? String(value) : json
  } catch {
    text = typeof value
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text
}

/** Validates one value; returns the parsed value or a human-readable reason. */
export function validateSetting<K extends SettingKey>(
  key: K,
  value: unknown,
): { ok: true; value: Settings[K] } | { ok: false; error: string } {
  const r = settingsSchema.shape[key].safeParse(value)
  if (r.success) return { ok: true, value: r.data as Settings[K] }
  return {
    ok: false,
    error: `${key} must be ${SETTING_RULES[key]} (got ${shown(value)})`,
  }
}

/**
 * Parses text from the CLI (or a form field) into the setting's type, then validates it.
 * "true"/"false" for booleans, integers for numbers.
 */
export function parseSettingText(
  key: string,
  text: string,
): { ok: true; key: SettingKey; value: Settings[SettingKey] } | { ok: false; error: string } {
  if (!isSettingKey(key))
    return { ok: false, error: `unknown setting "${key}" (known: ${SETTING_KEYS.join(', ')})` }
  const def = DEFAULT_SETTINGS[key]
  let value: unknown = text
  if (typeof def === 'boolean') {
    if (text !== 'true' && text !== 'false') return { ok: false, error: `${key}: expected true or false` }
    value = text === 'true'
  } else if (typeof def === 'number') {
    if (!/^-?\d+$/.test(text.trim())) return { ok: false, error: `${key}: expected a whole number` }
    value = Number(text)
  }
  const r = validateSetting(key, value)
  return r.ok ? { ok: true, key, value: r.value } : r
}

/** Per-resource overrides of the idle policy; null = use the global setting. 0 = never. */
export interface ResourcePolicy {
  idleAfterSec: number | null
  warnAfterSec: number | null
  disconnectAfterSec: number | null
}
