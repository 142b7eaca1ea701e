import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { effectScope, nextTick, ref } from 'vue'
import { FIRST_DRAW_STEPS, useDrawnInSteps } from '@renderer/composables/use-drawn-in-steps'

const rowsOf = (n: number): number[] => Array.from({ length: n }, (_, i) => i)

/** The composable in a scope of its own, as a component's setup runs it. */
function drawn(initial: number[]) {
  const rows = ref(initial)
  const scope = effectScope()
  const shown = scope.run(() => useDrawnInSteps(rows))
  if (shown === undefined) throw new Error('no scope')
  return { rows, shown, scope }
}

/** One painted frame: requestAnimationFrame's callback, then the task after it. */
async function frame(): Promise<void> {
  vi.advanceTimersToNextFrame()
  vi.advanceTimersByTime(1) // the task after the frame (a 0 ms timeout is 1 ms, as in Node)
  await nextTick()
}

describe('useDrawnInSteps (the first fill of the live table, issue 15)', () => {
  beforeEach(() => {
    vi.useFakeTimers({
      toFake: ['setTimeout', 'clearTimeout', 'requestAnimationFrame', 'cancelAnimationFrame'],
    })
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('gives the first rows, more a frame later, then all; later changes at once', async () => {
    const { rows, shown, scope } = drawn([])
    expect(shown.value).toEqual([])
    rows.value = rowsOf(200)
    await nextTick()
    // one step a frame: each of FIRST_DRAW_STEPS, then all
    for (const step of FIRST_DRAW_STEPS) {
      expect(shown.value).toEqual(rowsOf(step))
      await frame()
    }
    expect(shown.value).toHaveLength(200)
    // filled once: a new list (a filter, the next snapshot) is drawn whole
    rows.value = rowsOf(150)
    await nextTick()
    expect(shown.value).toHaveLength(150)
    expect(vi.getTimerCount()).toBe(0)
    scope.stop()
  })

  it('a first list that fits in the last step is given whole, with no timer, and so is all after it', async () => {
    const { rows, shown, scope } = drawn(rowsOf(FIRST_DRAW_STEPS.at(-1) ?? 0))
    await nextTick()
    expect(shown.value).toHaveLength(FIRST_DRAW_STEPS.at(-1) ?? 0)
    rows.value = rowsOf(200)
    await nextTick()
    expect(shown.value).toHaveLength(200)
    expect(vi.getTimerCount()).toBe(0)
    scope.stop()
  })

  it('goes on in a window that paints no frames (hidden), after a short wait', async () => {
    const { shown, scope } = drawn(rowsOf(50))
    for (const step of FIRST_DRAW_STEPS) {
      expect(shown.value).toHaveLength(step)
      vi.advanceTimersByTime(100)
      await nextTick()
    }
    expect(shown.value).toHaveLength(50)
    scope.stop()
  })

  it('leaves no timer behind when its component goes before the table is full', () => {
    const { scope } = drawn(rowsOf(50))
    expect(vi.getTimerCount()).toBeGreaterThan(0)
    scope.stop()
    expect(vi.getTimerCount()).toBe(0)
  })
})
