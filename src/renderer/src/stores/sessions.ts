import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import type { EndOutcome, IdleWarning, SessionsSnapshot } from '@shared/contract'
import type { Session } from '@shared/model'
import { api, errorText } from '@renderer/api'
import { endableOpen } from '@renderer/lib/sessions'

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

  const visible = computed(() => sessions.value.filter((s) => !ending.value.has(s.id)))
  const active = computed(() => visible.value.filter((s) => s.status === 'active'))
  const idle = computed(() => visible.value.filter((s) => s.status === 'idle'))
  const endable = computed(() => endableOpen(visible.value))

  function apply(snap: SessionsSnapshot): void {
    sessions.value = snap.sessions.filter((s) => s.status !== 'disconnected')
    receivedAt.value = Date.now()
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

  async function settle(ids: readonly string[], run: () => Promise<EndOutcome[]>): Promise<EndOutcome[]> {
    const next = new Set(ending.value)
    for (const id of ids) next.add(id)
    ending.value = next
    let outcomes: EndOutcome[]
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

  async function end(id: string): Promise<EndOutcome> {
    const [o] = await settle([id], async () => [await api.endSession(id)])
    if (!o) throw new Error('no result for the session')
    return o
  }

  function endMany(ids: readonly string[]): Promise<EndOutcome[]> {
    return settle(ids, () => api.endSessions([...ids]))
  }

  return {
    sessions: visible,
    receivedAt,
    loaded,
    refreshing,
    error,
    lastWarning,
    lastAutoEnded,
    active,
    idle,
    endable,
    start,
    stop,
    refresh,
    end,
    endMany,
  }
})
