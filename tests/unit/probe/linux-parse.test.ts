// Parsers against text captured on this test bed (see tests/fixtures/probe/README.md).
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import {
  PF_KTHREAD,
  establishedByInode,
  parseBootTime,
  parseCmdline,
  parseProcNetTcp,
  parseProcStat,
  parseLastPid,
  parseSsOutput,
  parseStatusUid,
  procNetInodes,
  procNetToSockets,
  ssPortFilter,
} from '@engine/probe/linux-parse'
import type { SocketInfo } from '@engine/probe/types'
import { prng } from '../../support/seed-history'

const fixture = (name: string): string =>
  readFileSync(new URL(`../../fixtures/probe/linux/${name}`, import.meta.url), 'utf8')

const find = (sockets: SocketInfo[], localPort: number, remotePort: number): SocketInfo | undefined =>
  sockets.find((s) => s.localPort === localPort && s.remotePort === remotePort)

describe('parseLastPid', () => {
  it('reads the last pid from /proc/loadavg, and nothing from other text', () => {
    expect(parseLastPid('0.22 0.75 1.38 4/100 25653\n')).toBe(25653)
    expect(parseLastPid('0.22 0.75 1.38 4/100\n')).toBeNull()
    expect(parseLastPid('')).toBeNull()
    expect(parseLastPid('0.22 0.75 1.38 4/100 -5')).toBeNull()
  })
})

describe('parseProcStat', () => {
  // the split-based reading it replaced: the fields after the last ')' split on spaces
  const bySplit = (text: string): Record<string, unknown> => {
    const close = text.lastIndexOf(')')
    const f = text.slice(close + 2).split(' ')
    const n = (i: number): number => Number(f[i])
    return {
      comm: text.slice(text.indexOf('(') + 1, close),
      state: f[0],
      ppid: n(1),
      session: n(3),
      flags: n(6),
      threads: n(17),
      startTicks: n(19),
      exitSignal: n(35),
    }
  }

  it('reads the same fields as splitting the line would, for 500 seeded lines with odd comms', () => {
    const rnd = prng(20261202)
    const int = (max: number): number => Math.floor(rnd() * max)
    const chars = 'ab) (1 2x\n'
    for (let i = 0; i < 500; i++) {
      const comm = Array.from({ length: 1 + int(15) }, () => chars[int(chars.length)]).join('')
      const fields = Array.from({ length: 50 }, () => String(int(2 ** 40)))
      fields[0] = 'RSDZTI'[int(6)] ?? 'S'
      fields[35] = rnd() < 0.3 ? '-1' : '17'
      const line = `${String(1 + int(4_000_000))} (${comm}) ${fields.join(' ')}\n`
      expect(parseProcStat(line)).toMatchObject(bySplit(line))
    }
  })

  it('splits at the last ")" when comm holds ") " and spaces', () => {
    const st = parseProcStat(fixture('stat-paren-space.txt'))
    expect(st).toEqual({
      pid: 9828,
      comm: 'a) b',
      state: 'R',
      ppid: 9825,
      session: 6520,
      flags: 4194304,
      threads: 1,
      startTicks: 32219,
      exitSignal: 17,
    })
  })

  it('reads exit_signal (field 38): -1 marks a thread, which /proc/<tid>/stat answers for too', () => {
    const line = fixture('stat-paren-space.txt')
    const fields = line.split(' ')
    // "9828 (a) b) R …": the comm takes two words, so field 38 is the 39th word
    expect(fields[38]).toBe('17')
    fields[38] = '-1'
    expect(parseProcStat(fields.join(' '))?.exitSignal).toBe(-1)
  })

  it('keeps a comm with a newline, parentheses and digits', () => {
    const st = parseProcStat(fixture('stat-newline.txt'))
    expect(st?.comm).toBe('x) (y\nz) 1 2')
    expect(st?.ppid).toBe(9825)
    expect(st?.state).toBe('R')
  })

  it('reads comm "we ird) (x" and a quote in comm', () => {
    expect(parseProcStat(fixture('stat-weird-comm.txt'))).toMatchObject({
      pid: 8432,
      comm: 'we ird) (x',
      ppid: 1,
      startTicks: 30987,
    })
    expect(parseProcStat(fixture('stat-quote-comm.txt'))).toMatchObject({
      pid: 8474,
      comm: 'child"q',
      ppid: 8432,
      startTicks: 30995,
    })
  })

  it('marks kernel threads through PF_KTHREAD', () => {
    const st = parseProcStat(fixture('stat-kthread.txt'))
    expect(st?.comm).toBe('kthreadd')
    expect((st?.flags ?? 0) & PF_KTHREAD).toBe(PF_KTHREAD)
  })

  it('returns null for text that is no stat line', () => {
    expect(parseProcStat('')).toBeNull()
    expect(parseProcStat('12 (x')).toBeNull()
    expect(parseProcStat('12 (x) R')).toBeNull()
  })
})

