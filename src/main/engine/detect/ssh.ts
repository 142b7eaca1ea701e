// SSH sessions: OpenSSH ssh (ProxyJump, ControlMaster multiplexing, scp/sftp/rsync parents,
// forwarding), the PuTTY family, and mosh.
//
// A session needs an established TCP socket owned by its processes. The one exception is
// mosh-client: it talks UDP (the probe reports TCP only), so a mosh-client whose argv carries
// the server address and port is a session without a socket (sockets: [], address and port from
// argv, localAddress '').
//
// Shapes observed on OpenSSH 9.2 (Debian 12):
//   ProxyJump    ssh -J jumpuser@127.0.0.1:2222 alice@target.example -p 2200
//                └ ssh -l jumpuser -p 2222 -W [target.example]:2200 127.0.0.1     ← holds the socket
//   two hops     ssh -J u1@127.0.0.1:2222,127.0.0.1:2223 bob@final
//                └ ssh -p 2223 -J u1@127.0.0.1:2222 -W [final]:22 127.0.0.1
//                  └ ssh -l u1 -p 2222 -W [127.0.0.1]:2223 127.0.0.1               ← holds the socket
//   ProxyCommand ssh -o "ProxyCommand=ssh -W %h:%p -p 2223 127.0.0.1" pc-target
//                └ ssh -W pc-target:22 -p 2223 127.0.0.1                            ← holds the socket
//   ControlPersist master: "ssh: /tmp/sshdt/cm-root@127.0.0.1:2022 [mux]" (ppid 1, argv padded
//                with empty strings); its socket is shared with the foreground ssh that created it.
//   scp          scp … myalias:/x  └ /usr/bin/ssh -x -oPermitLocalCommand=no … -s -- myalias sftp
//   sftp         sftp … myalias   └ /usr/bin/ssh -oForwardX11 no … -oPort 2022 -l root -s -- 127.0.0.1 sftp
import { SESSION_FLAGS, type SessionFlag } from '@shared/model'
import type { ProcessInfo, SocketInfo } from '../probe/types'
import type { DetectContext, Detected, Detector } from './types'
import { orderMembers, primaryFirst, sessionKey } from './common'
import { parseMoshClientArgs } from './mosh-args'
import { isIpLiteral, normalizeAddress, parsePort } from './net'
import { muxMasterPath, trimArgv } from './proc-name'
import { parsePuttyArgs, type PuttyTool } from './putty-args'
import { buildIndex, type SnapshotIndex } from './snapshot-index'
import { parseControlMaster, parseSshArgs, type SshArgs, type SshForward } from './ssh-args'

/** Parents that run ssh for a file transfer (or a mount): the session is theirs. */
const TRANSFER_PARENTS = new Set(['scp', 'sftp', 'rsync', 'sshfs'])
/** Parents that supervise (and would restart) their ssh: ending must end them. */
const SUPERVISOR_PARENTS = new Set(['autossh'])
/** ProxyCommand helpers that may own the TCP socket of an ssh session. */
const PROXY_TOOLS = new Set([
  'nc',
  'ncat',
  'netcat',
  'nc.openbsd',
  'nc.traditional',
  'socat',
  'connect',
  'connect-proxy',
  'corkscrew',
  'proxytunnel',
  'cloudflared',
  'session-manager-plugin',
  'websocat',
])
const PUTTY_TOOLS = new Map<string, PuttyTool>([
  ['putty', 'putty'],
  ['plink', 'plink'],
  ['pscp', 'pscp'],
  ['psftp', 'psftp'],
])
/** Program names this detector looks at (the basename prefilter). */
export const SSH_PROGRAMS: readonly string[] = ['ssh', 'mosh-client', ...PUTTY_TOOLS.keys()]
/** Every program the ssh detector reads: clients, their transfer/supervisor parents, proxy helpers. */
export const SSH_RELATED_PROGRAMS: readonly string[] = [
  ...SSH_PROGRAMS,
  ...TRANSFER_PARENTS,
  ...SUPERVISOR_PARENTS,
  ...PROXY_TOOLS,
]

interface SshRec {
  p: ProcessInfo
  /** null for a background master proctitle */
  args: SshArgs | null
  /** control path of a "ssh: PATH [mux]" proctitle */
  muxPath: string | null
  /** -G/-V/-Q/-O: never part of a session */
  excluded: boolean
}

