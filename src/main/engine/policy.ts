import type { EndReason, ResourceType } from '@shared/model'
import { formatDuration } from '@shared/duration'
import { mergeRules, orderedRules } from '@shared/rules'
import type { ResourcePolicy, Settings } from '@shared/settings'
import type { ResourceRow, SessionRow, SessionUpdate } from './store/types'

/** What the policy needs to know of one open session. */
export interface PolicyInput {
  id: string
  type: ResourceType
  startTime: number
  lastActivity: number
  warnedAt: number | null
  endable: boolean
  limitFlagged: boolean
  policy: ResourcePolicy | null
}

export type PolicyAction =
  | { kind: 'warn'; id: string; idleMs: number; disconnectInMs: number | null }
  | { kind: 'auto-end'; id: string; idleMs: number }
  | { kind: 'limit'; id: string; type: ResourceType; limit: number; action: Settings['limitAction'] }

export interface EffectivePolicy {
  idleAfterMs: number
  warnAfterMs: number
  disconnectAfterMs: number
}

/**
 * Per-resource values win over the global ones; 0 means never (warn / disconnect). Rules stored
 * out of order are put in order (src/shared/rules.ts): never an end before idle and warned.
 */
export function effectivePolicy(settings: Settings, p: ResourcePolicy | null): Readonly<EffectivePolicy> {
  // an index, not for…of: no iterator object per call before the optimizer inlines one away
  for (let i = 0; i < recent.length; i++) {
    const m = recent[i]
    if (m !== undefined && sameRules(m, settings, p)) return m.eff
  }
  const r = orderedRules(mergeRules(settings, p))
  const eff = Object.freeze({
    idleAfterMs: r.idleAfterSec * 1000,
    warnAfterMs: r.warnAfterSec * 1000,
    disconnectAfterMs: r.disconnectAfterSec * 1000,
  })
  recent.unshift({ globals: pickRules(settings), own: p ? pickRules(p) : null, eff })
  if (recent.length > RECENT_POLICIES) recent.pop()
  return eff
}

/**
 * The last few answers, by the values they depend on: the engine asks for every open session
 * several times a tick (counters due, status, policy) with a handful of distinct rules, and a
 * fresh answer each time was three objects per session per ask (a share of the loop's garbage).
 */
const RECENT_POLICIES = 8
type Rules<T> = Record<'idleAfterSec' | 'warnAfterSec' | 'disconnectAfterSec', T>
interface Remembered {
  globals: Rules<number>
  own: Rules<number | null> | null
  eff: Readonly<EffectivePolicy>
}
const recent: Remembered[] = []

function pickRules<T>(r: Rules<T>): Rules<T> {
  return {
    idleAfterSec: r.idleAfterSec,
    warnAfterSec: r.warnAfterSec,
    disconnectAfterSec: r.disconnectAfterSec,
  }
}

function sameRules(m: Remembered, g: Rules<number>, p: Rules<number | null> | null): boolean {
  return (
    m.globals.idleAfterSec === g.idleAfterSec &&
    m.globals.warnAfterSec === g.warnAfterSec &&
    m.globals.disconnectAfterSec === g.disconnectAfterSec &&
    (m.own?.idleAfterSec ?? null) === (p?.idleAfterSec ?? null) &&
    (m.own?.warnAfterSec ?? null) === (p?.warnAfterSec ?? null) &&
    (m.own?.disconnectAfterSec ?? null) === (p?.disconnectAfterSec ?? null)
  )
}

/** The idle warning or auto-disconnect one session is due, if any. */
function decide(s: PolicyInput, settings: Settings, now: number): PolicyAction | null {
  const eff = effectivePolicy(settings, s.policy)
  const idleMs = Math.max(0, now - s.lastActivity)
  const idle = idleMs >= eff.idleAfterMs
  const warns = eff.warnAfterMs > 0
  // the user had at least one poll to see the warning (and press Keep active)
  const warned = s.warnedAt !== null && now - s.warnedAt >= settings.pollIntervalMs
  const due = eff.disconnectAfterMs > 0 && idleMs >= eff.disconnectAfterMs && s.endable
  if (due && idle && (!warns || warned)) return { kind: 'auto-end', id: s.id, idleMs }
  if (warns && idle && idleMs >= eff.warnAfterMs && s.warnedAt === null) {
    const disconnectInMs =
      eff.disconnectAfterMs > 0 && s.endable
        ? Math.max(eff.disconnectAfterMs - idleMs, settings.pollIntervalMs)
        : null
    return { kind: 'warn', id: s.id, idleMs, disconnectInMs }
  }
  return null
}

