// IP address text: the one canonical form every source is brought to before two addresses are
// compared (ss, lsof, netstat and PowerShell output, /proc/net/tcp6, ssh command lines, URL hosts,
// DNS answers). Used by the probe (socket tables) and by detection (ssh forwards, web hosts).
//
// The form:
// - IPv4 as a plain dotted quad; IPv4-mapped IPv6 (::ffff:a.b.c.d, in any spelling) as that
//   IPv4 address: a dual-stack socket to 10.0.0.1 is the same peer as 10.0.0.1.
// - IPv6 as glibc's inet_ntop prints it (lower case, longest run of zero groups compressed, which
//   is RFC 5952's form but for the deprecated IPv4-compatible ::a.b.c.d): what ss prints, and what
//   formatIPv6 gives for /proc/net/tcp6, so every probe path agrees.
// - No brackets, no port.
// - A zone (`%eth0`, `%12`) is kept on link-local and link/interface-local multicast addresses
//   only: there it tells which link the peer is on (RFC 4007 section 6: fe80::1%eth0 and
//   fe80::1%eth1 may be two hosts). On an IPv4 address (ss prints `%dev` for a socket bound to a
//   device) or a global IPv6 address it names no different peer and is dropped. The zone text is
//   kept as written: Linux interface names are case-sensitive.
// - Anything that is not an IP literal (a host name, `*`) comes back trimmed and lower-cased
//   (host names are case-insensitive, RFC 4343), without a `%…` suffix.
import type { SocketInfo } from './types'

export interface Endpoint {
  address: string
  port: number
}

/** Names that always mean this machine (glibc's /etc/hosts defaults on Debian). */
const LOOPBACK_NAMES = new Set(['localhost', 'ip6-localhost', 'ip6-loopback'])

/** A strict dotted quad; leading zeros are refused (inet_aton would read them as octal). */
function parseIPv4(s: string): number[] | null {
  const out: number[] = []
  let n = 0
  let digits = 0
  for (let i = 0; i <= s.length; i++) {
    const c = i < s.length ? s.charCodeAt(i) : 46 // a final '.' ends the last part
    if (c === 46) {
      if (digits === 0 || out.length === 4) return null
      out.push(n)
      n = 0
      digits = 0
    } else if (c >= 48 && c <= 57) {
      if (digits > 0 && n === 0) return null // leading zero
      n = n * 10 + (c - 48)
      if (++digits > 3 || n > 255) return null
    } else return null
  }
  return out.length === 4 ? out : null
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48
  const l = c | 0x20 // ASCII lower case
  return l >= 97 && l <= 102 ? l - 87 : -1
}

/** "1:ab:0" → [1, 0xab, 0]; null when a group is empty, too long or not hex. */
function hexGroups(part: string): number[] | null {
  if (part === '') return []
  const out: number[] = []
  let n = 0
  let digits = 0
  for (let i = 0; i <= part.length; i++) {
    const c = i < part.length ? part.charCodeAt(i) : 58 // a final ':' ends the last group
    if (c === 58) {
      if (digits === 0) return null
      out.push(n)
      n = 0
      digits = 0
      continue
    }
    const v = hexValue(c)
    if (v < 0 || ++digits > 4) return null
    n = n * 16 + v
  }
  return out
}

/** The 8 16-bit groups of an IPv6 address (RFC 4291 section 2.2 text forms), or null. */
function parseIPv6(s: string): number[] | null {
  let text = s
  const lastColon = text.lastIndexOf(':')
  if (lastColon >= 0 && text.includes('.', lastColon)) {
    // an embedded IPv4 tail ("::ffff:10.0.0.1"): the last two groups
    const v4 = parseIPv4(text.slice(lastColon + 1))
    if (!v4) return null
    const [a = 0, b = 0, c = 0, d = 0] = v4
    text = `${text.slice(0, lastColon + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`
  }
  const dbl = text.indexOf('::')
  if (dbl < 0) {
    const all = hexGroups(text)
    return all?.length === 8 ? all : null
  }
  if (dbl !== text.lastIndexOf('::')) return null
  const head = hexGroups(text.slice(0, dbl))
  const tail = hexGroups(text.slice(dbl + 2))
  if (!head || !tail) return null
  const fill = 8 - head.length - tail.length
  if (fill < 1) return null
  return [...head, ...new Array<number>(fill).fill(0), ...tail]
}

