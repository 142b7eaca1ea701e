import type { VueWrapper } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { WardenError, type SessionsSnapshot } from '@shared/contract'
import { DEFAULT_SETTINGS } from '@shared/settings'
import { deferred, installFakeWarden } from './support/fake-warden'
import { answerStartup, messages, mountApp, settle, squash } from './support/app'
import { makeSession, sessionId, snapshot } from './support/sessions'

// window.warden must exist before @renderer/api is evaluated
const fake = installFakeWarden()
const { HIGHLIGHT_MS } = await import('@renderer/stores/sessions')

const alpha = makeSession({ resourceName: 'alpha', status: 'active' })
const beta = makeSession({ resourceName: 'beta', status: 'idle' })
const gamma = makeSession({ resourceName: 'gamma', status: 'active', resourceType: 'rdp' })

let app: VueWrapper | null = null

beforeEach(() => {
  fake.reset()
  answerStartup(fake, DEFAULT_SETTINGS)
  fake.on('listSessions', () => snapshot([alpha, beta, gamma]))
})

afterEach(() => {
  app?.unmount()
  app = null
  document.body.innerHTML = ''
  vi.restoreAllMocks()
  vi.useRealTimers()
})

async function open(): Promise<VueWrapper> {
  app = await mountApp()
  return app
}

function currentView(): string | null {
  return document.querySelector('[aria-current="page"][data-view]')?.getAttribute('data-view') ?? null
}

async function goTo(view: 'sessions' | 'history' | 'settings'): Promise<void> {
  document.querySelector<HTMLElement>(`[data-view="${view}"]`)?.click()
  await settle()
  expect(currentView()).toBe(view)
}

function row(id: string): HTMLElement | null {
  return document.querySelector<HTMLElement>(`tr[data-session-id="${id}"]`)
}

function idleNotices(): HTMLElement[] {
  return [...document.querySelectorAll<HTMLElement>('.n-notification')].filter((n) =>
    n.querySelector('[data-notice="idle-warning"]'),
  )
}

describe('the idle warning’s Keep active', () => {
  async function warn(): Promise<HTMLButtonElement> {
    await open()
    fake.emit('onIdleWarning', { session: beta, idleMs: 600_000, disconnectInMs: 1_200_000 })
    await settle()
    const [notice] = idleNotices()
    if (!notice) throw new Error('no idle warning shown')
    expect(squash(notice.textContent)).toContain('beta has been idle for 10m')
    const button = notice.querySelector<HTMLButtonElement>('button[data-action="keep-active"]')
    if (!button) throw new Error('no Keep active button')
    expect(squash(button.textContent)).toBe('Keep active')
    expect(button.getAttribute('aria-label')).toBe('Keep beta active')
    return button
  }

  it('calls keepSessionActive with the session’s id and closes the notice', async () => {
    const reply = deferred<typeof beta>()
    fake.on('keepSessionActive', () => reply.promise)
    const button = await warn()
    button.click()
    await settle()
    expect(fake.calls('keepSessionActive')).toEqual([[beta.id]])
    // still open while the engine answers
    expect(idleNotices()).toHaveLength(1)
    reply.resolve({ ...beta, status: 'active' })
    await settle()
    await vi.waitFor(() => expect(idleNotices()).toHaveLength(0))
    expect(messages().join(' ')).toContain('beta is kept active')
    expect(row(beta.id)?.getAttribute('data-status')).toBe('active')
  })

  it('shows the refusal like other failed actions', async () => {
    fake.on('keepSessionActive', () => {
      throw new WardenError('SESSION_ENDED', 'beta has already ended')
    })
    const button = await warn()
    button.click()
    await settle()
    expect(fake.calls('keepSessionActive')).toEqual([[beta.id]])
    await vi.waitFor(() =>
      expect(messages()).toContain('beta could not be kept active: beta has already ended'),
    )
    expect(document.querySelector('.n-message--error-type')).not.toBeNull()
  })
})

describe('the notice after an automatic disconnect', () => {
  it('each of two sessions ended back to back gets its own notice', async () => {
    await open()
    const ended = (s: typeof alpha, reason: 'idle-timeout' | 'policy') =>
      ({ ...s, status: 'disconnected', endReason: reason, endTime: '2026-03-04T15:00:00.000Z' }) as const
    fake.emit('onSessionEnded', ended(alpha, 'idle-timeout'))
    fake.emit('onSessionEnded', ended(gamma, 'policy'))
    await settle()
    const texts = [...document.querySelectorAll('[data-notice="auto-ended"]')].map((n) =>
      squash(n.textContent),
    )
    expect(texts.sort()).toEqual([
      'alpha was disconnected because it had been idle too long.',
      'gamma was disconnected because it was over your session limit.',
    ])
  })
})