const LIMIT_KEY: Record<ResourceType, 'limitSsh' | 'limitRdp' | 'limitWeb'> = {
  ssh: 'limitSsh',
  rdp: 'limitRdp',
  web: 'limitWeb',
}

/**
 * Decides warnings, auto-disconnects and limit actions for the open sessions. Pure: the engine
 * carries the actions out. A session is warned once per idle period (warnedAt is cleared when it
 * becomes active again). Whatever the settings say, a session is ended only when it is idle now
 * and, when warnings are on, was warned at least one poll earlier: contradicting values (a
 * disconnect before the idle or warning time) delay the end, they never skip the warning.
 */
export function evaluatePolicy(
  sessions: readonly PolicyInput[],
  settings: Settings,
  now: number,
): PolicyAction[] {
  const actions: PolicyAction[] = []
  for (const s of sessions) {
    const action = decide(s, settings, now)
    if (action) actions.push(action)
  }
  const autoEnded = new Set(actions.filter((a) => a.kind === 'auto-end').map((a) => a.id))
  for (const type of ['ssh', 'rdp', 'web'] as const) {
    const limit = settings[LIMIT_KEY[type]]
    if (limit <= 0) continue
    const open = sessions
      .filter((s) => s.type === type && !autoEnded.has(s.id))
      .sort((a, b) => a.startTime - b.startTime || a.id.localeCompare(b.id))
    // The oldest `limit` sessions are within the limit; the newer ones are over it.
    for (const s of open.slice(limit)) {
      if (settings.limitAction === 'notify' && s.limitFlagged) continue
      if (settings.limitAction === 'end-newest' && !s.endable) continue
      actions.push({ kind: 'limit', id: s.id, type, limit, action: settings.limitAction })
    }
  }
  return actions
}

/** The policy's view of an open row. */
export function policyInput(r: SessionRow, resource: ResourceRow | null): PolicyInput {
  return {
    id: r.id,
    type: r.resourceType,
    startTime: r.startTime,
    lastActivity: r.lastActivity,
    warnedAt: r.warnedAt,
    endable: r.endable,
    limitFlagged: r.flags.includes('limit-exceeded'),
    policy: resource,
  }
}

export interface WarnInfo {
  idleMs: number
  disconnectInMs: number | null
}

/** What the policy's actions mean: rows to write, sessions to end, events to emit. */
export interface PolicyPlan {
  updates: SessionUpdate[]
  warned: { id: string; info: WarnInfo }[]
  toEnd: { id: string; reason: EndReason }[]
  limited: { id: string; limit: number; action: Settings['limitAction'] }[]
}

export function planPolicy(actions: readonly PolicyAction[], now: number): PolicyPlan {
  const plan: PolicyPlan = { updates: [], warned: [], toEnd: [], limited: [] }
  for (const a of actions) {
    if (a.kind === 'warn') {
      const detail =
        a.disconnectInMs === null
          ? `idle ${formatDuration(a.idleMs)}`
          : `idle ${formatDuration(a.idleMs)}; disconnect in ${formatDuration(a.disconnectInMs)}`
      plan.updates.push({ kind: 'warned', id: a.id, at: now, detail })
      plan.warned.push({ id: a.id, info: { idleMs: a.idleMs, disconnectInMs: a.disconnectInMs } })
    } else if (a.kind === 'auto-end') {
      plan.toEnd.push({ id: a.id, reason: 'idle-timeout' })
    } else if (a.action === 'end-newest') {
      plan.toEnd.push({ id: a.id, reason: 'policy' })
    } else {
      plan.updates.push({ kind: 'flag', id: a.id, flag: 'limit-exceeded' })
      plan.updates.push({
        kind: 'event',
        id: a.id,
        at: now,
        event: 'limit',
        detail: `over the ${a.type} limit of ${a.limit}`,
        actor: 'policy',
      })
      plan.limited.push({ id: a.id, limit: a.limit, action: a.action })
    }
  }
  return plan
}
