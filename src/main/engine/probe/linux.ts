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
// machine with 24 GB of memory). At 1 s polling the loop's garbage costs about as much CPU as its
// reads (each scavenge wakes V8's helper threads): the processes read every poll come from stat
// files kept open and are handed back as the same objects while unchanged, and socket records are
// built only for the snapshots detection reads (linux-procs.ts reread, linux-sockets.ts).
import fs from 'node:fs'
import os from 'node:os'
import type { Probe, ProcessInfo, Snapshot, SnapshotOptions, SocketInfo } from './types'
import { runFile, type RunFile } from './exec'
import { parseBootTime } from './linux-parse'
import { ProcessTable } from './linux-procs'
import { SessionSocketReader } from './linux-sockets'

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
const SS_CANDIDATES = ['/usr/bin/ss', '/bin/ss', '/usr/sbin/ss', '/sbin/ss']

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
  const run = opts.run ?? runFile
  const youngMs = opts.youngMs ?? 5000
  const procs = new ProcessTable({
    procRoot,
    youngMs,
    fullSweepMs: opts.fullSweepMs ?? 30_000,
    ...(opts.interesting ? { interesting: opts.interesting } : {}),
    ...(opts.browser ? { browser: opts.browser } : {}),
  })
  const ssPath = opts.ssPath ?? defaultSsPath()
  const reader = new SessionSocketReader({ procRoot, ssPath, run, youngMs, fdSweepMs: opts.fdSweepMs }, procs)
  let lastOwned: string | null = null
  let lastFamilies: string | null = null
  let familiesKey = ''
  let clock: Promise<{ bootMs: number; ticks: number }> | undefined

  function boot(): Promise<{ bootMs: number; ticks: number }> {
    clock ??= readBootClock(procRoot, run, opts.clockTicks)
    // a failed first read may be retried by the next snapshot
    clock.catch(() => {
      clock = undefined
    })
    return clock
  }

  /** the steady state with an `interesting` filter: see sessionSockets */
  async function narrowSnapshot(
    takenAt: number,
    clk: { bootMs: number; ticks: number },
    o: SnapshotOptions | undefined,
  ): Promise<Snapshot> {
    const previous = procs.lastProcesses
    const processes = procs.scanProcesses(takenAt, clk)
    // the very same map: the same processes, so the same families (most polls)
    if (processes !== previous) familiesKey = procs.sessionFamilies()
    const { sockets, key: owned, read } = await reader.sessionSockets(takenAt, o)
    // the two keys compared apart, not joined: a joined key is a new cons string each poll, which
    // the comparison flattens (V8 String::SlowEquals, src/objects/string.cc), a copy of ~18 KB a
    // poll with the bench's 50 sessions (sampling heap profile); apart, they are mostly the very
    // same strings as last poll's
    const sameSessions = previous !== null && owned === lastOwned && familiesKey === lastFamilies
    lastOwned = owned
    lastFamilies = familiesKey
    // the socket records are built when first looked at (see sessionSockets)
    return {
      takenAt,
      processes,
      get sockets(): SocketInfo[] {
        return sockets()
      },
      unchanged: sameSessions && !read,
      sameSessions,
    }
  }

  return {
    async snapshot(o?: SnapshotOptions): Promise<Snapshot> {
      const clk = await boot()
      const takenAt = Date.now()
      if (opts.interesting !== undefined) return narrowSnapshot(takenAt, clk, o)
      const processes = procs.scanProcesses(takenAt, clk)
      return { takenAt, processes, sockets: await reader.wideSockets(), unchanged: false }
    },

    async readProcess(pid: number): Promise<ProcessInfo | null> {
      if (!Number.isInteger(pid) || pid <= 0) return null
      const clk = await boot()
      return procs.readOne(pid, Date.now(), clk, false)
    },

    close(): void {
      procs.close()
    },
  }
}