describe('parseCmdline / parseStatusUid / parseBootTime', () => {
  it('splits argv on NUL and drops the trailing padding of a rewritten title', () => {
    expect(parseCmdline('ssh\0-p\x002222\0host\0')).toEqual(['ssh', '-p', '2222', 'host'])
    expect(parseCmdline('sshd: root@notty\0\0\0\0\0')).toEqual(['sshd: root@notty'])
    expect(parseCmdline('a\0\0b\0')).toEqual(['a', '', 'b'])
    expect(parseCmdline('')).toEqual([])
  })

  it('takes the real uid', () => {
    expect(parseStatusUid('Name:\tssh\nUid:\t1000\t0\t0\t0\nGid:\t1000\t1000\t1000\t1000\n')).toBe(1000)
    expect(parseStatusUid('Name:\tx\n')).toBeNull()
  })

  it('reads btime', () => {
    expect(parseBootTime('cpu  1 2 3\nbtime 1795799837\nprocesses 9\n')).toBe(1795799837)
    expect(parseBootTime('cpu 1\n')).toBeNull()
  })
})

describe('parseSsOutput on real `ss -tnpiH state established` output', () => {
  const sockets = parseSsOutput(fixture('ss-established-continuation.txt'))

  it('finds every socket once', () => {
    expect(sockets).toHaveLength(10)
  })

  it('reads the owners of a socket shared after fork, whatever their names hold', () => {
    // users:(("child"q",pid=8474,fd=6),("we ird",pid=8432,fd=6))
    expect(find(sockets, 55452, 40200)).toEqual({
      pids: [8474, 8432],
      localAddress: '127.0.0.1',
      localPort: 55452,
      remoteAddress: '127.0.0.1',
      remotePort: 40200,
      // no bytes_sent (0 is left out), bytes_acked:1 stands in
      bytesSent: 1,
      bytesReceived: 0,
      lastSendMs: 1432,
      lastRecvMs: 1432,
    })
  })

  it('reads counters and idle clocks', () => {
    expect(find(sockets, 40123, 49546)).toMatchObject({
      pids: [7889],
      bytesSent: 11,
      bytesReceived: 11,
      lastSendMs: 15912,
      lastRecvMs: 15912,
    })
    expect(find(sockets, 48814, 40124)).toMatchObject({
      localAddress: '::1',
      remoteAddress: '::1',
      bytesSent: 5000,
      bytesReceived: 5000,
    })
  })

  it('keeps the zone of a link-local address and unmaps IPv4-mapped addresses', () => {
    expect(find(sockets, 40200, 48228)).toMatchObject({
      localAddress: 'fe80::fc:ff:fe00:1%eth0',
      remoteAddress: 'fe80::fc:ff:fe00:1',
      bytesSent: 0,
      bytesReceived: 3,
    })
    expect(find(sockets, 40124, 44560)).toMatchObject({
      localAddress: '127.0.0.1',
      remoteAddress: '127.0.0.1',
      pids: [7889],
    })
  })

  it('reads the one-line (-O) layout the same way', () => {
    const oneLine = parseSsOutput(fixture('ss-established-oneline.txt'))
    expect(oneLine).toHaveLength(4)
    for (const s of oneLine) {
      const same = find(sockets, s.localPort, s.remotePort)
      expect(same).toBeDefined()
      expect({ ...s, lastSendMs: 0, lastRecvMs: 0 }).toEqual({ ...same, lastSendMs: 0, lastRecvMs: 0 })
    }
  })

  it('skips the header and non-established rows of output with a State column', () => {
    const all = parseSsOutput(fixture('ss-all-states-with-header.txt'))
    expect(all.map((s) => s.localPort).sort()).toEqual([40200, 40200, 48228, 55452])
    expect(parseSsOutput('State Recv-Q Send-Q Local Address:Port Peer Address:Port Process\n')).toEqual([])
    expect(parseSsOutput('LISTEN 0 128 0.0.0.0:22 0.0.0.0:* users:(("sshd",pid=1,fd=3))\n')).toEqual([])
  })

  it('reports no counters when there is no tcp_info, and no pids without the Process column', () => {
    expect(parseSsOutput('0 0 10.0.0.2:50000 10.0.0.9:22\n')).toEqual([
      { pids: [], localAddress: '10.0.0.2', localPort: 50000, remoteAddress: '10.0.0.9', remotePort: 22 },
    ])
  })

  it('does not take counters from a process name in the one-line layout', () => {
    const [s] = parseSsOutput(
      '0 0 10.0.0.2:50000 10.0.0.9:22 users:(("lastsnd:7 x",pid=5,fd=3)) cubic rto:204 lastsnd:900 lastrcv:800\n',
    )
    expect(s).toMatchObject({ pids: [5], lastSendMs: 900, lastRecvMs: 800 })
  })
})

