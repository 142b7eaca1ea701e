import type { Session } from '@shared/model'
import { backoffDelay, type FleetLink, type FleetTiming } from './connection'
import {
  deviceKey,
  endedSubject,
  rowFingerprint,
  sessionKey,
  type DeviceRecord,
  type FleetSession,
} from './protocol'

/** Ended sessions waiting for a connection are capped: the oldest go first after this many. */
const MAX_ENDED_QUEUE = 10_000

/**
 * Mirrors one device's open sessions into the fleet bucket (a put per new or changed row, a delete
 * per ended one) and its ended sessions into the ended stream. Callers hand it the state and return
 * at once: writes run beside the scan, coalesced (a change during a flush means one more flush, not
 * one per change). A failure retries with back-off; a reconnect resyncs (the server may have lost,
 * or never seen, what was put while it was away).
 */
export class FleetPublisher {
  private readonly desired = new Map<string, FleetSession>()
  /** what the server holds for this device, as fingerprints (cleared to force a re-put) */
  private readonly published = new Map<string, string>()
  private readonly endedQueue: FleetSession[] = []
  private device: DeviceRecord | null = null
  private deviceDirty = true
  private needResync = true
  private link: FleetLink | null = null
  private running: Promise<void> | null = null
  private again = false
  private failures = 0
  private retry: NodeJS.Timeout | null = null
  private closed = false

  constructor(
    private readonly deviceId: string,
    private readonly timing: FleetTiming,
    private readonly log: (line: string) => void,
  ) {}

  attach(link: FleetLink): void {
    this.link = link
    this.resync()
  }

  detach(): void {
    this.link = null
  }

  /** The server may not hold what we think (restarted, reconnected): check and re-put everything. */
  resync(): void {
    this.needResync = true
    this.kick()
  }

  setDevice(d: DeviceRecord): void {
    this.device = d
    this.deviceDirty = true
    this.kick()
  }

  /** The heartbeat: the device record's lastSeen moves on. */
  heartbeat(now: number): void {
    if (this.device) this.setDevice({ ...this.device, lastSeen: new Date(now).toISOString() })
  }

  /** Re-puts every own row, so the bucket's TTL never takes the row of a device that is alive. */
  refresh(): void {
    this.published.clear()
    this.deviceDirty = true
    this.kick()
  }

  setOpen(sessions: readonly Session[]): void {
    this.desired.clear()
    for (const s of sessions) this.desired.set(s.id, this.asFleet(s))
    this.kick()
  }

  ended(s: Session): void {
    this.desired.delete(s.id)
    this.endedQueue.push(this.asFleet(s))
    if (this.endedQueue.length > MAX_ENDED_QUEUE) this.endedQueue.shift()
    this.kick()
  }

  /** Resolves once nothing is being written (tests and close use it). */
  async idle(): Promise<void> {
    while (this.running) await this.running
  }

  async close(): Promise<void> {
    this.closed = true
    if (this.retry) clearTimeout(this.retry)
    await this.idle()
  }

  private asFleet(s: Session): FleetSession {
    return { ...s, device: this.device?.name ?? s.device, deviceId: this.deviceId }
  }

  private kick(): void {
    if (this.closed || !this.link) return
    if (this.running) {
      this.again = true
      return
    }
    this.running = this.loop().finally(() => {
      this.running = null
    })
  }

  private async loop(): Promise<void> {
    do {
      this.again = false
      try {
        await this.flush()
        this.failures = 0
      } catch (e) {
        this.failed(e)
        return
      }
    } while (this.more())
  }

  /** a change arrived during the flush (read through a method: the handlers run meanwhile) */
  private more(): boolean {
    return this.again && !this.closed
  }

  private failed(e: unknown): void {
    const delay = backoffDelay(this.failures++, this.timing)
    this.log(
      `fleet: publishing failed (${e instanceof Error ? e.message : String(e)}); retrying in ${delay} ms`,
    )
    this.needResync = true
    if (this.retry) clearTimeout(this.retry)
    this.retry = setTimeout(() => {
      this.retry = null
      this.kick()
    }, delay)
    this.retry.unref()
  }

  private async flush(): Promise<void> {
    const link = this.link
    if (!link) return
    if (this.needResync) await this.readBack(link)
    if (this.deviceDirty && this.device) {
      this.deviceDirty = false
      await link.kv.put(deviceKey(this.deviceId), JSON.stringify(this.device))
    }
    const puts = [...this.desired.values()].filter((s) => this.published.get(s.id) !== rowFingerprint(s))
    const gone = [...this.published.keys()].filter((id) => !this.desired.has(id))
    await Promise.all([
      ...puts.map(async (s) => {
        const fp = rowFingerprint(s)
        await link.kv.put(sessionKey(this.deviceId, s.id), JSON.stringify(s))
        this.published.set(s.id, fp)
      }),
      ...gone.map(async (id) => {
        await link.kv.delete(sessionKey(this.deviceId, id))
        this.published.delete(id)
      }),
    ])
    await this.publishEnded(link)
  }

  /** What the server holds for this device now: rows it should not hold are deleted next. */
  private async readBack(link: FleetLink): Promise<void> {
    this.published.clear()
    this.deviceDirty = true
    const prefix = sessionKey(this.deviceId, '')
    for await (const k of await link.kv.keys(`${prefix}>`)) this.published.set(k.slice(prefix.length), '')
    this.needResync = false
  }

  /** Oldest first; each with a message id so a retry after a lost ack is not stored twice. */
  private async publishEnded(link: FleetLink): Promise<void> {
    while (this.endedQueue.length > 0) {
      const s = this.endedQueue[0] as FleetSession
      await link.js.publish(endedSubject(this.deviceId), JSON.stringify(s), {
        msgID: `${this.deviceId}.${s.id}`,
      })
      this.endedQueue.shift()
    }
  }
}
