import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { evaluatePolicy, type PolicyInput } from '@engine/policy'
import { HISTORY_LIMIT, historyQuerySchema } from '@shared/history'
import { newResourceSchema, newWebResourceSchema } from '@shared/resource'
import {
  checkIdleRules,
  mergeRules,
  newResourceAfter,
  orderedRules,
  policyAfter,
  settingsAfter,
  type IdleRules,
  type ResourceRules,
} from '@shared/rules'
import {
  DEFAULT_SETTINGS,
  POLICY_KEYS,
  SETTING_BOUNDS,
  SETTING_KEYS,
  SETTING_RANGES,
  SETTING_RULES,
  settingsSchema,
  validateSetting,
  type Settings,
} from '@shared/settings'

// The rules in src/shared: each setting's own bounds, the idle rules taken together (fault 3 of
// issue 9), and what the policy makes of rules stored out of order.

const SEED = 9

function refused(r: { ok: true; value: unknown } | { ok: false; error: string }): string {
  if (r.ok) throw new Error(`expected a refusal, got ${JSON.stringify(r.value)}`)
  return r.error
}

/** The order the rules promise: warned only once idle, warned before ended, ended only once idle. */
function inOrder(r: IdleRules): boolean {
  const { idleAfterSec: idle, warnAfterSec: warn, disconnectAfterSec: end } = r
  return (warn === 0 || warn >= idle) && (end === 0 || end >= idle) && (warn === 0 || end === 0 || end > warn)
}

describe("each setting's rule, from its schema", () => {
  it('the words say what the schema accepts, at both ends', () => {
    expect(SETTING_RULES.idleAfterSec).toBe('a whole number of seconds from 5 to 86400')
    expect(SETTING_RULES.warnAfterSec).toBe('a whole number of seconds from 0 (never) to 604800')
    expect(SETTING_RULES.limitSsh).toBe('a whole number from 0 (no limit) to 1000')
    expect(SETTING_RULES.lockAction).toBe('nothing, away or end')
    expect(SETTING_RULES.notifications).toBe('true or false')
    expect(SETTING_RANGES.idleAfterSec).toBe('5s to 1d')
    expect(SETTING_RANGES.disconnectAfterSec).toBe('0 (never) to 7d')
    for (const [key, b] of Object.entries(SETTING_BOUNDS) as [
      keyof typeof SETTING_BOUNDS,
      { min: number; max: number },
    ][]) {
      const numbers = SETTING_RULES[key].match(/\d+/g)?.map(Number)
      expect(numbers, key).toEqual([b.min, b.max])
      expect(validateSetting(key, b.min).ok, key).toBe(true)
      expect(validateSetting(key, b.max).ok, key).toBe(true)
      expect(validateSetting(key, b.min - 1).ok, key).toBe(false)
      expect(validateSetting(key, b.max + 1).ok, key).toBe(false)
    }
    expect(SETTING_KEYS.every((k) => SETTING_RULES[k].length > 0)).toBe(true)
    expect(settingsSchema.parse(DEFAULT_SETTINGS)).toEqual(DEFAULT_SETTINGS)
  })

  it('the history page is 1 to HISTORY_LIMIT.max rows, once', () => {
    expect(historyQuerySchema.safeParse({ limit: HISTORY_LIMIT.max }).success).toBe(true)
    expect(historyQuerySchema.safeParse({ limit: HISTORY_LIMIT.max + 1 }).success).toBe(false)
    expect(historyQuerySchema.safeParse({ limit: 0 }).success).toBe(false)
    expect(historyQuerySchema.safeParse({ since: 2, until: 1 }).success).toBe(false)
    expect(historyQuerySchema.safeParse({ since: 1, until: 1 }).success).toBe(true)
  })
})

