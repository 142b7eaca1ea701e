import { ref, watch, type Ref } from 'vue'

/**
 * True from the first time `open()` is true, and true after. A dialog or drawer under `v-if` of this
 * mounts when it is first opened, not with its view, and stays mounted: it opens quickly after and
 * keeps its focus return (Naive's focus trap). Hidden, a modal still mounts its component and writes its
 * styles (naive-ui/es/_mixins/use-theme.mjs mounts a component's style in onBeforeMount, shown or not):
 * the Sessions view's dialogs, drawer and row menu were part of its one start-up task of 150–230 ms
 * (issue 15: no long task over 50 ms, bench/renderer-bench.ts liveLoadMaxLongTaskMs).
 */
export function useMountedWhenOpened(open: () => boolean): Readonly<Ref<boolean>> {
  const mounted = ref(open())
  if (mounted.value) return mounted
  // sync: true in the same tick as the open, so the render that mounts it also shows it
  const stop = watch(
    open,
    (v) => {
      if (!v) return
      mounted.value = true
      stop()
    },
    { flush: 'sync' },
  )
  return mounted
}
