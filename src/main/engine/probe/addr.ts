// Address text shared by every platform's socket parser. All sources end up in one form:
// IPv4 dotted quad, IPv4-mapped IPv6 reduced to IPv4, IPv6 in inet_ntop's canonical text
// without brackets, and an IPv6 zone kept as `%zone` (fe80::1%eth0). A zone on an IPv4 address
// (ss prints `%dev` for sockets bound to a device) is dropped: it is not part of the address.
import type { SocketInfo } from './types'

export interface Endpoint {
  address: string
  port: number
}

const MAPPED_V4 = /^::ffff:(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})$/i

/** Normalises a host as printed by ss, lsof, netstat or PowerShell (no brackets, optional %zone). */
export function normalizeAddress(host: string): string {
  const pct = host.indexOf('%')
  const bare = pct >= 0 ? host.slice(0, pct) : host
  const zone = pct >= 0 ? host.slice(pct + 1) : ''
  if (!bare.includes(':')) return bare
  const lower = bare.toLowerCase()
  const mapped = MAPPED_V4.exec(lower)
  if (mapped?.[1] !== undefined) return mapped[1]
  return zone === '' ? lower : `${lower}%${zone}`
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
  const v4 = (): string => `${bytes[12] ?? 0}.${bytes[13] ?? 0}.${bytes[14] ?? 0}.${bytes[15] ?? 0}`
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
