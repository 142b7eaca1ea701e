// The small grammars inside an ssh command line, each as OpenSSH reads it: destinations and
// ssh:// URIs (ssh.c main, misc.c parse_uri), ProxyJump hops (readconf.c parse_jump,
// misc.c parse_user_host_port) and -L/-R/-D/-W specifications (readconf.c parse_forward).
// Checked against the installed client by tests/process/ssh-oracle.test.ts.
import { a2port, sshPort } from './ssh-port'

export type SshForwardKind = 'L' | 'R' | 'D'

export interface SshForward {
  kind: SshForwardKind
  /** the specification as given (-L spec, or the LocalForward value) */
  spec: string
  /** the local port ssh listens on (-L, -D), or the remote listen port (-R, 0 = the server picks); null for sockets */
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

/**
 * ssh_valid_hostname (readconf.c, OpenSSH 9.6; Debian backports it to 9.2p1-2+deb12u*): a
 * command-line host must not start with '-' nor hold shell metacharacters, space or controls.
 */
export function validHostname(s: string): boolean {
  if (s.startsWith('-') || hasControl(s)) return false
  return !/[ \t\n\v\f\r'`"$\\;&<>|(){},]/.test(s) // isspace in the C locale: not U+00A0
}

/** iscntrl(3) in the C locale: 0..31 and 127. */
function hasControl(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c < 32 || c === 127) return true
  }
  return false
}

/** ssh_valid_ruser (readconf.c): the same for a command-line user, a little more lenient. */
export function validRemoteUser(s: string): boolean {
  if (s.startsWith('-') || s.endsWith('\\') || hasControl(s)) return false
  return !/['`";&<>|(){}]|[ \t\n\v\f\r]-/.test(s)
}

/** misc.c valid_domain: what an ssh:// URI's host may be. */
function validDomain(s: string): boolean {
  return /^[A-Za-z0-9]/.test(s) && !s.includes('..') && /^[A-Za-z0-9._-]+$/.test(s)
}

/** misc.c urldecode: '+' is a space, %XX a byte; null when a '%' is not followed by two hex digits. */
function urlDecode(s: string): string | null {
  if (/%(?![0-9A-Fa-f]{2})/.test(s)) return null
  const bytes = s
    .replace(/\+/g, ' ')
    .replace(/%([0-9A-Fa-f]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)))
  return Buffer.from(bytes, 'latin1').toString('utf8')
}

/** misc.c hpdelim2: "[v6]" or up to the first ':' or '/'; null when malformed. */
function hostField(s: string): { host: string; delim: string; rest: string | null } | null {
  let end: number
  if (s.startsWith('[')) {
    end = s.indexOf(']')
    if (end < 0) return null
    end++
  } else {
    end = s.search(/[:/]/)
    if (end < 0) end = s.length
  }
  const delim = s.charAt(end)
  if (delim !== '' && delim !== ':' && delim !== '/') return null
  const raw = s.slice(0, end)
  const host = raw.startsWith('[') && raw.endsWith(']') ? raw.slice(1, -1) : raw
  return { host, delim, rest: delim === '' ? null : s.slice(end + 1) }
}

/**
 * "ssh://[user[;params]@]host[:port][/]" as misc.c parse_uri + readconf.c parse_ssh_uri: the user
 * ends at the FIRST '@' and is url-decoded; the host must be a domain name (so no IPv6 literal);
 * an empty port is no port. null when malformed (ssh prints its usage).
 */
export function parseSshUri(uri: string): SshHop | null {
  if (!uri.startsWith('ssh://')) return null
  let rest = uri.slice('ssh://'.length)
  let user: string | null = null
  const at = rest.indexOf('@')
  if (at >= 0) {
    let u = rest.slice(0, at)
    const semi = u.indexOf(';')
    if (semi >= 0) u = u.slice(0, semi) // connection parameters are ignored
    if (u === '') return null
    user = urlDecode(u)
    if (user === null) return null
    rest = rest.slice(at + 1)
  }
  const f = hostField(rest)
  if (f === null || f.host === '' || !validDomain(f.host)) return null
  let port: number | null = null
  let tail = f.rest ?? ''
  if (f.delim === ':' && tail !== '') {
    const slash = tail.indexOf('/')
    const portText = slash >= 0 ? tail.slice(0, slash) : tail
    tail = slash >= 0 ? tail.slice(slash + 1) : ''
    port = sshPort(portText)
    if (port === null) return null
  }
  if (tail !== '') return null // a path is not allowed
  return { user, host: f.host, port }
}

