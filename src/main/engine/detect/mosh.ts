// mosh sessions. mosh-client talks UDP (the probe reports TCP only), so a mosh-client whose argv
// carries the server address and port is a session without a socket: sockets [] (or whatever TCP
// it owns), address and port from argv, localAddress ''.
import type { Detect, Detected } from './types'
import { normalizeAddress } from '../probe/addr'
import { sessionKey } from './common'
import { parseMoshClientArgs } from './mosh-args'
import { trimArgv } from './proc-name'

export const MOSH_PROGRAMS: readonly string[] = ['mosh-client']

/** mosh sessions of one snapshot. */
export const detectMosh: Detect = (ix) => {
  const out: Detected[] = []
  for (const [pid, name] of ix.names) {
    const p = name === 'mosh-client' ? ix.process(pid) : undefined
    const a = p ? parseMoshClientArgs(trimArgv(p.argv)) : null
    if (!p || !a) continue
    const host = a.host ?? a.ip
    out.push({
      key: sessionKey('ssh', p),
      resourceType: 'ssh',
      resourceName: host,
      host,
      user: a.user,
      client: 'mosh',
      root: p,
      members: [],
      sockets: [...ix.sockets(pid)],
      remoteAddress: normalizeAddress(a.ip),
      remotePort: a.port,
      localAddress: '',
      flags: [],
      endable: true,
      resourceId: null,
    })
  }
  return out.sort((a, b) => a.root.pid - b.root.pid)
}
