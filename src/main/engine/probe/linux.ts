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
  parseLastPid,
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
  /**
   * Browser processes (and their children): their fd links are not read when a snapshot is asked
   * with `browsers: false` (no web resource configured).
   */
  browser?: (p: ProcessInfo) => boolean
  /** every session program's fd links are read at least this often (default FD_SWEEP_MS) */
  fdSweepMs?: number
}

interface CachedDetails {
  startTicks: number
  comm: string
  argv: string[]
  exe: string
  uid: number
}

/** a session program's socket links at their last read, with its fd count then (NaN: unknown) */
interface FdReading {
  startTime: number
  count: number
  inodes: number[]
}

const SS_TIMEOUT_MS = 2000
/**
 * Chromium's child processes name their kind in --type= (utilities also in --utility-sub-type=).
 * Only the network service (network.mojom.NetworkService) opens TCP connections; the renderers,
 * GPU process, zygotes and the other utilities (storage, audio …) are sandboxed or local, and
 * hold most of the fds. Chromium rewrites a child's command line as one space-joined string
 * (/proc/<pid>/cmdline has no NULs between the words), so the flags are matched as words of the
 * joined argv: matched as whole elements only, no renderer was ever skipped, and each new unix
 * socket of a renderer cost a read of /proc/net/tcp and tcp6 (~17 ms on the loaded bench machine).
 */
const CHROMIUM_TYPE = /(?:^|\s)--type=(\S+)/g
const UTILITY_SUB_TYPE = /(?:^|\s)--utility-sub-type=(\S+)/
const offline = new WeakMap<ProcessInfo, boolean>()

/** a browser child that never holds a TCP socket (the verdict is kept per process reading) */
function holdsNoTcp(p: ProcessInfo): boolean {
  let v = offline.get(p)
  if (v === undefined) {
    const line = p.argv.join(' ')
    const types = [...line.matchAll(CHROMIUM_TYPE)].map((m) => m[1])
    const sub = UTILITY_SUB_TYPE.exec(line)?.[1]
    // a child of any kind but the utility that runs the network service
    v =
      types.length > 0 &&
      (types.some((t) => t !== 'utility') || (sub !== undefined && !sub.startsWith('network.')))
    offline.set(p, v)
  }
  return v
}
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
/**
 * More pids allocated than this since the last snapshot (threads count too) and listing /proc is
 * cheaper than looking at each: ~3 µs per pid looked up against ~0.6 µs per process listed.
 */
const MAX_NEW_PIDS = 256
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

/** the same reading of the same process (argv compared by content: a re-read makes a new array) */
function sameProcess(a: ProcessInfo, b: ProcessInfo): boolean {
  return (
    a.ppid === b.ppid &&
    a.startTime === b.startTime &&
    a.comm === b.comm &&
    a.exe === b.exe &&
    a.uid === b.uid &&
    (a.argv === b.argv || a.argv.join('\0') === b.argv.join('\0'))
  )
}

/** one buffer for the small per-process files read every poll (a stat line is ~300 bytes) */
const small = Buffer.allocUnsafe(4096)

/**
 * A small procfs file in one read: open, read, close. readFileSync also fstat()s and reads again
 * until an empty read, ~25 % more CPU per file, and stat files are most of a poll's reads. A file
 * that fills the buffer is read whole.
 */
