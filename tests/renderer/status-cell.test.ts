import { mount } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import StatusCell from '@renderer/components/StatusCell.vue'
import { makeSession } from './support/sessions'

afterEach(() => {
  vi.useRealTimers()
})

describe('StatusCell', () => {
  it('shows how long an idle session has been quiet, from its last activity, ticking', async () => {
    vi.useFakeTimers({ now: new Date('2026-11-27T12:00:00Z') })
    const s = makeSession({ status: 'idle', lastActivity: '2026-11-27T11:48:00Z' })
    const w = mount(StatusCell, { props: { session: s } })
    expect(w.find('[data-status="idle"]').exists()).toBe(true)
    expect(w.find('[data-idle-for]').text()).toBe('for 12m')
    await vi.advanceTimersByTimeAsync(60_000)
    expect(w.find('[data-idle-for]').text()).toBe('for 13m')
    w.unmount()
  })

  it('shows only the badge for an active session', () => {
    const w = mount(StatusCell, { props: { session: makeSession({ status: 'active' }) } })
    expect(w.find('[data-status="active"]').text()).toContain('Active')
    expect(w.find('[data-idle-for]').exists()).toBe(false)
    w.unmount()
  })
})
