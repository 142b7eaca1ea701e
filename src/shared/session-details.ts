// The session details drawer's data (issue 15 part 2): what `getSessionDetails(id)` returns. The
// engine fills it from its sample ring (src/main/engine/samples.ts), the session row, its review and
// the client's process ancestry read on this call only (src/main/engine/session-details.ts).
// Pure TypeScript: no zod, Node, DOM or Electron API.
import type { Session } from './model'

/** One tick's reading of a session's own sockets; byte counters are null where the OS gives none. */
export interface SessionSample {
  /** ms since the epoch */
  at: number
  /** bytes received by the client, summed over the session's sockets */
  bytesIn: number | null
  /** bytes the client sent */
  bytesOut: number | null
  /** the session's last activity as of this tick (ms since the epoch) */
  lastActivity: number
}

/** One process above the client, nearest first. */
export interface SessionAncestor {
  pid: number
  exe: string
  comm: string
  argv: string[]
}

export interface SessionDetails {
  session: Session
  /** the latest counters (null: none yet, or the OS gives none for this session) */
  bytesIn: number | null
  bytesOut: number | null
  /** oldest first, at most SAMPLE_RING_SIZE, only while the session is open */
  samples: SessionSample[]
  remoteAddress: string
  remotePort: number
  localAddress: string
  /** null until a tick saw the session's socket (or for sessions without one, mosh) */
  localPort: number | null
  /**
   * ProxyJump hops ("user@host:port"), nearest first, from the command line or else ssh_config
   * (`ssh -G`); [] when direct; absent when that cannot be told (the process is gone, another
   * user's client, ssh -G failed)
   */
  jumpChain?: string[]
  /** the client's command line as the OS shows it now; null when the process is gone */
  argv: string[] | null
  /** the client's parents, nearest first, up to whoever started it (engine session-details.ts parentChain) */
  parents: SessionAncestor[]
  /** anomaly review (issue 13): the rules' reasons when the session was flagged */
  review: { state: string; score: number; reasons: string[] } | null
}

/** How many ticks of samples a session keeps: at the default 1 s poll (settings.ts), the last three minutes. */
export const SAMPLE_RING_SIZE = 180
