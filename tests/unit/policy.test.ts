import { describe, expect, it } from 'vitest'
import { DEFAULT_SETTINGS } from '@shared/settings'
import { evaluatePolicy, type PolicyInput } from '@engine/policy'

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
