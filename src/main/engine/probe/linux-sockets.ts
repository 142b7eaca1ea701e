// The Linux probe's sockets: the session programs' TCP connections from their /proc/<pid>/fd
// links, the addresses of new ones from /proc/net/tcp{,6}, their tcp_info from a filtered `ss`
// (SessionSocketReader.sessionSockets); without an `interesting` filter, every socket from one
// `ss -tnpiH` (wideSockets).
import fs from 'node:fs'
import os from 'node:os'
import type { SnapshotOptions, SocketInfo } from './types'
import type { RunFile } from './exec'
import {
  establishedByInode,
  parseProcNetTcp,
  parseSsOutput,
  procNetInodes,
  procNetToSockets,
  ssPortFilter,
  type ProcNetTcpEntry,
} from './linux-parse'
import { errCode, isPidName, readOrNull } from './linux-read'
import type { ProcessTable } from './linux-procs'

/** a session program's socket links at their last read, with its fd count then (NaN: unknown) */
interface FdReading {
  startTime: number
  count: number
  inodes: number[]
}

const SS_TIMEOUT_MS = 2000
/**
 * A session program whose fd count (the size of its /proc/<pid>/fd, Linux ≥ 6.2) is unchanged
 * keeps its last socket links; all are read again this often, and whenever counters are read.
 */
const FD_SWEEP_MS = 5000
/** /proc/net/tcp states (include/net/tcp_states.h) */
const TCP_ESTABLISHED = 1
const TCP_SYN_SENT = 2
const TCP_SYN_RECV = 3
/** ss exiting non-zero this many snapshots in a row is taken as "ss cannot work here" */
const SS_MAX_FAILURES = 3
/**
 * /proc/net tables that list only live sockets, with their inode column: ~0.1 ms each to read
 * here, against ~6 ms per tcp file (its read walks every bucket of the memory-sized connection
 * hash, ~17 ms for both under load). A browser opens unix sockets all the time (Chromium's
 * main process: 22 new ones in 30 s of the bench's busy desktop); finding them here spares the
 * tcp reads.
 */
const NON_TCP_TABLES: readonly (readonly [string, number])[] = [
  ['unix', 6],
  ['udp', 9],
  ['udp6', 9],
  ['netlink', 9],
]

export interface SocketReaderOptions {
  procRoot: string
  ssPath: string
  run: RunFile
  youngMs: number
  fdSweepMs?: number
}

/** The session programs' connections between snapshots, and how each snapshot reads them. */
export class SessionSocketReader {
  private readonly procRoot: string
  private readonly ssPath: string
  private readonly run: RunFile
  private readonly youngMs: number
  private readonly fdSweepMs: number
  private readonly littleEndian = os.endianness() === 'LE'
  /** socket inodes in the session programs' fd links at the last snapshot */
  private lastHeld = new Set<number>()
  /** heldSockets' last answer: handed back as it is while no reading changed (never mutated) */
  private owners = new Map<number, number[]>()
  /** their established TCP connections, by inode, and those still connecting (looked up again) */
  private readonly conns = new Map<number, ProcNetTcpEntry>()
  /** bumped on every change of conns: the key and the list below are kept while it stays */
  private connsVersion = 0
  private listed: {
    version: number
    owners: Map<number, number[]>
    conns: ProcNetTcpEntry[]
    key: string
  } | null = null
  /** heldSockets' fd counts of this poll, by position in its pids (reused: no array per poll) */
  private readonly counts: number[] = []
  private readonly connecting = new Set<number>()
  /** the inodes in conns found in /proc/net/tcp6 (AF_INET6 sockets, v4-mapped ones too) */
  private readonly inet6 = new Set<number>()
  /** per session program: its fd count and socket inodes when its links were last read */
  private fdCounts = new Map<number, FdReading>()
  private lastFdSweep = -Infinity
  /** the last `ss` reading of those connections, by inode, and when it was taken */
  private readings = new Map<number, { at: number; sk: SocketInfo }>()
  private ssFailures = 0

  constructor(
    o: SocketReaderOptions,
    private readonly procs: ProcessTable,
  ) {
    this.procRoot = o.procRoot
    this.ssPath = o.ssPath
    this.run = o.run
    this.youngMs = o.youngMs
    this.fdSweepMs = o.fdSweepMs ?? FD_SWEEP_MS
  }

