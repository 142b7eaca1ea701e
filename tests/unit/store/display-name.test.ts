import { describe, expect, it } from 'vitest'
import { NAME_MAX } from '@shared/resource'
import { toSession } from '@engine/session-view'
import { newSession, storeErrorCode as code, useTempDir } from './helpers'

// A display name for any resource (issue 15 part 3): migration 6, the store, the session view.

const t = useTempDir()

describe('resource display names', () => {
  it('an ssh resource shows its display name in open and ended sessions; its name stays the key', () => {
    const s = t.open({ now: () => Date.UTC(2026, 11, 2) })
    const r = s.ensureResource('ssh', 'db1.internal', 'db1.internal')
    expect(r.displayName).toBeNull()
    s.applyTick([newSession(r.id, { id: 'aaaaaaaaaaaa' })], [], 1)
    expect(s.setResourceDisplayName(r.id, '  Orders database ')).toMatchObject({
      name: 'db1.internal',
      displayName: 'Orders database',
    })
    const [open] = s.openSessions()
    expect(open).toMatchObject({ resourceName: 'db1.internal', resourceDisplayName: 'Orders database' })
    if (!open) throw new Error('no open session')
    expect(toSession(open, 2).resourceName).toBe('Orders database')
    // found by its name and by its display name
    expect(s.findResource('db1.internal')?.id).toBe(r.id)
    expect(s.findResource('Orders database')?.id).toBe(r.id)
    // a recorded host seen again keeps its display name
    expect(s.ensureResource('ssh', 'db1.internal', 'db1.internal').displayName).toBe('Orders database')
  })

  it('refuses control characters and over-long text, changing nothing; empty clears it', () => {
    const s = t.open()
    const r = s.ensureResource('rdp', 'win-build', 'win-build')
    s.setResourceDisplayName(r.id, 'Build box')
    expect(code(() => s.setResourceDisplayName(r.id, 'evil\u001b[31m'))).toBe('BAD_RESOURCE')
    expect(code(() => s.setResourceDisplayName(r.id, 'x'.repeat(NAME_MAX + 1)))).toBe('BAD_RESOURCE')
    expect(s.findResource('win-build')?.displayName).toBe('Build box')
    expect(s.setResourceDisplayName(r.id, 'x'.repeat(NAME_MAX)).displayName).toHaveLength(NAME_MAX)
    expect(s.setResourceDisplayName(r.id, '').displayName).toBeNull()
    expect(s.setResourceDisplayName(r.id, null).displayName).toBeNull()
    expect(code(() => s.setResourceDisplayName(9999, 'Nope'))).toBe('NOT_FOUND')
  })
})
