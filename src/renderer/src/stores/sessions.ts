import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import type { IdleWarning, SessionsSnapshot } from '@shared/contract'
import type { EndResult, Session } from '@shared/model'
import { api, errorText } from '@renderer/api'
import { endableOpen } from '@renderer/lib/sessions'

/** Same on screen: everything a row or a dialog shows, except the duration (computed live). */
function sameOnScreen(a: Session, b: Session): boolean {
  return (
    a.status === b.status &&
    a.resourceName === b.resourceName &&
    a.resourceType === b.resourceType &&
    a.startTime === b.startTime &&
    a.device === b.device &&
    a.ipAddress === b.ipAddress &&
    a.location === b.location &&
    a.host === b.host &&
    a.user === b.user &&
    a.client === b.client &&
    a.pid === b.pid &&
    a.endable === b.endable &&
    a.flags.join() === b.flags.join() &&
    // the Recording column: begun, matched or closed
    a.recording?.id === b.recording?.id &&
    a.recording?.status === b.recording?.status
  )
}

/** How long a row the desktop shell asked to show stays marked. */
export const HIGHLIGHT_MS = 2000

/** The open sessions, kept in step with the engine by its pushed events. */
export const useSessionsStore = defineStore('sessions', () => {
  const sessions = shallowRef<Session[]>([])
  /** local time the current figures arrived: live durations count on from here */
  const receivedAt = ref(Date.now())
  const loaded = ref(false)
  const refreshing = ref(false)
  const error = ref<string | null>(null)
  const lastWarning = shallowRef<IdleWarning | null>(null)
  /** the last session the engine ended on its own (idle timeout, a limit) */
  const lastAutoEnded = shallowRef<Session | null>(null)
  /** ids being ended right now: their rows leave at once, whatever the next event says */
  const ending = ref(new Set<string>())
  /** the session the desktop shell last asked the window to show; a new object for every request */
  const showRequest = shallowRef<{ id: string } | null>(null)
  /** the row shown on request, marked for HIGHLIGHT_MS; a new object for every request, so a second
   * request for the same row scrolls to it again */
  const highlighted = shallowRef<{ id: string } | null>(null)

  const visible = computed(() => sessions.value.filter((s) => !ending.value.has(s.id)))
  const active = computed(() => visible.value.filter((s) => s.status === 'active'))
  const idle = computed(() => visible.value.filter((s) => s.status === 'idle'))
  const endable = computed(() => endableOpen(visible.value))

  /** when each session object arrived: its live duration counts on from there */
  const arrived = new WeakMap<Session, number>()
  function receivedAtOf(s: Session): number {
    return arrived.get(s) ?? receivedAt.value
  }

  // Every event carries every open session. A row whose shown fields did not change keeps its old
  // object, so Vue redraws only the rows that changed (200 rows, an event a second: no long task).
  function apply(snap: SessionsSnapshot): void {
    const now = Date.now()
    const before = new Map(sessions.value.map((s) => [s.id, s]))
    const next: Session[] = []
    for (const s of snap.sessions) {
      if (s.status === 'disconnected') continue
      const old = before.get(s.id)
      if (old && sameOnScreen(old, s)) next.push(old)
      else {
        arrived.set(s, now)
        next.push(s)
      }
    }
    const current = sessions.value
    if (next.length !== current.length || next.some((s, i) => s !== current[i])) sessions.value = next
    receivedAt.value = now
    loaded.value = true
  }

  let unsubscribe: (() => void)[] = []
  async function start(): Promise<void> {
    if (unsubscribe.length === 0)
      unsubscribe = [
        api.onSessionsChanged(apply),
        api.onIdleWarning((w) => (lastWarning.value = w)),
        api.onSessionEnded((s) => {
          if (s.endReason === 'idle-timeout' || s.endReason === 'policy') lastAutoEnded.value = s
        }),
        api.onShowSession(({ id }) => (showRequest.value = { id })),
      ]
    try {
      apply(await api.listSessions())
      error.value = null
    } catch (e) {
      error.value = errorText(e)
    }
  }

  function stop(): void {
    for (const u of unsubscribe) u()
    unsubscribe = []
    unmark()
  }

  let highlightTimer: ReturnType<typeof setTimeout> | undefined
  function unmark(): void {
    clearTimeout(highlightTimer)
    highlighted.value = null
  }
  /** Marks one row for HIGHLIGHT_MS (a second request starts the time over). */
  function highlight(id: string): void {
    clearTimeout(highlightTimer)
    highlighted.value = { id }
    highlightTimer = setTimeout(() => (highlighted.value = null), HIGHLIGHT_MS)
  }

  /** The user still uses this idle session: the engine restarts its idle clock. Throws when refused. */
  async function keepActive(id: string): Promise<Session> {
    const s = await api.keepSessionActive(id)
    // show its new status now rather than at the next event
    if (s.status !== 'disconnected' && sessions.value.some((x) => x.id === s.id)) {
      arrived.set(s, Date.now())
      sessions.value = sessions.value.map((x) => (x.id === s.id ? s : x))
    }
    return s
  }

  async function refresh(): Promise<void> {
    refreshing.value = true
    try {
      apply(await api.refreshSessions())
      error.value = null
    } catch (e) {
      error.value = errorText(e)
    } finally {
      refreshing.value = false
    }
  }

  async function settle(ids: readonly string[], run: () => Promise<EndResult[]>): Promise<EndResult[]> {
    const next = new Set(ending.value)
    for (const id of ids) next.add(id)
    ending.value = next
    let outcomes: EndResult[]
    try {
      outcomes = await run()
    } catch (e) {
      const after = new Set(ending.value)
      for (const id of ids) after.delete(id)
      ending.value = after
      throw e
    }
    // Keep hidden what ended; bring back what could not be ended.
    const after = new Set(ending.value)
    for (const o of outcomes) if (!o.ok) after.delete(o.id)
    ending.value = after
    // The sessions were ended whatever happens next: a failed reload is only a stale list.
    try {
      apply(await api.listSessions())
    } catch (e) {
      error.value = errorText(e)
    }
    // once the engine's list no longer has them, forget the ids
    const open = new Set(sessions.value.map((s) => s.id))
    ending.value = new Set([...ending.value].filter((id) => open.has(id)))
    return outcomes
  }

  async function end(id: string): Promise<EndResult> {
    const [o] = await settle([id], async () => [await api.endSession(id)])
    if (!o) throw new Error('no result for the session')
    return o
  }

  function endMany(ids: readonly string[]): Promise<EndResult[]> {
    return settle(ids, () => api.endSessions([...ids]))
  }

  return {
    sessions: visible,
    receivedAt,
    receivedAtOf,
    loaded,
    refreshing,
    error,
    lastWarning,
    lastAutoEnded,
    showRequest,
    highlighted,
    active,
    idle,
    endable,
    start,
    stop,
    refresh,
    end,
    endMany,
    keepActive,
    highlight,
  }
})
