// The PuTTY family (putty, plink, pscp, psftp): one session per process owning a connection,
// whatever its command line says about host, user and forwards (putty-args.ts).
import type { SessionFlag } from '@shared/model'
import type { ProcessInfo } from '../probe/types'
import type { Detect, Detected } from './types'
import { orderFlags, sessionKey } from './common'
import { trimArgv } from './proc-name'
import { parsePuttyArgs, type PuttyTool } from './putty-args'
import type { SnapshotIndex } from './snapshot-index'
import { sshPrimaryFirst } from './ssh-forwards'

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

function puttySession(p: ProcessInfo, tool: PuttyTool, ix: SnapshotIndex): Detected | null {
  const own = ix.sockets(p.pid)
  if (own.length === 0) return null
  const a = parsePuttyArgs(tool, trimArgv(p.argv))
  if (!a.ssh) return null
  const sockets = sshPrimaryFirst(own, a.forwards, new Set(), a.port ?? 22)
  const primary = sockets[0]
  if (!primary) return null
  const host = a.host ?? primary.remoteAddress
  const flags = new Set<SessionFlag>()
  // -N ("no shell", PuTTY's cmdline.c) is a tunnel only with forwards, as for OpenSSH
  // (ssh-forwards.ts isTunnel), or with a saved session (-load), whose tunnels argv cannot show
  if (a.forwards.length > 0 || (a.noShell && a.session !== null)) flags.add('tunnel')
  if (tool === 'pscp' || tool === 'psftp') flags.add('file-transfer')
  return {
    key: sessionKey('ssh', p),
    resourceType: 'ssh',
    resourceName: host,
    host,
    user: a.user,
    client: tool,
    root: p,
    members: [],
    sockets,
    remoteAddress: primary.remoteAddress,
    remotePort: primary.remotePort,
    localAddress: primary.localAddress,
    flags: orderFlags(flags),
    endable: true,
    resourceId: null,
  }
}