interface Builder {
  root: ProcessInfo
  client: string
  /** the ssh whose command line names the session (after climbing the ProxyJump chain) */
  top: SshRec
  members: Map<number, ProcessInfo>
  sockets: SocketInfo[]
  /** processes owning the connection to the (first) server: ProxyJump helpers */
  jumpHolders: Set<number>
  flags: Set<SessionFlag>
  /** ssh processes sharing the master's connection (ControlPersist creator, mux clients) */
  muxClients: SshRec[]
}

function makeRec(p: ProcessInfo, sshConfig: DetectContext['sshConfig']): SshRec {
  const muxPath = muxMasterPath(p.argv)
  if (muxPath !== null) return { p, args: null, muxPath, excluded: false }
  let args = parseSshArgs(trimArgv(p.argv))
  const cfg = sshConfig?.get(p.pid)
  if (cfg && cfg.startTime === p.startTime && args.controlPath === null && cfg.controlPath !== null) {
    // ControlMaster/ControlPath from ssh_config: argv alone does not show them
    args = {
      ...args,
      controlPath: cfg.controlPath,
      controlMaster: args.controlMaster ?? parseControlMaster(cfg.controlMaster ?? ''),
    }
  }
  return { p, args, muxPath: null, excluded: args.isQueryOnly || args.isControlCommand }
}

function isMasterByArgs(a: SshArgs | null): boolean {
  if (a?.controlPath == null) return false
  const m = a.controlMaster
  return m === 'yes' || m === 'ask' || m === 'auto' || m === 'autoask'
}

function isTunnel(a: SshArgs): boolean {
  const forwards = a.clearAllForwardings ? 0 : a.forwards.length
  return forwards > 0 || a.tunnelDevice !== null || (a.noCommand && a.stdioForward === null)
}

// ---------------------------------------------------------------------------------------------
// ControlPath matching: a client's ControlPath (often a template like ~/.ssh/cm-%r@%h:%p) against
// a master's (the expanded path in its proctitle, or its own template).

type PathPart = { lit: string } | { wild: true }

interface PathHints {
  /** %n: the host as typed */
  n: string | null
  /** %h: only in strict mode (HostName may differ from what was typed) */
  h: string | null
  r: string | null
  p: number | null
}

function hasPathTokens(path: string): boolean {
  return path.includes('%') || path.startsWith('~') || path.includes('${')
}

/** The text a ControlPath %-token stands for, or null when it cannot be known here (wildcard). */
function tokenValue(t: string, hints: PathHints): string | null {
  switch (t) {
    case '%':
      return '%'
    case 'n':
      return hints.n
    case 'h':
      return hints.h
    case 'r':
      return hints.r
    case 'p':
      return hints.p === null ? null : String(hints.p)
    default:
      return null // %C %d %i %j %k %L %l %T %u: hashes, local names, home directory
  }
}

function compilePath(template: string, hints: PathHints): PathPart[] {
  const parts: PathPart[] = []
  let lit = ''
  const wild = (): void => {
    if (lit !== '') parts.push({ lit })
    lit = ''
    const last = parts.at(-1)
    if (last === undefined || !('wild' in last)) parts.push({ wild: true })
  }
  let i = 0
  if (template.startsWith('~')) {
    wild() // ~ or ~user: the home directory
    i = 1
  }
  for (; i < template.length; i++) {
    const c = template.charAt(i)
    if (c === '$' && template.charAt(i + 1) === '{') {
      const close = template.indexOf('}', i)
      if (close > 0) {
        wild() // ${ENV}
        i = close
        continue
      }
    }
    if (c !== '%' || i + 1 >= template.length) {
      lit += c
      continue
    }
    const value = tokenValue(template.charAt(++i), hints)
    if (value === null) wild()
    else lit += value
  }
  if (lit !== '') parts.push({ lit })
  return parts
}

/** Glob match where the only wildcard is "any text". */
function matchParts(parts: readonly PathPart[], text: string): boolean {
  let pos = 0
  let anchored = true
  for (let k = 0; k < parts.length; k++) {
    const part = parts[k]
    if (part === undefined) continue
    if ('wild' in part) {
      anchored = false
      continue
    }
    const isLast = k === parts.length - 1
    if (anchored) {
      if (!text.startsWith(part.lit, pos)) return false
      pos += part.lit.length
    } else if (isLast) {
      if (!text.endsWith(part.lit) || text.length - part.lit.length < pos) return false
      pos = text.length
    } else {
      const at = text.indexOf(part.lit, pos)
      if (at < 0) return false
      pos = at + part.lit.length
    }
    anchored = true
  }
  const last = parts.at(-1)
  return (last !== undefined && 'wild' in last) || pos === text.length
}

