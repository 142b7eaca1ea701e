// mosh sessions. mosh-client talks UDP (the probe reports TCP only), so a mosh-client whose argv
// carries the server address and port is a session without a socket: sockets [] (or whatever TCP
// it owns), address and port from argv, localAddress ''.
//
// Before that, the mosh wrapper (a Perl script, mosh 1.4 scripts/mosh.pl) forks the bootstrap
//   /usr/bin/perl /usr/bin/mosh alice@db1                         ← pid A: later execs mosh-client
//   └ ssh -n -tt -S none -o "ProxyCommand=… --fake-proxy -- %h %p" alice@db1 -- "mosh-server 'new' …"
//     └ /usr/bin/perl /usr/bin/mosh --family=prefer-inet --fake-proxy -- db1 22   ← holds the socket
// and once mosh-server answers, A execs mosh-client (same pid, same start time). The bootstrap ssh
// is keyed by A (ssh-holders.ts climbs to the wrapper), so the login and the mosh session that
// follows are one session, however slow the server login is.
import type { Detect, Detected } from './types'
import { normalizeAddress } from '../probe/addr'
import { sessionKey } from './common'
import { parseMoshClientArgs } from './mosh-args'
import { baseName, trimArgv } from './proc-name'
import type { ProcessInfo } from '../probe/types'

export const MOSH_PROGRAMS: readonly string[] = ['mosh-client']

/**
 * The mosh wrapper script itself, run as "perl /usr/bin/mosh …" (exe is perl, comm "mosh"),
 * not its --fake-proxy child: the parent of a mosh bootstrap ssh.
 */
export function isMoshWrapper(p: Pick<ProcessInfo, 'argv'> | undefined): boolean {
  if (!p) return false
  const argv = trimArgv(p.argv)
  const script = baseName(argv[0] ?? '') === 'mosh' ? 0 : baseName(argv[1] ?? '') === 'mosh' ? 1 : -1
  return script >= 0 && !argv.includes('--fake-proxy', script + 1)
}

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
