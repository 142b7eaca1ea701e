import { mount } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { defineComponent, effectScope, h, nextTick, ref } from 'vue'
import { useMountSteps } from '@renderer/composables/use-mount-steps'
import { useMountedWhenOpened } from '@renderer/composables/use-mounted-when-opened'

// The window's start-up in short tasks (issue 15: no long task over 50 ms): a view rendered in steps a
// task apart, and dialogs mounted when first opened.

describe('useMountSteps', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  const Steps = defineComponent({
    setup() {
      const ready = useMountSteps(3)
      return () => h('div', [h('i', 'a'), ready(1) ? h('i', 'b') : null, ready(2) ? h('i', 'c') : null])
    },
  })

  it('renders step 0 with the component, then one more step per task', async () => {
    const w = mount(Steps)
    expect(w.text()).toBe('a')
    // each step is a task of its own: the next is asked for only once the last has run (the next
    // timer only, not the one it sets)
    vi.advanceTimersToNextTimer()
    await nextTick()
    expect(w.text()).toBe('ab')
    vi.advanceTimersToNextTimer()
    await nextTick()
    expect(w.text()).toBe('abc')
    w.unmount()
  })

  it('leaves no step pending once unmounted', () => {
    const before = vi.getTimerCount()
    const w = mount(Steps)
    expect(vi.getTimerCount()).toBe(before + 1)
    w.unmount()
    expect(vi.getTimerCount()).toBe(before)
  })
})

describe('useMountedWhenOpened', () => {
  it('is false until first opened, then stays true when closed again', async () => {
    const open = ref(false)
    const scope = effectScope()
    const mounted = scope.run(() => useMountedWhenOpened(() => open.value))
    expect(mounted?.value).toBe(false)
    open.value = true
    // in the same tick as the open: the render that mounts it also shows it
    expect(mounted?.value).toBe(true)
    open.value = false
    await nextTick()
    expect(mounted?.value).toBe(true)
    scope.stop()
  })

  it('is true at once when open from the start', () => {
    const scope = effectScope()
    expect(scope.run(() => useMountedWhenOpened(() => true))?.value).toBe(true)
    scope.stop()
  })
})