/** Link-local unicast fe80::/10, or multicast of interface- or link-local scope (RFC 4291 2.7). */
function isZoned(first: number): boolean {
  return (first & 0xffc0) === 0xfe80 || ((first & 0xff00) === 0xff00 && (first & 0xf) <= 2)
}

interface ParsedIp {
  /** canonical text without zone */
  address: string
  /** the zone when it matters (see the head of this file), else '' */
  zone: string
}

function parseIp(text: string): ParsedIp | null {
  let s = text.trim()
  if (s.startsWith('[') && s.endsWith(']')) s = s.slice(1, -1)
  const pct = s.indexOf('%')
  const bare = pct >= 0 ? s.slice(0, pct) : s
  const zone = pct >= 0 ? s.slice(pct + 1) : ''
  if (!bare.includes(':')) {
    const v4 = parseIPv4(bare)
    return v4 ? { address: v4.join('.'), zone: '' } : null
  }
  const words = parseIPv6(bare)
  if (!words) return null
  return { address: formatWords(words), zone: isZoned(words[0] ?? 0) ? zone : '' }
}

/**
 * Canonical texts already computed. The probe normalises both ends of every socket on every
 * snapshot, and the same few addresses come back each time: a lookup is cheaper than a parse.
 */
const memo = new Map<string, string>()
const MEMO_LIMIT = 4096

/** The canonical text of an address (see the head of this file); host names lower-cased. */
export function normalizeAddress(text: string): string {
  let out = memo.get(text)
  if (out === undefined) {
    out = canonical(text)
    if (memo.size >= MEMO_LIMIT) memo.clear()
    memo.set(text, out)
  }
  return out
}

function canonical(text: string): string {
  const ip = parseIp(text)
  if (ip) return ip.zone === '' ? ip.address : `${ip.address}%${ip.zone}`
  const s = text.trim().toLowerCase()
  const pct = s.indexOf('%')
  return pct >= 0 ? s.slice(0, pct) : s
}

/** True for an IPv4 or IPv6 literal (brackets and a zone allowed). */
export function isIpLiteral(text: string): boolean {
  return parseIp(text) !== null
}

/** The address without its zone ("fe80::1%eth0" → "fe80::1"). */
export function withoutZone(address: string): string {
  const pct = address.indexOf('%')
  return pct >= 0 ? address.slice(0, pct) : address
}

/**
 * Same peer? Equal canonical text, or equal but for a zone only one side knows: /proc/net/tcp6
 * has no scope id, nor has a URL host, so "fe80::1" matches "fe80::1%eth0" (never "%eth1").
 */
export function sameAddress(a: string, b: string): boolean {
  const x = normalizeAddress(a)
  const y = normalizeAddress(b)
  if (x === y) return true
  if (x.includes('%') && y.includes('%')) return false
  return withoutZone(x) === withoutZone(y)
}

/** 127.0.0.0/8, ::1 (also mapped or bracketed), or a name that always means this machine. */
export function isLoopback(host: string): boolean {
  const a = normalizeAddress(host)
  return a === '::1' || LOOPBACK_NAMES.has(a) || (a.startsWith('127.') && parseIPv4(a) !== null)
}

/**
 * Splits `host:port` as the socket tools print it: `1.2.3.4:22`, `[::1]:22`, `[fe80::1]%eth0:22` (ss),
 * `[fe80::1%4]:22` (netstat, lsof), and the bracketless IPv6 `::1:22` of old ss versions.
 * `*` as a port (a listening socket) gives port 0. Returns null when the text is no endpoint.
 */
export function parseEndpoint(text: string): Endpoint | null {
  let host: string
  let portText: string
  if (text.startsWith('[')) {
    const close = text.indexOf(']')
    if (close < 0) return null
    host = text.slice(1, close)
    const after = text.slice(close + 1)
    const colon = after.lastIndexOf(':')
    if (colon < 0) return null
    // ss puts the zone after the bracket: [fe80::1]%eth0:22
    if (after.startsWith('%') && !host.includes('%')) host = `${host}${after.slice(0, colon)}`
    portText = after.slice(colon + 1)
  } else {
    const colon = text.lastIndexOf(':')
    if (colon <= 0) return null
    host = text.slice(0, colon)
    portText = text.slice(colon + 1)
  }
  const port = portText === '*' ? 0 : Number(portText)
  if (!Number.isInteger(port) || port < 0 || port > 65535 || portText === '') return null
  return { address: normalizeAddress(host), port }
}