describe('parseProcNetTcp on real /proc/net/tcp{,6}', () => {
  it('reads IPv4 and IPv6 entries, states and inodes', () => {
    const v4 = parseProcNetTcp(fixture('proc-net-tcp.txt'))
    expect(v4).toHaveLength(17)
    expect(v4).toContainEqual({
      localAddress: '127.0.0.1',
      localPort: 55452,
      remoteAddress: '127.0.0.1',
      remotePort: 40200,
      state: 1,
      inode: 14207,
    })
    const v6 = parseProcNetTcp(fixture('proc-net-tcp6.txt'))
    expect(v6).toContainEqual({
      localAddress: 'fe80::fc:ff:fe00:1',
      localPort: 40200,
      remoteAddress: 'fe80::fc:ff:fe00:1',
      remotePort: 48228,
      state: 1,
      inode: 14206,
    })
    expect(v6).toContainEqual(
      expect.objectContaining({ localAddress: '127.0.0.1', localPort: 40124, remotePort: 44560 }),
    )
  })

  it('gives the established ones as sockets with their owners, in the same text as ss', () => {
    const entries = [
      ...parseProcNetTcp(fixture('proc-net-tcp.txt')),
      ...parseProcNetTcp(fixture('proc-net-tcp6.txt')),
    ]
    const sockets = procNetToSockets(entries, new Map([[14207, [8474, 8432]]]))
    expect(sockets.every((s) => s.bytesSent === undefined && s.lastSendMs === undefined)).toBe(true)
    expect(find(sockets, 55452, 40200)?.pids).toEqual([8474, 8432])
    // captured a moment apart: every socket of our test ports that ss saw is in /proc/net too
    const ss = parseSsOutput(fixture('ss-established-continuation.txt'))
    for (const s of ss) {
      const twin = find(sockets, s.localPort, s.remotePort)
      expect(twin?.remoteAddress).toBe(s.remoteAddress)
      // /proc/net has no zone ids
      expect(twin?.localAddress).toBe(s.localAddress.replace(/%.*$/, ''))
    }
  })
})

describe('establishedByInode / ssPortFilter', () => {
  it('keeps established connections with an inode, by inode', () => {
    const entries = parseProcNetTcp(fixture('proc-net-tcp.txt'))
    const byInode = establishedByInode(entries)
    expect(byInode.get(14207)).toMatchObject({ localPort: 55452, remotePort: 40200, state: 1 })
    expect([...byInode.values()].every((e) => e.state === 1 && e.inode !== 0)).toBe(true)
  })

  it('builds one `( sport = :N or … )` filter, each port once, as separate arguments', () => {
    expect(ssPortFilter([22, 40000, 22])).toEqual([
      '(',
      'sport',
      '=',
      ':22',
      'or',
      'sport',
      '=',
      ':40000',
      ')',
    ])
    expect(ssPortFilter([])).toBeNull()
    // nothing that is not a port reaches ss's argument list
    expect(ssPortFilter([0, -1, 70000, Number.NaN])).toBeNull()
  })
})

describe('procNetInodes', () => {
  it('reads the inode column of unix and udp tables, skipping the header and junk', () => {
    const unix =
      'Num       RefCount Protocol Flags    Type St Inode Path\n' +
      '0000000012: 00000003 00000000 00000000 0001 03 2100610\n' +
      '0000000013: 00000002 00000000 00010000 0001 01 31 /run/dbus\n' +
      'garbage\n'
    expect([...procNetInodes(unix, 6)]).toEqual([2100610, 31])
    const udp =
      '   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops\n' +
      '  1: 3500007F:0035 00000000:0000 07 00000000:00000000 00:00000000 00000000   101        0 18843 2 0 0\n'
    expect([...procNetInodes(udp, 9)]).toEqual([18843])
    expect(procNetInodes('', 6).size).toBe(0)
  })
})
