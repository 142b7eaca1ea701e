import type { ResourceType } from '@shared/model'
import { mergeRules, orderedRules } from '@shared/rules'
import type { ResourcePolicy, Settings } from '@shared/settings'

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
export function effectivePolicy(settings: Settings, p: ResourcePolicy | null): EffectivePolicy {
  const r = orderedRules(mergeRules(settings, p))
  return {
    idleAfterMs: r.idleAfterSec * 1000,
    warnAfterMs: r.warnAfterSec * 1000,
    disconnectAfterMs: r.disconnectAfterSec * 1000,
  }
}

const LIMIT_KEY: Record<ResourceType, 'limitSsh' | 'limitRdp' | 'limitWeb'> = {
  ssh: 'limitSsh',
  rdp: 'limitRdp',
  web: 'limitWeb',
}

/**
 * Decides warnings, auto-disconnects and limit actions for the open sessions. Pure: the engine
 * carries the actions out. A session is warned once per idle period (warnedAt is cleared when it
 * becomes active again); one already due for auto-disconnect is not warned first.
 */
export function evaluatePolicy(
  sessions: readonly PolicyInput[],
  settings: Settings,
  now: number,
): PolicyAction[] {
  const actions: PolicyAction[] = []
  for (const s of sessions) {
    const eff = effectivePolicy(settings, s.policy)
    const idleMs = Math.max(0, now - s.lastActivity)
    if (eff.disconnectAfterMs > 0 && idleMs >= eff.disconnectAfterMs && s.endable) {
      actions.push({ kind: 'auto-end', id: s.id, idleMs })
      continue
    }
    if (eff.warnAfterMs > 0 && idleMs >= eff.warnAfterMs && s.warnedAt === null) {
      const disconnectInMs =
        eff.disconnectAfterMs > 0 && s.endable ? Math.max(0, eff.disconnectAfterMs - idleMs) : null
      actions.push({ kind: 'warn', id: s.id, idleMs, disconnectInMs })
    }
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
