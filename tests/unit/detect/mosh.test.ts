// mosh: the bootstrap ssh and the mosh-client that follows are one session (issue 11, fault 6).
import { describe, expect, it } from 'vitest'
import { detectAll } from '@engine/detect'
import { isMoshWrapper } from '@engine/detect/mosh'
import type { Detected } from '@engine/detect/types'
import type { ProcessInfo, SocketInfo } from '@engine/probe/types'
import { ctx, proc, sock, T0 } from './helpers'

const all = (procs: ProcessInfo[], sockets: SocketInfo[] = []): Detected[] => detectAll(ctx(procs, sockets))

// mosh 1.4 scripts/mosh.pl: the wrapper forks ssh, whose ProxyCommand is the wrapper again
// (--fake-proxy), which holds the TCP connection; then the wrapper execs mosh-client.
const start = T0 + 5_000
const wrapper = proc(900, ['/usr/bin/perl', '/usr/bin/mosh', '--ssh=ssh -p 2222', 'alice@db1'], {
  startTime: start,
  comm: 'mosh',
})
const bootstrap = proc(
  901,
  [
    'ssh',
    '-p',
    '2222',
    '-n',
    '-tt',
    '-S',
    'none',
    '-o',
    "ProxyCommand='/usr/bin/mosh' '--family=prefer-inet' --fake-proxy -- %h %p",
    'alice@db1',
    '--',
    "mosh-server 'new' '-c' '256' '-l' 'LANG=C.UTF-8'",
  ],
  { ppid: 900 },
)
const fakeProxy = proc(
  902,
  ['/usr/bin/perl', '/usr/bin/mosh', '--family=prefer-inet', '--fake-proxy', '--', 'db1', '2222'],
  { ppid: 901, comm: 'mosh' },
)
// the same pid after exec: same start time, new exe and argv
const client = proc(900, ['mosh-client', '-# --ssh=ssh -p 2222 alice@db1 |', '10.0.0.5', '60001'], {
  startTime: start,
})

describe('mosh bootstrap', () => {
  it('the bootstrap ssh is keyed by the mosh wrapper, the key the mosh-client session will have', () => {
    const during = all([wrapper, bootstrap, fakeProxy], [sock(902, '10.0.0.5', 2222)])
    const after = all([client])
    expect(during).toHaveLength(1)
    expect(after).toHaveLength(1)
    expect(during[0]).toMatchObject({ client: 'mosh', resourceName: 'db1', user: 'alice', remotePort: 2222 })
    expect(during[0]?.members.map((m) => m.pid)).toEqual([901, 902])
    expect(during[0]?.key).toBe(after[0]?.key)
    // identity survives the exec to mosh-client: pid + start time, exe left unread
    expect(during[0]?.root).toMatchObject({ pid: 900, startTime: start, exe: '' })
  })

  it('an ssh running mosh-server by hand from a shell is an ordinary ssh session', () => {
    const shell = proc(950, ['bash'])
    const ssh = proc(951, ['ssh', 'alice@db1', '--', 'mosh-server new'], { ppid: 950 })
    const found = all([shell, ssh], [sock(951, '10.0.0.5', 22)])
    expect(found.map((d) => [d.root.pid, d.client])).toEqual([[951, 'ssh']])
  })

  it.each<[string[], boolean]>([
    [['/usr/bin/perl', '/usr/bin/mosh', 'db1'], true],
    [['mosh', 'db1'], true],
    [['/usr/bin/perl', '/usr/bin/mosh', '--family=prefer-inet', '--fake-proxy', '--', 'db1', '22'], false],
    [['/usr/bin/perl', '/opt/x/other.pl', 'mosh'], false],
    [['bash'], false],
  ])('isMoshWrapper(%j) = %s', (argv, expected) => {
    expect(isMoshWrapper(proc(1, argv))).toBe(expected)
  })
})
