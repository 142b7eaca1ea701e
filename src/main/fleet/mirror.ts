import type { KvWatchEntry } from '@nats-io/kv'
import type { QueuedIterator } from '@nats-io/nats-core'
import { backoffDelay, type FleetLink, type FleetTiming } from './connection'
import { applyEntry, readRows, snapshotOf, type FleetRows, type FleetSnapshot } from './view'

/**
 * The fleet bucket kept in memory for a device that stays in the fleet (the app, `warden ui`,
 * `warden watch`), so the window's All devices list is a memory read, not a read of every row.
 *
 * Filled by a cold read (readRows: last value per key, up to stream sequence N), then followed by a
 * KV watch resuming at N + 1, so nothing falls between the two. Puts set a row, delete and purge
 * markers remove it. The bucket's TTL (max_age) drops rows without a marker (nats-server 2.9 has no
 * per-message delete markers; 2.11's subject_delete_marker_ttl would send them), so rows older than
 * the bucket's TTL by their server timestamp are left out here as the server leaves them out.
 * After a reconnect the server may be a fresh one (state lost, sequences restarted) or the watch may
 * have missed deletes: the mirror is rebuilt (resync) and swapped in whole; until then the old one
 * serves.
 */
export class FleetMirror {
  private rows: FleetRows | null = null
  private ttlMs = Infinity
  private watch: QueuedIterator<KvWatchEntry> | null = null
  /** bumped by every resync and by close: a stale fill or watch stops applying */
  private generation = 0
  private failures = 0
  private retry: NodeJS.Timeout | null = null
  private closed = false

  constructor(
    private readonly link: FleetLink,
    private readonly timing: FleetTiming,
    private readonly log: (line: string) => void,
  ) {}

  /** Filled at least once (until then readers do a cold read). */
  get isReady(): boolean {
    return this.rows !== null
  }

  /** The fleet as the mirror holds it now; rows past the bucket's TTL are dropped on the way. */
  snapshot(now: number): FleetSnapshot {
    const rows = this.rows
    if (!rows) throw new Error('fleet: the mirror is not filled yet')
    for (const map of [rows.devices, rows.sessions])
      for (const [k, r] of map) if (now - r.at >= this.ttlMs) map.delete(k)
    return snapshotOf(rows, now, this.timing.onlineWithinMs, this.ttlMs)
  }

  /** Rebuilds from the bucket and follows it again; retries with back-off. Resolves once filled. */
  async resync(): Promise<void> {
    const gen = ++this.generation
    this.stopWatch()
    if (this.retry) clearTimeout(this.retry)
    try {
      await this.fill(gen)
      this.failures = 0
    } catch (e) {
      if (gen !== this.generation || this.closed) return
      const delay = backoffDelay(this.failures++, this.timing)
      this.log(
        `fleet: mirror resync failed (${e instanceof Error ? e.message : String(e)}); retrying in ${delay} ms`,
      )
      this.retry = setTimeout(() => void this.resync(), delay)
      this.retry.unref()
    }
  }

  close(): void {
    this.closed = true
    this.generation++
    if (this.retry) clearTimeout(this.retry)
    this.stopWatch()
  }

  private async fill(gen: number): Promise<void> {
    const { rows, lastSeq } = await readRows(this.link.js)
    const { ttl } = await this.link.kv.status()
    const watch = await this.link.kv.watch({ resumeFromRevision: lastSeq + 1 })
    if (gen !== this.generation) {
      watch.stop()
      return
    }
    this.rows = rows
    this.ttlMs = ttl > 0 ? ttl : Infinity
    this.watch = watch
    void this.follow(watch, rows, gen)
  }

  private async follow(watch: QueuedIterator<KvWatchEntry>, rows: FleetRows, gen: number): Promise<void> {
    for await (const e of watch) {
      if (gen !== this.generation) break
      try {
        const data = e.operation === 'PUT' ? e.string() : ''
        applyEntry(rows, e.key, e.operation, data, e.created.getTime())
      } catch (err) {
        this.log(`fleet: skipped a bad row ${e.key}: ${err instanceof Error ? err.message : String(err)}`)
      }
    }
    // the watch ended without a resync or close asking (its consumer was lost): rebuild
    if (gen === this.generation && !this.closed) void this.resync()
  }

  private stopWatch(): void {
    this.watch?.stop()
    this.watch = null
  }
}