/** misc.c parse_user_host_port: "[user@]host[:port]", user up to the LAST '@'. */
function parseUserHostPort(s: string): SshHop | null {
  const at = s.lastIndexOf('@')
  if (at === 0) return null
  const f = hostField(at > 0 ? s.slice(at + 1) : s)
  if (f === null || f.delim === '/' || f.host === '') return null
  let port: number | null = null
  if (f.rest !== null && f.rest !== '') {
    port = sshPort(f.rest)
    if (port === null) return null
  }
  return { user: at > 0 ? s.slice(0, at) : null, host: f.host, port }
}

/**
 * A destination argument (ssh.c main): an ssh:// URI, else [user@]host split at the last '@'
 * ("alice@[::1]" is kept as host "::1" for naming; ssh itself keeps the brackets). null when ssh
 * refuses it, including a host or user that fails the command-line character checks.
 */
export function parseSshDestination(dest: string): SshHop | null {
  let hop: SshHop | null
  if (dest.startsWith('ssh://')) hop = parseSshUri(dest)
  else {
    const at = dest.lastIndexOf('@')
    if (at === 0) return null
    let host = at > 0 ? dest.slice(at + 1) : dest
    if (!validHostname(host)) return null
    if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1)
    hop = { user: at > 0 ? dest.slice(0, at) : null, host, port: null }
  }
  if (hop === null || hop.host === '' || !validHostname(hop.host)) return null
  return hop
}

/**
 * A -J / ProxyJump value: comma-separated hops, each "[user@]host[:port]" or an ssh:// URI, or
 * "none" (no hops). Comments ('#') are cut; the installed Debian 9.2 client keeps only the first
 * word ("a b" jumps via "a"), checking each hop's host and user like a destination's. null when
 * ssh refuses it ("Invalid -J argument").
 */
export function parseJumpSpec(value: string): SshHop[] | null {
  const hash = value.indexOf('#')
  const text = hash >= 0 ? value.slice(0, hash) : value
  if (text.toLowerCase() === 'none') return []
  const ws = text.search(/[ \t\n\v\f\r]/)
  const word = ws >= 0 ? text.slice(0, ws) : text
  const hops: SshHop[] = []
  for (const part of word.split(',')) {
    const hop = part.startsWith('ssh://') ? parseSshUri(part) : parseUserHostPort(part)
    if (hop === null || !validHostname(hop.host)) return null
    if (hop.user !== null && !validRemoteUser(hop.user)) return null
    hops.push(hop)
  }
  return hops
}

interface FwdField {
  arg: string
  isPath: boolean
}

/** readconf.c parse_fwd_field: one ':'-separated field, "[...]" literal, '\' escapes. */
function forwardFields(spec: string): FwdField[] | null {
  const out: FwdField[] = []
  let s = spec.replace(/^[ \t\n\v\f\r]+/, '')
  while (s !== '' && out.length < 4) {
    if (s.startsWith('[')) {
      const close = s.indexOf(']')
      if (close < 0) return null
      const after = s.charAt(close + 1)
      if (after !== ':' && after !== '') return null
      const arg = s.slice(1, close)
      out.push({ arg, isPath: arg.includes('/') })
      s = s.slice(close + 2)
      continue
    }
    let arg = ''
    let isPath = false
    let i = 0
    for (; i < s.length && s.charAt(i) !== ':'; i++) {
      let c = s.charAt(i)
      if (c === '\\') {
        if (i + 1 >= s.length) return null
        c = s.charAt(++i)
      }
      if (c === '/') isPath = true
      arg += c
    }
    out.push({ arg, isPath })
    s = s.slice(i + 1)
  }
  return s === '' ? out : null
}

interface ParsedForward {
  listenHost: string | null
  listenPort: number
  listenPath: string | null
  connectHost: string | null
  connectPort: number
  connectPath: string | null
}

