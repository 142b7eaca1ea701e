// RDP sessions: one per client process owning an established TCP connection.
// Dedicated clients (FreeRDP, rdesktop, mstsc, msrdc) own only their session's connections.
// In-process clients (Remmina, macOS Windows App) own other connections too (VNC, SSH, HTTPS
// feeds): only connections to an RDP port (3389, the port their command line names, or for
// Remmina the server of an RDP profile, remmina.ts) count.
//
// Remmina holds every connection it opens in one process: each of them is a session of its own,
// keyed by its local port. Remmina cannot close one connection from outside (no command or D-Bus
// call does), so ending any of them ends the process and its siblings: flagged `shared-process`.
//
// Observed (freerdp2-x11 2.11): argv ["xfreerdp", "/v:127.0.0.1:2222", "/u:CORP\\bob",
// "/p:******", "/cert:ignore", "/size:800x600"] — FreeRDP masks /p: in its own command line.
// Observed (Remmina 1.4.29): argv ["remmina", "-c", "/home/u/lab.remmina"], one process for all.
import type { ProcessInfo, SocketInfo } from '../probe/types'
import type { Detect, DetectContext, Detected } from './types'
import { primaryFirst, sessionKey } from './common'
import { trimArgv } from './proc-name'
import { parseRdpArgs, rdpClientKind, type RdpArgs } from './rdp-args'
import { matchProfile, profileServes, type RemminaProfile } from './remmina'

export const RDP_DEFAULT_PORT = 3389

/** RDP sessions of one snapshot. */
export const detectRdp: Detect = (ix, context) => {
  const out: Detected[] = []
  for (const [pid, name] of ix.names) {
    const kind = rdpClientKind(name)
    if (kind === null) continue
    const own = ix.sockets(pid)
    const root = ix.process(pid)
    if (own.length === 0 || !root) continue
    const a = parseRdpArgs(kind, trimArgv(root.argv))
    if (kind === 'remmina') {
      out.push(...remminaSessions(root, a, own, context))
      continue
    }
    const expected = a.port ?? RDP_DEFAULT_PORT
    let candidates: readonly SocketInfo[] = own
    if (kind === 'rdp-app') {
      candidates = own.filter((s) => s.remotePort === RDP_DEFAULT_PORT || s.remotePort === expected)
      if (candidates.length === 0) continue
    }
    const sockets = primaryFirst(candidates, (s) => (s.remotePort === expected ? 1 : 0))
    const primary = sockets[0]
    if (!primary) continue
    const host = a.host ?? primary.remoteAddress
    out.push(rdpSession(root, name, sockets, { name: a.name ?? host, host, user: a.user }))
  }
  return out.sort((x, y) => x.root.pid - y.root.pid || x.key.localeCompare(y.key))
}

function rdpSession(
  root: ProcessInfo,
  client: string,
  sockets: SocketInfo[],
  named: { name: string; host: string; user: string | null },
  key = sessionKey('rdp', root),
): Detected {
  const primary = sockets[0] as SocketInfo
  return {
    key,
    resourceType: 'rdp',
    resourceName: named.name,
    host: named.host,
    user: named.user,
    client,
    root,
    members: [],
    sockets,
    remoteAddress: primary.remoteAddress,
    remotePort: primary.remotePort,
    localAddress: primary.localAddress,
    flags: [],
    endable: true,
    resourceId: null,
  }
}

/** One session per RDP connection of a Remmina process, named by its profile when one matches. */
function remminaSessions(
  root: ProcessInfo,
  a: RdpArgs,
  own: readonly SocketInfo[],
  context: DetectContext,
): Detected[] {
  const found = context.remmina?.connect.get(root.pid)
  const file: RemminaProfile | null = found?.startTime === root.startTime ? found.profile : null
  const saved = context.remmina?.saved ?? []
  const out: Detected[] = []
  for (const s of new Set(own)) {
    const argvPort = a.host !== null ? (a.port ?? RDP_DEFAULT_PORT) : null
    const byArgv = s.remotePort === argvPort
    if (!byArgv && s.remotePort !== RDP_DEFAULT_PORT && !profileServes(s, file, saved)) continue
    const p = byArgv ? null : matchProfile(s, file, saved)
    // argv names this connection: its rdp:// URI, or its -c file when the file could not be read
    const fromArgv = byArgv || (p === null && a.file !== null && file === null)
    const host = p?.host ?? (fromArgv ? a.host : null) ?? s.remoteAddress
    const user = p?.user ?? (fromArgv ? a.user : null)
    const named = { name: p?.name ?? (fromArgv ? a.name : null) ?? host, host, user }
    const d = rdpSession(root, 'remmina', [s], named, `${sessionKey('rdp', root)}:${s.localPort}`)
    d.flags = ['shared-process']
    out.push(d)
  }
  return out
}
