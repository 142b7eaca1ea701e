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

function emptySshArgs(): SshArgs {
  return {
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
}

/** One command line being read: the result and what ssh.c keeps beside it until the end. */
class SshArgvReader {
  readonly r = emptySshArgs()
  private readonly options = new Map<string, string>()
  /** -S: the last one wins and beats -o ControlPath */
  private sPath: string | null = null
  private mCount = 0
  private jumpSeen = false

  private setUser(u: string | null): void {
    if (this.r.user === null && u !== null && u !== '') this.r.user = u
  }

  private setPort(p: number | null): void {
    if (this.r.port === null && p !== null) this.r.port = p
  }

  /** -p and Port: a port ssh would refuse makes the whole command invalid */
  private setPortText(text: string): void {
    const p = parsePort(text)
    if (p === null) this.r.valid = false
    this.setPort(p)
  }

  /** -o KEY=VALUE (readconf.c process_config_line: first value wins, forwards accumulate) */
  applyOption(line: string): void {
    const r = this.r
    const kv = parseSshConfigOption(line)
    if (!kv) {
      r.valid = false
      return
    }
    const { key, value } = kv
    const forward = CONFIG_FORWARDS[key]
    if (forward !== undefined) {
      r.forwards.push(parseConfigForward(forward, value))
      return
    }
    if (this.options.has(key)) return // first obtained value wins
    this.options.set(key, value)
    switch (key) {
      case 'user':
        this.setUser(value)
        return
      case 'port':
        this.setPortText(value)
        return
      case 'hostname':
        r.hostName = value
        return
      case 'proxyjump':
        this.setJump(value)
        return
      case 'proxycommand':
        r.proxyCommand = noneToNull(value)
        return
      case 'controlmaster':
        r.controlMaster = parseControlMaster(value)
        return
      case 'controlpersist':
        r.controlPersist = value
        return
      case 'sessiontype': {
        const v = value.toLowerCase()
        if (v === 'none') r.noCommand = true
        else if (v === 'subsystem') r.subsystem = true
        return
      }
      case 'forkafterauthentication':
        if (isYes(value)) r.background = true
        return
      case 'clearallforwardings':
        r.clearAllForwardings = isYes(value)
        return
      default:
        return // controlpath is resolved at the end (-S wins); the rest do not matter here
    }
  }

  private setJump(value: string): void {
    if (this.jumpSeen) return
    this.jumpSeen = true
    this.r.jump = noneToNull(value)
  }

  /** An option with its argument (ssh.c main's getopt switch). */
  applyArgOpt(c: string, arg: string): void {
    const r = this.r
    switch (c) {
      case 'l':
        this.setUser(arg)
        return
      case 'p':
        this.setPortText(arg)
        return
      case 'J':
        if (this.jumpSeen)
          r.valid = false // "Only a single -J option is permitted"
        else this.setJump(arg)
        return
      case 'S':
        this.sPath = arg
        return
      case 'O':
        r.controlCommand = arg
        r.isControlCommand = true
        return
      case 'Q':
        r.isQueryOnly = true
        return
      case 'L':
      case 'R':
      case 'D':
        r.forwards.push(parseForward(c, arg))
        return
      case 'W':
        r.stdioForward = arg
        return
      case 'w':
        r.tunnelDevice = arg
        return
      case 'F':
        r.configFile = arg
        return
      case 'o':
        this.applyOption(arg)
        return
      default:
        return // b c e i m B E I P: irrelevant here
    }
  }

  applyFlag(c: string): void {
    const r = this.r
    if (c === 'N') r.noCommand = true
    else if (c === 's') r.subsystem = true
    else if (c === 'f') r.background = true
    else if (c === 'M') this.mCount++
    else if (c === 'G' || c === 'V') r.isQueryOnly = true
  }

  setDestination(dest: string): void {
    this.r.destination = dest
    const d = parseSshDestination(dest)
    if (!d) {
      this.r.valid = false
      return
    }
    this.r.host = d.host
    this.setUser(d.user)
    this.setPort(d.port)
  }

  /** One getopt word: bundled flags, possibly ending in an option with its argument. */
  readOptionWord(argv: readonly string[], i: number): number {
    const a = argv[i] ?? ''
    for (let j = 1; j < a.length; j++) {
      const c = a.charAt(j)
      if (ARG_OPTS.has(c)) {
        const attached = a.slice(j + 1)
        const arg = attached !== '' ? attached : argv[++i]
        if (arg === undefined) this.r.valid = false
        else this.applyArgOpt(c, arg)
        break
      }
      if (FLAG_OPTS.has(c)) this.applyFlag(c)
      else this.r.valid = false
    }
    return i + 1
  }

  /** What is settled only once every option is read (ssh.c after its getopt loops). */
  finish(): SshArgs {
    const r = this.r
    if (this.mCount === 1) r.controlMaster = 'yes'
    else if (this.mCount > 1) r.controlMaster = 'ask'
    r.controlPath = noneToNull(this.sPath ?? this.options.get('controlpath') ?? null)
    if (r.jump !== null) r.jumpHosts = parseJumpSpec(r.jump)
    const tunnel = this.options.get('tunnel')
    if (r.tunnelDevice === null && tunnel !== undefined && tunnel.toLowerCase() !== 'no') {
      r.tunnelDevice = this.options.get('tunneldevice') ?? 'any:any'
    }
    r.options = this.options
    return r
  }
}

const CONFIG_FORWARDS: Readonly<Record<string, SshForwardKind>> = {
  localforward: 'L',
  remoteforward: 'R',
  dynamicforward: 'D',
}

/** Parse an ssh command line (argv[0] is the program and is skipped). */
export function parseSshArgs(argv: readonly string[]): SshArgs {
  const reader = new SshArgvReader()
  let terminated = false
  let i = 1
  while (i < argv.length) {
    const a = argv[i] ?? ''
    if (!terminated && a === '--') {
      terminated = true
      i++
    } else if (!terminated && a.length > 1 && a.startsWith('-')) {
      i = reader.readOptionWord(argv, i)
    } else if (reader.r.destination === null) {
      reader.setDestination(a)
      i++
      // ssh restarts getopt after the destination (ssh.c "goto again"), unless after "--"
      if (terminated) {
        reader.r.command = argv.slice(i)
        break
      }
    } else {
      reader.r.command = argv.slice(i)
      break
    }
  }
  return reader.finish()
}
