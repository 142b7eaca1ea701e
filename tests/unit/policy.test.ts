import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { DEFAULT_SETTINGS, type ResourcePolicy, type Settings } from '@shared/settings'
import { effectivePolicy, evaluatePolicy, type PolicyInput } from '@engine/policy'

const M = 60_000
const base = (over: Partial<PolicyInput>): PolicyInput => ({
  id: 's1',
  type: 'ssh',
  startTime: 0,
  lastActivity: 0,
  warnedAt: null,
  endable: true,
  limitFlagged: false,
  policy: null,
  ...over,
})

describe('evaluatePolicy', () => {
  it('warns at 10 min idle with the time left, once per idle period', () => {
    const now = 10 * M
    expect(evaluatePolicy([base({})], DEFAULT_SETTINGS, now)).toEqual([
      { kind: 'warn', id: 's1', idleMs: 10 * M, disconnectInMs: 20 * M },
    ])
    expect(evaluatePolicy([base({ warnedAt: now })], DEFAULT_SETTINGS, now + M)).toEqual([])
    expect(evaluatePolicy([base({})], DEFAULT_SETTINGS, now - 1)).toEqual([])
  })
  it('auto-disconnects at 30 min idle once warned at least a poll before', () => {
    expect(evaluatePolicy([base({ warnedAt: 10 * M })], DEFAULT_SETTINGS, 30 * M)).toEqual([
      { kind: 'auto-end', id: 's1', idleMs: 30 * M },
    ])
  })
  it('a session due for auto-disconnect but never warned is warned first, and ended a poll later', () => {
    const poll = DEFAULT_SETTINGS.pollIntervalMs
    expect(evaluatePolicy([base({})], DEFAULT_SETTINGS, 30 * M)).toEqual([
      { kind: 'warn', id: 's1', idleMs: 30 * M, disconnectInMs: poll },
    ])
    expect(evaluatePolicy([base({ warnedAt: 30 * M })], DEFAULT_SETTINGS, 30 * M + poll - 1)).toEqual([])
    expect(evaluatePolicy([base({ warnedAt: 30 * M })], DEFAULT_SETTINGS, 30 * M + poll)).toEqual([
      { kind: 'auto-end', id: 's1', idleMs: 30 * M + poll },
    ])
  })
  it('0 means never; per-resource values win', () => {
    const never = { ...DEFAULT_SETTINGS, warnAfterSec: 0, disconnectAfterSec: 0 }
    expect(evaluatePolicy([base({})], never, 1000 * M)).toEqual([])
    const perResource = base({ policy: { idleAfterSec: 60, warnAfterSec: 60, disconnectAfterSec: 0 } })
    expect(evaluatePolicy([perResource], DEFAULT_SETTINGS, 2 * M)).toEqual([
      { kind: 'warn', id: 's1', idleMs: 2 * M, disconnectInMs: null },
    ])
    expect(evaluatePolicy([perResource], DEFAULT_SETTINGS, 100 * M).some((a) => a.kind === 'auto-end')).toBe(
      false,
    )
  })
  it('never auto-ends a session it cannot end (a tab in the user browser), but still warns', () => {
    const acts = evaluatePolicy([base({ endable: false })], DEFAULT_SETTINGS, 31 * M)
    expect(acts).toEqual([{ kind: 'warn', id: 's1', idleMs: 31 * M, disconnectInMs: null }])
  })
  it('flags or ends the newest sessions over a per-type limit', () => {
    const sessions = [
      base({ id: 'a', startTime: 1, lastActivity: 100 }),
      base({ id: 'b', startTime: 2, lastActivity: 100 }),
      base({ id: 'c', startTime: 3, lastActivity: 100 }),
      base({ id: 'r', type: 'rdp', startTime: 4, lastActivity: 100 }),
    ]
    const notify = evaluatePolicy(sessions, { ...DEFAULT_SETTINGS, limitSsh: 2 }, 200)
    expect(notify).toEqual([{ kind: 'limit', id: 'c', type: 'ssh', limit: 2, action: 'notify' }])
    const flagged = sessions.map((s) => (s.id === 'c' ? { ...s, limitFlagged: true } : s))
    expect(evaluatePolicy(flagged, { ...DEFAULT_SETTINGS, limitSsh: 2 }, 200)).toEqual([])
    const end = evaluatePolicy(sessions, { ...DEFAULT_SETTINGS, limitSsh: 1, limitAction: 'end-newest' }, 200)
    expect(end.map((a) => a.id)).toEqual(['b', 'c'])
  })
})