  /** inode → pids of the wanted sockets, from the /proc/<pid>/fd links of every process (the /proc/net fallback) */
  private socketOwners(wanted: ReadonlySet<number>): Map<number, number[]> {
    const owners = new Map<number, number[]>()
    if (wanted.size === 0) return owners
    let names: string[]
    try {
      names = fs.readdirSync(this.procRoot)
    } catch {
      return owners
    }
    for (const name of names) {
      if (!isPidName(name)) continue
      const pid = Number(name)
      for (const inode of this.socketLinks(name)?.inodes ?? []) {
        if (!wanted.has(inode)) continue
        const list = owners.get(inode)
        if (list === undefined) owners.set(inode, [pid])
        else if (!list.includes(pid)) list.push(pid)
      }
    }
    return owners
  }

  /** established connections of the namespace, by inode: a read of two files, no process spawned */
  private readEstablished(): Map<number, ProcNetTcpEntry> {
    return establishedByInode([
      ...parseProcNetTcp(readOrNull(`${this.procRoot}/net/tcp`) ?? '', this.littleEndian),
      ...parseProcNetTcp(readOrNull(`${this.procRoot}/net/tcp6`) ?? '', this.littleEndian),
    ])
  }

  private procNetSockets(): SocketInfo[] {
    const entries = [...this.readEstablished().values()]
    return procNetToSockets(entries, this.socketOwners(new Set(entries.map((e) => e.inode))))
  }

  /** ss exited: non-zero too often, or missing, means "ss cannot work here" */
  private ssFailed(error: unknown): void {
    // missing or not executable: no point in asking again; a timeout under load is not counted,
    // so a busy machine does not lose the idle clocks for good
    const code = error === null ? undefined : errCode(error)
    if (error === null) this.ssFailures++
    else if (code === 'ENOENT' || code === 'EACCES') this.ssFailures = SS_MAX_FAILURES
  }

  /** every established socket with its owners (`ss -p`, which walks every process's fds) */
  async wideSockets(): Promise<SocketInfo[]> {
    if (this.ssFailures >= SS_MAX_FAILURES) return this.procNetSockets()
    try {
      const r = await this.run(this.ssPath, ['-tnpiH', 'state', 'established'], { timeoutMs: SS_TIMEOUT_MS })
      if (r.code === 0) {
        this.ssFailures = 0
        return parseSsOutput(r.stdout)
      }
      this.ssFailed(null)
    } catch (error) {
      this.ssFailed(error)
    }
    return this.procNetSockets()
  }

  /** the socket inodes among a process's fds, and its fd count; null when it is gone or not ours to look at */
  private socketLinks(pid: number | string): { inodes: number[]; fds: number } | null {
    const fdDir = `${this.procRoot}/${String(pid)}/fd`
    let fds: string[]
    try {
      fds = fs.readdirSync(fdDir)
    } catch {
      return null
    }
    const inodes: number[] = []
    for (const fd of fds) {
      let target: string
      try {
        target = fs.readlinkSync(`${fdDir}/${fd}`)
      } catch {
        continue
      }
      if (target.startsWith('socket:[')) inodes.push(Number(target.slice(8, -1)))
    }
    return { inodes, fds: fds.length }
  }

  /**
   * inode → pids of the given processes' sockets. A process's links are read again only when its
   * fd count changed (the size of /proc/<pid>/fd, Linux ≥ 6.2: one stat instead of a readdir and
   * a readlink per fd), when it is young, or when `all` is set. The count is trusted only if it
   * equalled the number of links at their last read: an older kernel (size 0), a copy of /proc,
   * or an fd opened meanwhile make the links be read again. A close and an open between two
   * snapshots leave the count as it was: such a change waits for the next `all` (counters are
   * read, or FD_SWEEP_MS passed), and until then the reading keeps the closed connection, so a
   * session is never taken for ended on a missed link.
   */
  private heldSockets(pids: readonly number[], now: number, all: boolean): Map<number, number[]> {
    if (this.countFds(pids, now, all)) return this.owners
    const owners = new Map<number, number[]>()
    const next = new Map<number, FdReading>()
    pids.forEach((pid, i) => {
      const info = this.procs.known.get(pid)?.info
      const count = this.counts[i] ?? -1
      if (info === undefined || count < 0) return // gone, or another user's process
      const last = this.fdCounts.get(pid)
      let reading: FdReading
      if (this.keeps(last, info.startTime, count, now, all)) reading = last
      else {
        const links = this.socketLinks(pid)
        if (links === null) return
        // a count that disagrees with the links is no count: NaN never equals the next one
        reading = {
          startTime: info.startTime,
          count: links.fds === count ? count : NaN,
          inodes: links.inodes,
        }
      }
      next.set(pid, reading)
      for (const inode of reading.inodes) {
        const list = owners.get(inode)
        if (list === undefined) owners.set(inode, [pid])
        else if (!list.includes(pid)) list.push(pid)
      }
    })
    this.fdCounts = next
    this.owners = owners
    return owners
  }

