import { computed, onScopeDispose, ref, watch, type ComputedRef, type Ref } from 'vue'

/** Rows the table gets in its first draws, one frame each, before it gets them all. */
export const FIRST_DRAW_STEPS: readonly number[] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
/** A hidden window paints no frames (requestAnimationFrame waits): the next step comes after this anyway. */
const STEP_WAIT_MS = 100

/**
 * The rows a table draws when it first fills: the first few, then more a frame later, then all, instead
 * of every row in sight in one task. The first row drawn also mounts the style of every naive-ui
 * component in a row (css-render writes them on first use), and 200 live rows drew as one task of
 * 115–300 ms (issue 15: the first draw ≤ 50 ms longest task; bench/renderer-bench.ts
 * liveLoadMaxLongTaskMs). A first list no longer than the last step is given whole; once all rows were
 * given, every later change is drawn whole at once.
 */
export function useDrawnInSteps<T>(
  rows: Ref<T[]>,
  steps: readonly number[] = FIRST_DRAW_STEPS,
): ComputedRef<T[]> {
  const last = steps.at(-1) ?? 0
  const step = ref(0)
  const done = ref(false)
  let timer: ReturnType<typeof setTimeout> | undefined
  let frame: number | undefined

  function stop(): void {
    clearTimeout(timer)
    if (frame !== undefined) cancelAnimationFrame(frame)
    timer = frame = undefined
  }
  function next(): void {
    stop()
    if (++step.value >= steps.length) done.value = true
  }
  // the next step after the frame that shows this one is painted (rAF, then a task), or STEP_WAIT_MS
  watch(
    [() => rows.value.length, step],
    ([length]) => {
      if (done.value || length === 0 || timer !== undefined) return
      if (length <= last) return void (done.value = true)
      timer = setTimeout(next, STEP_WAIT_MS)
      frame = requestAnimationFrame(() => {
        clearTimeout(timer)
        timer = setTimeout(next, 0)
      })
    },
    { immediate: true },
  )
  onScopeDispose(stop)
  return computed(() => {
    const all = rows.value
    return done.value || all.length <= last ? all : all.slice(0, steps[step.value] ?? all.length)
  })
}