describe('the idle rules together (fault 3)', () => {
  const withRules = (r: Partial<IdleRules>): Settings => ({ ...DEFAULT_SETTINGS, ...r })

  it('refuses warn after 30 s with disconnect after 2 s, naming both fields', () => {
    const current = withRules({ idleAfterSec: 5, warnAfterSec: 30 })
    expect(refused(settingsAfter(current, [], 'disconnectAfterSec', 2))).toBe(
      'disconnect after (2s) must be later than warn after (30s): a session is warned before it is ended (warn after 0 turns warnings off)',
    )
    const endFirst = withRules({ idleAfterSec: 5, disconnectAfterSec: 2 + 0 * 1 })
    expect(refused(settingsAfter({ ...endFirst, disconnectAfterSec: 20 }, [], 'warnAfterSec', 30))).toMatch(
      /^disconnect after \(20s\) must be later than warn after \(30s\)/,
    )
  })

  it('refuses disconnect after 10 s under the default warning at 10 min', () => {
    expect(refused(settingsAfter(DEFAULT_SETTINGS, [], 'disconnectAfterSec', 10))).toMatch(
      /^disconnect after \(10s\) must be later than warn after \(10m\): /,
    )
    // with warnings off, the end must still not come before idle
    const quiet = withRules({ warnAfterSec: 0 })
    expect(refused(settingsAfter(quiet, [], 'disconnectAfterSec', 10))).toBe(
      'disconnect after (10s) must not be earlier than idle after (5m): a session is ended only once it is idle',
    )
    expect(refused(settingsAfter(DEFAULT_SETTINGS, [], 'warnAfterSec', 60))).toMatch(
      /^warn after \(1m\) must not be earlier than idle after \(5m\)/,
    )
  })

  it('accepts what keeps the order, and 0 for never', () => {
    expect(settingsAfter(DEFAULT_SETTINGS, [], 'disconnectAfterSec', 0).ok).toBe(true)
    expect(settingsAfter(withRules({ warnAfterSec: 0 }), [], 'disconnectAfterSec', 300).ok).toBe(true)
    expect(settingsAfter(DEFAULT_SETTINGS, [], 'warnAfterSec', 300).ok).toBe(true)
    expect(settingsAfter(DEFAULT_SETTINGS, [], 'idleAfterSec', 600).ok).toBe(true)
    expect(settingsAfter(DEFAULT_SETTINGS, [], 'idleAfterSec', 601).ok).toBe(false)
    // other settings are not held up by the idle rules
    expect(settingsAfter(withRules({ warnAfterSec: 30, disconnectAfterSec: 2 }), [], 'limitSsh', 3).ok).toBe(
      true,
    )
  })

  it('per resource: its overrides with the globals they fall back to, named by where they come from', () => {
    expect(refused(policyAfter(DEFAULT_SETTINGS, null, { disconnectAfterSec: 10 }))).toBe(
      'disconnect after (10s, its own) must be later than warn after (10m, global): a session is warned before it is ended (warn after 0 turns warnings off)',
    )
    expect(policyAfter(DEFAULT_SETTINGS, null, { warnAfterSec: 0, disconnectAfterSec: 300 })).toEqual({
      ok: true,
      value: { idleAfterSec: null, warnAfterSec: 0, disconnectAfterSec: 300 },
    })
    // the keys not given stay as they were
    const own = { idleAfterSec: 60, warnAfterSec: 120, disconnectAfterSec: null }
    expect(refused(policyAfter(DEFAULT_SETTINGS, own, { idleAfterSec: 180 }))).toMatch(
      /^warn after \(2m, its own\) must not be earlier than idle after \(3m, its own\)/,
    )
    // each value's own rule first, in the setting's words
    expect(refused(policyAfter(DEFAULT_SETTINGS, null, { idleAfterSec: 0 }))).toBe(
      'idleAfterSec must be a whole number of seconds from 5 to 86400 (got 0)',
    )
    expect(policyAfter(DEFAULT_SETTINGS, null, { sneaky: 1 }).ok).toBe(false)
  })

  it('a global change that contradicts a resource override is refused naming that resource', () => {
    const prod: ResourceRules = { name: 'prod', idleAfterSec: null, warnAfterSec: 120, disconnectAfterSec: 0 }
    const current = withRules({ idleAfterSec: 60 })
    expect(refused(settingsAfter(current, [prod], 'idleAfterSec', 300))).toBe(
      'for the resource "prod": warn after (2m, its own) must not be earlier than idle after (5m, global): a session is warned only once it is idle',
    )
    expect(settingsAfter(current, [prod], 'idleAfterSec', 120).ok).toBe(true)
  })

  it('a new resource is checked with its overrides over the globals', () => {
    const add = { type: 'ssh', name: 'db', target: 'db.internal', disconnectAfterSec: 10 }
    expect(refused(newResourceAfter(DEFAULT_SETTINGS, add))).toMatch(/^disconnect after \(10s, its own\)/)
    expect(newResourceAfter(DEFAULT_SETTINGS, { ...add, warnAfterSec: 0, disconnectAfterSec: 300 }).ok).toBe(
      true,
    )
  })

  it('rules stored out of order (before these checks) can be mended one change at a time', () => {
    // 5 min idle, warned at 30 s, ended at 2 s: three contradictions, no single change fixes all
    const stored = withRules({ warnAfterSec: 30, disconnectAfterSec: 2 })
    const step1 = settingsAfter(stored, [], 'disconnectAfterSec', 3600)
    expect(step1.ok).toBe(true)
    if (!step1.ok) return
    expect(settingsAfter(step1.value.settings, [], 'warnAfterSec', 600).ok).toBe(true)
    // but a change that adds a contradiction of its own is still refused
    expect(settingsAfter(stored, [], 'idleAfterSec', 3600).ok).toBe(false)
  })

  it('property: whatever is accepted, from the defaults on, keeps the order globally and per resource', () => {
    const seconds = fc.oneof(
      fc.constant(0),
      fc.integer({ min: 1, max: 700_000 }),
      fc.constantFrom(5, 60, 300, 600, 1800),
    )
    const op = fc.oneof(
      fc.record({
        kind: fc.constant('setting' as const),
        key: fc.constantFrom(...POLICY_KEYS),
        value: seconds,
      }),
      fc.record({
        kind: fc.constant('policy' as const),
        resource: fc.integer({ min: 0, max: 2 }),
        key: fc.constantFrom(...POLICY_KEYS),
        value: fc.option(seconds),
      }),
    )
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        let settings = DEFAULT_SETTINGS
        const resources: ResourceRules[] = ['a', 'b', 'c'].map((name) => ({
          name,
          idleAfterSec: null,
          warnAfterSec: null,
          disconnectAfterSec: null,
        }))
        let accepted = 0
        for (const o of ops) {
          if (o.kind === 'setting') {
            const r = settingsAfter(settings, resources, o.key, o.value)
            if (r.ok) settings = r.value.settings
            accepted += r.ok ? 1 : 0
          } else {
            const res = resources[o.resource] as ResourceRules
            const r = policyAfter(settings, res, { [o.key]: o.value })
            if (r.ok) resources[o.resource] = { ...res, ...r.value }
            accepted += r.ok ? 1 : 0
          }
          expect(inOrder(settings)).toBe(true)
          for (const res of resources) expect(inOrder(mergeRules(settings, res)), res.name).toBe(true)
        }
        return accepted >= 0
      }),
      { seed: SEED, numRuns: 300 },
    )
  })

  it('property: checkIdleRules refuses exactly the combinations out of order', () => {
    const rules = fc.record({
      idleAfterSec: fc.integer({ min: 5, max: 86_400 }),
      warnAfterSec: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 604_800 })),
      disconnectAfterSec: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 604_800 })),
    })
    fc.assert(
      fc.property(rules, (r) => (checkIdleRules(r) === null) === inOrder(r)),
      { seed: SEED, numRuns: 2000 },
    )
  })
})

