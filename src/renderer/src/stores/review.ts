import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import type { AllowEntry, ReportResult, ReviewItem, ReviewRule } from '@shared/review'
import { api, errorText } from '@renderer/api'

/** Anomaly review (issue 13): the sessions that need review, Mark as expected, reports, the allow-list. */
export const useReviewStore = defineStore('review', () => {
  const items = shallowRef<ReviewItem[]>([])
  const allowed = shallowRef<AllowEntry[]>([])
  const error = ref<string | null>(null)
  const byId = computed(() => new Map(items.value.map((i) => [i.id, i])))
  const count = computed(() => items.value.length)
  let unsubscribe: (() => void) | null = null
  let generation = 0

  async function load(): Promise<void> {
    const mine = ++generation
    try {
      const next = await api.listReview()
      if (mine !== generation) return
      items.value = next
      error.value = null
    } catch (e) {
      error.value = errorText(e)
    }
  }

  /** Follows the engine's review changes (a new flag, Mark as expected, a report). */
  function start(): void {
    if (unsubscribe) return
    unsubscribe = api.onReviewChanged(() => void load())
    void load()
  }
  function stop(): void {
    unsubscribe?.()
    unsubscribe = null
  }

  async function accept(id: string): Promise<ReviewItem> {
    const item = await api.markExpected(id)
    await load()
    return item
  }

  async function report(id: string, note: string): Promise<ReportResult> {
    const r = await api.reportSession(id, note.trim() === '' ? {} : { note: note.trim() })
    await load()
    return r
  }

  async function loadAllowed(): Promise<void> {
    allowed.value = await api.listAllowed()
  }
  async function removeAllowed(rule: ReviewRule, key: string): Promise<void> {
    allowed.value = await api.removeAllowed(rule, key)
    await load()
  }

  return { items, allowed, error, byId, count, load, start, stop, accept, report, loadAllowed, removeAllowed }
})
