import { onBeforeUnmount, onMounted, ref } from 'vue'

/**
 * A component's first render in parts, a task apart: `ready(i)` is true from step `i` on (step 0 with the
 * component, step 1 a task after it is mounted, …, up to `count - 1`). Each step is then a task of its
 * own (the render Vue flushes in the step's own microtasks), so input and paint can run between them.
 * Mounting the Sessions view whole was one task of 90–230 ms (issue 15: no long task over 50 ms,
 * bench/renderer-bench.ts liveLoadMaxLongTaskMs).
 */
export function useMountSteps(count: number): (step: number) => boolean {
  const step = ref(0)
  let timer: ReturnType<typeof setTimeout> | undefined
  function next(): void {
    step.value += 1
    timer = step.value < count - 1 ? setTimeout(next, 0) : undefined
  }
  onMounted(() => {
    if (count > 1) timer = setTimeout(next, 0)
  })
  onBeforeUnmount(() => clearTimeout(timer))
  return (i) => step.value >= i
}