describe('the policy never ends a session before it was idle and warned, whatever is stored', () => {
  it('property: orderedRules puts any rules in order and leaves ordered ones as they are', () => {
    const any = fc.record({
      idleAfterSec: fc.integer({ min: 0, max: 700_000 }),
      warnAfterSec: fc.integer({ min: 0, max: 700_000 }),
      disconnectAfterSec: fc.integer({ min: 0, max: 700_000 }),
    })
    fc.assert(
      fc.property(any, (r) => {
        const o = orderedRules(r)
        expect(inOrder(o)).toBe(true)
        expect(o.idleAfterSec).toBeGreaterThanOrEqual(SETTING_BOUNDS.idleAfterSec.min)
        // never sooner than stored, and 0 (never) stays never
        expect(o.warnAfterSec === 0).toBe(r.warnAfterSec === 0)
        expect(o.disconnectAfterSec === 0).toBe(r.disconnectAfterSec === 0)
        if (o.disconnectAfterSec > 0)
          expect(o.disconnectAfterSec).toBeGreaterThanOrEqual(r.disconnectAfterSec)
        if (inOrder(r) && r.idleAfterSec >= SETTING_BOUNDS.idleAfterSec.min) expect(o).toEqual(r)
      }),
      { seed: SEED, numRuns: 2000 },
    )
  })

  /** Second by second, as the loop runs the policy: the first warning and the end, in seconds idle. */
  function firstActions(
    stored: Settings,
    policy: PolicyInput['policy'] = null,
  ): { warn: number | null; end: number | null } {
    let warnedAt: number | null = null
    let warn: number | null = null
    for (let t = 0; t <= 4000; t++) {
      const s: PolicyInput = {
        id: 's',
        type: 'ssh',
        startTime: 0,
        lastActivity: 0,
        warnedAt,
        endable: true,
        limitFlagged: false,
        policy,
      }
      for (const a of evaluatePolicy([s], stored, t * 1000)) {
        if (a.kind === 'warn' && warn === null) {
          warn = t
          warnedAt = t * 1000
        }
        if (a.kind === 'auto-end') return { warn, end: t }
      }
    }
    return { warn, end: null }
  }

  it('warn after 30 s with disconnect after 2 s stored: idle at 5 s, warned at 30 s, ended after', () => {
    const stored = { ...DEFAULT_SETTINGS, idleAfterSec: 5, warnAfterSec: 30, disconnectAfterSec: 2 }
    const r = firstActions(stored)
    expect(r.warn).toBe(30)
    expect(r.end).toBeGreaterThan(30)
  })

  it('the default warning at 10 min with disconnect after 10 s stored: warned before the end', () => {
    const r = firstActions({ ...DEFAULT_SETTINGS, disconnectAfterSec: 10 })
    expect(r.warn).toBe(600)
    expect(r.end).toBeGreaterThan(600)
    // the same rules as a resource's overrides
    const own = firstActions(DEFAULT_SETTINGS, {
      idleAfterSec: null,
      warnAfterSec: null,
      disconnectAfterSec: 10,
    })
    expect(own).toEqual(r)
  })

  it('negative control: rules in order are applied as they are', () => {
    const r = firstActions({ ...DEFAULT_SETTINGS, idleAfterSec: 5, warnAfterSec: 30, disconnectAfterSec: 60 })
    expect(r).toEqual({ warn: 30, end: 60 })
  })
})

describe('web resource addresses', () => {
  it('refuses a user name and password in the address, with the reason', () => {
    for (const target of [
      'https://alice:s3cret@wiki.example/',
      'http://alice@wiki.example',
      'https://:pw@wiki.example',
    ]) {
      const r = newWebResourceSchema.safeParse({ name: 'Wiki', target })
      expect(r.success, target).toBe(false)
      expect(r.error?.issues[0]?.message, target).toBe(
        'remove the user name and password from the address (the browser asks for them when needed)',
      )
      expect(newResourceSchema.safeParse({ type: 'web', name: 'Wiki', target }).success, target).toBe(false)
    }
    // negative control: the same addresses without them, and an @ later in the address
    for (const target of [
      'https://wiki.example/',
      'https://wiki.example/@alice',
      'https://wiki.example/?u=a@b',
    ])
      expect(newWebResourceSchema.safeParse({ name: 'Wiki', target }).success, target).toBe(true)
    // an ssh target keeps its user (it is not a URL; ssh prompts for the password)
    expect(
      newResourceSchema.safeParse({ type: 'ssh', name: 'db', target: 'alice@db.internal' }).success,
    ).toBe(true)
  })
})
