// A small ring of per-session counter samples for the session details drawer (issue 15 part 2). Fed
// from what the tick already holds (the detections' sockets, the reconciled rows): it reads nothing
// from the OS itself. Memory only: a session's ring goes when the session leaves the open rows.
import { SAMPLE_RING_SIZE, type SessionSample } from '@shared/session-details'
import type { Detected } from './detect/types'
import type { SessionRow } from './store/types'

interface Ring {
  samples: SessionSample[]
  localPort: number | null
}

/** The bytes of a session's own sockets; null per direction where no socket gave a counter. */
function bytesOf(d: Detected | undefined): { bytesIn: number | null; bytesOut: number | null } {
  let bytesIn: number | null = null
  let bytesOut: number | null = null
  for (const s of d?.sockets ?? []) {
    if (s.bytesReceived !== undefined) bytesIn = (bytesIn ?? 0) + s.bytesReceived
    if (s.bytesSent !== undefined) bytesOut = (bytesOut ?? 0) + s.bytesSent
  }
  return { bytesIn, bytesOut }
}

export class SampleRing {
  private readonly rings = new Map<string, Ring>()

  constructor(private readonly size = SAMPLE_RING_SIZE) {}

  /**
   * One tick: a sample for every row that stays open (matched to its detection by key); the rings
   * of sessions not among them (ended, gone) are dropped. `fresh` is false when the probe reused its
   * last socket reading (counters are read every few seconds, activity.ts countersDue): such a tick
   * adds no sample to a ring that has one, so each sample is a real reading.
   */
  record(open: readonly SessionRow[], detected: readonly Detected[], at: number, fresh = true): void {
    const byKey = new Map(detected.map((d) => [d.key, d]))
    const ids = new Set<string>()
    for (const row of open) {
      ids.add(row.id)
      const d = byKey.get(row.key)
      let ring = this.rings.get(row.id)
      if (!ring) {
        ring = { samples: [], localPort: null }
        this.rings.set(row.id, ring)
      }
      const primary = d?.sockets.find((s) => s.remoteAddress === row.ipAddress) ?? d?.sockets[0]
      if (primary) ring.localPort = primary.localPort
      if (!fresh && ring.samples.length > 0) continue
      ring.samples.push({ at, ...bytesOf(d), lastActivity: row.lastActivity })
      if (ring.samples.length > this.size) ring.samples.splice(0, ring.samples.length - this.size)
    }
    for (const id of [...this.rings.keys()]) if (!ids.has(id)) this.rings.delete(id)
  }

  /** A session's samples, oldest first ([] when none), and its local port when a socket was seen. */
  of(id: string): { samples: SessionSample[]; localPort: number | null } {
    const ring = this.rings.get(id)
    return ring ? { samples: [...ring.samples], localPort: ring.localPort } : { samples: [], localPort: null }
  }

  /** how many sessions hold a ring (tests: rings are dropped with their session) */
  get sessions(): number {
    return this.rings.size
  }
}
