import { defineStore } from 'pinia'
import { computed, ref, shallowRef, watch } from 'vue'
import type { FleetDeviceState, FleetSessionRow, FleetStatus } from '@shared/contract'
import type { FleetJoin } from '@shared/fleet'
import type { EndResult } from '@shared/model'
import { api, errorText } from '@renderer/api'
import { endableOpen, shortTime } from '@renderer/lib/sessions'

/** How often the All devices view reads the fleet: a row of another device shows within this (issue 14: 2 s). */
export const FLEET_POLL_MS = 1500
/** How often the fleet's status (joined, connected, devices) is read while This device is shown. */
export const FLEET_STATUS_MS = 10_000

/**
 * The fleet (issue 14) as the Sessions page shows it: the This device / All devices switch, the
 * rows of every device (read from the main process's fleet member while All devices is chosen),
 * each device's online state, and ending rows of any device.
 */
export const useFleetStore = defineStore('fleet', () => {
  const status = shallowRef<FleetStatus | null>(null)
  const scope = ref<'device' | 'all'>('device')
  const sessions = shallowRef<FleetSessionRow[]>([])
  const devices = shallowRef<FleetDeviceState[]>([])
  const receivedAt = ref(Date.now())
  const error = ref<string | null>(null)
  const joined = computed(() => status.value?.joined === true)
  /** the All devices view is shown (only ever while joined) */
  const all = computed(() => joined.value && scope.value === 'all')
  const endable = computed(() => endableOpen(sessions.value) as FleetSessionRow[])
  const deviceById = computed(() => new Map(devices.value.map((d) => [d.id, d])))

  async function loadStatus(): Promise<void> {
    try {
      status.value = await api.fleetStatus()
      if (status.value.devices.length > 0) devices.value = status.value.devices
    } catch (e) {
      error.value = errorText(e)
    }
  }

  let generation = 0
  async function load(): Promise<void> {
    const mine = ++generation
    try {
      const snap = await api.listFleetSessions()
      if (mine !== generation) return
      sessions.value = snap.sessions.filter((s) => s.status !== 'disconnected')
      devices.value = snap.devices
      receivedAt.value = Date.now()
      error.value = null
    } catch (e) {
      if (mine === generation) error.value = errorText(e)
    }
  }

  let timer: ReturnType<typeof setInterval> | undefined
  function schedule(): void {
    clearInterval(timer)
    timer = all.value
      ? setInterval(() => void load(), FLEET_POLL_MS)
      : setInterval(() => void loadStatus(), FLEET_STATUS_MS)
    if (all.value) void load()
  }
  watch(all, schedule)

  async function start(): Promise<void> {
    await loadStatus()
    schedule()
  }
  function stop(): void {
    clearInterval(timer)
    timer = undefined
  }

  /** Ends rows of any device (this one's through its engine, the others' by signed command), then reloads. */
  async function endMany(ids: readonly string[]): Promise<EndResult[]> {
    const out = await api.endFleetSessions([...ids])
    await load()
    return out
  }
  async function end(id: string): Promise<EndResult> {
    const [o] = await endMany([id])
    if (!o) throw new Error('no result for the session')
    return o
  }

  /** Joins from Settings → Fleet (the main process connects first; nothing is stored on failure). */
  async function join(form: FleetJoin): Promise<string | null> {
    return changed(() => api.joinFleet(form))
  }
  /** Leaves: the member stops and the settings are forgotten; This device is shown again. */
  async function leave(): Promise<string | null> {
    const refused = await changed(() => api.leaveFleet())
    if (refused === null) {
      scope.value = 'device'
      sessions.value = []
      devices.value = []
    }
    return refused
  }
  async function setLocation(text: string): Promise<string | null> {
    return changed(() => api.setFleetLocation(text))
  }
  async function changed(call: () => Promise<FleetStatus>): Promise<string | null> {
    try {
      status.value = await call()
      devices.value = status.value.devices
      return null
    } catch (e) {
      return errorText(e)
    }
  }

  /** "offline · last seen 09:12" for a row of a device that stopped its heartbeat; null while online. */
  function offlineNote(deviceId: string): string | null {
    const d = deviceById.value.get(deviceId)
    return d && !d.online ? `offline · last seen ${shortTime(d.lastSeen)}` : null
  }

  return {
    status,
    scope,
    joined,
    all,
    sessions,
    devices,
    receivedAt,
    error,
    endable,
    start,
    stop,
    load,
    end,
    endMany,
    offlineNote,
    loadStatus,
    join,
    leave,
    setLocation,
  }
})
