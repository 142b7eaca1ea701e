// The Linux probe's process table: every process from /proc, re-read where detection can see a
// change (see ProcessTable.newPidsScan), with cmdline, exe and uid cached per (pid, start ticks).
import fs from 'node:fs'
import type { ProcessInfo, SnapshotOptions } from './types'
import {
  PF_KTHREAD,
  parseCmdline,
  parseLastPid,
  parseProcStat,
  parseStatusUid,
  type ProcStat,
} from './linux-parse'
import { isGone, isPidName, readSmall, sameProcess, StatFiles } from './linux-read'

interface CachedDetails {
  startTicks: number
  comm: string
  argv: string[]
  exe: string
  uid: number
}

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
 * More pids allocated than this since the last snapshot (threads count too) and listing /proc is
 * cheaper than looking at each: ~3 µs per pid looked up against ~0.6 µs per process listed.
 */
const MAX_NEW_PIDS = 256
/**
 * Processes that become a session program by a late exec (`exec ssh host` in an old shell: same
 * pid, no fork) are shells; their stat (comm) is re-read every snapshot, the rest of such cases
 * wait for the full sweep.
 */
const SHELLS = new Set(['bash', 'sh', 'dash', 'zsh', 'fish', 'ksh', 'mksh', 'tcsh', 'csh'])

/** a copy of the process map, filled by forEach: `new Map(map)` walks it with a [key, value] pair per entry */
function copyOf(m: ReadonlyMap<number, ProcessInfo>): Map<number, ProcessInfo> {
  const out = new Map<number, ProcessInfo>()
  m.forEach((v, k) => out.set(k, v))
  return out
}

