// Port text as OpenSSH reads it: a2port() in misc.c. A number 0..65535 through strtonum (which is
// strtoll in base 10: leading white space, a sign and leading zeros are fine, "0002222" is 2222),
// else a TCP service name through getservbyname(3) ("http" is 80, "ssh" 22). Callers refuse 0
// where ssh does (-p, Port, a URI's port; a forward's listen port unless remote).
import { readFileSync } from 'node:fs'

/** getservbyname's answers when /etc/services cannot be read (a minimal container). */
const FALLBACK_SERVICES: ReadonlyMap<string, number> = new Map([
  ['ssh', 22],
  ['http', 80],
  ['https', 443],
])

let services: ReadonlyMap<string, number> | null = null

/**
 * The TCP services of an /etc/services text: name and aliases → port, the first line naming one
 * wins (glibc's files backend scans in order and compares case-sensitively).
 */
export function parseServices(text: string): Map<string, number> {
  const out = new Map<string, number>()
  for (const raw of text.split('\n')) {
    const hash = raw.indexOf('#')
    const words = (hash >= 0 ? raw.slice(0, hash) : raw).split(/\s+/).filter((w) => w !== '')
    const [name, portProto, ...aliases] = words
    if (name === undefined || portProto === undefined) continue
    const slash = portProto.indexOf('/')
    if (slash < 0 || portProto.slice(slash + 1) !== 'tcp') continue
    const port = Number(portProto.slice(0, slash))
    if (!Number.isInteger(port) || port < 0 || port > 65535) continue
    for (const n of [name, ...aliases]) if (!out.has(n)) out.set(n, port)
  }
  return out
}

/** /etc/services, read once on first use (getservbyname's "files" source on Linux). */
function tcpServices(): ReadonlyMap<string, number> {
  if (services === null) {
    try {
      services = parseServices(readFileSync('/etc/services', 'utf8'))
    } catch {
      services = FALLBACK_SERVICES
    }
  }
  return services
}

const STRTONUM = /^[\t\n\v\f\r ]*([+-]?)(\d+)$/

/** OpenSSH's a2port: the port, or -1 when the text is neither a number 0..65535 nor a service. */
export function a2port(text: string): number {
  const m = STRTONUM.exec(text)
  if (m !== null) {
    const digits = (m[2] ?? '').replace(/^0+(?=\d)/, '')
    const v = digits.length > 5 ? Infinity : Number(digits)
    if (v === 0) return 0 // "-0" too
    if (m[1] !== '-' && v <= 65535) return v
    return -1 // out of range: strtonum fails and getservbyname never sees digits
  }
  return tcpServices().get(text) ?? -1
}

/** a2port for a port ssh requires to be positive: null when it would say "Bad port". */
export function sshPort(text: string): number | null {
  const p = a2port(text)
  return p > 0 ? p : null
}
