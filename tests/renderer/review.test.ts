import type { VueWrapper } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { ReviewItem } from '@shared/review'
import { DEFAULT_SETTINGS } from '@shared/settings'
import { installFakeWarden } from './support/fake-warden'
import { answerStartup, messages, mountApp, settle, squash } from './support/app'
import { makeSession, snapshot } from './support/sessions'

// The anomaly review in the window: the count in the navigation and on the dashboard, the reasons on
// the row, Mark as expected, Report suspicious (its dialog says what it will do), and Settings.

const fake = installFakeWarden()
// loaded once up front (after the fake is installed), so no test pays the first import
await import('@renderer/App.vue')

const alpha = makeSession({ resourceName: 'alpha', status: 'active' })
const beta = makeSession({ resourceName: 'beta', status: 'active' })
const flagged: ReviewItem = {
  id: alpha.id,
  resourceName: 'alpha',
  resourceType: 'ssh',
  startTime: alpha.startTime,
  open: true,
  score: 3,
  reasons: [
    'Client program /tmp/x/ssh (sha256 abc) was not installed by the system and runs from a temp folder',
  ],
  hits: [
    {
      rule: 'unknown-binary',
      key: 'exe:abc',
      weight: 3,
      reason:
        'Client program /tmp/x/ssh (sha256 abc) was not installed by the system and runs from a temp folder',
    },
  ],
}

let app: VueWrapper | null = null
let review: ReviewItem[] = []

beforeEach(() => {
  fake.reset()
  answerStartup(fake, DEFAULT_SETTINGS)
  review = [flagged]
  fake.on('listSessions', () => snapshot([alpha, beta]))
  fake.on('listReview', () => review)
  fake.on('listAllowed', () => [])
})
afterEach(() => {
  app?.unmount()
  app = null
  document.body.innerHTML = ''
})

const q = (sel: string): HTMLElement | null => document.querySelector<HTMLElement>(sel)
function click(sel: string): void {
  const el = q(sel)
  if (!el) throw new Error(`nothing matches ${sel}`)
  el.click()
}

describe('anomaly review in the window', () => {
  it('shows the count in the navigation and on the dashboard, and the reasons on the flagged row only', async () => {
    app = await mountApp()
    expect(squash(q('[data-review-count]')?.textContent)).toBe('1')
    expect(squash(q('[data-stat="Needs Review"] [data-value]')?.textContent)).toBe('1')
    expect(q(`tr[data-session-id="${alpha.id}"] [data-review="needs-review"]`)).not.toBeNull()
    expect(q(`tr[data-session-id="${beta.id}"] [data-review="needs-review"]`)).toBeNull()
    click(`tr[data-session-id="${alpha.id}"] [data-review="needs-review"]`)
    await settle()
    expect(squash(q('[data-review-reasons]')?.textContent)).toContain('/tmp/x/ssh (sha256 abc)')
  })

  it('Mark as expected asks the engine and the count follows; a new flag pushed by the engine shows', async () => {
    fake.on('markExpected', () => {
      review = []
      return flagged
    })
    app = await mountApp()
    click(`tr[data-session-id="${alpha.id}"] [data-review="needs-review"]`)
    await settle()
    click('[data-action="mark-expected"]')
    await settle()
    expect(fake.calls('markExpected')).toEqual([[alpha.id]])
    expect(q('[data-review-count]')).toBeNull()
    expect(messages().join(' ')).toContain('Marked alpha as expected')
    review = [{ ...flagged, id: beta.id, resourceName: 'beta' }]
    fake.emit('onReviewChanged', { count: 1 })
    await settle()
    expect(q(`tr[data-session-id="${beta.id}"] [data-review="needs-review"]`)).not.toBeNull()
  })

  it('Report suspicious says what it will do; Cancel does nothing; confirming reports with the note', async () => {
    fake.on('reportSession', () => {
      review = []
      return { bundle: '/data/reports/report-1.json', sha256: 'f'.repeat(64), ended: true, sent: [] }
    })
    app = await mountApp()
    click(`tr[data-session-id="${alpha.id}"] [data-review="needs-review"]`)
    await settle()
    click('[data-action="report"]')
    await settle()
    const text = squash(q('[data-dialog="report"]')?.textContent)
    expect(text).toContain('end the session now')
    expect(text).toContain('evidence bundle')
    expect(text).toContain('security contact')
    click('[data-dialog="report"] [data-action="cancel"]')
    await settle()
    expect(fake.calls('reportSession')).toEqual([])
    click(`tr[data-session-id="${alpha.id}"] [data-review="needs-review"]`)
    await settle()
    click('[data-action="report"]')
    await settle()
    const note = document.querySelector<HTMLTextAreaElement>('#report-note')
    if (!note) throw new Error('no note field')
    note.value = 'not me'
    note.dispatchEvent(new Event('input'))
    await settle()
    click('[data-action="confirm-report"]')
    await settle()
    expect(fake.calls('reportSession')).toEqual([[alpha.id, { note: 'not me' }]])
    expect(messages().join(' ')).toContain('/data/reports/report-1.json')
    expect(messages().join(' ')).toContain('No security contact is set')
  })

  it('Settings: a refused security contact is explained and not saved; the allow-list can be emptied', async () => {
    fake.on('listAllowed', () => [
      {
        rule: 'unknown-binary',
        key: 'exe:abc',
        addedAt: '2026-01-01T00:00:00.000Z',
        note: 'Client program /tmp/x/ssh',
      },
    ])
    fake.on('removeAllowed', () => [])
    fake.on('setSetting', (key, value) => ({ ...DEFAULT_SETTINGS, [key]: value }))
    app = await mountApp()
    click('[data-view="settings"]')
    // Settings is a lazy chunk: it draws once its module has loaded
    const field = await vi.waitFor(() => {
      const el = document.querySelector<HTMLInputElement>('#securityContact')
      if (!el) throw new Error('no securityContact field')
      return el
    })
    await settle()
    field.value = 'http://hooks.example.com'
    field.dispatchEvent(new Event('input'))
    field.dispatchEvent(new Event('blur'))
    await settle()
    expect(squash(q('[data-card="review"] [role="alert"]')?.textContent)).toContain('https')
    expect(fake.calls('setSetting')).toEqual([])
    field.value = 'mailto:sec@example.com'
    field.dispatchEvent(new Event('input'))
    field.dispatchEvent(new Event('blur'))
    await settle()
    expect(fake.calls('setSetting')).toEqual([['securityContact', 'mailto:sec@example.com']])
    expect(q('[data-allow="exe:abc"]')).not.toBeNull()
    click('[data-action="remove-allowed"]')
    await settle()
    expect(fake.calls('removeAllowed')).toEqual([['unknown-binary', 'exe:abc']])
    expect(q('[data-allow-empty]')).not.toBeNull()
  })
})
