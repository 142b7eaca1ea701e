// ControlMaster sharing (ssh_config(5) ControlMaster, ControlPath, ControlPersist): ssh processes
// that ride on another's connection hold no socket of their own. They are attached to the master
// whose control socket they use, and the master's session is flagged `multiplexed`.
import { controlPathMatches, hostFromControlPath } from './ssh-control-path'
import type { SshArgs } from './ssh-args'
import { hasNamingArgs, isMasterByArgs, type SshBuilder, type SshRec } from './ssh-rec'

/** The ssh naming a session: its own, else (background master) its creator's or first client's. */
export function namingRec(b: SshBuilder): SshRec {
  if (hasNamingArgs(b.top)) return b.top
  const named = b.muxClients.filter(hasNamingArgs)
  const creators = named.filter((r) => b.sockets.some((s) => s.pids.includes(r.p.pid)))
  const byAge = named.sort((x, y) => x.p.startTime - y.p.startTime || x.p.pid - y.p.pid)
  return [...creators, ...byAge][0] ?? b.top
}

/** Host out of a background master's control path. */
export function masterPathHost(b: SshBuilder): string | null {
  if (b.top.muxPath === null) return null
  return hostFromControlPath(b.top.muxPath, b.sockets[0]?.remotePort ?? null)?.host ?? null
}

function masterName(b: SshBuilder): string | null {
  return namingRec(b).args?.host ?? masterPathHost(b)
}

/** Among candidate masters: the only one, else the only one named as the client's host. */
function pick(c: SshArgs, cands: readonly SshBuilder[]): SshBuilder | null {
  if (cands.length === 1) return cands[0] ?? null
  if (cands.length === 0 || c.host === null) return null
  const byName = cands.filter((m) => masterName(m) === c.host)
  return byName.length === 1 ? (byName[0] ?? null) : null
}

/** The master a client rides on: by ControlPath (exact tokens first), else by host name. */
function masterOf(c: SshArgs, masters: readonly SshBuilder[]): SshBuilder | null {
  if (c.controlPath !== null) {
    const strict = masters.filter((m) => controlPathMatches(c, m.top, true))
    return pick(c, strict.length > 0 ? strict : masters.filter((m) => controlPathMatches(c, m.top, false)))
  }
  const host = c.host
  if (host === null) return null
  return pick(
    c,
    masters.filter((m) => masterName(m) === host || masterPathHost(m) === host),
  )
}

/**
 * Attaches mux clients (ssh processes with no connection of their own, not yet in a session) to
 * their masters, oldest first; clients naming a ControlPath before those that do not.
 */
export function attachMuxClients(
  recs: ReadonlyMap<number, SshRec>,
  builders: ReadonlyMap<number, SshBuilder>,
  assigned: Set<number>,
  holding: ReadonlyMap<number, unknown>,
): void {
  const masters = [...builders.values()].filter((b) => b.top.muxPath !== null || isMasterByArgs(b.top.args))
  if (masters.length > 0) {
    const clients = [...recs.values()]
      .filter(
        (r) =>
          !r.excluded &&
          !assigned.has(r.p.pid) &&
          r.args !== null &&
          r.args.stdioForward === null &&
          (r.args.destination !== null || r.args.controlPath !== null) &&
          !holding.has(r.p.pid),
      )
      .sort((a, b) => a.p.startTime - b.p.startTime || a.p.pid - b.p.pid)
    const withPath = clients.filter((c) => c.args?.controlPath != null)
    const withoutPath = clients.filter((c) => c.args?.controlPath == null)
    for (const c of [...withPath, ...withoutPath]) {
      const m = c.args ? masterOf(c.args, masters) : null
      if (!m) continue
      m.members.set(c.p.pid, c.p)
      m.muxClients.push(c)
      assigned.add(c.p.pid)
    }
    for (const m of masters) m.flags.add('multiplexed')
  }
  for (const b of builders.values()) if (b.muxClients.length > 0) b.flags.add('multiplexed')
}
