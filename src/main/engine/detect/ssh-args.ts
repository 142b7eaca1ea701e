// OpenSSH ssh(1) command-line parser: pure, no I/O, no config files.
//
// It follows ssh.c (OpenSSH 9.x) exactly where it matters for naming and classifying:
// - getopt with optstring "1246ab:c:e:fgi:kl:m:no:p:qstvxAB:CD:E:F:GI:J:KL:MNO:P:Q:R:S:TVw:W:XYy":
//   options taking an argument are BbcDEeFIiJLlmOoPpQRSWw; flags may be bundled (-vNT); an
//   argument may be attached (-p2222, -oPort=22) or the next word (-p 2222).
// - The destination is the first non-option argument. ssh then restarts getopt after it, so
//   options placed after the destination still count ("ssh host -p 2222 uptime"); the first
//   non-option after the destination starts the remote command. "--" ends option parsing
//   (after "--" the destination is taken and everything else is the command).
// - User, port and the -o keywords are "first value wins" (-l, -o User=, user@ share one slot;
//   -p, -o Port=, ssh://…:port share one), except -S which always replaces ControlPath and -M
//   which forces ControlMaster (-MM = ask).
// - user@host splits at the LAST '@'; "ssh://[user[;params]@]host[:port][/]" URIs are accepted.
import { parsePort, splitHostPort } from './net'

/** Options that take an argument (ssh.c optstring). */
const ARG_OPTS = new Set('BbcDEeFIiJLlmOoPpQRSWw')
/** Options that do not. */
const FLAG_OPTS = new Set('1246AaCfGgKkMNnqsTtVvXxYy')

export type SshForwardKind = 'L' | 'R' | 'D'

export interface SshForward {
  kind: SshForwardKind
  /** the specification as given (-L spec, or the LocalForward value) */
  spec: string
  /** the local port ssh listens on (-L, -D), or the remote listen port (-R); null for sockets */
  listenPort: number | null
  /** the port ssh connects to locally for -R (e.g. 22 in "-R 9000:localhost:22"), else null */
  targetPort: number | null
  /** the host ssh connects to locally for -R ("localhost" in "-R 9000:localhost:22"), else null */
  targetHost: string | null
}

export interface SshHop {
  user: string | null
  host: string
  port: number | null
}

export type SshControlMaster = 'yes' | 'no' | 'ask' | 'auto' | 'autoask'

export interface SshArgs {
  /** the destination argument as typed ("alice@web1", "ssh://bob@host:2222", "prod") */
  destination: string | null
  /** host part of the destination: alias or name or address, no user, no port, no brackets */
  host: string | null
  /** first of -l, -o User, user@ / URI user */
  user: string | null
  /** first of -p, -o Port, URI port */
  port: number | null
  /** -o HostName (kept for information; never used for naming) */
  hostName: string | null
  /** -J / -o ProxyJump as given; null when absent or "none" */
  jump: string | null
  jumpHosts: SshHop[]
  /** -o ProxyCommand; null when absent or "none" */
  proxyCommand: string | null
  /** -S / -o ControlPath (may hold %-tokens and ~); null when absent or "none" */
  controlPath: string | null
  controlMaster: SshControlMaster | null
  controlPersist: string | null
  /** -L/-R/-D and LocalForward/RemoteForward/DynamicForward, in order */
  forwards: SshForward[]
  /** -w / -o Tunnel device forwarding ("local[:remote]") */
  tunnelDevice: string | null
  /** -W host:port (stdio forwarding: the ProxyJump helper shape) */
  stdioForward: string | null
  /** -N or SessionType=none */
  noCommand: boolean
  /** -s or SessionType=subsystem */
  subsystem: boolean
  /** -f or ForkAfterAuthentication=yes */
  background: boolean
  /** -o ClearAllForwardings=yes (scp/sftp children pass it) */
  clearAllForwardings: boolean
  /** -F */
  configFile: string | null
  /** the remote command words (after the destination) */
  command: string[]
  /** -O ctl_cmd (check, forward, cancel, exit, stop, proxy) */
  controlCommand: string | null
  /** any -O: talks to a master and exits, never a session */
  isControlCommand: boolean
  /** -G, -V or -Q: prints and exits, never a session */
  isQueryOnly: boolean
  /** every -o keyword (lower case) with its first value */
  options: ReadonlyMap<string, string>
  /** false when ssh would refuse the command line (unknown option, missing argument, bad port) */
  valid: boolean
}

