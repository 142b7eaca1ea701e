import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import type { HistoryFilter } from '@shared/history'
import { HISTORY_LIMIT } from '@shared/limits'
import type { HistoryPageResult } from '@shared/contract'
import type { EndReason, ResourceType, Session } from '@shared/model'
import { api, errorText } from '@renderer/api'

export const HISTORY_PAGE = 100
/** export stops here rather than freeze the window on an enormous history */
export const EXPORT_MAX = 100_000

export interface HistoryFilters {
  type: ResourceType | null
  reason: EndReason | null
  /** first local day, as an <input type="date"> gives it ('YYYY-MM-DD'; '' = no bound) */
  from: string
  /** last local day, inclusive ('YYYY-MM-DD'; '' = no bound) */
  to: string
  text: string
}

/**
 * Midnight that starts a local day given as 'YYYY-MM-DD' (the value of an <input type="date">, which is
 * '' while the field is empty or half typed: HTML's "valid date string"), `days` later; null for ''.
 */
export function localDayStart(day: string, days = 0): number | null {
  const m = /^(\d{4,})-(\d{2})-(\d{2})$/.exec(day)
  if (m === null) return null
  const [y, mo, d] = [Number(m[1]), Number(m[2]) - 1, Number(m[3])]
  // setFullYear, not new Date(y, …): that reads years 0–99 as 1900–1999
  const at = new Date(0)
  at.setFullYear(y, mo, d)
  at.setHours(0, 0, 0, 0)
  if (at.getFullYear() !== y || at.getMonth() !== mo || at.getDate() !== d) return null // 2026-02-30
  // the calendar, not + 24 h: a clock-change day has 23 or 25 hours
  at.setDate(d + days)
  return at.getTime()
}

/** Disconnected sessions, newest first, fetched a keyset page at a time. */
export const useHistoryStore = defineStore('history', () => {
  const rows = shallowRef<Session[]>([])
  const cursor = ref<string | null>(null)
  const loading = ref(false)
  const error = ref<string | null>(null)
  const loaded = ref(false)
  const filters = ref<HistoryFilters>({ type: null, reason: null, from: '', to: '', text: '' })
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
    const since = localDayStart(f.from)
    // the last day is included whole: until is the start of the day after it (exclusive)
    const until = localDayStart(f.to, 1)
    if (since !== null) q.since = since
    if (until !== null) q.until = until
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
