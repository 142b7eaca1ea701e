import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { effectScope } from 'vue'
import { useNow } from '@renderer/composables/use-now'

describe('useNow', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 })
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('one shared clock ticking once a second while anyone uses it, stopped after the last user', () => {
    const first = effectScope()
    const second = effectScope()
    const a = first.run(() => useNow())
    const b = second.run(() => useNow())
    expect(a).toBe(b)
    expect(vi.getTimerCount()).toBe(1)

    vi.advanceTimersByTime(1000)
    expect(a?.value).toBe(1_001_000)

    first.stop()
    expect(vi.getTimerCount()).toBe(1)
    vi.advanceTimersByTime(2000)
    expect(b?.value).toBe(1_003_000)

    second.stop()
    expect(vi.getTimerCount()).toBe(0)
    vi.advanceTimersByTime(5000)
    expect(b?.value).toBe(1_003_000)

    // a new user starts it again
    const third = effectScope()
    const c = third.run(() => useNow())
    expect(vi.getTimerCount()).toBe(1)
    vi.advanceTimersByTime(1000)
    expect(c?.value).toBe(1_009_000)
    third.stop()
    expect(vi.getTimerCount()).toBe(0)
  })
})
