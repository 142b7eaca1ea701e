import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import { HISTORY_LIMIT, type HistoryFilter } from '@shared/history'
import type { HistoryPageResult } from '@shared/contract'
import type { EndReason, ResourceType, Session } from '@shared/model'
import { api, errorText } from '@renderer/api'

export const HISTORY_PAGE = 100
/** export stops here rather than freeze the window on an enormous history */
export const EXPORT_MAX = 100_000

export interface HistoryFilters {
  type: ResourceType | null
  reason: EndReason | null
  /** [from, to] local days as ms (the date picker's value), inclusive */
  range: [number, number] | null
  text: string
}

/** Disconnected sessions, newest first, fetched a keyset page at a time. */
export const useHistoryStore = defineStore('history', () => {
  const rows = shallowRef<Session[]>([])
  const cursor = ref<string | null>(null)
  const loading = ref(false)
  const error = ref<string | null>(null)
  const loaded = ref(false)
  const filters = ref<HistoryFilters>({ type: null, reason: null, range: null, text: '' })
  // the fleet (issue 14): This device reads the database; All devices the fleet's ended stream,
  // every device's or one's (rows carry deviceId)
  const scope = ref<'device' | 'all'>('device')
  const device = ref<string | null>(null)
  let generation = 0

  function pageOf(q: HistoryFilter): Promise<HistoryPageResult> {
    if (scope.value === 'device') return api.queryHistory(q)
    return api.queryFleetHistory(q, device.value === null ? {} : { device: device.value })
  }

  const hasMore = computed(() => cursor.value !== null)

  function query(): HistoryFilter {
    const f = filters.value
    const q: HistoryFilter = { limit: HISTORY_PAGE }
    if (f.type) q.type = f.type
    if (f.reason) q.reason = f.reason
    if (f.text.trim() !== '') q.text = f.text.trim().slice(0, 200)
    if (f.range) {
      q.since = f.range[0]
      // the picker gives the start of the last day; include that whole day (23 or 25 hours on
      // clock-change days, hence the calendar and not + 24 h)
      const end = new Date(f.range[1])
      end.setDate(end.getDate() + 1)
      q.until = end.getTime()
    }
    return q
  }

  /** Starts over with the current filters. */
  async function reload(): Promise<void> {
    const mine = ++generation
    loading.value = true
    try {
      const page = await pageOf(query())
      if (mine !== generation) return
      rows.value = page.rows
      cursor.value = page.nextCursor
      error.value = null
      loaded.value = true
    } catch (e) {
      if (mine === generation) error.value = errorText(e)
    } finally {
      if (mine === generation) loading.value = false
    }
  }

  async function loadMore(): Promise<void> {
    if (loading.value || cursor.value === null) return
    const mine = generation
    loading.value = true
    try {
      const page = await pageOf({ ...query(), cursor: cursor.value })
      if (mine !== generation) return
      rows.value = [...rows.value, ...page.rows]
      cursor.value = page.nextCursor
    } catch (e) {
      if (mine === generation) error.value = errorText(e)
    } finally {
      if (mine === generation) loading.value = false
    }
  }

  /** Every row matching the filters (not just the pages shown), for export. */
  async function all(): Promise<{ rows: Session[]; truncated: boolean }> {
    const out: Session[] = []
    let next: string | undefined
    // the filters as they are now: changing them while the pages come does not mix two selections
    const q = { ...query(), limit: HISTORY_LIMIT.max }
    for (;;) {
      const page = await pageOf({ ...q, ...(next ? { cursor: next } : {}) })
      out.push(...page.rows)
      if (page.nextCursor === null) return { rows: out, truncated: false }
      if (out.length >= EXPORT_MAX) return { rows: out.slice(0, EXPORT_MAX), truncated: true }
      next = page.nextCursor
    }
  }

  return { rows, loading, error, loaded, filters, scope, device, hasMore, reload, loadMore, all }
})
