// RDP sessions: one per client process owning an established TCP connection.
// Dedicated clients (FreeRDP, rdesktop, mstsc, msrdc) own only their session's connections.
// In-process clients (Remmina, macOS Windows App) own other connections too (VNC, SSH, HTTPS
// feeds): only connections to an RDP port (3389, or the port their command line names) count.
//
// Observed (freerdp2-x11 2.11): argv ["xfreerdp", "/v:127.0.0.1:2222", "/u:CORP\\bob",
// "/p:******", "/cert:ignore", "/size:800x600"] — FreeRDP masks /p: in its own command line.
import type { SocketInfo } from '../probe/types'
import type { Detect, Detected } from './types'
import { primaryFirst, sessionKey } from './common'
import { trimArgv } from './proc-name'
import { parseRdpArgs, rdpClientKind } from './rdp-args'

export const RDP_DEFAULT_PORT = 3389

/** RDP sessions of one snapshot. */
export const detectRdp: Detect = (ix) => {
  const out: Detected[] = []
  for (const [pid, name] of ix.names) {
    const kind = rdpClientKind(name)
    if (kind === null) continue
    const own = ix.sockets(pid)
    const root = ix.process(pid)
    if (own.length === 0 || !root) continue
    const a = parseRdpArgs(kind, trimArgv(root.argv))
    const expected = a.port ?? RDP_DEFAULT_PORT
    let candidates: readonly SocketInfo[] = own
    if (kind === 'remmina' || kind === 'rdp-app') {
      candidates = own.filter((s) => s.remotePort === RDP_DEFAULT_PORT || s.remotePort === expected)
      if (candidates.length === 0) continue
    }
    const sockets = primaryFirst(candidates, (s) => (s.remotePort === expected ? 1 : 0))
    const primary = sockets[0]
    if (!primary) continue
    const host = a.host ?? primary.remoteAddress
    out.push({
      key: sessionKey('rdp', root),
      resourceType: 'rdp',
      resourceName: a.name ?? host,
      host,
      user: a.user,
      client: name,
      root,
      members: [],
      sockets,
      remoteAddress: primary.remoteAddress,
      remotePort: primary.remotePort,
      localAddress: primary.localAddress,
      flags: [],
      endable: true,
      resourceId: null,
    })
  }
  return out.sort((x, y) => x.root.pid - y.root.pid)
}