/** cmdline, exe and uid of a process; null when it vanished meanwhile */
function readDetails(procRoot: string, pid: number, st: ProcStat): CachedDetails | null {
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

/** a process of the last snapshot, with whether detection looks at it */
interface Known {
  info: ProcessInfo
  interesting: boolean
}

export interface ProcessTableOptions {
  procRoot: string
  youngMs: number
  fullSweepMs: number
  interesting?: (p: ProcessInfo) => boolean
  browser?: (p: ProcessInfo) => boolean
}

/** The processes of one probe between snapshots, and how each snapshot re-reads them. */
export class ProcessTable {
  private readonly procRoot: string
  private readonly youngMs: number
  private readonly fullSweepMs: number
  private readonly interesting: ((p: ProcessInfo) => boolean) | undefined
  private readonly browser: ((p: ProcessInfo) => boolean) | undefined
  private readonly cache = new Map<number, CachedDetails>()
  /** the stat files of the processes read every poll, kept open (linux-read.ts StatFiles) */
  private readonly statFiles: StatFiles
  /** their schedstat files: see slept() */
  private readonly schedFiles: StatFiles
  /**
   * the processes read every poll that had one thread at their last stat reading, each with its
   * schedstat text at the last poll ('' before the first: no schedstat line is empty)
   */
  private readonly lastRun = new Map<number, string>()
  /** the processes found not to have run since the last poll, in this poll (see slept()) */
  readonly asleep = new Set<number>()
  /** last snapshot's processes, for the fast path, with whether detection looks at them */
  readonly known = new Map<number, Known>()
  private lastFullSweep = -Infinity
  /** /proc/loadavg's last pid at the last snapshot, and the pids after it not yet visible then */
  private lastCursor: number | null = null
  private recheck: number[] = []
  /** the last snapshot's process map (handed out again while nothing changed) */
  lastProcesses: Map<number, ProcessInfo> | null = null
  /** candidatePids' answer, for the process map and browsers flag it was given */
  private candidates: { of: Map<number, ProcessInfo> | null; browsers: boolean; pids: number[] } | null = null

  constructor(o: ProcessTableOptions) {
    this.procRoot = o.procRoot
    this.youngMs = o.youngMs
    this.fullSweepMs = o.fullSweepMs
    this.interesting = o.interesting
    this.browser = o.browser
    this.statFiles = new StatFiles(o.procRoot)
    this.schedFiles = new StatFiles(o.procRoot, 'schedstat')
  }

  /** closes the kept stat files */
  close(): void {
    this.statFiles.close()
    this.schedFiles.close()
  }

  /**
   * One process; null when it is gone, a zombie, a thread (not a process), or changed identity
   * while being read. Its cmdline, exe and uid come from the cache unless its start time or comm
   * changed, or, with youngRereads, it started less than youngMs ago.
   */
  readOne(
    pid: number,
    now: number,
    clk: { bootMs: number; ticks: number },
    useCache: boolean,
    youngRereads = true,
  ): ProcessInfo | null {
    const statPath = `${this.procRoot}/${pid}/stat`
    const text = readSmall(statPath)
    if (text === null) return null
    const st = parseProcStat(text)
    if (st === null || st.pid !== pid || st.state === 'Z' || st.state === 'X' || st.exitSignal === -1)
      return null
    const startTime = clk.bootMs + Math.round((st.startTicks * 1000) / clk.ticks)
    let details = useCache ? this.cache.get(pid) : undefined
    const stale =
      details === undefined ||
      details.startTicks !== st.startTicks ||
      details.comm !== st.comm ||
      (youngRereads && now - startTime < this.youngMs)
    if (stale) {
      details = readDetails(this.procRoot, pid, st) ?? undefined
      if (details === undefined) return null
      // the pid may have been reused while we read: the details must belong to this stat
      const again = readSmall(statPath)
      const st2 = again === null ? null : parseProcStat(again)
      if (st2?.startTicks !== st.startTicks) return null
      // execve sets the new comm (fs/exec.c begin_new_exec) before the new argv is in place
      // (create_elf_tables, later in load_elf_binary): a cmdline read in between is empty. So an
      // empty argv of a user process is not kept: the next reading of the pid reads it again.
      const settled = details.argv.length > 0 || (st.flags & PF_KTHREAD) !== 0
      if (useCache && settled) this.cache.set(pid, details)
    }
    if (details === undefined) return null
    return {
      pid,
      ppid: st.ppid,
      sid: st.session,
      uid: details.uid,
      startTime,
      exe: details.exe,
      argv: details.argv,
      comm: st.comm,
    }
  }

  /**
   * A process read every poll: its stat from the kept file, and its last reading handed back as
   * it is (the very same object, no garbage) when its start time, comm, parent and session are
   * unchanged, which is nearly always. Anything else goes through readOne: a changed comm (an
   * exec), uncached details (caught mid-exec), a young session program (it sets its title late),
   * or a kept file whose process is gone (its number is looked up again by path).
   */
  private reread(
    pid: number,
    k: Known,
    now: number,
    clk: { bootMs: number; ticks: number },
    mayReuse: boolean,
  ): ProcessInfo | null {
    const full = (): ProcessInfo | null => this.readOne(pid, now, clk, true, k.interesting)
    const details = this.cache.get(pid)
    if (details === undefined || (k.interesting && now - k.info.startTime < this.youngMs)) return full()
    if (mayReuse && this.slept(pid)) return k.info
    const text = this.statFiles.read(pid)
    const st = text === null ? null : parseProcStat(text)
    if (st?.threads !== 1) this.lastRun.delete(pid)
    else if (!this.lastRun.has(pid)) this.lastRun.set(pid, '')
    if (st === null || st.pid !== pid || st.startTicks !== details.startTicks || st.comm !== details.comm)
      return full()
    if (st.state === 'Z' || st.state === 'X' || st.exitSignal === -1) return null
    if (st.ppid === k.info.ppid && st.session === k.info.sid) return k.info
    return { ...k.info, ppid: st.ppid, sid: st.session }
  }

  /**
   * Whether a single-threaded process has not run since the last poll: its schedstat line
   * (sum_exec_runtime in ns, then run-queue wait and the number of times it was scheduled in:
   * kernel/sched/stats.h sched_info_arrive) reads the same. Whatever this probe reads of it
   * changes only by its own running: an exec, an exit (a killed process runs do_exit itself), a
   * socket opened or closed, a comm set. So its stat and fd directory stand as last read, and a
   * ~1.5 µs pread replaces a stat read and an fd-directory stat (~19 µs at 1 s polling, with
   * cold caches). Its parent is the exception: a reparenting (its parent exited) needs no run of
   * its own, so it waits for the process's next run or the full sweep, which reads every stat.
   * The file is the main thread's only, so a process that had more than one thread at its last
   * stat reading is always read; the schedstat is read before the stat, so a run between the two
   * shows at the next poll. False where there is no schedstat (no CONFIG_SCHED_INFO, a copy of
   * /proc): the stat is read.
   */
  private slept(pid: number): boolean {
    const last = this.lastRun.get(pid)
    if (last === undefined) return false
    const text = this.schedFiles.read(pid) ?? ''
    this.lastRun.set(pid, text)
    const same = text !== '' && text === last
    if (same) this.asleep.add(pid)
    return same
  }

  /** detection looks at it, or at its parent (a session program's children: helpers, browser children) */
  private family(k: Known): boolean {
    return k.interesting || this.known.get(k.info.ppid)?.interesting === true
  }

  /**
   * Read again on every poll, not only in the full sweep: what detection looks at, young processes,
   * shells (a late `exec ssh`), and a user process caught mid-exec: execve sets the new comm
   * (fs/exec.c begin_new_exec) before its argv is in place (create_elf_tables), so a reading in
   * between has an exe and an empty command line (a kernel thread has neither).
   */
  private readEachPoll(k: Known, now: number): boolean {
    if (this.family(k) || now - k.info.startTime < this.youngMs || SHELLS.has(k.info.comm)) return true
    return k.info.argv.length === 0 && k.info.exe !== ''
  }

  private remember(pid: number, info: ProcessInfo): void {
    this.known.set(pid, { info, interesting: this.interesting?.(info) ?? true })
  }

  /** the pid this namespace allocated last: unchanged means no fork, no new thread, no reused pid */
  private lastPid(): number | null {
    const text = readSmall(`${this.procRoot}/loadavg`)
    return text === null ? null : parseLastPid(text)
  }

  scanProcesses(now: number, clk: { bootMs: number; ticks: number }): Map<number, ProcessInfo> {
    this.asleep.clear()
    // read before the scan: a fork during it falls in the next snapshot's range
    const cursor = this.lastPid()
    const from = this.lastCursor
    this.lastCursor = cursor
    const full = this.interesting === undefined || now - this.lastFullSweep >= this.fullSweepMs
    if (full) this.lastFullSweep = now
    else if (
      this.lastProcesses !== null &&
      cursor !== null &&
      from !== null &&
      cursor >= from &&
      cursor - from <= MAX_NEW_PIDS
    )
      return this.newPidsScan(from, cursor, now, clk, this.lastProcesses)
    return this.listingScan(now, clk, full)
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
  private newPidsScan(
    from: number,
    cursor: number,
    now: number,
    clk: { bootMs: number; ticks: number },
    last: Map<number, ProcessInfo>,
  ): Map<number, ProcessInfo> {
    // copied on the first change: an unchanged scan hands out the very same map
    const acc: { out: Map<number, ProcessInfo> | null } = { out: null }
    const edit = (): Map<number, ProcessInfo> => (acc.out ??= copyOf(last))
    const update = (pid: number, info: ProcessInfo | null): void => {
      const old = this.known.get(pid)
      if (info === null) {
        if (old === undefined) return
        this.known.delete(pid)
        this.cache.delete(pid)
        this.lastRun.delete(pid)
        edit().delete(pid)
      } else if (old === undefined || !sameProcess(old.info, info)) {
        this.remember(pid, info)
        edit().set(pid, info)
      }
    }
    const seen = new Set<number>()
    // A pid is allocated (the cursor moves) a moment before its process can be looked up
    // (alloc_pid, then attach_pid at the end of copy_process): one not there yet is tried again
    // on the next snapshot.
    const pids = this.recheck
    this.recheck = []
    for (let pid = from + 1; pid <= cursor; pid++) pids.push(pid)
    for (const pid of pids) {
      seen.add(pid)
      if (!fs.existsSync(`${this.procRoot}/${pid}`)) {
        if (pid > from) this.recheck.push(pid)
        update(pid, null)
      } else update(pid, this.readOne(pid, now, clk, true)) // null for a thread: not a process
    }
    // forEach, not for…of: no [pid, k] pair allocated per process per poll (this walk is every poll)
    this.known.forEach((k, pid) => {
      // details are read again only for young session programs, or when comm changed (an exec)
      if (!seen.has(pid) && this.readEachPoll(k, now)) update(pid, this.reread(pid, k, now, clk, true))
    })
    this.statFiles.sweep()
    this.schedFiles.sweep()
    if (acc.out !== null) this.lastProcesses = acc.out
    return acc.out ?? last
  }

  /** every process in the /proc listing; a full sweep re-reads each one's stat */
  private listingScan(
    now: number,
    clk: { bootMs: number; ticks: number },
    full: boolean,
  ): Map<number, ProcessInfo> {
    const out = new Map<number, ProcessInfo>()
    this.recheck = []
    for (const name of fs.readdirSync(this.procRoot)) {
      if (!isPidName(name)) continue
      const pid = Number(name)
      const k = this.known.get(pid)
      // a process detection never looks at keeps its last reading until the next full sweep
      // (its stat read is most of a scan's cost with a thousand processes)
      if (!full && k && !this.readEachPoll(k, now)) {
        out.set(pid, k.info)
        continue
      }
      // the full sweep reads every stat, for the parents slept() lets wait
      const info =
        k && this.readEachPoll(k, now)
          ? this.reread(pid, k, now, clk, !full)
          : this.readOne(pid, now, clk, true, k?.interesting ?? true)
      if (info === null) continue
      const old = this.known.get(pid)?.info
      const keep = old !== undefined && sameProcess(old, info) ? old : info
      out.set(pid, keep)
      if (keep === info) this.remember(pid, info)
    }
    this.cache.forEach((_, pid) => out.has(pid) || this.cache.delete(pid))
    this.known.forEach((_, pid) => out.has(pid) || this.known.delete(pid))
    this.lastRun.forEach((_, pid) => out.has(pid) || this.lastRun.delete(pid))
    this.statFiles.sweep()
    this.schedFiles.sweep()
    this.lastProcesses = out
    return out
  }

  /**
   * What detection reads: the session programs with their parents and children, as text. Other
   * processes come and go all the time on a desktop (every fork changes the process map) without
   * changing what detection would find.
   */
  sessionFamilies(): string {
    const parts: string[] = []
    const add = (pid: number, p: ProcessInfo | undefined): void => {
      if (p === undefined) return
      parts.push(
        `${String(pid)},${String(p.ppid)},${String(p.startTime)},${String(p.uid)},${p.exe},${p.comm},${p.argv.join('\0')}`,
      )
    }
    this.known.forEach((k, pid) => {
      if (k.interesting) {
        add(pid, k.info)
        add(k.info.ppid, this.known.get(k.info.ppid)?.info)
      } else if (this.known.get(k.info.ppid)?.interesting === true) add(pid, k.info)
    })
    return parts.join(';')
  }

  /**
   * Session programs and their children (a ProxyCommand helper of any name holds its ssh's
   * socket), whose fd links are looked at every snapshot. Chromium's children other than its
   * network service are left out (holdsNoTcp), and every browser process when the engine says
   * no web resource is configured: their connections cannot make a session then.
   */
  candidatePids(o: SnapshotOptions | undefined): number[] {
    const browsers = o?.browsers !== false || this.browser === undefined
    if (this.candidates?.of === this.lastProcesses && this.candidates.browsers === browsers)
      return this.candidates.pids
    const pids: number[] = []
    this.candidates = { of: this.lastProcesses, browsers, pids }
    this.known.forEach((k, pid) => {
      if (this.family(k) && !holdsNoTcp(k.info) && (browsers || !this.isBrowser(k.info))) pids.push(pid)
    })
    return pids
  }

  private isBrowser(p: ProcessInfo): boolean {
    return this.browser?.(p) === true
  }
}