function hintsOf(a: SshArgs | null, strict: boolean): PathHints {
  return {
    n: a?.host ?? null,
    h: strict ? (a?.host ?? null) : null,
    r: a?.user ?? null,
    p: a?.port ?? null,
  }
}

/** Does client `c` use the control socket of master `m`? */
function controlPathMatches(c: SshArgs, m: SshRec, strict: boolean): boolean {
  const cp = c.controlPath
  const mp = m.muxPath ?? m.args?.controlPath ?? null
  if (cp === null || mp === null) return false
  const masterTemplate = m.muxPath === null && hasPathTokens(mp)
  const clientTemplate = hasPathTokens(cp)
  if (!clientTemplate && !masterTemplate) return cp === mp
  if (clientTemplate && !masterTemplate) return matchParts(compilePath(cp, hintsOf(c, strict)), mp)
  if (!clientTemplate) return matchParts(compilePath(mp, hintsOf(m.args, strict)), cp)
  // both templates (both from argv): same template and, when it depends on the host, same host
  if (cp !== mp) return false
  const hostDependent = cp.includes('%h') || cp.includes('%n') || cp.includes('%C') || cp.includes('%k')
  return !hostDependent || c.host === m.args?.host
}

const USER_PREFIXES = [
  'cm-',
  'cm_',
  'ssh-',
  'ssh_',
  'mux-',
  'mux_',
  'master-',
  'control-',
  'ctl-',
  'socket-',
  'ssh-mux-',
  'ssh_mux_',
]

/**
 * Host (and user) out of an expanded control path such as "/root/.ssh/cm-root@db1:22" or
 * ".../root@db1-22": the part after the last '@', with a ":port"/"-port"/"_port" suffix removed
 * only when it equals the connection's remote port. Null for hashes (%C) and anything unclear.
 */
export function hostFromControlPath(
  path: string,
  remotePort: number | null,
): { host: string; user: string | null } | null {
  const slash = path.lastIndexOf('/')
  const base = slash >= 0 ? path.slice(slash + 1) : path
  const at = base.lastIndexOf('@')
  let hostPart = at >= 0 ? base.slice(at + 1) : base
  let portStripped = false
  if (remotePort !== null) {
    for (const sep of [':', '-', '_']) {
      const i = hostPart.lastIndexOf(sep)
      if (i > 0 && parsePort(hostPart.slice(i + 1)) === remotePort) {
        hostPart = hostPart.slice(0, i)
        portStripped = true
        break
      }
    }
  }
  if (hostPart === '' || (at < 0 && !portStripped)) return null
  let user: string | null = null
  if (at > 0) {
    let u = base.slice(0, at)
    const prefix = USER_PREFIXES.filter((p) => u.startsWith(p)).sort((a, b) => b.length - a.length)[0]
    if (prefix !== undefined) u = u.slice(prefix.length)
    else if (u.includes('-') || u.includes('_')) u = ''
    user = u === '' ? null : u
  }
  return { host: hostPart, user }
}

// ---------------------------------------------------------------------------------------------

const LOOPBACK_NAMES = new Set(['localhost', 'ip6-localhost', 'ip6-loopback'])

function isLoopback(address: string): boolean {
  const a = normalizeAddress(address)
  return a === '::1' || a.startsWith('127.') || LOOPBACK_NAMES.has(a)
}

/** Does this socket look like an -R forward's local connection (ssh → target host:port)? */
function isRemoteForwardTarget(s: SocketInfo, f: SshForward, serverPort: number): boolean {
  if (f.kind !== 'R' || f.targetPort === null || s.remotePort !== f.targetPort) return false
  const host = f.targetHost
  if (host === null) return false
  if (isLoopback(host)) return isLoopback(s.remoteAddress)
  if (isIpLiteral(host)) return normalizeAddress(host) === normalizeAddress(s.remoteAddress)
  return s.remotePort !== serverPort // a name we cannot resolve here: trust the port only if unambiguous
}

