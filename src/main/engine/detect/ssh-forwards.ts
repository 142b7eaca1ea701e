// Forwarded connections of an ssh-family client (OpenSSH and PuTTY): which of a session's sockets
// is the connection to the server, and whether the session is a tunnel.
import type { SocketInfo } from '../probe/types'
import { isIpLiteral, isLoopback, sameAddress } from '../probe/addr'
import { primaryFirst } from './common'
import type { SshRec } from './ssh-rec'
import type { SshForward } from './ssh-args'
import { autosshMonitorForwards } from './autossh'

/** Does this socket look like an -R forward's local connection (ssh → target host:port)? */
function isRemoteForwardTarget(s: SocketInfo, f: SshForward, serverPort: number): boolean {
  if (f.kind !== 'R' || f.targetPort === null || s.remotePort !== f.targetPort) return false
  const host = f.targetHost
  if (host === null) return false
  if (isLoopback(host)) return isLoopback(s.remoteAddress)
  if (isIpLiteral(host)) return sameAddress(host, s.remoteAddress)
  return s.remotePort !== serverPort // a name we cannot resolve here: trust the port only if unambiguous
}

/** Pick the connection to the server among a session's sockets (forwarded ones lose). */
export function sshPrimaryFirst(
  sockets: readonly SocketInfo[],
  forwards: readonly SshForward[],
  jumpHolders: ReadonlySet<number>,
  expectedPort: number,
): SocketInfo[] {
  const listen = new Set<number>()
  for (const f of forwards) if (f.kind !== 'R' && f.listenPort !== null) listen.add(f.listenPort)
  const remote = forwards.filter((f) => f.kind === 'R')
  return primaryFirst(sockets, (s) => {
    let v = 0
    if (jumpHolders.size > 0 && s.pids.some((pid) => jumpHolders.has(pid))) v += 100
    if (listen.has(s.localPort)) v -= 50
    if (remote.some((f) => isRemoteForwardTarget(s, f, expectedPort))) v -= 50
    if (s.remotePort === expectedPort) v += 10
    return v
  })
}

/**
 * A tunnel: the session forwards ports (-L/-R/-D, or LocalForward/RemoteForward/DynamicForward in
 * ssh_config) or a tun device (-w, Tunnel). -N alone is not one: it only means "no remote command"
 * (ssh(1)), as for a ControlMaster kept open or a bare keep-alive link. When `ssh -G` was asked,
 * its answer stands (it holds argv's options and ssh_config's, after ClearAllForwardings);
 * otherwise argv decides. Under autossh (`autosshArgv`), the forwards autossh adds for its
 * monitor do not count (autossh.ts).
 */
export function isTunnel(r: SshRec, autosshArgv: readonly string[] | null = null): boolean {
  const a = r.args
  if (a === null) return false
  const monitor =
    autosshArgv === null || a.clearAllForwardings ? 0 : autosshMonitorForwards(autosshArgv, r.p.argv)
  if (r.configTunnel !== null) {
    if (monitor === 0) return r.configTunnel
    return (r.configForwards ?? 0) - monitor > 0 || a.tunnelDevice !== null
  }
  return a.forwards.length - monitor > 0 || a.tunnelDevice !== null
}
