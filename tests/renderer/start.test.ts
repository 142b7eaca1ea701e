import { describe, expect, it, vi } from 'vitest'
import { DEFAULT_SETTINGS } from '@shared/settings'
import { installFakeWarden } from './support/fake-warden'
import { answerStartup } from './support/app'
import { makeSession, snapshot } from './support/sessions'

// window.warden must exist before the window's modules are evaluated
const fake = installFakeWarden()

describe('the window starts from main.ts (its modules imported in steps, issue 15)', () => {
  it('mounts the app and fills the live table in steps up to every row', async () => {
    answerStartup(fake, DEFAULT_SETTINGS)
    const sessions = Array.from({ length: 30 }, (_, i) => makeSession({ resourceName: `host${i}` }))
    fake.on('listSessions', () => snapshot(sessions))
    document.body.innerHTML = '<div id="app"></div>'
    const seen = new Set<number>()
    const rows = (): number => document.querySelectorAll('tr[data-session-id]').length
    await import('@renderer/main')
    await vi.waitFor(
      () => {
        seen.add(rows())
        expect(rows()).toBe(30)
      },
      { timeout: 30_000, interval: 1 },
    )
    expect(document.querySelector('h1')?.textContent).toContain('Active Sessions')
    // the first fill came in steps: fewer rows were on the page before all of them
    expect([...seen].some((n) => n > 0 && n < 30)).toBe(true)
  }, 60_000)
})
