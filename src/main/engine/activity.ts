import type { Settings } from '@shared/settings'
import type { Detected } from './detect/types'
import { effectivePolicy } from './policy'
import type { Snapshot } from './probe/types'
import type { ResourceRow, SessionRow } from './store/types'

/** Input idle time of the computer (the desktop app's powerMonitor); absent under the CLI. */
export interface SystemIdleSource {
  /** seconds since the last keyboard or mouse input, or null when unknown */
  idleSeconds(): number | null
}

/** Per-session memory between ticks that is not worth a database write. */
interface Live {
  detected: Detected
  /** last time traffic was seen on the session's own sockets (ms) */
  trafficAt: number
  /** the OS gave counters for this session at least once */
  hasCounters: boolean
  bytes: number | null
}

/**
 * When each session was last in use: its own sockets' traffic, capped by the user's absence (the
 * computer idle, the screen locked) and lifted by a Keep active. It also decides when fresh
 * per-socket counters are worth reading.
 */
export class Activity {
  private readonly live = new Map<string, Live>()
  /** sessions the user kept active by hand (the notification's Keep active), by key: when */
  private readonly kept = new Map<string, number>()
  /** the computer last woke from sleep (ms): kernel idle clocks older than this say nothing new */
  private resumedAt = -Infinity
  /** the screen was locked with lockAction 'away' at this time: activity is capped there */
  private awaySince: number | null = null
  private lastCountersAt = -Infinity

  constructor(private readonly systemIdle?: SystemIdleSource) {}

  resumed(now: number): void {
    this.resumedAt = now
  }
  away(now: number): void {
    this.awaySince = now
  }
  back(): void {
    this.awaySince = null
  }
  keep(key: string, now: number): void {
    this.kept.set(key, now)
  }
  countersRead(at: number): void {
    this.lastCountersAt = at
  }

  /** The processes last detected as part of a session (ControlMaster clients and the like). */
  members(key: string): Detected['members'] {
    return this.live.get(key)?.detected.members ?? []
  }

  /**
   * A session's last activity this tick: its traffic (or a Keep active), capped by the last input
   * when the user counts as away; never before the session started.
   */
  activityOf(
    d: Detected,
    snap: Snapshot,
    row: SessionRow | undefined,
    now: number,
    fresh: boolean,
    lastInput: number | null,
  ): number {
    const traffic = Math.max(
      this.trafficAt(d, snap, row?.lastActivity ?? now, fresh),
      this.kept.get(d.key) ?? -Infinity,
    )
    return lastInput === null ? traffic : Math.min(traffic, Math.max(lastInput, row?.startTime ?? 0))
  }

  /** Keeps this tick's detections for the next one; forgets sessions no longer seen. */
  remember(detected: readonly Detected[], seen: ReadonlySet<string>): void {
    for (const d of detected) {
      const entry = this.live.get(d.key)
      if (entry) entry.detected = d
    }
    for (const key of [...this.live.keys()]) if (!seen.has(key)) this.live.delete(key)
    for (const key of [...this.kept.keys()]) if (!seen.has(key)) this.kept.delete(key)
  }

  /**
   * Last traffic on the session's own sockets. Linux gives the kernel's per-socket idle clock
   * (tcp_info lastsnd/lastrcv), exact whatever the poll rate; elsewhere byte counters that moved
   * since the last tick count as traffic now. With no counter at all (mosh over UDP, a platform
   * without per-socket counters) the session counts as active: we never idle out, and so never
   * auto-disconnect, a session on a guess.
   */
  private trafficAt(d: Detected, snap: Snapshot, previous: number, fresh: boolean): number {
    let entry = this.live.get(d.key)
    if (!entry) {
      entry = { detected: d, trafficAt: previous, hasCounters: false, bytes: null }
      this.live.set(d.key, entry)
    }
    // reused detections hold the sockets of an earlier reading: nothing new to learn from them
    if (!fresh && entry.hasCounters) return entry.trafficAt
    let idleClock: number | null = null
    let bytes: number | null = null
    for (const s of d.sockets) {
      if (s.lastSendMs !== undefined || s.lastRecvMs !== undefined) {
        const since = Math.min(s.lastSendMs ?? Infinity, s.lastRecvMs ?? Infinity)
        const at = snap.takenAt - since
        idleClock = idleClock === null ? at : Math.max(idleClock, at)
      }
      if (s.bytesSent !== undefined || s.bytesReceived !== undefined)
        bytes = (bytes ?? 0) + (s.bytesSent ?? 0) + (s.bytesReceived ?? 0)
    }
    if (idleClock !== null) {
      entry.hasCounters = true
      // The kernel's idle clock stands still while the computer sleeps, so traffic from before a sleep
      // reads as if it were later by the length of the sleep: anything older than the wake-up was
      // counted before the sleep (at its wall-clock time) and is not news.
      if (idleClock >= this.resumedAt)
        entry.trafficAt = Math.max(entry.trafficAt, Math.min(idleClock, snap.takenAt))
    } else if (bytes !== null) {
      if (entry.hasCounters && entry.bytes !== null && bytes !== entry.bytes) entry.trafficAt = snap.takenAt
      entry.hasCounters = true
      entry.bytes = bytes
    } else {
      // no counter in this reading (ss failed, a platform without them): never idle on a guess
      entry.trafficAt = snap.takenAt
    }
    return entry.trafficAt
  }

  /**
   * With "count me away", the last keyboard/mouse input caps activity; so does a screen lock with
   * lockAction 'away'. Null when neither applies.
   */
  lastInputAt(settings: Settings, now: number): number | null {
    let at: number | null = null
    if (settings.awayWhenSystemIdle && this.systemIdle) {
      const idle = this.systemIdle.idleSeconds()
      if (idle !== null) at = now - idle * 1000
    }
    if (this.awaySince !== null) at = at === null ? this.awaySince : Math.min(at, this.awaySince)
    return at
  }

  /**
   * Fresh per-socket counters (an `ss` run on Linux) are read every `sampleMs` — a tenth of the
   * shortest idle limit, between the poll interval and 10 s — and on every tick while an open
   * session is within that much of one of its thresholds, so no status change, warning or
   * auto-disconnect is ever decided on stale counters. In between, the probe reuses its last
   * reading unless a connection opened or closed.
   */
  countersDue(
    open: readonly SessionRow[],
    settings: Settings,
    resources: ReadonlyMap<number, ResourceRow>,
    now: number,
  ): boolean {
    // nothing open: no activity to judge (a new session's first reading comes with its new socket)
    if (open.length === 0) return false
    let shortest = settings.idleAfterSec * 1000
    for (const r of resources.values())
      if (r.idleAfterSec !== null) shortest = Math.min(shortest, r.idleAfterSec * 1000)
    const sampleMs = Math.min(10_000, Math.max(settings.pollIntervalMs, shortest / 10))
    if (now - this.lastCountersAt >= sampleMs) return true
    const margin = sampleMs + settings.pollIntervalMs
    for (const row of open) {
      const eff = effectivePolicy(settings, resources.get(row.resourceId) ?? null)
      const idleFor = now - row.lastActivity
      if (near(eff.idleAfterMs, idleFor, margin)) return true
      if (near(eff.warnAfterMs, idleFor, margin)) return true
      if (near(eff.disconnectAfterMs, idleFor, margin)) return true
    }
    return false
  }
}

/** a threshold (0: off) within margin of the idle time, either side */
function near(threshold: number, idleFor: number, margin: number): boolean {
  return threshold > 0 && idleFor >= threshold - margin && idleFor < threshold + margin
}
