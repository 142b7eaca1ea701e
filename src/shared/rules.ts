// The idle rules taken together. Each of idle after, warn after and disconnect after has its own
// bounds (./settings); together they must also make sense: a session is warned only once it is
// idle, warned before it is ended, and ended only once it is idle. Checked for the global settings
// and for every resource whose overrides fall back to them, by the engine's public methods and
// again by the store inside its write (the app and the CLI share one database), with the same
// functions, so every caller gets the same refusal. Pure TypeScript: no Node or DOM API.
import { checkWith, type Checked } from './check'
import { formatSeconds } from './duration'
import { newResourceSchema, type NewResource } from './resource'
import {
  isSettingKey,
  policyPatchSchema,
  POLICY_KEYS,
  SETTING_BOUNDS,
  SETTING_KEYS,
  validateSetting,
  type PolicyKey,
  type ResourcePolicy,
  type SettingKey,
  type Settings,
} from './settings'

/** The three idle rules in effect for a session: 0 = never (warn, disconnect). */
export type IdleRules = Pick<Settings, PolicyKey>

/** A resource's overrides, named for the reason. */
export interface ResourceRules extends ResourcePolicy {
  name: string
}

const LABEL: Record<PolicyKey, string> = {
  idleAfterSec: 'idle after',
  warnAfterSec: 'warn after',
  disconnectAfterSec: 'disconnect after',
}

/** The order, in words, for help texts. */
export const IDLE_ORDER_RULE =
  'idle after ≤ warn after < disconnect after (a session is warned only once it is idle, and before it is ended)'

/** Where each value in effect came from, when a resource is involved: "its own" or "global". */
type Origins = Partial<Record<PolicyKey, string>>

type Conflict = 'warn-before-idle' | 'end-before-warn' | 'end-before-idle'
/** the two rules each contradiction is between */
const BETWEEN: Record<Conflict, readonly [PolicyKey, PolicyKey]> = {
  'warn-before-idle': ['warnAfterSec', 'idleAfterSec'],
  'end-before-warn': ['disconnectAfterSec', 'warnAfterSec'],
  'end-before-idle': ['disconnectAfterSec', 'idleAfterSec'],
}

/** Every way the three rules contradict each other, most telling first. */
function conflicts(r: IdleRules): Conflict[] {
  const { idleAfterSec: idle, warnAfterSec: warn, disconnectAfterSec: end } = r
  const out: Conflict[] = []
  if (warn > 0 && warn < idle) out.push('warn-before-idle')
  if (warn > 0 && end > 0 && end <= warn) out.push('end-before-warn')
  if (end > 0 && end < idle) out.push('end-before-idle')
  return out
}

function reason(c: Conflict, r: IdleRules, origins: Origins): string {
  const said = (k: PolicyKey): string =>
    `${LABEL[k]} (${formatSeconds(r[k], true)}${origins[k] ? `, ${origins[k]}` : ''})`
  switch (c) {
    case 'warn-before-idle':
      return `${said('warnAfterSec')} must not be earlier than ${said('idleAfterSec')}: a session is warned only once it is idle`
    case 'end-before-warn':
      return `${said('disconnectAfterSec')} must be later than ${said('warnAfterSec')}: a session is warned before it is ended (warn after 0 turns warnings off)`
    case 'end-before-idle':
      return `${said('disconnectAfterSec')} must not be earlier than ${said('idleAfterSec')}: a session is ended only once it is idle`
  }
}

/**
 * Why the three rules contradict each other, or null. With both on: idle ≤ warn < disconnect;
 * with warnings off: idle ≤ disconnect; with auto-disconnect off: idle ≤ warn.
 */
export function checkIdleRules(r: IdleRules, origins: Origins = {}): string | null {
  const c = conflicts(r)[0]
  return c === undefined ? null : reason(c, r, origins)
}

/**
 * The first contradiction a change takes part in, or null: one between a value that changed and
 * another. Rules stored before these checks existed may contradict in two ways at once; then no
 * single change could satisfy everything, so one that mends a contradiction is let through as long
 * as the value it changes is in order with the others.
 */
function newConflict(before: IdleRules, after: IdleRules, origins: Origins = {}): string | null {
  const changed = (k: PolicyKey): boolean => before[k] !== after[k]
  const c = conflicts(after).find((x) => BETWEEN[x].some(changed))
  return c === undefined ? null : reason(c, after, origins)
}

