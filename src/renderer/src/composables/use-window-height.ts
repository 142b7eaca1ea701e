import { onScopeDispose, ref, type Ref } from 'vue'

/**
 * window.innerHeight, kept as the window is resized: the virtual tables size their list from it, a number
 * known before any layout (reading it does not lay the page out, unlike an element's clientHeight).
 */
export function useWindowHeight(): Ref<number> {
  const height = ref(window.innerHeight)
  const read = (): void => {
    height.value = window.innerHeight
  }
  window.addEventListener('resize', read, { passive: true })
  onScopeDispose(() => window.removeEventListener('resize', read))
  return height
}
