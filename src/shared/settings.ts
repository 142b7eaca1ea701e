import { z } from 'zod'
import { securityContactSchema } from './review'
import {
  BOUNDS,
  DEFAULT_SETTINGS,
  isNumberKey,
  isSettingKey,
  SETTING_BOUNDS,
  type Bounds,
  type NumberKey,
} from './settings-base'

// Every setting with its bounds, once. The bounds, the defaults and the ranges the window shows
// (SETTING_RANGES) are in ./settings-base (no zod: what the window imports at start, issue 15) and
// re-exported here; the zod schema and the reason a value is refused (SETTING_RULES) are derived from
// SETTING_BOUNDS below, so the engine, the store, IPC, the CLI and the window cannot drift apart. The
// rules that tie the three idle settings together are in ./rules.
export {
  DEFAULT_SETTINGS,
  isSettingKey,
  POLICY_KEYS,
  SETTING_BOUNDS,
  SETTING_RANGES,
  type PolicyKey,
} from './settings-base'

/**
 * A whole-number setting, refused in the words of validateSetting below: the IPC door shows a schema's
 * own message as written (./check.ts checkArgs), so a per-resource override refused there reads as the
 * window's Settings form and the CLI say it. Applies to the int/min/max checks too (zod v4: a schema's
 * error covers the checks it owns).
 */
const whole = (key: NumberKey): z.ZodNumber => {
  const b: Bounds = SETTING_BOUNDS[key]
  return z
    .number({ error: (issue): string => refusal(key, issue.input) })
    .int()
    .min(b.min)
    .max(b.max)
}

// Every setting with its bounds. A bad value is refused with the reason; nothing is changed.
export const settingsSchema = z.object({
  /** no traffic for this long -> idle */
  idleAfterSec: whole('idleAfterSec'),
  /** idle warning after this long idle; 0 = never */
  warnAfterSec: whole('warnAfterSec'),
  /** auto-disconnect after this long idle; 0 = never */
  disconnectAfterSec: whole('disconnectAfterSec'),
  pollIntervalMs: whole('pollIntervalMs'),
  /** history older than this is purged */
  retentionDays: whole('retentionDays'),
  notifications: z.boolean(),
  /** when the computer itself is idle, traffic (keep-alives) does not keep sessions active */
  awayWhenSystemIdle: z.boolean(),
  /** concurrent-session limit per type; 0 = off */
  limitSsh: whole('limitSsh'),
  limitRdp: whole('limitRdp'),
  limitWeb: whole('limitWeb'),
  /** what a limit does: notify only, or end the newest session over the limit */
  limitAction: z.enum(['notify', 'end-newest']),
  /** what locking the screen does: nothing, count the user away (idle clocks run), or end sessions */
  lockAction: z.enum(['nothing', 'away', 'end']),
  /** the desktop app starts (in the tray) when the user logs in */
  launchAtLogin: z.boolean(),
  /** closing the window keeps the app running in the tray */
  closeToTray: z.boolean(),
  /** record ssh sessions that run through `warden ssh` (a resource may override it) */
  recordSsh: z.boolean(),
  /** record the window of RDP clients while their session runs (a resource may override it) */
  recordRdp: z.boolean(),
  recordingsMaxMb: whole('recordingsMaxMb'),
  /** where "Report suspicious session" sends its evidence: a mailto: address and/or an https webhook */
  securityContact: securityContactSchema,
})

export type Settings = z.infer<typeof settingsSchema>
export type SettingKey = keyof Settings

/** "a, b or c" */
function oneOf(words: readonly string[]): string {
  return words.length < 2 ? words.join('') : `${words.slice(0, -1).join(', ')} or ${words.at(-1) ?? ''}`
}

/** What one setting accepts, in words, from its schema. */
function ruleOf(key: SettingKey): string {
  if (isNumberKey(key)) {
    const b = BOUNDS[key]
    const of = b.unit === undefined ? '' : ` of ${b.unit}`
    return `a whole number${of} from ${b.min}${b.zero ? ` (${b.zero})` : ''} to ${b.max}`
  }
  if (key === 'securityContact')
    return 'a mailto: address and/or an https:// webhook (no credentials), or empty'
  const schema = settingsSchema.shape[key]
  return schema instanceof z.ZodEnum ? oneOf(schema.options) : 'true or false'
}

export const SETTING_KEYS = Object.keys(settingsSchema.shape) as SettingKey[]

function byKey<K extends string, V>(keys: readonly K[], f: (k: K) => V): Record<K, V> {
  return Object.fromEntries(keys.map((k) => [k, f(k)])) as Record<K, V>
}

/** What each setting accepts, in words, for error messages and help texts (from settingsSchema). */
export const SETTING_RULES: Record<SettingKey, string> = byKey(SETTING_KEYS, ruleOf)

/** A value as it is echoed in an error: short, whatever it is. */
export function shown(value: unknown): string {
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
  return { ok: false, error: refusal(key, value) }
}

/** Why a setting's value is refused, in words. */
function refusal(key: SettingKey, value: unknown): string {
  return `${key} must be ${SETTING_RULES[key]} (got ${shown(value)})`
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

// ------------------------------------------------------------------ per-resource overrides

/** Per-resource overrides of the idle policy; null = use the global setting. 0 = never. */
export const resourcePolicySchema = z
  .object({
    idleAfterSec: settingsSchema.shape.idleAfterSec.nullable(),
    warnAfterSec: settingsSchema.shape.warnAfterSec.nullable(),
    disconnectAfterSec: settingsSchema.shape.disconnectAfterSec.nullable(),
  })
  .strict()
export type ResourcePolicy = z.infer<typeof resourcePolicySchema>

/** A change of some overrides, as the window, the CLI and IPC send it: the keys not given stay. */
export const policyPatchSchema = resourcePolicySchema.partial()
