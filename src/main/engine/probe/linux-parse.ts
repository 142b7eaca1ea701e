// Pure parsers for Linux text sources: /proc/<pid>/stat, cmdline, status, /proc/net/tcp{,6} and
// `ss -tnpi` output. Text in, records out; no I/O here.
import type { SocketInfo } from './types'
import { connectionKey, parseEndpoint, procNetHexToAddress } from './addr'

export interface ProcStat {
  pid: number
  /** comm as the kernel keeps it: up to 15 bytes, may hold spaces, parentheses, even newlines */
  comm: string
  /** R, S, D, Z, X, T, I … */
  state: string
  ppid: number
  /** field 6: the session id (the pid of the session's leader, setsid(2)) */
  session: number
  /** kernel flags (PF_*); PF_KTHREAD = 0x00200000 marks kernel threads */
  flags: number
  /** field 20: the number of threads */
  threads: number
  /** field 22: start time in clock ticks since boot */
  startTicks: number
  /**
   * field 38: the signal sent to the parent at exit; -1 for a thread (CLONE_THREAD) other than
   * its group's leader. /proc/<tid>/stat answers for any thread, though /proc lists only leaders.
   */
  exitSignal: number
}

export const PF_KTHREAD = 0x00200000

/**
 * One /proc/<pid>/stat line. comm sits in parentheses and may itself contain ')' and spaces
 * (`(a) b)`), so the fixed fields start after the LAST ')'. The fields are walked in place, not
 * split: most of the per-poll reads' garbage was the ~50 strings of a split line.
 */
export function parseProcStat(text: string): ProcStat | null {
  const open = text.indexOf('(')
  const close = text.lastIndexOf(')')
  if (open <= 0 || close < open) return null
  const pid = Number(text.slice(0, open).trim())
  // after ") " come fields 3 (state) … 52; field N starts after the (N - 3)th space
  const at = close + 2
  const state = text.charAt(at)
  const ppid = statField(text, at, 1)
  const session = statField(text, at, 3)
  const flags = statField(text, at, 6)
  const threads = statField(text, at, 17)
  const startTicks = statField(text, at, 19)
  const exitSignal = statField(text, at, 35)
  if (!Number.isInteger(pid) || state === '' || state === ' ') return null
  if (!Number.isInteger(ppid) || !Number.isInteger(startTicks)) return null
  return {
    pid,
    comm: text.slice(open + 1, close),
    state,
    ppid,
    session: Number.isInteger(session) ? session : 0,
    flags: Number.isInteger(flags) ? flags : 0,
    threads: Number.isInteger(threads) ? threads : 0,
    startTicks,
    exitSignal: Number.isInteger(exitSignal) ? exitSignal : 0,
  }
}

/** the integer in the space-separated field `index` counted from `from`; NaN when absent or not one */
function statField(text: string, from: number, index: number): number {
  let i = from
  for (let n = 0; n < index; n++) {
    i = text.indexOf(' ', i) + 1
    if (i === 0) return NaN
  }
  let sign = 1
  if (text.charCodeAt(i) === 45) {
    sign = -1
    i++
  }
  let v = 0
  let digits = 0
  for (; i < text.length; i++, digits++) {
    const c = text.charCodeAt(i) - 48
    if (c < 0 || c > 9) break
    v = v * 10 + c
  }
  const end = text.charCodeAt(i)
  // a field ends at a space, the line's end or its newline; anything else is not an integer
  if (digits === 0 || !(Number.isNaN(end) || end === 32 || end === 10)) return NaN
  return sign * v
}

/**
 * The pid most recently allocated in the reader's pid namespace: the last field of /proc/loadavg
 * (fs/proc/loadavg.c: idr_get_cursor(&ns->idr) - 1). Every fork and every new thread moves it.
 */
export function parseLastPid(text: string): number | null {
  const last = text.trim().split(' ').pop() ?? ''
  const n = Number(last)
  return /^\d+$/.test(last) && Number.isSafeInteger(n) ? n : null
}

/**
 * /proc/<pid>/cmdline: argv joined by NUL. Trailing empty strings are dropped: a process that
 * rewrites its title (sshd, ssh's mux master, Chromium) pads the old argv area with NULs.
 */
export function parseCmdline(text: string): string[] {
  if (text === '') return []
  const argv = text.split('\0')
  while (argv.length > 0 && argv[argv.length - 1] === '') argv.pop()
  return argv
}

