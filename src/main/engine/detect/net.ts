// Small address helpers shared by the detectors.

/** A TCP/UDP port from text: digits only, 1..65535, else null. */
export function parsePort(text: string | undefined | null): number | null {
  if (text === undefined || text === null || text === '' || text.length > 5) return null
  let n = 0
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c < 48 || c > 57) return null
    n = n * 10 + (c - 48)
  }
  return n >= 1 && n <= 65535 ? n : null
}

function countChar(s: string, ch: string): number {
  let n = 0
  for (const c of s) if (c === ch) n++
  return n
}

/**
 * "host", "host:port", "[v6]", "[v6]:port", or a bare IPv6 address (two or more colons, no
 * brackets: all of it is the host). The host comes back without brackets; port null when absent
 * or not a valid port.
 */
export function splitHostPort(text: string): { host: string; port: number | null } {
  if (text.startsWith('[')) {
    const close = text.indexOf(']')
    if (close > 0) {
      const host = text.slice(1, close)
      const rest = text.slice(close + 1)
      return { host, port: rest.startsWith(':') ? parsePort(rest.slice(1)) : null }
    }
  }
  const colons = countChar(text, ':')
  if (colons === 1) {
    const i = text.indexOf(':')
    return { host: text.slice(0, i), port: parsePort(text.slice(i + 1)) }
  }
  return { host: text, port: null }
}

function parseIpv4(s: string): number[] | null {
  const parts = s.split('.')
  if (parts.length !== 4) return null
  const out: number[] = []
  for (const p of parts) {
    if (p === '' || p.length > 3) return null
    const n = Number(p)
    if (!Number.isInteger(n) || n < 0 || n > 255) return null
    out.push(n)
  }
  return out
}

function isHex(s: string): boolean {
  if (s === '' || s.length > 4) return false
  for (const c of s.toLowerCase()) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false
  }
  return true
}

/** The 8 groups of an IPv6 address, or null when it is not one. */
function parseIpv6(s: string): number[] | null {
  let text = s
  const lastColon = text.lastIndexOf(':')
  if (lastColon >= 0 && text.slice(lastColon + 1).includes('.')) {
    // embedded IPv4 tail ("::ffff:10.0.0.1"): rewrite it as two hex groups
    const v4 = parseIpv4(text.slice(lastColon + 1))
    if (!v4) return null
    const hi = (((v4[0] ?? 0) << 8) | (v4[1] ?? 0)).toString(16)
    const lo = (((v4[2] ?? 0) << 8) | (v4[3] ?? 0)).toString(16)
    text = `${text.slice(0, lastColon + 1)}${hi}:${lo}`
  }
  const toGroups = (part: string): number[] | null => {
    if (part === '') return []
    const out: number[] = []
    for (const g of part.split(':')) {
      if (!isHex(g)) return null
      out.push(parseInt(g, 16))
    }
    return out
  }
  const dbl = text.indexOf('::')
  if (dbl < 0) {
    const all = toGroups(text)
    return all?.length === 8 ? all : null
  }
  if (dbl !== text.lastIndexOf('::')) return null
  const head = toGroups(text.slice(0, dbl))
  const rest = toGroups(text.slice(dbl + 2))
  if (!head || !rest) return null
  const fill = 8 - head.length - rest.length
  if (fill < 1) return null
  return [...head, ...new Array<number>(fill).fill(0), ...rest]
}

/**
 * Canonical text of an address, for comparisons: lower case, no brackets, no zone index,
 * IPv4-mapped IPv6 ("::ffff:10.0.0.1") as plain IPv4, IPv6 in RFC 5952 compressed form.
 * Anything that is not an IP address comes back trimmed and lower-cased.
 */
export function normalizeAddress(address: string): string {
  let s = address.trim().toLowerCase()
  if (s.startsWith('[') && s.endsWith(']')) s = s.slice(1, -1)
  const pct = s.indexOf('%')
  if (pct >= 0) s = s.slice(0, pct)
  if (!s.includes(':')) return s
  const g = parseIpv6(s)
  if (!g) return s
  if (g[0] === 0 && g[1] === 0 && g[2] === 0 && g[3] === 0 && g[4] === 0 && g[5] === 0xffff) {
    const a = g[6] ?? 0
    const b = g[7] ?? 0
    return `${a >> 8}.${a & 255}.${b >> 8}.${b & 255}`
  }
  // longest run of zero groups (length >= 2), first one on ties
  let bestStart = -1
  let bestLen = 0
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) {
      i++
      continue
    }
    let j = i
    while (j < 8 && g[j] === 0) j++
    if (j - i > bestLen) {
      bestStart = i
      bestLen = j - i
    }
    i = j
  }
  const hex = g.map((n) => n.toString(16))
  if (bestLen < 2) return hex.join(':')
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`
}

/** True for an IPv4 or IPv6 literal (brackets allowed). */
export function isIpLiteral(text: string): boolean {
  let s = text
  if (s.startsWith('[') && s.endsWith(']')) s = s.slice(1, -1)
  if (s.includes(':')) return parseIpv6(s.split('%')[0] ?? '') !== null
  return parseIpv4(s) !== null
}
