// Host and port text of command lines (ssh, PuTTY, mosh, RDP clients). IP address text itself
// (canonical form, zones, loopback) is probe/addr.ts, shared with the probe.

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