/** The real uid from /proc/<pid>/status (`Uid:\treal\teffective\tsaved\tfs`). */
export function parseStatusUid(text: string): number | null {
  const m = /^Uid:\s+(\d+)/m.exec(text)
  return m?.[1] === undefined ? null : Number(m[1])
}

/** btime (boot time, seconds since the epoch) from /proc/stat. */
export function parseBootTime(text: string): number | null {
  const m = /^btime\s+(\d+)/m.exec(text)
  return m?.[1] === undefined ? null : Number(m[1])
}

export interface ProcNetTcpEntry {
  localAddress: string
  localPort: number
  remoteAddress: string
  remotePort: number
  /** hex state: 01 = ESTABLISHED */
  state: number
  inode: number
}

/** /proc/net/tcp or /proc/net/tcp6 (the family is told by the address width). */
export function parseProcNetTcp(text: string, littleEndian = true): ProcNetTcpEntry[] {
  const out: ProcNetTcpEntry[] = []
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/)
    // sl local rem st tx:rx tr:when retrnsmt uid timeout inode …
    if (f.length < 10 || !/^\d+:$/.test(f[0] ?? '')) continue
    const [lhex, lport] = (f[1] ?? '').split(':')
    const [rhex, rport] = (f[2] ?? '').split(':')
    if (lhex === undefined || rhex === undefined || lport === undefined || rport === undefined) continue
    const localAddress = procNetHexToAddress(lhex, littleEndian)
    const remoteAddress = procNetHexToAddress(rhex, littleEndian)
    if (localAddress === null || remoteAddress === null) continue
    out.push({
      localAddress,
      localPort: Number.parseInt(lport, 16),
      remoteAddress,
      remotePort: Number.parseInt(rport, 16),
      state: Number.parseInt(f[3] ?? '', 16),
      inode: Number(f[9]),
    })
  }
  return out
}

/**
 * The socket inodes of a /proc/net table (header line first; `column` is the inode's field:
 * 6 in unix, 9 in udp, udp6 and netlink).
 */
export function procNetInodes(text: string, column: number): Set<number> {
  const out = new Set<number>()
  const lines = text.split('\n')
  for (let i = 1; i < lines.length; i++) {
    const inode = Number(lines[i]?.trim().split(/\s+/)[column])
    if (Number.isInteger(inode) && inode > 0) out.add(inode)
  }
  return out
}

const TCP_ESTABLISHED = 1

/** Established connections of /proc/net/tcp{,6} by inode (0, a socket no process holds, is left out). */
export function establishedByInode(entries: readonly ProcNetTcpEntry[]): Map<number, ProcNetTcpEntry> {
  const out = new Map<number, ProcNetTcpEntry>()
  for (const e of entries) if (e.state === TCP_ESTABLISHED && e.inode !== 0) out.set(e.inode, e)
  return out
}

/**
 * An `ss` filter for the given local ports: `( sport = :a or sport = :b … )` as separate
 * arguments (ss joins them itself; no shell is involved). Null when there is nothing to ask for.
 */
export function ssPortFilter(ports: Iterable<number>): string[] | null {
  const terms: string[] = []
  for (const p of new Set(ports)) {
    if (!Number.isInteger(p) || p <= 0 || p > 65535) continue
    if (terms.length > 0) terms.push('or')
    terms.push('sport', '=', `:${String(p)}`)
  }
  return terms.length === 0 ? null : ['(', ...terms, ')']
}

/** Established entries of /proc/net/tcp{,6} as sockets, owners filled in from an inode → pids map. */
export function procNetToSockets(
  entries: readonly ProcNetTcpEntry[],
  ownersByInode: ReadonlyMap<number, readonly number[]>,
): SocketInfo[] {
  const out: SocketInfo[] = []
  for (const e of entries) {
    if (e.state !== TCP_ESTABLISHED) continue
    out.push({
      pids: [...(ownersByInode.get(e.inode) ?? [])],
      localAddress: e.localAddress,
      localPort: e.localPort,
      remoteAddress: e.remoteAddress,
      remotePort: e.remotePort,
    })
  }
  return out
}

// ss prints one `users:((…),(…))` entry per process holding the socket; the name may contain
// anything (quotes, parentheses) but every entry ends with `,pid=N,fd=M)`.
const USERS_END = /,fd=\d+\)\)/g
const USER_PID = /,pid=(\d+),fd=\d+\)/g