function readSmall(path: string): string | null {
  let fd: number
  try {
    fd = fs.openSync(path, 'r')
  } catch {
    return null
  }
  try {
    const n = fs.readSync(fd, small, 0, small.length, 0)
    return n < small.length ? small.toString('utf8', 0, n) : readOrNull(path)
  } catch {
    return null
  } finally {
    fs.closeSync(fd)
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
  /** /proc/loadavg's last pid at the last snapshot, and the pids after it not yet visible then */
  let lastCursor: number | null = null
  let recheck: number[] = []
  let lastProcesses: Map<number, ProcessInfo> | null = null
  /** socket inodes in the session programs' fd links at the last snapshot */
  let lastHeld = new Set<number>()
  /** their established TCP connections, by inode, and those still connecting (looked up again) */
  const conns = new Map<number, ProcNetTcpEntry>()
  const connecting = new Set<number>()
  let lastOwnedKey = ''
  let familiesKey = ''
  /** candidatePids' answer, for the process map and browsers flag it was given */
  let candidates: { of: Map<number, ProcessInfo> | null; browsers: boolean; pids: number[] } | null = null
  /** per session program: its fd count and socket inodes when its links were last read */
  let fdCounts = new Map<number, FdReading>()
  let lastFdSweep = -Infinity
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

  /**
   * One process; null when it is gone, a zombie, a thread (not a process), or changed identity
   * while being read. Its cmdline, exe and uid come from the cache unless its start time or comm
   * changed, or, with youngRereads, it started less than youngMs ago.
   */
  function readOne(
    pid: number,
    now: number,
    clk: { bootMs: number; ticks: number },
    useCache: boolean,
    youngRereads = true,
  ): ProcessInfo | null {
    const statPath = `${procRoot}/${pid}/stat`
    const text = readSmall(statPath)
    if (text === null) return null
    const st = parseProcStat(text)
    if (st === null || st.pid !== pid || st.state === 'Z' || st.state === 'X' || st.exitSignal === -1)
      return null
    const startTime = clk.bootMs + Math.round((st.startTicks * 1000) / clk.ticks)
    let details = useCache ? cache.get(pid) : undefined
    const stale =
      details === undefined ||
      details.startTicks !== st.startTicks ||
      details.comm !== st.comm ||
      (youngRereads && now - startTime < youngMs)
    if (stale) {
      details = readDetails(pid, st) ?? undefined
      if (details === undefined) return null
      // the pid may have been reused while we read: the details must belong to this stat
      const again = readSmall(statPath)
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

  /** detection looks at it, or at its parent (a session program's children: helpers, browser children) */
  function family(k: { info: ProcessInfo; interesting: boolean }): boolean {
    return k.interesting || known.get(k.info.ppid)?.interesting === true
  }

  function remember(pid: number, info: ProcessInfo): void {
    known.set(pid, { info, interesting: opts.interesting?.(info) ?? true })
  }

  /** the pid this namespace allocated last: unchanged means no fork, no new thread, no reused pid */
  function lastPid(): number | null {
    const text = readSmall(`${procRoot}/loadavg`)
    return text === null ? null : parseLastPid(text)
  }

  function scanProcesses(now: number, clk: { bootMs: number; ticks: number }): Map<number, ProcessInfo> {
    // read before the scan: a fork during it falls in the next snapshot's range
    const cursor = lastPid()
    const from = lastCursor
    lastCursor = cursor
    const full = opts.interesting === undefined || now - lastFullSweep >= fullSweepMs
    if (full) lastFullSweep = now
    else if (
      lastProcesses !== null &&
      cursor !== null &&
      from !== null &&
      cursor >= from &&
      cursor - from <= MAX_NEW_PIDS
    )
      return newPidsScan(from, cursor, now, clk, lastProcesses)
    return listingScan(now, clk, full)
  }

  /**
   * The steady state: no listing of /proc (~0.6 ms with a thousand processes, and most desktops
   * fork every second). A new process has a pid allocated after the last snapshot's cursor (pids
   * are handed out cyclically: fork.c alloc_pid, idr_alloc_cyclic; a wrap goes to listingScan),
   * so only those pids are looked at. Known processes are re-read where they can change without
   * a fork: the session programs and their children (exit, exec, reparenting), shells and young
   * processes (an exec shows as a new comm; young session programs set their title late).
   * Others that exit stay listed until their pid is reused or the next full sweep: detection
   * never looks at them.
   */
  function newPidsScan(
    from: number,
    cursor: number,
    now: number,
    clk: { bootMs: number; ticks: number },
    last: Map<number, ProcessInfo>,
  ): Map<number, ProcessInfo> {
    // copied on the first change: an unchanged scan hands out the very same map
    const acc: { out: Map<number, ProcessInfo> | null } = { out: null }
    const edit = (): Map<number, ProcessInfo> => (acc.out ??= new Map(last))
    const update = (pid: number, info: ProcessInfo | null): void => {
      const old = known.get(pid)
      if (info === null) {
        if (old === undefined) return
        known.delete(pid)
        cache.delete(pid)
        edit().delete(pid)
      } else if (old === undefined || !sameProcess(old.info, info)) {
        remember(pid, info)
        edit().set(pid, info)
      }
    }
    const seen = new Set<number>()
    // A pid is allocated (the cursor moves) a moment before its process can be looked up
    // (alloc_pid, then attach_pid at the end of copy_process): one not there yet is tried again
    // on the next snapshot.
    const pids = recheck
    recheck = []
    for (let pid = from + 1; pid <= cursor; pid++) pids.push(pid)
    for (const pid of pids) {
      seen.add(pid)
      if (!fs.existsSync(`${procRoot}/${pid}`)) {
        if (pid > from) recheck.push(pid)
        update(pid, null)
      } else update(pid, readOne(pid, now, clk, true)) // null for a thread: not a process
    }
    for (const [pid, k] of known) {
      if (seen.has(pid)) continue
      const young = now - k.info.startTime < youngMs
      if (!family(k) && !young && !SHELLS.has(k.info.comm)) continue
      // details are read again only for young session programs, or when comm changed (an exec)
      update(pid, readOne(pid, now, clk, true, k.interesting))
    }
    if (acc.out !== null) lastProcesses = acc.out
    return acc.out ?? last
  }

  /** every process in the /proc listing; a full sweep re-reads each one's stat */
  function listingScan(
    now: number,
    clk: { bootMs: number; ticks: number },
    full: boolean,
  ): Map<number, ProcessInfo> {
    const out = new Map<number, ProcessInfo>()
    recheck = []
    for (const name of fs.readdirSync(procRoot)) {
      if (!isPidName(name)) continue
      const pid = Number(name)
      if (!full) {
        // a process detection never looks at keeps its last reading until the next full sweep
        // (its stat read is most of a scan's cost with a thousand processes)
        const k = known.get(pid)
        if (k && !family(k) && now - k.info.startTime >= youngMs && !SHELLS.has(k.info.comm)) {
          out.set(pid, k.info)
          continue
        }
      }
      const info = readOne(pid, now, clk, true, known.get(pid)?.interesting ?? true)
      if (info === null) continue
      const old = known.get(pid)?.info
      const keep = old !== undefined && sameProcess(old, info) ? old : info
      out.set(pid, keep)
      if (keep === info) remember(pid, info)
    }
    for (const pid of cache.keys()) if (!out.has(pid)) cache.delete(pid)
    for (const pid of known.keys()) if (!out.has(pid)) known.delete(pid)
    lastProcesses = out
    return out
  }

  /** inode → pids of the wanted sockets, from the /proc/<pid>/fd links of every process (the /proc/net fallback) */
  function socketOwners(wanted: ReadonlySet<number>): Map<number, number[]> {
    const owners = new Map<number, number[]>()
    if (wanted.size === 0) return owners
    let names: string[]
    try {
      names = fs.readdirSync(procRoot)
    } catch {
      return owners
    }
    for (const name of names) {
      if (!isPidName(name)) continue
      const pid = Number(name)
      for (const inode of socketLinks(name)?.inodes ?? []) {
        if (!wanted.has(inode)) continue
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
   * socket), whose fd links are looked at every snapshot. Chromium's children other than its
   * network service are left out (holdsNoTcp), and every browser process when the engine says
   * no web resource is configured: their connections cannot make a session then.
   */
  function candidatePids(o: SnapshotOptions | undefined): number[] {
    const browsers = o?.browsers !== false || opts.browser === undefined
    if (candidates?.of === lastProcesses && candidates.browsers === browsers) return candidates.pids
    const pids: number[] = []
    candidates = { of: lastProcesses, browsers, pids }
    for (const [pid, k] of known) {
      if (!family(k) || holdsNoTcp(k.info)) continue
      if (browsers || opts.browser?.(k.info) !== true) pids.push(pid)
    }
    return pids
  }

  /** the socket inodes among a process's fds, and its fd count; null when it is gone or not ours to look at */
  function socketLinks(pid: number | string): { inodes: number[]; fds: number } | null {
    const fdDir = `${procRoot}/${String(pid)}/fd`
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
  function heldSockets(pids: readonly number[], now: number, all: boolean): Map<number, number[]> {
    const owners = new Map<number, number[]>()
    const next = new Map<number, FdReading>()
    for (const pid of pids) {
      const info = known.get(pid)?.info
      if (info === undefined) continue
      let count: number
      try {
        count = fs.statSync(`${procRoot}/${String(pid)}/fd`).size
      } catch {
        continue // gone, or another user's process
      }
      const last = fdCounts.get(pid)
      let reading: FdReading
      if (
        !all &&
        last?.count === count &&
        last.startTime === info.startTime &&
        now - info.startTime >= youngMs
      )
        reading = last
      else {
        const links = socketLinks(pid)
        if (links === null) continue
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
    }
    fdCounts = next
    return owners
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
    const all = o?.counters === true || takenAt - lastFdSweep >= (opts.fdSweepMs ?? FD_SWEEP_MS)
    if (all) lastFdSweep = takenAt
    const held = heldSockets(candidatePids(o), takenAt, all)
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
    const previous = lastProcesses
    const processes = scanProcesses(takenAt, clk)
    // the very same map: the same processes, so the same families (most polls)
    if (processes !== previous) familiesKey = sessionFamilies()
    const { sockets, read } = await sessionSockets(takenAt, o)
    const key = `${sockets.map((s) => `${String(s.inode)}:${s.pids.join('.')}`).join(',')}|${familiesKey}`
    const sameSessions = previous !== null && key === lastOwnedKey
    lastOwnedKey = key
    return { takenAt, processes, sockets, unchanged: sameSessions && !read, sameSessions }
  }

  return {
    async snapshot(o?: SnapshotOptions): Promise<Snapshot> {
      const clk = await boot()
      const takenAt = Date.now()
      if (opts.interesting !== undefined) return narrowSnapshot(takenAt, clk, o)
      const processes = scanProcesses(takenAt, clk)
      return { takenAt, processes, sockets: await wideSockets(), unchanged: false }
    },

    async readProcess(pid: number): Promise<ProcessInfo | null> {
      if (!Number.isInteger(pid) || pid <= 0) return null
      const clk = await boot()
      return readOne(pid, Date.now(), clk, false)
    },
  }
}