/** IPv6 text for 16 bytes, exactly as glibc's inet_ntop prints it (so /proc/net matches ss). */
export function formatIPv6(bytes: Uint8Array): string {
  const words: number[] = []
  for (let i = 0; i < 16; i += 2) words.push(((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0))
  return formatWords(words)
}

/** The 8 groups of an IPv6 address as inet_ntop prints them (IPv4-mapped as plain IPv4). */
function formatWords(words: readonly number[]): string {
  // longest run of zero words (at least two), the first one on a tie
  let bestBase = -1
  let bestLen = 0
  let curBase = -1
  let curLen = 0
  for (let i = 0; i < 8; i++) {
    if (words[i] === 0) {
      if (curBase < 0) {
        curBase = i
        curLen = 1
      } else curLen++
      if (curLen > bestLen) {
        bestBase = curBase
        bestLen = curLen
      }
    } else curBase = -1
  }
  if (bestLen < 2) bestBase = -1
  const hi = words[6] ?? 0
  const lo = words[7] ?? 0
  const v4 = (): string => `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`
  // IPv4-mapped: the caller wants plain IPv4, as normalizeAddress gives for ss's text
  if (bestBase === 0 && bestLen === 5 && words[5] === 0xffff) return v4()
  let out = ''
  for (let i = 0; i < 8; i++) {
    if (bestBase >= 0 && i >= bestBase && i < bestBase + bestLen) {
      if (i === bestBase) out += ':'
      continue
    }
    if (i > 0) out += ':'
    // IPv4-compatible (::a.b.c.d), as inet_ntop prints it
    if (i === 6 && bestBase === 0 && bestLen === 6) {
      out += v4()
      break
    }
    out += (words[i] ?? 0).toString(16)
  }
  if (bestBase >= 0 && bestBase + bestLen === 8) out += ':'
  return out
}

/**
 * An address from /proc/net/tcp{,6}: the kernel prints the raw in-memory words as hex, each
 * 32-bit word in host byte order (little endian on x86 and arm).
 */
export function procNetHexToAddress(hex: string, littleEndian = true): string | null {
  if (hex.length !== 8 && hex.length !== 32) return null
  const bytes = new Uint8Array(hex.length / 2)
  for (let w = 0; w < hex.length / 8; w++) {
    for (let b = 0; b < 4; b++) {
      const src = littleEndian ? 3 - b : b
      const byte = Number.parseInt(hex.slice(w * 8 + src * 2, w * 8 + src * 2 + 2), 16)
      if (Number.isNaN(byte)) return null
      bytes[w * 4 + b] = byte
    }
  }
  if (bytes.length === 4) return `${bytes[0] ?? 0}.${bytes[1] ?? 0}.${bytes[2] ?? 0}.${bytes[3] ?? 0}`
  return formatIPv6(bytes)
}

/** Key of one connection, for merging rows of the same socket held by several processes. */
export function connectionKey(local: Endpoint, remote: Endpoint): string {
  return `${local.address}|${local.port}|${remote.address}|${remote.port}`
}

/**
 * Collects connections by their endpoints: a connection listed once per owning process (shared
 * after fork) becomes one SocketInfo with every owner.
 */
export class SocketCollector {
  readonly sockets: SocketInfo[] = []
  private readonly byKey = new Map<string, SocketInfo>()

  add(pid: number, local: Endpoint, remote: Endpoint): void {
    const key = connectionKey(local, remote)
    const prev = this.byKey.get(key)
    if (prev !== undefined) {
      if (!prev.pids.includes(pid)) prev.pids.push(pid)
      return
    }
    const s: SocketInfo = {
      pids: [pid],
      localAddress: local.address,
      localPort: local.port,
      remoteAddress: remote.address,
      remotePort: remote.port,
    }
    this.byKey.set(key, s)
    this.sockets.push(s)
  }
}