/** A resource's overrides over the global settings: null falls back to the global value. */
export function mergeRules(globals: IdleRules, overrides: ResourcePolicy | null): IdleRules {
  return {
    idleAfterSec: overrides?.idleAfterSec ?? globals.idleAfterSec,
    warnAfterSec: overrides?.warnAfterSec ?? globals.warnAfterSec,
    disconnectAfterSec: overrides?.disconnectAfterSec ?? globals.disconnectAfterSec,
  }
}

/**
 * The rules the policy applies: as given when they are consistent (every write is checked), and
 * otherwise pushed later so that nothing ends a session before it was idle and, with warnings on,
 * warned — for rules written before these checks existed, or by hand into the database.
 */
export function orderedRules(r: IdleRules): IdleRules {
  const idle = Math.max(r.idleAfterSec, SETTING_BOUNDS.idleAfterSec.min)
  const warn = r.warnAfterSec > 0 ? Math.max(r.warnAfterSec, idle) : 0
  const end = r.disconnectAfterSec > 0 ? Math.max(r.disconnectAfterSec, idle, warn > 0 ? warn + 1 : 0) : 0
  return { idleAfterSec: idle, warnAfterSec: warn, disconnectAfterSec: end }
}

function originsOf(p: ResourcePolicy): Origins {
  return Object.fromEntries(POLICY_KEYS.map((k) => [k, p[k] === null ? 'global' : 'its own']))
}

/**
 * The settings after setting `key` to `value`, or the reason it is refused: the value's own rule,
 * then the idle rules together, globally and for every resource that overrides some of them.
 */
export function settingsAfter(
  current: Settings,
  resources: readonly ResourceRules[],
  key: string,
  value: unknown,
): Checked<{ key: SettingKey; settings: Settings }> {
  if (!isSettingKey(key))
    return { ok: false, error: `unknown setting "${key}" (known: ${SETTING_KEYS.join(', ')})` }
  const v = validateSetting(key, value)
  if (!v.ok) return v
  const settings = { ...current, [key]: v.value }
  if (!(POLICY_KEYS as readonly string[]).includes(key)) return { ok: true, value: { key, settings } }
  const global = newConflict(current, settings)
  if (global !== null) return { ok: false, error: global }
  for (const r of resources) {
    const why = newConflict(mergeRules(current, r), mergeRules(settings, r), originsOf(r))
    if (why !== null) return { ok: false, error: `for the resource "${r.name}": ${why}` }
  }
  return { ok: true, value: { key, settings } }
}

/** Each override's own rule first, so the reason names the setting as the window and CLI know it. */
function checkPatch(patch: unknown): Checked<Partial<ResourcePolicy>> {
  const parsed = checkWith(policyPatchSchema, patch)
  if (parsed.ok || typeof patch !== 'object' || patch === null) return parsed
  for (const k of POLICY_KEYS) {
    const v = (patch as Record<string, unknown>)[k]
    if (v === undefined || v === null) continue
    const r = validateSetting(k, v)
    if (!r.ok) return r
  }
  return parsed
}

/** A resource's overrides after a change (keys not given stay), or the reason it is refused. */
export function policyAfter(
  globals: IdleRules,
  current: ResourcePolicy | null,
  patch: unknown,
): Checked<ResourcePolicy> {
  const p = checkPatch(patch)
  if (!p.ok) return p
  const next = Object.fromEntries(
    POLICY_KEYS.map((k) => [k, p.value[k] !== undefined ? p.value[k] : (current?.[k] ?? null)]),
  ) as ResourcePolicy
  const why = newConflict(mergeRules(globals, current), mergeRules(globals, next), originsOf(next))
  return why === null ? { ok: true, value: next } : { ok: false, error: why }
}

/** A new resource, or the reason it is refused: its name, its target, its overrides. */
export function newResourceAfter(globals: IdleRules, input: unknown): Checked<NewResource> {
  const patch = typeof input === 'object' && input !== null ? pickPolicy(input) : {}
  const overrides = policyAfter(globals, null, patch)
  if (!overrides.ok) return overrides
  return checkWith(newResourceSchema, input)
}

function pickPolicy(input: object): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const k of POLICY_KEYS) if (k in input) out[k] = (input as Record<string, unknown>)[k]
  return out
}
