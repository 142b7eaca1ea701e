// Remmina profiles (*.remmina, GKeyFile text under a [remmina] group): which saved connection a
// Remmina socket is. Remmina opens every connection in one process (its main window, `-c FILE`,
// and any later `remmina -c` hands its file to the running instance over D-Bus and exits), so
// the profile, not argv, names most connections. Pure: the files are read beside the scan loop
// (src/main/engine/remmina-profiles.ts) and handed in through the detect context.
//
// Only four keys are ever kept: name, username, server, protocol. A profile also holds the
// password (encrypted with the secret in remmina.pref, remmina_file.c): it is never parsed,
// stored or logged.
import type { SocketInfo } from '../probe/types'
import { isIpLiteral, isLoopback, sameAddress } from '../probe/addr'
import { splitHostPort } from './net'

/** Remmina's RDP plugin connects to 3389 when the profile's server has no port (rdp_plugin.c). */
export const REMMINA_RDP_PORT = 3389

export interface RemminaProfile {
  /** name= (the label Remmina's main window shows); null when empty */
  name: string | null
  /** username=; null when empty */
  user: string | null
  /** server= without port or brackets; null when empty */
  host: string | null
  port: number
  /** protocol= as written ("RDP", "VNC", "SSH", …); null when absent */
  protocol: string | null
}

const KEPT = new Set(['name', 'username', 'server', 'protocol'])

/** The four kept keys of the [remmina] group; every other line is skipped unread. */
export function parseRemminaProfile(text: string): RemminaProfile {
  const kept = new Map<string, string>()
  let inGroup = false
  for (const raw of text.split('\n')) {
    const line = raw.trim()
    if (line.startsWith('[')) {
      inGroup = line === '[remmina]'
      continue
    }
    const eq = line.indexOf('=')
    if (!inGroup || eq <= 0) continue
    const key = line.slice(0, eq).trim()
    if (KEPT.has(key) && !kept.has(key)) kept.set(key, line.slice(eq + 1).trim())
  }
  const text_ = (k: string): string | null => {
    const v = kept.get(k)
    return v === undefined || v === '' ? null : v
  }
  const server = text_('server')
  const hp = server === null ? null : splitHostPort(server)
  return {
    name: text_('name'),
    user: text_('username'),
    host: hp && hp.host !== '' ? hp.host : null,
    port: hp?.port ?? REMMINA_RDP_PORT,
    protocol: text_('protocol'),
  }
}

export function isRdpProfile(p: RemminaProfile): boolean {
  return p.protocol?.toUpperCase() === 'RDP'
}

/** The profiles a Remmina process may be showing, read beside the scan loop. */
export interface RemminaProfiles {
  /** the `-c FILE` profile of each remmina process, by pid, for the process start time it was read for */
  connect: ReadonlyMap<number, { startTime: number; profile: RemminaProfile }>
  /** every saved RDP profile of the profiles folder ($XDG_DATA_HOME/remmina) */
  saved: readonly RemminaProfile[]
}

/** Does the profile's server:port name this socket's peer? Names (not addresses) match by port. */
function serverScore(p: RemminaProfile, s: SocketInfo): number {
  if (p.host === null || p.port !== s.remotePort) return 0
  if (isIpLiteral(p.host)) return sameAddress(p.host, s.remoteAddress) ? 3 : 0
  if (p.host.toLowerCase() === 'localhost') return isLoopback(s.remoteAddress) ? 3 : 0
  return 1
}

/** Is this socket a connection to a server some RDP profile names (even if several do)? */
export function profileServes(
  s: SocketInfo,
  own: RemminaProfile | null,
  saved: readonly RemminaProfile[],
): boolean {
  return [...(own ? [own] : []), ...saved].some((p) => isRdpProfile(p) && serverScore(p, s) > 0)
}

/**
 * The profile of one Remmina socket: the `-c` profile when it matches, else the one saved
 * profile that matches by address and port, else the one host-name profile on that port.
 * Null when none (or several equally) match.
 */
export function matchProfile(
  s: SocketInfo,
  own: RemminaProfile | null,
  saved: readonly RemminaProfile[],
): RemminaProfile | null {
  if (own && isRdpProfile(own) && serverScore(own, s) > 0) return own
  let best: RemminaProfile | null = null
  let bestScore = 0
  let ties = 0
  for (const p of saved) {
    const v = isRdpProfile(p) ? serverScore(p, s) : 0
    if (v > bestScore) {
      best = p
      bestScore = v
      ties = 0
    } else if (v > 0 && v === bestScore) ties++
  }
  return ties === 0 ? best : null
}
