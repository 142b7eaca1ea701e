// Linux probe: processes from /proc; the session programs' TCP connections from their
// /proc/<pid>/fd socket links, the addresses of new ones from /proc/net/tcp{,6} (no process
// spawned); the kernel's per-socket tcp_info (byte counters, lastsnd/lastrcv idle clocks) from
// `ss`, filtered to those connections, only when the engine asks for counters. Without an
// `interesting` filter, one `ss -tnpiH` for every socket and its owners (/proc/net/tcp{,6} when
// ss cannot run).
//
// Cost model (figures measured by bench/engine-bench.ts; README "Benchmark"): the steady state reads only
// /proc/<pid>/stat for each process — cmdline, exe and uid are cached per (pid, start ticks) — and
// the reads are synchronous: ~1 ms for 100 processes against ~5 ms for the same reads through
// fs.promises (each async read is several thread-pool round trips). A busy desktop opens
// connections every second; other programs' connections cost nothing: no `ss` spawn, and no read
// of /proc/net/tcp{,6} either (each walks the kernel's whole connection hash table, ~5 ms on a
// machine with 24 GB of memory).
import fs from 'node:fs'
import os from 'node:os'
import type { Probe, ProcessInfo, Snapshot, SnapshotOptions, SocketInfo } from './types'
import { runFile, type RunFile } from './exec'
import {
  PF_KTHREAD,
  parseBootTime,
  parseCmdline,
  establishedByInode,
  parseProcNetTcp,
  parseProcStat,
  parseSsOutput,
  procNetInodes,
  parseStatusUid,
  procNetToSockets,
  ssPortFilter,
  type ProcNetTcpEntry,
  type ProcStat,
} from './linux-parse'

export interface LinuxProbeOptions {
  /** where procfs is mounted (tests point it at a copy) */
  procRoot?: string
  /** the ss binary; a path that does not exist makes the probe use /proc/net/tcp{,6} */
  ssPath?: string
  /** USER_HZ; asked of `getconf CLK_TCK` once when not given (100 on every mainstream arch) */
  clockTicks?: number
  /**
   * For this long after a process starts, its cmdline and exe are re-read on every snapshot: a
   * fork caught before its exec, or a program that sets its title at start (ssh's mux master),
   * would otherwise stay cached with its first command line. Exec keeps the start time, so age
   * and a changed comm are the only signs we get.
   */
  youngMs?: number
  /** for tests: the program runner */
  run?: RunFile
  /**
   * The processes detection looks at. When given, only those (and young ones) have their stat
   * re-read every snapshot; the others come from the cache and are re-read on a full sweep every
   * fullSweepMs (catching a reused pid or a late exec). Without it every process is re-read.
   */
  interesting?: (p: ProcessInfo) => boolean
  fullSweepMs?: number
}

interface CachedDetails {
  startTicks: number
  comm: string
  argv: string[]
  exe: string
  uid: number
}

const SS_TIMEOUT_MS = 2000
/**
 * argv of browser processes that never hold a TCP socket (sandboxed: no network access). Chromium
 * rewrites its children's command line as one space-joined string (/proc/<pid>/cmdline has no NULs
 * between the words), so the flag is matched as a word anywhere in an element: matched as a whole
 * element only, no renderer was ever skipped, and each new unix socket of a renderer cost a read of
 * /proc/net/tcp and tcp6 (~17 ms on the loaded bench machine, 9 such reads in 30 s of the busy desktop).
 */
const NO_SOCKETS = /(?:^|\s)--type=(?:renderer|gpu-process|zygote)(?:\s|$)/
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
const SS_CANDIDATES = ['/usr/bin/ss', '/bin/ss', '/usr/sbin/ss', '/sbin/ss']
/**
 * Processes that become a session program by a late exec (`exec ssh host` in an old shell: same
 * pid, no fork) are shells; their stat (comm) is re-read every snapshot, the rest of such cases
 * wait for the full sweep.
 */
const SHELLS = new Set(['bash', 'sh', 'dash', 'zsh', 'fish', 'ksh', 'mksh', 'tcsh', 'csh'])

function errCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    return typeof error.code === 'string' ? error.code : undefined
  }
  return undefined
}

/** the process (or the file) is gone: it exited between two reads */
function isGone(error: unknown): boolean {
  const code = errCode(error)
  return code === 'ENOENT' || code === 'ESRCH'
}