  /** whether a process's last fd reading stands: the same count, the same process, not young */
  private keeps(
    last: FdReading | undefined,
    startTime: number,
    count: number,
    now: number,
    all: boolean,
  ): last is FdReading {
    return !all && last?.count === count && last.startTime === startTime && now - startTime >= this.youngMs
  }

  /**
   * Stats each process's fd directory into `counts` (-1: not readable, or not a known process);
   * true when every last reading stands and the processes are those of the last poll, so the last
   * owners map is the answer (most polls: no map, array or set built).
   */
  private countFds(pids: readonly number[], now: number, all: boolean): boolean {
    this.counts.length = pids.length
    let same = !all
    let kept = 0
    pids.forEach((pid, i) => {
      const info = this.procs.known.get(pid)?.info
      let count = -1
      // a process that has not run since the last poll has opened and closed nothing (ProcessTable.slept)
      const last = this.procs.asleep.has(pid) ? this.fdCounts.get(pid) : undefined
      if (last !== undefined) count = last.count
      else if (info !== undefined) {
        try {
          count = fs.statSync(`${this.procRoot}/${String(pid)}/fd`).size
        } catch {
          // gone, or another user's process
        }
      }
      this.counts[i] = count
      if (!same || count < 0 || info === undefined) return
      if (this.keeps(this.fdCounts.get(pid), info.startTime, count, now, all)) kept++
      else same = false
    })
    // every kept pid was in fdCounts: as many means the same processes
    return same && kept === this.fdCounts.size
  }

  /**
   * tcp_info (idle clocks, byte counters) of the given connections from one `ss`, filtered to
   * their local ports, by inode; null when ss cannot tell.
   */
  private async readCounters(open: readonly ProcNetTcpEntry[]): Promise<Map<number, SocketInfo> | null> {
    const filter = ssPortFilter(open.map((c) => c.localPort))
    if (filter === null) return new Map()
    if (this.ssFailures >= SS_MAX_FAILURES) return null
    try {
      const args = ['-tniHe', ...this.families(open), 'state', 'established', ...filter]
      const r = await this.run(this.ssPath, args, { timeoutMs: SS_TIMEOUT_MS })
      if (r.code === 0) {
        this.ssFailures = 0
        const byInode = new Map<number, SocketInfo>()
        for (const sk of parseSsOutput(r.stdout)) if (sk.inode !== undefined) byInode.set(sk.inode, sk)
        return byInode
      }
      this.ssFailed(null)
    } catch (error) {
      this.ssFailed(error)
    }
    return null
  }

  /**
   * `-4` or `-6` when every connection is of one family. ss sends one sock_diag dump per family,
   * and each dump walks the kernel's whole established hash (inet_diag_dump_icsk): one family
   * spares one walk: ~1–1.5 ms of the ~5–6 ms of CPU an `ss` costs here (60 runs of each).
   */
  private families(open: readonly ProcNetTcpEntry[]): string[] {
    let v6 = 0
    for (const c of open) if (this.inet6.has(c.inode)) v6++
    if (v6 === 0) return ['-4']
    return v6 === open.length ? ['-6'] : []
  }

  /** removes the inodes of unix, UDP and netlink sockets: cheap tables, and never a TCP connection */
  private dropNonTcp(want: Set<number>): void {
    for (const [file, column] of NON_TCP_TABLES) {
      if (want.size === 0) return
      const text = readOrNull(`${this.procRoot}/net/${file}`)
      if (text === null) continue
      for (const inode of procNetInodes(text, column)) if (want.delete(inode)) this.connecting.delete(inode)
    }
  }

  /**
   * Looks new socket inodes up in /proc/net/tcp, then tcp6 for any not found there: each read
   * walks the kernel's whole connection hash (~5 ms here), so it happens only when a session
   * program's fd links show a socket not seen before (or one still connecting).
   */
  private lookUp(inodes: readonly number[]): void {
    const want = new Set(inodes)
    this.dropNonTcp(want)
    for (const file of ['tcp', 'tcp6']) {
      if (want.size === 0) break
      for (const e of parseProcNetTcp(readOrNull(`${this.procRoot}/net/${file}`) ?? '', this.littleEndian)) {
        if (!want.delete(e.inode)) continue
        this.connecting.delete(e.inode)
        if (e.state === TCP_ESTABLISHED) {
          this.conns.set(e.inode, e)
          if (file === 'tcp6') this.inet6.add(e.inode)
          this.connsVersion++
        } else if (e.state === TCP_SYN_SENT || e.state === TCP_SYN_RECV) this.connecting.add(e.inode)
      }
    }
    // in neither table: a unix or UDP socket, nothing to look up again
    for (const inode of want) this.connecting.delete(inode)
  }