const COUNTERS = {
  bytes_sent: /(?:^|\s)bytes_sent:(\d+)/,
  bytes_acked: /(?:^|\s)bytes_acked:(\d+)/,
  bytes_received: /(?:^|\s)bytes_received:(\d+)/,
  lastsnd: /(?:^|\s)lastsnd:(\d+)/,
  lastrcv: /(?:^|\s)lastrcv:(\d+)/,
} as const

function counter(info: string, key: keyof typeof COUNTERS): number | undefined {
  const m = COUNTERS[key].exec(info)
  return m?.[1] === undefined ? undefined : Number(m[1])
}

function toSocket(head: string, info: string): SocketInfo | null {
  const tokens = head.trim().split(/\s+/)
  let i = 0
  if (tokens[i] === 'tcp') i++ // Netid column (only when several protocols are listed)
  const first = tokens[i] ?? ''
  if (!/^\d+$/.test(first)) {
    // a State column: present when ss was not given a state filter
    if (first !== 'ESTAB') return null
    i++
  }
  // Recv-Q Send-Q Local Peer [Process] [info in -O layout]
  const localText = tokens[i + 2]
  const peerText = tokens[i + 3]
  if (localText === undefined || peerText === undefined) return null
  const local = parseEndpoint(localText)
  const remote = parseEndpoint(peerText)
  if (local === null || remote === null) return null

  // whatever follows the peer column: users:(…) and, in the one-line layout, the tcp_info text
  const peerAt = head.indexOf(peerText, head.indexOf(localText) + localText.length)
  let rest = head.slice(peerAt + peerText.length)
  const pids: number[] = []
  if (rest.trimStart().startsWith('users:((')) {
    let end = -1
    for (const m of rest.matchAll(USERS_END)) end = m.index + m[0].length
    const users = end >= 0 ? rest.slice(0, end) : rest
    for (const m of users.matchAll(USER_PID)) {
      const pid = Number(m[1])
      if (!pids.includes(pid)) pids.push(pid)
    }
    rest = end >= 0 ? rest.slice(end) : ''
  }
  const infoText = `${rest} ${info}`.trim()

  const socket: SocketInfo = {
    pids,
    localAddress: local.address,
    localPort: local.port,
    remoteAddress: remote.address,
    remotePort: remote.port,
  }
  const ino = /(?:^|\s)ino:(\d+)/.exec(infoText)
  if (ino?.[1] !== undefined && ino[1] !== '0') socket.inode = Number(ino[1])
  if (infoText !== '') {
    // ss leaves out every tcp_info field whose value is 0: absent means 0 once the info is there
    const sent = counter(infoText, 'bytes_sent') ?? counter(infoText, 'bytes_acked')
    socket.bytesSent = sent ?? 0
    socket.bytesReceived = counter(infoText, 'bytes_received') ?? 0
    socket.lastSendMs = counter(infoText, 'lastsnd') ?? 0
    socket.lastRecvMs = counter(infoText, 'lastrcv') ?? 0
  }
  return socket
}

/**
 * `ss -tnpiH state established` (and the same with a header, a State column, or the one-line
 * `-O` layout). The tcp_info text comes on a continuation line starting with a tab, or, with -O,
 * on the socket's own line after the users:(…) column.
 */
export function parseSsOutput(text: string): SocketInfo[] {
  const out: SocketInfo[] = []
  const seen = new Map<string, SocketInfo>()
  let head: string | null = null
  let info = ''
  const flush = (): void => {
    if (head === null) return
    const s = toSocket(head, info)
    head = null
    info = ''
    if (s === null) return
    const key = connectionKey(
      { address: s.localAddress, port: s.localPort },
      { address: s.remoteAddress, port: s.remotePort },
    )
    const prev = seen.get(key)
    if (prev === undefined) {
      seen.set(key, s)
      out.push(s)
    } else {
      for (const pid of s.pids) if (!prev.pids.includes(pid)) prev.pids.push(pid)
    }
  }
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue
    if (/^[ \t]/.test(line)) {
      if (head !== null) info += ` ${line.trim()}`
      continue
    }
    flush()
    if (/^(Recv-Q|State|Netid)\s/.test(line)) continue
    head = line
  }
  flush()
  return out
}