/** Pick the connection to the server among a session's sockets (forwarded ones lose). */
function sshPrimaryFirst(
  sockets: readonly SocketInfo[],
  forwards: readonly SshForward[],
  jumpHolders: ReadonlySet<number>,
  expectedPort: number,
): SocketInfo[] {
  const listen = new Set<number>()
  for (const f of forwards) if (f.kind !== 'R' && f.listenPort !== null) listen.add(f.listenPort)
  const remote = forwards.filter((f) => f.kind === 'R')
  return primaryFirst(sockets, (s) => {
    let v = 0
    if (jumpHolders.size > 0 && s.pids.some((pid) => jumpHolders.has(pid))) v += 100
    if (listen.has(s.localPort)) v -= 50
    if (remote.some((f) => isRemoteForwardTarget(s, f, expectedPort))) v -= 50
    if (s.remotePort === expectedPort) v += 10
    return v
  })
}

/**
 * Is `child` (an ssh holding a connection) the proxy of its parent ssh? True for the -W helper of
 * ProxyJump / "ProxyCommand ssh -W %h:%p", for an old-style "ssh bastion nc %h %p" helper, and
 * whenever the parent's command line names a jump or proxy. Never for a fork sharing the socket.
 */
function isProxyHelper(child: SshRec, parent: SshRec, sharers: ReadonlySet<number> | undefined): boolean {
  if (parent.p.pid === child.p.pid || sharers?.has(parent.p.pid) === true) return false
  const a = child.args
  if (a === null) return false
  if (a.stdioForward !== null) return true
  if (parent.args?.jump != null || parent.args?.proxyCommand != null) return true
  const cmd = a.command[0]
  return cmd !== undefined && PROXY_TOOLS.has(cmd)
}

function hasNamingArgs(r: SshRec): r is SshRec & { args: SshArgs } {
  return r.args?.destination != null
}