function isYes(v: string): boolean {
  const s = v.toLowerCase()
  return s === 'yes' || s === 'true'
}

function noneToNull(v: string | null): string | null {
  return v === null || v.toLowerCase() === 'none' ? null : v
}

export function parseControlMaster(v: string): SshControlMaster | null {
  switch (v.toLowerCase()) {
    case 'yes':
    case 'true':
      return 'yes'
    case 'no':
    case 'false':
      return 'no'
    case 'ask':
      return 'ask'
    case 'auto':
      return 'auto'
    case 'autoask':
      return 'autoask'
    default:
      return null
  }
}

/**
 * One ssh_config line as -o takes it: "Key=Value", "Key Value", "Key = Value", value optionally
 * double-quoted. Keyword lower-cased; null when there is no keyword.
 */
export function parseSshConfigOption(line: string): { key: string; value: string } | null {
  const s = line.trim()
  let i = 0
  while (i < s.length && s[i] !== '=' && s[i] !== ' ' && s[i] !== '\t') i++
  const key = s.slice(0, i).toLowerCase()
  if (key === '') return null
  while (i < s.length && (s[i] === ' ' || s[i] === '\t')) i++
  if (s[i] === '=') i++
  let value = s.slice(i).trim()
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1)
  return { key, value }
}

/** Split a forwarding spec on ':' (or '/' when it has no ':'), keeping [bracketed] parts whole. */
function splitForwardSpec(spec: string): string[] {
  const sep = spec.includes(':') ? ':' : '/'
  const out: string[] = []
  let cur = ''
  let depth = 0
  for (const c of spec) {
    if (c === '[') depth++
    else if (c === ']') depth = Math.max(0, depth - 1)
    if (c === sep && depth === 0) {
      out.push(cur)
      cur = ''
    } else cur += c
  }
  out.push(cur)
  return out
}

function unbracket(s: string): string {
  return s.startsWith('[') && s.endsWith(']') ? s.slice(1, -1) : s
}

function listenPortOf(fields: readonly string[]): number | null {
  // "port:…" or "bind_address:port:…"
  return parsePort(fields[0]) ?? parsePort(fields[1])
}

/** A -L/-R/-D argument. */
export function parseForward(kind: SshForwardKind, spec: string): SshForward {
  const f = splitForwardSpec(spec)
  if (kind === 'D') {
    return { kind, spec, listenPort: parsePort(f[f.length - 1]), targetPort: null, targetHost: null }
  }
  const listenPort = listenPortOf(f)
  const remoteTarget = kind === 'R' && f.length >= 3
  const targetPort = remoteTarget ? parsePort(f[f.length - 1]) : null
  const targetHost = remoteTarget ? unbracket(f[f.length - 2] ?? '') : null
  return { kind, spec, listenPort, targetPort, targetHost }
}

/** A LocalForward / RemoteForward / DynamicForward value: "[bind:]port [host:hostport]". */
function parseConfigForward(kind: SshForwardKind, value: string): SshForward {
  const words = value.split(/\s+/).filter((w) => w !== '')
  const listen = splitForwardSpec(words[0] ?? '')
  const listenPort = parsePort(listen[listen.length - 1])
  let targetPort: number | null = null
  let targetHost: string | null = null
  if (kind === 'R' && words[1] !== undefined) {
    const t = splitForwardSpec(words[1])
    if (t.length >= 2) {
      targetPort = parsePort(t[t.length - 1])
      targetHost = unbracket(t[t.length - 2] ?? '')
    }
  }
  return { kind, spec: value, listenPort, targetPort, targetHost }
}