function readOrNull(path: string): string | null {
  try {
    return fs.readFileSync(path, 'utf8')
  } catch {
    return null
  }
}

function isPidName(name: string): boolean {
  const c = name.charCodeAt(0)
  return c >= 48 && c <= 57 && /^\d+$/.test(name)
}

/**
 * The kernel derives btime from the wall clock minus uptime on every read: two processes (the app
 * and a CLI run) can read values a second apart, or further after a clock step, and would then
 * compute different start times — different identities — for the same process. The first reader
 * of this boot writes its value to a private file named by the boot id; every later reader, in
 * any process of this user, uses that one.
 */
export function stableBootMs(procRoot: string, readMs: number, dir = runtimeDir()): number {
  let bootId: string
  try {
    bootId = fs.readFileSync(`${procRoot}/sys/kernel/random/boot_id`, 'utf8').trim()
  } catch {
    return readMs
  }
  if (!/^[0-9a-f-]{8,64}$/.test(bootId)) return readMs
  const uid = process.getuid?.() ?? 0
  const file = `${dir}/session-warden-${String(uid)}-boot-${bootId}`
  try {
    fs.writeFileSync(file, String(readMs), { flag: 'wx', mode: 0o600 })
    return readMs
  } catch {
    // already written by an earlier reader (or unwritable): use the recorded value if it is ours
  }
  try {
    const st = fs.statSync(file)
    const v = Number(fs.readFileSync(file, 'utf8'))
    // another user's file in a shared /tmp is not trusted; a sane value is within a day of ours
    if (st.uid === uid && Number.isFinite(v) && Math.abs(v - readMs) < 86_400_000) return v
  } catch {
    // fall through
  }
  return readMs
}

function runtimeDir(): string {
  const xdg = process.env.XDG_RUNTIME_DIR
  return xdg && fs.existsSync(xdg) ? xdg : os.tmpdir()
}

function defaultSsPath(): string {
  return SS_CANDIDATES.find((p) => fs.existsSync(p)) ?? 'ss'
}

/** The boot time (agreed across processes) and the clock tick rate that /proc/<pid>/stat counts in. */
async function readBootClock(
  procRoot: string,
  run: NonNullable<LinuxProbeOptions['run']>,
  clockTicks: number | undefined,
): Promise<{ bootMs: number; ticks: number }> {
  const btime = parseBootTime(fs.readFileSync(`${procRoot}/stat`, 'utf8'))
  if (btime === null) throw new Error(`no btime in ${procRoot}/stat`)
  let ticks = clockTicks
  if (ticks === undefined) {
    try {
      const r = await run('getconf', ['CLK_TCK'], { timeoutMs: 2000 })
      const n = Number(r.stdout.trim())
      ticks = r.code === 0 && Number.isInteger(n) && n > 0 ? n : 100
    } catch {
      ticks = 100
    }
  }
  return { bootMs: stableBootMs(procRoot, btime * 1000), ticks }
}

