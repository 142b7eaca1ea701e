// The PuTTY family (putty, plink, pscp, psftp): one session per process owning a connection,
// whatever its command line says about host, user and forwards (putty-args.ts). Two shapes are
// not sessions of their own:
//   ProxyCommand  ssh -o "ProxyCommand=plink -batch bastion -nc %h:%p" alias
//                 └ plink -batch bastion -nc alias:22          ← holds the socket: the ssh's jump
//                 (ssh-holders.ts folds it into its ssh; sshconnect.c execs it via "exec …")
//   rsync -e      rsync -e plink … host:/x
//                 └ plink host rsync --server …                ← the session is rsync's, as for ssh
import type { SessionFlag } from '@shared/model'
import type { ProcessInfo } from '../probe/types'
import type { Detect, Detected } from './types'
import { orderFlags, sessionKey } from './common'
import { trimArgv } from './proc-name'
import { parsePuttyArgs, type PuttyTool } from './putty-args'
import type { SnapshotIndex } from './snapshot-index'
import { sshPrimaryFirst } from './ssh-forwards'
import { TRANSFER_PARENTS } from './ssh-rec'

const PUTTY_TOOLS = new Map<string, PuttyTool>([
  ['putty', 'putty'],
  ['plink', 'plink'],
  ['pscp', 'pscp'],
  ['psftp', 'psftp'],
])
export const PUTTY_PROGRAMS: readonly string[] = [...PUTTY_TOOLS.keys()]

/** PuTTY-family sessions of one snapshot. */
export const detectPutty: Detect = (ix) => {
  const out: Detected[] = []
  for (const [pid, name] of ix.names) {
    const tool = PUTTY_TOOLS.get(name)
    const p = tool === undefined ? undefined : ix.process(pid)
    const d = p && tool ? puttySession(p, tool, ix) : null
    if (d) out.push(d)
  }
  return out.sort((a, b) => a.root.pid - b.root.pid)
}

/** plink -nc under an ssh: that ssh's ProxyCommand, relaying through the host plink logs in to. */
export function isPlinkProxy(ix: SnapshotIndex, p: ProcessInfo): boolean {
  if (ix.name(p.pid) !== 'plink' || ix.name(p.ppid) !== 'ssh') return false
  return parsePuttyArgs('plink', trimArgv(p.argv)).nc !== null
}

function puttySession(p: ProcessInfo, tool: PuttyTool, ix: SnapshotIndex): Detected | null {
  const own = ix.sockets(p.pid)
  if (own.length === 0 || isPlinkProxy(ix, p)) return null
  const a = parsePuttyArgs(tool, trimArgv(p.argv))
  if (!a.ssh) return null
  // rsync -e plink (scp -S plink, sshfs -o ssh_command=plink): the transfer program is the root
  const parentName = ix.name(p.ppid)
  const parent = TRANSFER_PARENTS.has(parentName) ? ix.process(p.ppid) : undefined
  const root = parent ?? p
  const sockets = sshPrimaryFirst(own, a.forwards, new Set(), a.port ?? 22)
  const primary = sockets[0]
  if (!primary) return null
  const host = a.host ?? primary.remoteAddress
  const flags = new Set<SessionFlag>()
  // -N ("no shell", PuTTY's cmdline.c) is a tunnel only with forwards, as for OpenSSH
  // (ssh-forwards.ts isTunnel), or with a saved session (-load), whose tunnels argv cannot show
  if (a.forwards.length > 0 || (a.noShell && a.session !== null)) flags.add('tunnel')
  if (tool === 'pscp' || tool === 'psftp' || parent) flags.add('file-transfer')
  return {
    key: sessionKey('ssh', root),
    resourceType: 'ssh',
    resourceName: host,
    host,
    user: a.user,
    client: parent ? parentName : tool,
    root,
    members: parent ? [p] : [],
    sockets,
    remoteAddress: primary.remoteAddress,
    remotePort: primary.remotePort,
    localAddress: primary.localAddress,
    flags: orderFlags(flags),
    endable: true,
    resourceId: null,
  }
}