/** SSH sessions of one snapshot. */
export function detectSsh(ix: SnapshotIndex, sshConfig?: DetectContext['sshConfig']): Detected[] {
  const recs = new Map<number, SshRec>()
  const putty: ProcessInfo[] = []
  const mosh: ProcessInfo[] = []
  for (const [pid, name] of ix.names) {
    if (name === 'ssh') {
      const p = ix.process(pid)
      if (p) recs.set(pid, makeRec(p, sshConfig))
    } else if (name === 'mosh-client' || PUTTY_TOOLS.has(name)) {
      const p = ix.process(pid)
      if (!p) continue
      if (name === 'mosh-client') mosh.push(p)
      else putty.push(p)
    }
  }

  // 1. who holds each connection
  const holderSockets = new Map<number, SocketInfo[]>()
  const coOwners = new Map<number, Set<number>>()
  const proxyMembers = new Map<number, ProcessInfo[]>()
  const addHolderSocket = (pid: number, s: SocketInfo): void => {
    const list = holderSockets.get(pid)
    if (list) list.push(s)
    else holderSockets.set(pid, [s])
  }
  if (recs.size > 0) {
    for (const s of ix.snapshot.sockets) {
      const owners = s.pids.filter((pid) => recs.get(pid)?.excluded === false)
      if (owners.length === 0) continue
      let holder = owners[0] ?? 0
      if (owners.length > 1) {
        const master = owners.find((pid) => recs.get(pid)?.muxPath != null)
        const child = owners.find((pid) => owners.includes(recs.get(pid)?.p.ppid ?? -1))
        holder = master ?? child ?? Math.min(...owners)
        let set = coOwners.get(holder)
        if (!set) coOwners.set(holder, (set = new Set()))
        for (const o of owners) if (o !== holder) set.add(o)
      }
      addHolderSocket(holder, s)
    }
    // ProxyCommand helpers (nc, socat, …) holding the connection of an ssh without a socket
    for (const rec of recs.values()) {
      if (rec.excluded || holderSockets.has(rec.p.pid)) continue
      for (const c of ix.children.get(rec.p.pid) ?? []) {
        if (recs.has(c.pid)) continue
        const own = ix.sockets(c.pid)
        if (own.length === 0) continue
        if (rec.args?.proxyCommand == null && !PROXY_TOOLS.has(ix.name(c.pid))) continue
        for (const s of own) addHolderSocket(rec.p.pid, s)
        const list = proxyMembers.get(rec.p.pid) ?? []
        list.push(c)
        proxyMembers.set(rec.p.pid, list)
      }
    }
  }

  // 2. climb from each holder to the session root
  const builders = new Map<number, Builder>()
  const assigned = new Set<number>()
  const holders = [...holderSockets.keys()].sort((a, b) => a - b)
  for (const pid of holders) {
    const holder = recs.get(pid)
    if (!holder) continue
    let top = holder
    const chain: ProcessInfo[] = []
    let jump = false
    // a ProxyJump/ProxyCommand helper ssh is its parent ssh's connection
    while (top.muxPath === null) {
      const parent = recs.get(top.p.ppid)
      if (!parent || parent.excluded || !isProxyHelper(top, parent, coOwners.get(pid))) break
      chain.push(top.p)
      top = parent
      jump = true
    }
    let root = top.p
    let client = 'ssh'
    const flags = new Set<SessionFlag>()
    const parentName = ix.name(top.p.ppid)
    const parent = ix.process(top.p.ppid)
    if (parent && (TRANSFER_PARENTS.has(parentName) || SUPERVISOR_PARENTS.has(parentName))) {
      root = parent
      client = parentName
      chain.push(top.p)
      if (TRANSFER_PARENTS.has(parentName)) flags.add('file-transfer')
    }
    if (jump) flags.add('jump')
    let b = builders.get(root.pid)
    if (!b) {
      b = {
        root,
        client,
        top,
        members: new Map(),
        sockets: [],
        jumpHolders: new Set(),
        flags,
        muxClients: [],
      }
      builders.set(root.pid, b)
    } else for (const f of flags) b.flags.add(f)
    for (const m of chain) b.members.set(m.pid, m)
    if (jump) b.jumpHolders.add(pid)
    b.sockets.push(...(holderSockets.get(pid) ?? []))
    for (const m of proxyMembers.get(pid) ?? []) b.members.set(m.pid, m)
    for (const o of coOwners.get(pid) ?? []) {
      const r = recs.get(o)
      if (!r) continue
      b.members.set(o, r.p)
      b.muxClients.push(r)
      assigned.add(o)
    }
    assigned.add(pid)
    assigned.add(top.p.pid)
    for (const m of chain) assigned.add(m.pid)
  }
  // 3. ControlMaster: attach mux clients (ssh processes without a connection of their own)
  const masters = [...builders.values()].filter((b) => b.top.muxPath !== null || isMasterByArgs(b.top.args))
  if (masters.length > 0) {
    const clients = [...recs.values()]
      .filter(
        (r) =>
          !r.excluded &&
          !assigned.has(r.p.pid) &&
          r.args !== null &&
          r.args.stdioForward === null &&
          (r.args.destination !== null || r.args.controlPath !== null) &&
          !holderSockets.has(r.p.pid),
      )
      .sort((a, b) => a.p.startTime - b.p.startTime || a.p.pid - b.p.pid)
    const withPath = clients.filter((c) => c.args?.controlPath != null)
    const withoutPath = clients.filter((c) => c.args?.controlPath == null)
    const attach = (c: SshRec, m: Builder): void => {
      m.members.set(c.p.pid, c.p)
      m.muxClients.push(c)
      assigned.add(c.p.pid)
    }
    const pick = (c: SshArgs, cands: Builder[]): Builder | null => {
      if (cands.length === 1) return cands[0] ?? null
      if (cands.length === 0 || c.host === null) return null
      const byName = cands.filter((m) => masterName(m) === c.host)
      return byName.length === 1 ? (byName[0] ?? null) : null
    }
    for (const c of withPath) {
      const a = c.args
      if (!a) continue
      const strict = masters.filter((m) => controlPathMatches(a, m.top, true))
      const cands = strict.length > 0 ? strict : masters.filter((m) => controlPathMatches(a, m.top, false))
      const m = pick(a, cands)
      if (m) attach(c, m)
    }
    for (const c of withoutPath) {
      const a = c.args
      if (a?.host == null) continue
      const host = a.host
      const cands = masters.filter((m) => masterName(m) === host || masterPathHost(m) === host)
      const m = pick(a, cands)
      if (m) attach(c, m)
    }
    for (const m of masters) m.flags.add('multiplexed')
  }
  for (const b of builders.values()) if (b.muxClients.length > 0) b.flags.add('multiplexed')

  // 4. sessions
  const out: Detected[] = []
  for (const b of builders.values()) out.push(buildSsh(b))
  for (const p of putty) {
    const d = detectPutty(p, ix)
    if (d) out.push(d)
  }
  for (const p of mosh) {
    const d = detectMosh(p, ix)
    if (d) out.push(d)
  }
  return out.sort((a, b) => a.root.pid - b.root.pid)
}