describe('evaluatePolicy never ends a session before it was idle and warned (fault 3)', () => {
  it('the reported case: warn after 30 s, disconnect after 2 s, idle after 5 min', () => {
    const settings = { ...DEFAULT_SETTINGS, warnAfterSec: 30, disconnectAfterSec: 2 }
    // before the fix: auto-ended at 4 s, neither idle nor warned
    expect(evaluatePolicy([base({})], settings, 4 * 1000)).toEqual([])
    expect(evaluatePolicy([base({})], settings, 5 * M)).toEqual([
      { kind: 'warn', id: 's1', idleMs: 5 * M, disconnectInMs: settings.pollIntervalMs },
    ])
  })

  const secs = fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 900 }))
  const policy: fc.Arbitrary<ResourcePolicy | null> = fc.option(
    fc.record({
      idleAfterSec: fc.option(fc.integer({ min: 5, max: 900 }), { nil: null }),
      warnAfterSec: fc.option(secs, { nil: null }),
      disconnectAfterSec: fc.option(secs, { nil: null }),
    }),
    { nil: null },
  )
  const settings: fc.Arbitrary<Settings> = fc
    .record({
      idleAfterSec: fc.integer({ min: 5, max: 900 }),
      warnAfterSec: secs,
      disconnectAfterSec: secs,
      pollIntervalMs: fc.integer({ min: 200, max: 5000 }),
    })
    .map((r) => ({ ...DEFAULT_SETTINGS, ...r }))
  /** one poll of the loop: how much later (ms), and whether the session had traffic meanwhile */
  const step = fc.record({ laterMs: fc.integer({ min: 1, max: 120_000 }), traffic: fc.boolean() })

  it('over random settings and activity, every auto-end comes after idle and (warnings on) a warning a poll before', () => {
    fc.assert(
      fc.property(settings, policy, fc.array(step, { maxLength: 200 }), (set, p, steps) => {
        const eff = effectivePolicy(set, p)
        const s = base({ policy: p })
        let now = 0
        for (const st of steps) {
          // the loop never polls faster than its interval
          now += Math.max(st.laterMs, set.pollIntervalMs)
          if (st.traffic) s.lastActivity = now
          // as the engine does: an active session has no warning pending
          if (now - s.lastActivity < eff.idleAfterMs) s.warnedAt = null
          const ends = evaluatePolicy([s], set, now).filter((a) => a.kind === 'auto-end')
          const warn = evaluatePolicy([s], set, now).find((a) => a.kind === 'warn')
          if (ends.length > 0) {
            expect(now - s.lastActivity).toBeGreaterThanOrEqual(eff.idleAfterMs)
            if (eff.warnAfterMs > 0) {
              expect(s.warnedAt).not.toBeNull()
              expect(s.warnedAt ?? Infinity).toBeGreaterThanOrEqual(s.lastActivity)
              expect(now - (s.warnedAt ?? Infinity)).toBeGreaterThanOrEqual(set.pollIntervalMs)
            }
            return
          }
          if (warn) s.warnedAt = now
        }
      }),
      { seed: 20261202, numRuns: 2000 },
    )
  })
})

describe('effectivePolicy', () => {
  it('answers by the rules’ values, not by the objects that hold them (a remembered answer never goes stale)', () => {
    const set: Settings = {
      ...DEFAULT_SETTINGS,
      idleAfterSec: 300,
      warnAfterSec: 600,
      disconnectAfterSec: 900,
    }
    const own: ResourcePolicy = { idleAfterSec: 120, warnAfterSec: null, disconnectAfterSec: null }
    const first = effectivePolicy(set, own)
    expect(first).toEqual({ idleAfterMs: 120_000, warnAfterMs: 600_000, disconnectAfterMs: 900_000 })
    expect(effectivePolicy({ ...set }, { ...own })).toBe(first)
    // the same objects with other values: a fresh answer
    set.warnAfterSec = 0
    expect(effectivePolicy(set, own)).toEqual({
      idleAfterMs: 120_000,
      warnAfterMs: 0,
      disconnectAfterMs: 900_000,
    })
    own.idleAfterSec = null
    expect(effectivePolicy(set, own).idleAfterMs).toBe(300_000)
    expect(effectivePolicy(set, null).idleAfterMs).toBe(300_000)
    // more distinct rules than are remembered, then the first again: still right
    for (let i = 1; i <= 20; i++)
      expect(effectivePolicy({ ...set, idleAfterSec: 60 * i }, null).idleAfterMs).toBe(60_000 * i)
    expect(effectivePolicy({ ...set, warnAfterSec: 600 }, { ...own, idleAfterSec: 120 })).toEqual(first)
  })
})