const STREAMLOCAL = -2

function forwardShape(f: FwdField[]): ParsedForward | null {
  const none = { listenHost: null, listenPath: null, connectHost: null, connectPath: null }
  const [a, b, c, d] = f
  if (a === undefined) return null
  if (b === undefined) {
    if (a.isPath)
      return { ...none, listenPath: a.arg, listenPort: STREAMLOCAL, connectHost: 'socks', connectPort: 0 }
    return { ...none, listenPort: a2port(a.arg), connectHost: 'socks', connectPort: 0 }
  }
  if (c === undefined) {
    if (a.isPath && b.isPath)
      return {
        ...none,
        listenPath: a.arg,
        listenPort: STREAMLOCAL,
        connectPath: b.arg,
        connectPort: STREAMLOCAL,
      }
    if (b.isPath) return { ...none, listenPort: a2port(a.arg), connectPath: b.arg, connectPort: STREAMLOCAL }
    return { ...none, listenHost: a.arg, listenPort: a2port(b.arg), connectHost: 'socks', connectPort: 0 }
  }
  if (d === undefined) {
    if (a.isPath)
      return {
        ...none,
        listenPath: a.arg,
        listenPort: STREAMLOCAL,
        connectHost: b.arg,
        connectPort: a2port(c.arg),
      }
    if (c.isPath)
      return {
        ...none,
        listenHost: a.arg,
        listenPort: a2port(b.arg),
        connectPath: c.arg,
        connectPort: STREAMLOCAL,
      }
    return { ...none, listenPort: a2port(a.arg), connectHost: b.arg, connectPort: a2port(c.arg) }
  }
  return {
    ...none,
    listenHost: a.arg,
    listenPort: a2port(b.arg),
    connectHost: c.arg,
    connectPort: a2port(d.arg),
  }
}

/** readconf.c parse_forward: the forward, or null where ssh says "Bad … forwarding specification". */
function parseForwardSpec(spec: string, dynamic: boolean, remote: boolean): ParsedForward | null {
  const fields = forwardFields(spec)
  if (fields === null || fields.length === 0) return null
  const fw = forwardShape(fields)
  if (fw === null) return null
  const n = fields.length
  if (dynamic) {
    if (n > 2) return null
  } else {
    if (n < 3 && fw.connectPath === null && fw.listenPath === null) return null
    if (fw.connectPort <= 0 && fw.connectPath === null) return null
  }
  if ((fw.listenPort < 0 && fw.listenPath === null) || (!remote && fw.listenPort === 0)) return null
  return fw
}

/** A forward as ssh keeps it, with the key add_local_forward / add_remote_forward dedupe by. */
export interface KeyedForward {
  forward: SshForward
  /** misc.c forward_equals: same listen and connect host, port and path */
  key: string
}

function toSshForward(kind: SshForwardKind, spec: string, fw: ParsedForward): KeyedForward {
  const port = (p: number): number | null => (p >= 0 ? p : null)
  const remoteTarget = kind === 'R' && fw.connectHost !== null && fw.connectHost !== 'socks'
  const forward: SshForward = {
    kind,
    spec,
    listenPort: port(fw.listenPort),
    targetPort: remoteTarget ? port(fw.connectPort) : null,
    targetHost: remoteTarget ? fw.connectHost : null,
  }
  const key = JSON.stringify([kind === 'R' ? 'R' : 'L', fw])
  return { forward, key }
}

/** A -L/-R/-D argument (ssh.c main): null when ssh refuses it. -R may be a remote dynamic one. */
export function readForward(kind: SshForwardKind, spec: string): KeyedForward | null {
  const fw =
    kind === 'D'
      ? parseForwardSpec(spec, true, false)
      : kind === 'L'
        ? parseForwardSpec(spec, false, false)
        : (parseForwardSpec(spec, false, true) ?? parseForwardSpec(spec, true, true))
  return fw === null ? null : toSshForward(kind, spec, fw)
}

/** A -W argument ("host:port"): null when ssh says "Bad stdio forwarding specification". */
export function readStdioForward(spec: string): boolean {
  const fw = parseForwardSpec(spec, true, false)
  return fw !== null && fw.listenHost !== null
}
