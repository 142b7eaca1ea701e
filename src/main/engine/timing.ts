/**
 * The engine's timing rules in one place. Tests shrink them (EngineDeps.timing) instead of
 * sleeping for real seconds; the app and the CLI use the defaults.
 */
export interface EngineTiming {
  /** polls a live engine may miss before an open row counts as left by a run that stopped */
  stalePolls: number
  /** lastSeen is refreshed at least this often for a session that did not change */
  touchEveryMs: number
  /** history older than the retention is purged at most this often */
  purgeEveryMs: number
  /** web resource host names are looked up again this often */
  resolveEveryMs: number
  /** an end request older than this is stale: its process did not go as asked */
  endRequestMaxAgeMs: number
  /** a policy end that failed is not retried for this long (not every tick) */
  failedEndBackoffMs: number
  /** how long a tick waits for the first lookup of a web host (later ones run beside the loop) */
  dnsWaitMs: number
  /**
   * A session whose sockets are gone while its process still runs is held this long before it is
   * recorded as network-lost: a client that was told to quit (SIGTERM) closes its connection first
   * and exits a moment later (ssh.c: quit_pending, then cleanup_exit), which is a process exit.
   */
  endSettleMs: number
  /** a launched browser that exits within this long did not start (no display, bad profile) */
  launchCheckMs: number
}

export const DEFAULT_TIMING: Readonly<EngineTiming> = Object.freeze({
  stalePolls: 3,
  touchEveryMs: 10_000,
  purgeEveryMs: 3_600_000,
  resolveEveryMs: 300_000,
  endRequestMaxAgeMs: 60_000,
  failedEndBackoffMs: 60_000,
  dnsWaitMs: 1500,
  endSettleMs: 1500,
  launchCheckMs: 1000,
})

export function engineTiming(over: Partial<EngineTiming> = {}): Readonly<EngineTiming> {
  return Object.freeze({ ...DEFAULT_TIMING, ...over })
}

export const delay = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))
