// `npx tsx bench/detection-bench.ts` — what a counters reading costs detection, in this process
// (no peers): 1 000 idle processes and 50 ssh sessions with one socket each, detected afresh (the
// engine before Snapshot.sameSessions) against reused with the new readings. Alternating rounds,
// medians of CPU per call.
import { Detection } from '@engine/detection'
import type { ProcessInfo, Snapshot, SocketInfo } from '@engine/probe/types'
import { median, round } from './stats'

const T0 = 1_700_000_000_000

function scene(): { processes: Map<number, ProcessInfo>; sockets: SocketInfo[] } {
  const processes = new Map<number, ProcessInfo>()
  const add = (pid: number, ppid: number, argv: string[], exe: string): void => {
    const comm = exe.split('/').pop() ?? ''
    processes.set(pid, { pid, ppid, uid: 1000, startTime: T0 + pid, exe, argv, comm })
  }
  add(1, 0, ['/sbin/init'], '/sbin/init')
  add(2, 1, ['node', 'bench.js'], '/usr/bin/node')
  for (let i = 0; i < 1000; i++) add(1000 + i, 1, ['sleep', '3600'], '/usr/bin/sleep')
  const sockets: SocketInfo[] = []
  for (let i = 0; i < 50; i++) {
    const pid = 5000 + i
    add(pid, 2, ['ssh', '-N', `user@host${String(i)}.example`], '/usr/bin/ssh')
    sockets.push({
      pids: [pid],
      inode: 90_000 + i,
      localAddress: '192.168.1.10',
      localPort: 40_000 + i,
      remoteAddress: '198.51.100.7',
      remotePort: 22,
    })
  }
  return { processes, sockets }
}

/** the same connections with a new `ss` reading */
function reading(sockets: readonly SocketInfo[], n: number): SocketInfo[] {
  return sockets.map((s) => ({ ...s, bytesSent: n, bytesReceived: n, lastSendMs: n, lastRecvMs: n }))
}

async function cpuMsPer(calls: number, fn: (i: number) => Promise<unknown>): Promise<number> {
  const t = process.cpuUsage()
  for (let i = 0; i < calls; i++) await fn(i)
  const d = process.cpuUsage(t)
  return (d.user + d.system) / 1000 / calls
}

async function main(): Promise<void> {
  const { processes, sockets } = scene()
  const detection = new Detection({ uid: null, selfPid: 2, sshG: () => Promise.resolve(null) })
  const snap = (s: Partial<Snapshot>, n: number): Snapshot => ({
    takenAt: T0 + n,
    processes,
    sockets: reading(sockets, n),
    ...s,
  })
  const detect = (s: Snapshot): Promise<unknown> => detection.detect(s, [], new Map(), new Map())
  await detect(snap({}, 0))
  const afresh: number[] = []
  const reused: number[] = []
  for (let round = 0; round < 20; round++) {
    afresh.push(await cpuMsPer(20, (i) => detect(snap({}, i))))
    reused.push(await cpuMsPer(20, (i) => detect(snap({ sameSessions: true }, i))))
  }
  const a = median(afresh)
  const r = median(reused)
  process.stdout.write(
    `${JSON.stringify({ detectAfreshMs: round(a, 3), detectReusedMs: round(r, 3), ratio: round(r / a, 3) })}\n`,
  )
}

await main()