  /**
   * The session programs' connections: their sockets from their fd links (read every snapshot:
   * a socket opened or closed shows at once), the addresses of new ones from /proc/net/tcp{,6};
   * their idle clocks from `ss`, filtered to their local ports, only when asked for counters,
   * otherwise the last reading aged by the time since (a connection not read yet carries no
   * counters: active until read). Other programs' connections cost nothing, however many.
   *
   * `key` names the connections and their owners; `sockets` builds their records on first use
   * only: a snapshot that changes nothing is answered from the last detections (detection.ts)
   * and never looks at them, so most polls build none (they were a tenth of the loop's garbage).
   * What it reads is fixed here: this reading's connections and owners, and the readings map,
   * which is replaced, never changed, after this call.
   */
  async sessionSockets(
    takenAt: number,
    o: SnapshotOptions | undefined,
  ): Promise<{ sockets: () => SocketInfo[]; key: string; read: boolean }> {
    const all = o?.counters === true || takenAt - this.lastFdSweep >= this.fdSweepMs
    if (all) this.lastFdSweep = takenAt
    const previous = this.owners
    const held = this.heldSockets(this.procs.candidatePids(o), takenAt, all)
    // the same owners map: the same inodes as lastHeld, so only those still connecting are new
    if (held !== previous || this.connecting.size > 0) this.lookUpNew(held)
    let read = false
    if (o?.counters === true) {
      const got = await this.readCounters([...this.conns.values()])
      read = got !== null
      // ss failed: no counters rather than stale ones (a session is never idled on a guess)
      this.readings = new Map([...(got ?? [])].map(([inode, sk]) => [inode, { at: takenAt, sk }]))
      // ss asks for established connections only: one it left out has closed
      if (got !== null) for (const inode of this.conns.keys()) if (!got.has(inode)) this.deleteConn(inode)
    }
    let gone = false
    for (const inode of this.readings.keys()) if (!this.conns.has(inode)) gone = true
    if (gone) this.readings = new Map([...this.readings].filter(([inode]) => this.conns.has(inode)))
    const { conns, key } = this.listing(held)
    const readings = this.readings
    let built: SocketInfo[] | undefined
    const sockets = (): SocketInfo[] =>
      (built ??= conns.map((e) => withCounters(e, held.get(e.inode) ?? [], readings.get(e.inode), takenAt)))
    return { sockets, key, read }
  }

  /** looks up the inodes not held before (and those still connecting); forgets conns no longer held */
  private lookUpNew(held: ReadonlyMap<number, number[]>): void {
    const fresh: number[] = []
    for (const inode of held.keys())
      if (!this.lastHeld.has(inode) || this.connecting.has(inode)) fresh.push(inode)
    if (fresh.length > 0) this.lookUp(fresh)
    for (const inode of this.conns.keys()) if (!held.has(inode)) this.deleteConn(inode)
    this.lastHeld = new Set(held.keys())
  }

  private deleteConn(inode: number): void {
    this.inet6.delete(inode)
    if (this.conns.delete(inode)) this.connsVersion++
  }

  /**
   * The connections in a fixed array and the key naming them and their owners; the last ones
   * while neither conns nor the owners map changed (the array is never mutated: snapshots built
   * from it keep it).
   */
  private listing(held: Map<number, number[]>): { conns: ProcNetTcpEntry[]; key: string } {
    const l = this.listed
    if (l?.version === this.connsVersion && l.owners === held) return l
    const conns = [...this.conns.values()]
    let key = ''
    for (const e of conns) key += `${String(e.inode)}:${(held.get(e.inode) ?? []).join('.')},`
    this.listed = { version: this.connsVersion, owners: held, conns, key }
    return this.listed
  }
}

/** a connection's record, with the last `ss` reading of it aged by the time since */
function withCounters(
  e: ProcNetTcpEntry,
  pids: readonly number[],
  last: { at: number; sk: SocketInfo } | undefined,
  takenAt: number,
): SocketInfo {
  const out: SocketInfo = {
    pids: [...pids],
    inode: e.inode,
    localAddress: e.localAddress,
    localPort: e.localPort,
    remoteAddress: e.remoteAddress,
    remotePort: e.remotePort,
  }
  if (last === undefined) return out
  const aged = takenAt - last.at
  const { bytesSent, bytesReceived, lastSendMs, lastRecvMs } = last.sk
  if (bytesSent !== undefined) out.bytesSent = bytesSent
  if (bytesReceived !== undefined) out.bytesReceived = bytesReceived
  if (lastSendMs !== undefined) out.lastSendMs = lastSendMs + aged
  if (lastRecvMs !== undefined) out.lastRecvMs = lastRecvMs + aged
  return out
}