/** "ssh://[user[;params]@]host[:port][/]" as OpenSSH's parse_ssh_uri; null when malformed. */
export function parseSshUri(uri: string): SshHop | null {
  if (!uri.startsWith('ssh://')) return null
  let rest = uri.slice('ssh://'.length)
  if (rest.endsWith('/')) rest = rest.slice(0, -1)
  if (rest.includes('/')) return null // a path is not allowed
  let user: string | null = null
  const at = rest.lastIndexOf('@')
  if (at >= 0) {
    user = rest.slice(0, at)
    const semi = user.indexOf(';')
    if (semi >= 0) user = user.slice(0, semi)
    if (user === '') return null
    rest = rest.slice(at + 1)
  }
  let host: string
  let portText: string | null = null
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']')
    if (close < 0) return null
    host = rest.slice(1, close)
    const after = rest.slice(close + 1)
    if (after !== '') {
      if (!after.startsWith(':')) return null
      portText = after.slice(1)
    }
  } else {
    const colon = rest.indexOf(':')
    if (colon >= 0) {
      host = rest.slice(0, colon)
      portText = rest.slice(colon + 1)
    } else host = rest
  }
  if (host === '') return null
  let port: number | null = null
  if (portText !== null) {
    port = parsePort(portText)
    if (port === null) return null
  }
  return { user, host, port }
}

/** A destination argument: ssh:// URI or [user@]host (split at the last '@'). */
export function parseSshDestination(dest: string): SshHop | null {
  if (dest.startsWith('ssh://')) return parseSshUri(dest)
  const at = dest.lastIndexOf('@')
  if (at === 0) return null
  let host = at > 0 ? dest.slice(at + 1) : dest
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1)
  if (host === '') return null
  return { user: at > 0 ? dest.slice(0, at) : null, host, port: null }
}

/** A -J / ProxyJump list: "[user@]host[:port]" or ssh:// URIs, comma-separated. */
export function parseJumpSpec(spec: string): SshHop[] {
  const hops: SshHop[] = []
  for (const part of spec.split(',')) {
    const s = part.trim()
    if (s === '' || s.toLowerCase() === 'none') continue
    if (s.startsWith('ssh://')) {
      const uri = parseSshUri(s)
      if (uri) hops.push(uri)
      continue
    }
    const at = s.lastIndexOf('@')
    const user = at > 0 ? s.slice(0, at) : null
    const { host, port } = splitHostPort(at >= 0 ? s.slice(at + 1) : s)
    if (host !== '') hops.push({ user, host, port })
  }
  return hops
}

