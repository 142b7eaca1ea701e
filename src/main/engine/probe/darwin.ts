// macOS probe: processes from two `ps` calls, established TCP sockets from `lsof -F` field output.
// No per-socket counters or idle clocks: `nettop` can give byte counts, but it samples for about a
// second per call and reports per process with -P, so it is not worth a 1 s poll; the tracker
// falls back to the desktop's input idle time on macOS.
//
// Known limits, all from what ps can print:
// - argv is `args` split on whitespace (ps joins argv with spaces, so an argument that contains a
//   space comes back split);
// - `comm` on macOS is argv[0] as the process was started; exe is that text when it is an
//   absolute path, else '';
// - startTime has one-second resolution (lstart).
import type { Probe, ProcessInfo, Snapshot, SocketInfo } from './types'
import { cLocaleEnv, runFile, type RunFile } from './exec'
import { parseEndpoint, SocketCollector } from './addr'

const PS = '/bin/ps'
const LSOF = '/usr/sbin/lsof'
const PS_STAT_ARGS = ['-axww', '-o', 'pid=,ppid=,uid=,lstart=,comm=']
const PS_ARGS_ARGS = ['-axww', '-o', 'pid=,args=']
const LSOF_ARGS = ['-nP', '-iTCP', '-sTCP:ESTABLISHED', '-FpcnPT']
const TIMEOUT_MS = 5000

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

/**
 * `lstart` in the C locale: "Thu Nov 27 17:20:01 2026", day padded with a space ("Mon Nov  3 …").
 * ps prints local time; the result is ms since the epoch (whole seconds), or null.
 */
export function parseLstart(text: string): number | null {
  const m = /^\s*[A-Z][a-z]{2}\s+([A-Z][a-z]{2})\s+(\d{1,2})\s+(\d{1,2}):(\d{2}):(\d{2})\s+(\d{4})\s*$/.exec(
    text,
  )
  if (m === null) return null
  const month = MONTHS.indexOf(m[1] ?? '')
  if (month < 0) return null
  const t = new Date(Number(m[6]), month, Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5])).getTime()
  return Number.isNaN(t) ? null : t
}

export interface PsStatRow {
  pid: number
  ppid: number
  uid: number
  startTime: number
  /** as ps prints it: argv[0] of the process, often an absolute path */
  comm: string
}

const PS_STAT_LINE =
  /^\s*(\d+)\s+(\d+)\s+(\d+)\s+([A-Z][a-z]{2}\s+[A-Z][a-z]{2}\s+\d{1,2}\s+\d{1,2}:\d{2}:\d{2}\s+\d{4})\s?(.*)$/

/** `ps -axww -o pid=,ppid=,uid=,lstart=,comm=` */
export function parsePsStat(text: string): PsStatRow[] {
  const rows: PsStatRow[] = []
  for (const line of text.split('\n')) {
    const m = PS_STAT_LINE.exec(line)
    if (m === null) continue
    const startTime = parseLstart(m[4] ?? '')
    if (startTime === null) continue
    rows.push({
      pid: Number(m[1]),
      ppid: Number(m[2]),
      uid: Number(m[3]),
      startTime,
      comm: (m[5] ?? '').trim(),
    })
  }
  return rows
}

/** `ps -axww -o pid=,args=` → pid → argv (split on whitespace: ps has already joined it) */
export function parsePsArgs(text: string): Map<number, string[]> {
  const out = new Map<number, string[]>()
  for (const line of text.split('\n')) {
    const m = /^\s*(\d+)(?:\s+(.*))?$/.exec(line)
    if (m === null) continue
    const args = (m[2] ?? '').trim()
    out.set(Number(m[1]), args === '' ? [] : args.split(/\s+/))
  }
  return out
}

function basename(path: string): string {
  const slash = path.lastIndexOf('/')
  return slash >= 0 ? path.slice(slash + 1) : path
}

export function toProcessInfo(row: PsStatRow, argv: readonly string[] | undefined): ProcessInfo {
  return {
    pid: row.pid,
    ppid: row.ppid,
    uid: row.uid,
    startTime: row.startTime,
    exe: row.comm.startsWith('/') ? row.comm : '',
    argv: argv === undefined ? (row.comm === '' ? [] : [row.comm]) : [...argv],
    // the kernel's p_comm is at most 16 bytes (MAXCOMLEN)
    comm: basename(row.comm).slice(0, 16),
  }
}