/** The command line naming a session: its own, else (background master) its creator's/clients'. */
function namingArgs(b: Builder): SshArgs | null {
  if (hasNamingArgs(b.top)) return b.top.args
  const named = b.muxClients.filter(hasNamingArgs)
  const creators = named.filter((r) => b.sockets.some((s) => s.pids.includes(r.p.pid)))
  const first = [...creators, ...named.sort((x, y) => x.p.startTime - y.p.startTime || x.p.pid - y.p.pid)][0]
  return first?.args ?? b.top.args
}

function masterPathHost(b: Builder): string | null {
  if (b.top.muxPath === null) return null
  return hostFromControlPath(b.top.muxPath, b.sockets[0]?.remotePort ?? null)?.host ?? null
}

function masterName(b: Builder): string | null {
  return namingArgs(b)?.host ?? masterPathHost(b)
}

function buildSsh(b: Builder): Detected {
  const args = namingArgs(b)
  const forwards = args && !args.clearAllForwardings ? args.forwards : []
  const sockets = sshPrimaryFirst(b.sockets, forwards, b.jumpHolders, args?.port ?? 22)
  const primary = sockets[0]
  const remoteAddress = primary?.remoteAddress ?? ''
  let host = args?.host ?? null
  let user = args?.user ?? null
  if (host === null && b.top.muxPath !== null) {
    const fromPath = hostFromControlPath(b.top.muxPath, primary?.remotePort ?? null)
    if (fromPath) {
      host = fromPath.host
      user ??= fromPath.user
    }
  }
  host ??= remoteAddress
  const flags = new Set(b.flags)
  if (args && isTunnel(args)) flags.add('tunnel')
  return {
    key: sessionKey('ssh', b.root),
    resourceType: 'ssh',
    resourceName: host,
    host,
    user,
    client: b.client,
    root: b.root,
    members: orderMembers(b.root, b.members.values()),
    sockets,
    remoteAddress,
    remotePort: primary?.remotePort ?? 0,
    localAddress: primary?.localAddress ?? '',
    flags: orderFlags(flags),
    endable: true,
    resourceId: null,
  }
}

export function orderFlags(flags: ReadonlySet<SessionFlag>): SessionFlag[] {
  // the model's order, so a session's flags always read the same way
  return SESSION_FLAGS.filter((f) => flags.has(f))
}

function detectPutty(p: ProcessInfo, ix: SnapshotIndex): Detected | null {
  const own = ix.sockets(p.pid)
  if (own.length === 0) return null
  const tool = PUTTY_TOOLS.get(ix.name(p.pid))
  if (tool === undefined) return null
  const a = parsePuttyArgs(tool, trimArgv(p.argv))
  if (!a.ssh) return null
  const sockets = sshPrimaryFirst(own, a.forwards, new Set(), a.port ?? 22)
  const primary = sockets[0]
  if (!primary) return null
  const host = a.host ?? primary.remoteAddress
  const flags = new Set<SessionFlag>()
  if (a.forwards.length > 0 || a.noShell) flags.add('tunnel')
  if (tool === 'pscp' || tool === 'psftp') flags.add('file-transfer')
  return {
    key: sessionKey('ssh', p),
    resourceType: 'ssh',
    resourceName: host,
    host,
    user: a.user,
    client: tool,
    root: p,
    members: [],
    sockets,
    remoteAddress: primary.remoteAddress,
    remotePort: primary.remotePort,
    localAddress: primary.localAddress,
    flags: orderFlags(flags),
    endable: true,
    resourceId: null,
  }
}

/** mosh-client: accepted without a TCP socket (UDP), address and port from its argv. */
function detectMosh(p: ProcessInfo, ix: SnapshotIndex): Detected | null {
  const a = parseMoshClientArgs(trimArgv(p.argv))
  if (!a) return null
  const host = a.host ?? a.ip
  return {
    key: sessionKey('ssh', p),
    resourceType: 'ssh',
    resourceName: host,
    host,
    user: a.user,
    client: 'mosh',
    root: p,
    members: [],
    sockets: [...ix.sockets(p.pid)],
    remoteAddress: normalizeAddress(a.ip),
    remotePort: a.port,
    localAddress: '',
    flags: [],
    endable: true,
    resourceId: null,
  }
}

export const sshDetector: Detector = {
  type: 'ssh',
  detect: (ctx: DetectContext) => detectSsh(buildIndex(ctx.snapshot, ctx.selfPid), ctx.sshConfig),
}
