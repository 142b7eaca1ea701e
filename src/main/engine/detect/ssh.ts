// OpenSSH ssh sessions: ProxyJump, ControlMaster multiplexing, scp/sftp/rsync parents,
// forwarding. PuTTY is putty.ts, mosh is mosh.ts.
//
// A session needs an established TCP socket owned by its processes (ssh-holders.ts finds who
// holds each one); ssh processes sharing a master's connection join it (ssh-mux.ts).
//
// Shapes observed on OpenSSH 9.2 (Debian 12):
//   ProxyJump    ssh -J jumpuser@127.0.0.1:2222 alice@target.example -p 2200
//                └ ssh -l jumpuser -p 2222 -W [target.example]:2200 127.0.0.1     ← holds the socket
//   two hops     ssh -J u1@127.0.0.1:2222,127.0.0.1:2223 bob@final
//                └ ssh -p 2223 -J u1@127.0.0.1:2222 -W [final]:22 127.0.0.1
//                  └ ssh -l u1 -p 2222 -W [127.0.0.1]:2223 127.0.0.1               ← holds the socket
//   ProxyCommand ssh -o "ProxyCommand=ssh -W %h:%p -p 2223 127.0.0.1" pc-target
//                └ ssh -W pc-target:22 -p 2223 127.0.0.1                            ← holds the socket
//   ControlPersist master: "ssh: /tmp/sshdt/cm-root@127.0.0.1:2022 [mux]" (ppid 1, argv padded
//                with empty strings); its socket is shared with the foreground ssh that created it.
//   scp          scp … myalias:/x  └ /usr/bin/ssh -x -oPermitLocalCommand=no … -s -- myalias sftp
//   sftp         sftp … myalias   └ /usr/bin/ssh -oForwardX11 no … -oPort 2022 -l root -s -- 127.0.0.1 sftp
import type { Detect, Detected } from './types'
import { orderFlags, orderMembers, sessionKey } from './common'
import { hostFromControlPath } from './ssh-control-path'
import { isTunnel, sshPrimaryFirst } from './ssh-forwards'
import { findHolders, groupHolders } from './ssh-holders'
import { attachMuxClients, namingRec } from './ssh-mux'
import { makeRec, type SshBuilder, type SshRec } from './ssh-rec'

/** OpenSSH sessions of one snapshot. */
export const detectSsh: Detect = (ix, context) => {
  const recs = new Map<number, SshRec>()
  for (const [pid, name] of ix.names) {
    const p = name === 'ssh' ? ix.process(pid) : undefined
    if (p) recs.set(pid, makeRec(p, context.sshConfig))
  }
  if (recs.size === 0) return []
  const holders = findHolders(ix, recs)
  const { builders, assigned } = groupHolders(ix, recs, holders)
  attachMuxClients(recs, builders, assigned, holders.sockets)
  return [...builders.values()].map(buildSsh).sort((a, b) => a.root.pid - b.root.pid)
}

function buildSsh(b: SshBuilder): Detected {
  const named = namingRec(b)
  const args = named.args
  const forwards = args && !args.clearAllForwardings ? args.forwards : []
  const sockets = sshPrimaryFirst(b.sockets, forwards, b.jumpHolders, args?.port ?? 22)
  const primary = sockets[0]
  const remoteAddress = primary?.remoteAddress ?? ''
  let host = args?.host ?? null
  let user = args?.user ?? null
  if (host === null && b.top.muxPath !== null) {
    const fromPath = hostFromControlPath(b.top.muxPath, primary?.remotePort ?? null)
    if (fromPath) {
      host = fromPath.host
      user ??= fromPath.user
    }
  }
  host ??= remoteAddress
  const flags = new Set(b.flags)
  if (isTunnel(named, b.client === 'autossh' ? b.root.argv : null)) flags.add('tunnel')
  return {
    key: sessionKey('ssh', b.root),
    resourceType: 'ssh',
    resourceName: host,
    host,
    user,
    client: b.client,
    root: b.root,
    members: orderMembers(b.root, b.members.values()),
    sockets,
    remoteAddress,
    remotePort: primary?.remotePort ?? 0,
    localAddress: primary?.localAddress ?? '',
    flags: orderFlags(flags),
    endable: true,
    resourceId: null,
  }
}
