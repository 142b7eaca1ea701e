import { onScopeDispose, ref, type Ref } from 'vue'

// One clock for the whole window: every live duration reads this ref, so a tick re-renders only
// the small pieces that show time, once a second.
const now = ref(Date.now())
let users = 0
let timer: ReturnType<typeof setInterval> | undefined

export function useNow(): Ref<number> {
  if (users++ === 0) {
    // the clock may have stood still while nobody looked at it
    now.value = Date.now()
    timer = setInterval(() => (now.value = Date.now()), 1000)
  }
  onScopeDispose(() => {
    if (--users === 0) clearInterval(timer)
  })
  return now
}