describe('the idle warning notice', () => {
  it('one per session: a second warning for it replaces the first', async () => {
    await open()
    fake.emit('onIdleWarning', { session: beta, idleMs: 600_000, disconnectInMs: null })
    fake.emit('onIdleWarning', { session: alpha, idleMs: 600_000, disconnectInMs: null })
    await settle()
    expect(idleNotices()).toHaveLength(2)
    fake.emit('onIdleWarning', { session: beta, idleMs: 660_000, disconnectInMs: null })
    await settle()
    await vi.waitFor(() => expect(idleNotices()).toHaveLength(2))
    const texts = idleNotices().map((n) => squash(n.querySelector('[data-notice]')?.textContent))
    expect(texts.sort()).toEqual(['alpha has been idle for 10m.', 'beta has been idle for 11m.'])
  })

  it('stays while its session is open, even shown active (warn after < idle after), and goes with it', async () => {
    await open()
    fake.emit('onIdleWarning', { session: alpha, idleMs: 300_000, disconnectInMs: null })
    await settle()
    fake.emit('onSessionsChanged', snapshot([alpha, beta, gamma]))
    await settle()
    expect(idleNotices()).toHaveLength(1)
    fake.emit('onSessionsChanged', snapshot([beta, gamma]))
    await settle()
    await vi.waitFor(() => expect(idleNotices()).toHaveLength(0))
  })
})

describe('showing a session the desktop shell asks for', () => {
  it('switches to Sessions, scrolls the row into view and marks it for a moment', async () => {
    const scrolled: Element[] = []
    vi.spyOn(Element.prototype, 'scrollIntoView').mockImplementation(function (this: Element) {
      scrolled.push(this)
    })
    await open()
    await goTo('settings')
    expect(row(gamma.id)).toBeNull()

    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    fake.emit('onShowSession', { id: gamma.id })
    await settle()
    expect(currentView()).toBe('sessions')
    const r = row(gamma.id)
    expect(r?.classList.contains('row-highlight')).toBe(true)
    expect(r?.getAttribute('aria-current')).toBe('true')
    expect(row(alpha.id)?.classList.contains('row-highlight')).toBe(false)
    expect(scrolled).toContain(r)
    expect(squash(document.querySelector('[data-shown-session]')?.textContent)).toBe(
      'Showing RDP session gamma.',
    )
    expect(document.querySelector('[data-shown-session]')?.getAttribute('role')).toBe('status')

    // the mark fades out after HIGHLIGHT_MS
    vi.advanceTimersByTime(HIGHLIGHT_MS)
    vi.useRealTimers()
    await settle()
    expect(row(gamma.id)?.classList.contains('row-highlight')).toBe(false)
    expect(row(gamma.id)?.hasAttribute('aria-current')).toBe(false)
    expect(squash(document.querySelector('[data-shown-session]')?.textContent)).toBe('')
  })

  it('says the session has ended when it is not open, and stays where it was', async () => {
    await open()
    await goTo('history')
    fake.emit('onShowSession', { id: sessionId(0xdead) })
    await settle()
    expect(currentView()).toBe('history')
    await vi.waitFor(() => expect(messages().join(' ')).toContain('That session has ended'))
    expect(document.querySelector('.row-highlight')).toBeNull()
  })

  it('asked before the first list arrived, waits for it', async () => {
    const list = deferred<SessionsSnapshot>()
    fake.on('listSessions', () => list.promise)
    await open()
    fake.emit('onShowSession', { id: beta.id })
    await settle()
    expect(messages().join(' ')).not.toContain('That session has ended')
    list.resolve(snapshot([alpha, beta]))
    await settle()
    expect(row(beta.id)?.classList.contains('row-highlight')).toBe(true)
    expect(messages().join(' ')).not.toContain('That session has ended')
  })

  it('tells the shell it is ready once, after it has subscribed to the show requests', async () => {
    const subscribedAtReady: number[] = []
    fake.on('pageReady', () => {
      subscribedAtReady.push(fake.listenerCount('onShowSession'))
      return null
    })
    expect(fake.calls('pageReady')).toEqual([])
    // counted from here: a test that timed out before it could unmount may have left one behind
    const before = fake.listenerCount('onShowSession')
    await open()
    await vi.waitFor(() => expect(fake.calls('pageReady')).toEqual([[]]))
    expect(subscribedAtReady).toEqual([before + 1])
  })

  it('a refused ready call is not an error the user sees', async () => {
    fake.on('pageReady', () => {
      throw new WardenError('FORBIDDEN', 'this call did not come from the Session Warden window')
    })
    await open()
    await vi.waitFor(() => expect(fake.calls('pageReady')).toHaveLength(1))
    await settle()
    expect(messages().join(' ')).not.toContain('Session Warden window')
    expect(row(alpha.id)).not.toBeNull()
  })

  it('subscribes once and unsubscribes when the window goes', async () => {
    const w = await open()
    expect(fake.listenerCount('onShowSession')).toBe(1)
    w.unmount()
    app = null
    expect(fake.listenerCount('onShowSession')).toBe(0)
  })
})