export function createLinuxProbe(opts: LinuxProbeOptions = {}): Probe {
  const procRoot = opts.procRoot ?? '/proc'
  const ssPath = opts.ssPath ?? defaultSsPath()
  const run = opts.run ?? runFile
  const youngMs = opts.youngMs ?? 5000
  const littleEndian = os.endianness() === 'LE'
  const cache = new Map<number, CachedDetails>()
  /** last snapshot's processes, for the fast path, with whether detection looks at them */
  const known = new Map<number, { info: ProcessInfo; interesting: boolean }>()
  const fullSweepMs = opts.fullSweepMs ?? 30_000
  let lastFullSweep = -Infinity
  let lastForks = ''
  let lastProcesses: Map<number, ProcessInfo> | null = null
  /** socket inodes in the session programs' fd links at the last snapshot */
  let lastHeld = new Set<number>()
  /** their established TCP connections, by inode, and those still connecting (looked up again) */
  const conns = new Map<number, ProcNetTcpEntry>()
  const connecting = new Set<number>()
  let lastOwnedKey = ''
  /** the last `ss` reading of those connections, by inode, and when it was taken */
  let readings = new Map<number, { at: number; sk: SocketInfo }>()
  let ssFailures = 0
  let clock: Promise<{ bootMs: number; ticks: number }> | undefined

  function boot(): Promise<{ bootMs: number; ticks: number }> {
    clock ??= readBootClock(procRoot, run, opts.clockTicks)
    // a failed first read may be retried by the next snapshot
    clock.catch(() => {
      clock = undefined
    })
    return clock
  }

  /** cmdline, exe and uid of a process; null when it vanished meanwhile */
  function readDetails(pid: number, st: ProcStat): CachedDetails | null {
    const dir = `${procRoot}/${pid}`
    // kernel threads have no command line, no executable and belong to root
    if ((st.flags & PF_KTHREAD) !== 0) {
      return { startTicks: st.startTicks, comm: st.comm, argv: [], exe: '', uid: 0 }
    }
    let argv: string[]
    try {
      argv = parseCmdline(fs.readFileSync(`${dir}/cmdline`, 'utf8'))
    } catch (error) {
      if (isGone(error)) return null
      argv = []
    }
    let exe: string
    try {
      exe = fs.readlinkSync(`${dir}/exe`)
      if (exe.endsWith(' (deleted)')) exe = exe.slice(0, -' (deleted)'.length)
    } catch {
      // EACCES: another user's process; ENOENT: a zombie or a process on its way out
      exe = ''
    }
    let uid: number | null
    try {
      uid = parseStatusUid(fs.readFileSync(`${dir}/status`, 'utf8'))
    } catch (error) {
      if (isGone(error)) return null
      uid = null
    }
    if (uid === null) {
      try {
        uid = fs.statSync(dir).uid
      } catch {
        return null
      }
    }
    return { startTicks: st.startTicks, comm: st.comm, argv, exe, uid }
  }

  /** one process; null when it is gone, a zombie, or changed identity while being read */
  function readOne(
    pid: number,
    now: number,
    clk: { bootMs: number; ticks: number },
    useCache: boolean,
  ): ProcessInfo | null {
    const statPath = `${procRoot}/${pid}/stat`
    const text = readOrNull(statPath)
    if (text === null) return null
    const st = parseProcStat(text)
    if (st === null || st.pid !== pid || st.state === 'Z' || st.state === 'X') return null
    const startTime = clk.bootMs + Math.round((st.startTicks * 1000) / clk.ticks)
    let details = useCache ? cache.get(pid) : undefined
    const stale =
      details === undefined ||
      details.startTicks !== st.startTicks ||
      details.comm !== st.comm ||
      now - startTime < youngMs
    if (stale) {
      details = readDetails(pid, st) ?? undefined
      if (details === undefined) return null
      // the pid may have been reused while we read: the details must belong to this stat
      const again = readOrNull(statPath)
      const st2 = again === null ? null : parseProcStat(again)
      if (st2?.startTicks !== st.startTicks) return null
      if (useCache) cache.set(pid, details)
    }
    if (details === undefined) return null
    return {
      pid,
      ppid: st.ppid,
      uid: details.uid,
      startTime,
      exe: details.exe,
      argv: details.argv,
      comm: st.comm,
    }
  }

  /** a shell that exec'd another program since it was read (its comm changed) */
  function execd(pid: number, k: { info: ProcessInfo }): boolean {
    if (!SHELLS.has(k.info.comm)) return false
    const text = readOrNull(`${procRoot}/${pid}/stat`)
    const st = text === null ? null : parseProcStat(text)
    return st !== null && st.comm !== k.info.comm
  }

  /** forks since boot (/proc/stat "processes"): unchanged means no new process and no reused pid */
  function forkCount(): string {
    const text = readOrNull(`${procRoot}/stat`)
    const m = text === null ? null : /^processes (\d+)$/m.exec(text)
    return m?.[1] ?? ''
  }

  function scanProcesses(
    now: number,
    clk: { bootMs: number; ticks: number },
    quiet: boolean,
  ): Map<number, ProcessInfo> {
    const out = new Map<number, ProcessInfo>()
    const full = opts.interesting === undefined || now - lastFullSweep >= fullSweepMs
    if (full) lastFullSweep = now
    if (quiet && !full) {
      // Nothing forked and no session program's socket closed since the last snapshot: the same
      // processes (no pid can be reused without a fork), so only young ones are re-read (they may
      // exec). One that exited meanwhile stays listed until the next fork anywhere (our own `ss`
      // is one) or full sweep: harmless, as a session's end shows as its socket gone from its fd
      // links (a non-quiet snapshot), and every signal re-reads its target first.
      // The common case first, without building anything: nobody young, no session program gone.
      let same = lastProcesses !== null
      for (const [pid, k] of known) {
        if (!same) break
        if (
          now - k.info.startTime < youngMs ||
          (k.interesting && !fs.existsSync(`${procRoot}/${pid}`)) ||
          execd(pid, k)
        )
          same = false
      }
      if (same && lastProcesses !== null) return lastProcesses
      let reread = false
      for (const [pid, k] of known) {
        if (now - k.info.startTime < youngMs || execd(pid, k)) {
          reread = true
          const info = readOne(pid, now, clk, true)
          if (info !== null) {
            out.set(pid, info)
            known.set(pid, { info, interesting: opts.interesting?.(info) ?? true })
          }
        } else if (k.interesting && !fs.existsSync(`${procRoot}/${pid}`)) {
          // a session program without a TCP socket of its own (mosh-client, a mux client) left
          reread = true
        } else out.set(pid, k.info)
      }
      // the very same map as last time when nothing was re-read: detection may reuse its result
      if (!reread && lastProcesses !== null && lastProcesses.size === out.size) return lastProcesses
      for (const pid of known.keys()) if (!out.has(pid)) known.delete(pid)
      lastProcesses = out
      return out
    }
    for (const name of fs.readdirSync(procRoot)) {
      if (!isPidName(name)) continue
      const pid = Number(name)
      if (!full) {
        // Steady state: a process detection never looks at keeps its last reading until the
        // next full sweep (its stat read is most of a scan's cost with a thousand processes).
        const k = known.get(pid)
        if (k && !k.interesting && now - k.info.startTime >= youngMs && !execd(pid, k)) {
          out.set(pid, k.info)
          continue
        }
      }
      const info = readOne(pid, now, clk, true)
      if (info !== null) {
        out.set(pid, info)
        known.set(pid, { info, interesting: opts.interesting?.(info) ?? true })
      }
    }
    for (const pid of cache.keys()) if (!out.has(pid)) cache.delete(pid)
    for (const pid of known.keys()) if (!out.has(pid)) known.delete(pid)
    lastProcesses = out
    return out
  }

  /**
   * inode → pids, from the /proc/<pid>/fd links of the given processes (default: every process,
   * for the /proc/net fallback); every socket when wanted is null
   */
  function socketOwners(wanted: ReadonlySet<number> | null, among?: Iterable<number>): Map<number, number[]> {
    const owners = new Map<number, number[]>()
    if (wanted?.size === 0) return owners
    let names: Iterable<string | number>
    try {
      names = among ?? fs.readdirSync(procRoot)
    } catch {
      return owners
    }
    for (const name of names) {
      if (typeof name === 'string' && !isPidName(name)) continue
      const pid = Number(name)
      const fdDir = `${procRoot}/${name}/fd`
      let fds: string[]
      try {
        fds = fs.readdirSync(fdDir)
      } catch {
        continue // gone, or another user's process
      }
      for (const fd of fds) {
        let target: string
        try {
          target = fs.readlinkSync(`${fdDir}/${fd}`)
        } catch {
          continue
        }
        if (!target.startsWith('socket:[')) continue
        const inode = Number(target.slice(8, -1))
        if (wanted !== null && !wanted.has(inode)) continue
        const list = owners.get(inode)
        if (list === undefined) owners.set(inode, [pid])
        else if (!list.includes(pid)) list.push(pid)
      }
    }
    return owners
  }

  /** established connections of the namespace, by inode: a read of two files, no process spawned */
  function readEstablished(): Map<number, ProcNetTcpEntry> {
    return establishedByInode([
      ...parseProcNetTcp(readOrNull(`${procRoot}/net/tcp`) ?? '', littleEndian),
      ...parseProcNetTcp(readOrNull(`${procRoot}/net/tcp6`) ?? '', littleEndian),
    ])
  }

  function procNetSockets(): SocketInfo[] {
    const entries = [...readEstablished().values()]
    return procNetToSockets(entries, socketOwners(new Set(entries.map((e) => e.inode))))
  }

  /** ss exited: non-zero too often, or missing, means "ss cannot work here" */
  function ssFailed(error: unknown): void {
    // missing or not executable: no point in asking again; a timeout under load is not counted,
    // so a busy machine does not lose the idle clocks for good
    const code = error === null ? undefined : errCode(error)
    if (error === null) ssFailures++
    else if (code === 'ENOENT' || code === 'EACCES') ssFailures = SS_MAX_FAILURES
  }

  /** every established socket with its owners (`ss -p`, which walks every process's fds) */
  async function wideSockets(): Promise<SocketInfo[]> {
    if (ssFailures >= SS_MAX_FAILURES) return procNetSockets()
    try {
      const r = await run(ssPath, ['-tnpiH', 'state', 'established'], { timeoutMs: SS_TIMEOUT_MS })
      if (r.code === 0) {
        ssFailures = 0
        return parseSsOutput(r.stdout)
      }
      ssFailed(null)
    } catch (error) {
      ssFailed(error)
    }
    return procNetSockets()
  }

  /**
   * Session programs and their children (a ProxyCommand helper of any name holds its ssh's
   * socket), whose fd links are read every snapshot. Chromium's sandboxed renderer, GPU and zygote
   * processes are left out: they hold no TCP socket (its network service does the networking) and
   * have the most fds.
   */
  function candidatePids(): number[] {
    const pids: number[] = []
    for (const [pid, k] of known) {
      if (!k.interesting && known.get(k.info.ppid)?.interesting !== true) continue
      if (!k.info.argv.some((a) => NO_SOCKETS.test(a))) pids.push(pid)
    }
    return pids
  }

  /**
   * tcp_info (idle clocks, byte counters) of the given connections from one `ss`, filtered to
   * their local ports, by inode; null when ss cannot tell.
   */
  async function readCounters(conns: readonly ProcNetTcpEntry[]): Promise<Map<number, SocketInfo> | null> {
    const filter = ssPortFilter(conns.map((c) => c.localPort))
    if (filter === null) return new Map()
    if (ssFailures >= SS_MAX_FAILURES) return null
    try {
      const args = ['-tniHe', 'state', 'established', ...filter]
      const r = await run(ssPath, args, { timeoutMs: SS_TIMEOUT_MS })
      if (r.code === 0) {
        ssFailures = 0
        const byInode = new Map<number, SocketInfo>()
        for (const sk of parseSsOutput(r.stdout)) if (sk.inode !== undefined) byInode.set(sk.inode, sk)
        return byInode
      }
      ssFailed(null)
    } catch (error) {
      ssFailed(error)
    }
    return null
  }

  /** removes the inodes of unix, UDP and netlink sockets: cheap tables, and never a TCP connection */
  function dropNonTcp(want: Set<number>): void {
    for (const [file, column] of NON_TCP_TABLES) {
      if (want.size === 0) return
      const text = readOrNull(`${procRoot}/net/${file}`)
      if (text === null) continue
      for (const inode of procNetInodes(text, column)) if (want.delete(inode)) connecting.delete(inode)
    }
  }

  /**
   * Looks new socket inodes up in /proc/net/tcp, then tcp6 for any not found there: each read
   * walks the kernel's whole connection hash (~5 ms here), so it happens only when a session
   * program's fd links show a socket not seen before (or one still connecting).
   */
  function lookUp(inodes: readonly number[]): void {
    const want = new Set(inodes)
    dropNonTcp(want)
    for (const file of ['tcp', 'tcp6']) {
      if (want.size === 0) break
      for (const e of parseProcNetTcp(readOrNull(`${procRoot}/net/${file}`) ?? '', littleEndian)) {
        if (!want.delete(e.inode)) continue
        connecting.delete(e.inode)
        if (e.state === TCP_ESTABLISHED) conns.set(e.inode, e)
        else if (e.state === TCP_SYN_SENT || e.state === TCP_SYN_RECV) connecting.add(e.inode)
      }
    }
    // in neither table: a unix or UDP socket, nothing to look up again
    for (const inode of want) connecting.delete(inode)
  }

  /**
   * The session programs' connections: their sockets from their fd links (read every snapshot:
   * a socket opened or closed shows at once), the addresses of new ones from /proc/net/tcp{,6};
   * their idle clocks from `ss`, filtered to their local ports, only when asked for counters,
   * otherwise the last reading aged by the time since (a connection not read yet carries no
   * counters: active until read). Other programs' connections cost nothing, however many.
   */
  async function sessionSockets(
    takenAt: number,
    o: SnapshotOptions | undefined,
  ): Promise<{ sockets: SocketInfo[]; read: boolean }> {
    const held = socketOwners(null, candidatePids())
    const fresh: number[] = []
    for (const inode of held.keys()) if (!lastHeld.has(inode) || connecting.has(inode)) fresh.push(inode)
    if (fresh.length > 0) lookUp(fresh)
    for (const inode of conns.keys()) if (!held.has(inode)) conns.delete(inode)
    lastHeld = new Set(held.keys())
    let read = false
    if (o?.counters === true) {
      const got = await readCounters([...conns.values()])
      read = got !== null
      // ss failed: no counters rather than stale ones (a session is never idled on a guess)
      readings = new Map([...(got ?? [])].map(([inode, sk]) => [inode, { at: takenAt, sk }]))
      // ss asks for established connections only: one it left out has closed
      if (got !== null) for (const inode of conns.keys()) if (!got.has(inode)) conns.delete(inode)
    }
    for (const inode of readings.keys()) if (!conns.has(inode)) readings.delete(inode)
    const sockets = [...conns.values()].map((e) => withCounters(e, held.get(e.inode) ?? [], takenAt))
    return { sockets, read }
  }

  function withCounters(e: ProcNetTcpEntry, pids: readonly number[], takenAt: number): SocketInfo {
    const base: SocketInfo = {
      pids: [...pids],
      inode: e.inode,
      localAddress: e.localAddress,
      localPort: e.localPort,
      remoteAddress: e.remoteAddress,
      remotePort: e.remotePort,
    }
    const last = readings.get(e.inode)
    if (last === undefined) return base
    const aged = takenAt - last.at
    const { bytesSent, bytesReceived, lastSendMs, lastRecvMs } = last.sk
    return {
      ...base,
      ...(bytesSent === undefined ? {} : { bytesSent }),
      ...(bytesReceived === undefined ? {} : { bytesReceived }),
      ...(lastSendMs === undefined ? {} : { lastSendMs: lastSendMs + aged }),
      ...(lastRecvMs === undefined ? {} : { lastRecvMs: lastRecvMs + aged }),
    }
  }

  /**
   * What detection reads: the session programs with their parents and children, as text. Other
   * processes come and go all the time on a desktop (every fork changes the process map) without
   * changing what detection would find.
   */
  function sessionFamilies(): string {
    const parts: string[] = []
    const add = (pid: number, p: ProcessInfo | undefined): void => {
      if (p === undefined) return
      parts.push(
        `${String(pid)},${String(p.ppid)},${String(p.startTime)},${String(p.uid)},${p.exe},${p.comm},${p.argv.join('\0')}`,
      )
    }
    for (const [pid, k] of known) {
      if (k.interesting) {
        add(pid, k.info)
        add(k.info.ppid, known.get(k.info.ppid)?.info)
      } else if (known.get(k.info.ppid)?.interesting === true) add(pid, k.info)
    }
    return parts.join(';')
  }

  /** the steady state with an `interesting` filter: see sessionSockets */
  async function narrowSnapshot(
    takenAt: number,
    clk: { bootMs: number; ticks: number },
    o: SnapshotOptions | undefined,
  ): Promise<Snapshot> {
    // read before the scan: a fork during it makes the next snapshot's value differ
    const forks = forkCount()
    const quiet = forks !== '' && forks === lastForks && lastProcesses !== null
    lastForks = forks
    const previous = lastProcesses
    const processes = scanProcesses(takenAt, clk, quiet)
    const { sockets, read } = await sessionSockets(takenAt, o)
    const key = `${sockets.map((s) => `${String(s.inode)}:${s.pids.join('.')}`).join(',')}|${sessionFamilies()}`
    const unchanged = previous !== null && !read && key === lastOwnedKey
    lastOwnedKey = key
    return { takenAt, processes, sockets, unchanged }
  }

  return {
    async snapshot(o?: SnapshotOptions): Promise<Snapshot> {
      const clk = await boot()
      const takenAt = Date.now()
      if (opts.interesting !== undefined) return narrowSnapshot(takenAt, clk, o)
      const processes = scanProcesses(takenAt, clk, false)
      return { takenAt, processes, sockets: await wideSockets(), unchanged: false }
    },

    async readProcess(pid: number): Promise<ProcessInfo | null> {
      if (!Number.isInteger(pid) || pid <= 0) return null
      const clk = await boot()
      return readOne(pid, Date.now(), clk, false)
    },
  }
}