/** Parse an ssh command line (argv[0] is the program and is skipped). */
export function parseSshArgs(argv: readonly string[]): SshArgs {
  const r: SshArgs = {
    destination: null,
    host: null,
    user: null,
    port: null,
    hostName: null,
    jump: null,
    jumpHosts: [],
    proxyCommand: null,
    controlPath: null,
    controlMaster: null,
    controlPersist: null,
    forwards: [],
    tunnelDevice: null,
    stdioForward: null,
    noCommand: false,
    subsystem: false,
    background: false,
    clearAllForwardings: false,
    configFile: null,
    command: [],
    controlCommand: null,
    isControlCommand: false,
    isQueryOnly: false,
    options: new Map(),
    valid: true,
  }
  const options = new Map<string, string>()
  let sPath = null as string | null // -S: last one wins and beats -o ControlPath (set in a closure)
  let mCount = 0
  let jumpSeen = false

  const setUser = (u: string | null): void => {
    if (r.user === null && u !== null && u !== '') r.user = u
  }
  const setPort = (p: number | null): void => {
    if (r.port === null && p !== null) r.port = p
  }
  /** -p and Port: a port ssh would refuse makes the whole command invalid */
  const setPortText = (text: string): void => {
    const p = parsePort(text)
    if (p === null) r.valid = false
    setPort(p)
  }

  const applyOption = (line: string): void => {
    const kv = parseSshConfigOption(line)
    if (!kv) {
      r.valid = false
      return
    }
    const { key, value } = kv
    switch (key) {
      case 'localforward':
        r.forwards.push(parseConfigForward('L', value))
        return
      case 'remoteforward':
        r.forwards.push(parseConfigForward('R', value))
        return
      case 'dynamicforward':
        r.forwards.push(parseConfigForward('D', value))
        return
    }
    if (options.has(key)) return // first obtained value wins
    options.set(key, value)
    switch (key) {
      case 'user':
        setUser(value)
        break
      case 'port':
        setPortText(value)
        break
      case 'hostname':
        r.hostName = value
        break
      case 'proxyjump':
        if (!jumpSeen) {
          jumpSeen = true
          r.jump = noneToNull(value)
        }
        break
      case 'proxycommand':
        r.proxyCommand = noneToNull(value)
        break
      case 'controlpath':
        break // resolved after parsing (-S wins)
      case 'controlmaster':
        r.controlMaster = parseControlMaster(value)
        break
      case 'controlpersist':
        r.controlPersist = value
        break
      case 'sessiontype': {
        const v = value.toLowerCase()
        if (v === 'none') r.noCommand = true
        else if (v === 'subsystem') r.subsystem = true
        break
      }
      case 'forkafterauthentication':
        if (isYes(value)) r.background = true
        break
      case 'clearallforwardings':
        r.clearAllForwardings = isYes(value)
        break
    }
  }

  const applyArgOpt = (c: string, arg: string): void => {
    switch (c) {
      case 'l':
        setUser(arg)
        break
      case 'p':
        setPortText(arg)
        break
      case 'J':
        if (jumpSeen) {
          r.valid = false // "Only a single -J option is permitted"
          break
        }
        jumpSeen = true
        r.jump = noneToNull(arg)
        break
      case 'S':
        sPath = arg
        break
      case 'O':
        r.controlCommand = arg
        r.isControlCommand = true
        break
      case 'Q':
        r.isQueryOnly = true
        break
      case 'L':
      case 'R':
      case 'D':
        r.forwards.push(parseForward(c, arg))
        break
      case 'W':
        r.stdioForward = arg
        break
      case 'w':
        r.tunnelDevice = arg
        break
      case 'F':
        r.configFile = arg
        break
      case 'o':
        applyOption(arg)
        break
      default:
        break // b c e i m B E I P: irrelevant here
    }
  }

  const applyFlag = (c: string): void => {
    switch (c) {
      case 'N':
        r.noCommand = true
        break
      case 's':
        r.subsystem = true
        break
      case 'f':
        r.background = true
        break
      case 'M':
        mCount++
        break
      case 'G':
      case 'V':
        r.isQueryOnly = true
        break
      default:
        break
    }
  }

  const setDestination = (dest: string): void => {
    r.destination = dest
    const d = parseSshDestination(dest)
    if (!d) {
      r.valid = false
      return
    }
    r.host = d.host
    setUser(d.user)
    setPort(d.port)
  }

  let terminated = false
  let i = 1
  while (i < argv.length) {
    const a = argv[i] ?? ''
    if (!terminated && a === '--') {
      terminated = true
      i++
      continue
    }
    if (!terminated && a.length > 1 && a.startsWith('-')) {
      // one getopt word: bundled flags, possibly ending in an option with its argument
      let j = 1
      while (j < a.length) {
        const c = a.charAt(j)
        if (ARG_OPTS.has(c)) {
          let arg: string | undefined = a.slice(j + 1)
          if (arg === '') {
            i++
            arg = argv[i]
          }
          if (arg === undefined) r.valid = false
          else applyArgOpt(c, arg)
          break
        }
        if (FLAG_OPTS.has(c)) applyFlag(c)
        else r.valid = false
        j++
      }
      i++
      continue
    }
    if (r.destination === null) {
      setDestination(a)
      i++
      if (terminated) {
        r.command = argv.slice(i)
        break
      }
      continue // ssh restarts getopt after the destination
    }
    r.command = argv.slice(i)
    break
  }

  if (mCount === 1) r.controlMaster = 'yes'
  else if (mCount > 1) r.controlMaster = 'ask'
  r.controlPath = noneToNull(sPath ?? options.get('controlpath') ?? null)
  if (r.jump !== null) r.jumpHosts = parseJumpSpec(r.jump)
  const tunnel = options.get('tunnel')
  if (r.tunnelDevice === null && tunnel !== undefined && tunnel.toLowerCase() !== 'no') {
    r.tunnelDevice = options.get('tunneldevice') ?? 'any:any'
  }
  r.options = options
  return r
}