/** Both ps outputs joined into processes. */
export function parseDarwinProcesses(statText: string, argsText: string): Map<number, ProcessInfo> {
  const args = parsePsArgs(argsText)
  const out = new Map<number, ProcessInfo>()
  for (const row of parsePsStat(statText)) out.set(row.pid, toProcessInfo(row, args.get(row.pid)))
  return out
}

/**
 * `lsof -nP -iTCP -sTCP:ESTABLISHED -FpcnPT` field output: one field per line (or NUL-terminated
 * with -F0), `p` starts a process, `f` a file, then `P` protocol, `n` "local->remote", `T` TCP
 * info such as `TST=ESTABLISHED`. A socket shared by several processes is listed under each of
 * them and comes out once, with all their pids.
 */
export function parseLsofSockets(text: string): SocketInfo[] {
  const sockets = new SocketCollector()
  let pid = -1
  let proto: string | undefined
  let name: string | undefined
  let state: string | undefined

  const flush = (): void => {
    const n = name
    const p = proto
    const st = state
    name = undefined
    proto = undefined
    state = undefined
    if (pid < 0 || n === undefined) return
    if (p !== undefined && p !== 'TCP') return
    if (st !== undefined && st !== 'ESTABLISHED') return
    const arrow = n.indexOf('->')
    if (arrow < 0) return
    const local = parseEndpoint(n.slice(0, arrow))
    // a name can carry a trailing note in parentheses, e.g. "(ESTABLISHED)" in the table layout
    const remote = parseEndpoint(n.slice(arrow + 2).split(' ')[0] ?? '')
    if (local === null || remote === null) return
    sockets.add(pid, local, remote)
  }

  for (const field of text.split(/[\n\0]/)) {
    if (field === '') continue
    const tag = field[0]
    const value = field.slice(1)
    switch (tag) {
      case 'p':
        flush()
        pid = Number(value)
        if (!Number.isInteger(pid)) pid = -1
        break
      case 'f':
        flush()
        break
      case 'P':
        proto = value
        break
      case 'n':
        if (name !== undefined) flush() // a new file without an `f` line
        name = value
        break
      case 'T':
        if (value.startsWith('ST=')) state = value.slice(3)
        break
      default:
        break
    }
  }
  flush()
  return sockets.sockets
}

export interface DarwinProbeOptions {
  run?: RunFile
}

export function createDarwinProbe(opts: DarwinProbeOptions = {}): Probe {
  const run = opts.run ?? runFile
  const env = cLocaleEnv()

  async function ps(args: readonly string[]): Promise<string> {
    const r = await run(PS, args, { timeoutMs: TIMEOUT_MS, env })
    // ps -p PID exits 1 when the pid is not there; its output is then empty, which is the answer
    return r.stdout
  }

  return {
    async snapshot(): Promise<Snapshot> {
      const takenAt = Date.now()
      const [statText, argsText, lsof] = await Promise.all([
        ps(PS_STAT_ARGS),
        ps(PS_ARGS_ARGS),
        run(LSOF, LSOF_ARGS, { timeoutMs: TIMEOUT_MS, env }),
      ])
      // lsof exits 1 when nothing matched: an empty list, not a failure
      if (lsof.code !== 0 && lsof.stdout.trim() === '' && lsof.stderr.trim() !== '') {
        throw new Error(`lsof failed: ${lsof.stderr.trim()}`)
      }
      return {
        takenAt,
        processes: parseDarwinProcesses(statText, argsText),
        sockets: parseLsofSockets(lsof.stdout),
      }
    },

    async readProcess(pid: number): Promise<ProcessInfo | null> {
      if (!Number.isInteger(pid) || pid <= 0) return null
      const p = String(pid)
      const [statText, argsText] = await Promise.all([
        ps(['-ww', '-p', p, '-o', 'pid=,ppid=,uid=,lstart=,comm=']),
        ps(['-ww', '-p', p, '-o', 'pid=,args=']),
      ])
      return parseDarwinProcesses(statText, argsText).get(pid) ?? null
    },
  }
}
