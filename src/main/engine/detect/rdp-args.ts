// RDP client command lines: FreeRDP (/v:host[:port] /port:N /u:user, "+flag"/"-flag" toggles,
// an optional .rdp file), mstsc/msrdc (/v:host[:port], .rdp file), rdesktop (getopt, host[:port]),
// Remmina (-c file.remmina | -c rdp://[user@]host[:port]).
import { baseName, normalizeProgram } from './proc-name'
import { parsePort, splitHostPort } from './net'

export interface RdpArgs {
  /** server as typed, without port or brackets; null when the command line does not say */
  host: string | null
  port: number | null
  user: string | null
  /** a .rdp / .remmina file named on the command line */
  file: string | null
  /** the name the command line gives the connection: host, else the file's base name */
  name: string | null
}

function empty(): RdpArgs {
  return { host: null, port: null, user: null, file: null, name: null }
}

function fileLabel(path: string): string {
  const b = baseName(path)
  const dot = b.lastIndexOf('.')
  return dot > 0 ? b.slice(0, dot) : b
}

function finish(r: RdpArgs): RdpArgs {
  r.name = r.host ?? (r.file !== null ? fileLabel(r.file) : null)
  return r
}

/**
 * "/key:value" → [key lower-cased, value]; "/key" → [key, null]. Null when the word is a path
 * ("/home/u/x.rdp": a key never holds '/' or '\').
 */
function slashOption(a: string): [string, string | null] | null {
  if (!a.startsWith('/')) return null
  const colon = a.indexOf(':')
  const key = (colon >= 0 ? a.slice(1, colon) : a.slice(1)).toLowerCase()
  if (key === '' || key.includes('/') || key.includes('\\')) return null
  return [key, colon >= 0 ? a.slice(colon + 1) : null]
}

/** xfreerdp / xfreerdp3 / wlfreerdp / sdl-freerdp / wfreerdp, and mstsc / msrdc. */
export function parseSlashRdpArgs(argv: readonly string[]): RdpArgs {
  const r = empty()
  let explicitPort: number | null = null
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i] ?? ''
    const opt = slashOption(a)
    if (opt) {
      const [key, value] = opt
      if (value === null) continue
      if (key === 'v') {
        const hp = splitHostPort(value)
        if (hp.host !== '') {
          r.host = hp.host
          r.port = hp.port
        }
      } else if (key === 'port') explicitPort = parsePort(value)
      else if (key === 'u') r.user = value
      continue
    }
    if (a.startsWith('+') || a.startsWith('-')) continue // toggles, legacy switches
    if (a.toLowerCase().endsWith('.rdp')) r.file ??= a
  }
  if (explicitPort !== null) r.port = explicitPort
  return finish(r)
}

/** rdesktop 1.9 getopt: "A:V:u:L:d:s:c:p:n:k:g:o:fbBeEitmMzCDKS:T:NX:a:x:Pr:045vh?" (glibc permutes). */
const RDESKTOP_WITH_ARG = new Set('AVuLdscpnkgoSTXaxr')

export function parseRdesktopArgs(argv: readonly string[]): RdpArgs {
  const r = empty()
  let terminated = false
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i] ?? ''
    if (!terminated && a === '--') {
      terminated = true
      continue
    }
    if (!terminated && a.length > 1 && a.startsWith('-')) {
      for (let j = 1; j < a.length; j++) {
        const c = a.charAt(j)
        if (RDESKTOP_WITH_ARG.has(c)) {
          let v: string | undefined = a.slice(j + 1)
          if (v === '') {
            i++
            v = argv[i]
          }
          if (c === 'u' && v !== undefined) r.user = v
          break
        }
      }
      continue
    }
    if (r.host === null) {
      const hp = splitHostPort(a)
      if (hp.host !== '') {
        r.host = hp.host
        r.port = hp.port
      }
    }
  }
  return finish(r)
}

/** "rdp://[user[:password]@]host[:port][/…]" */
export function parseRdpUri(uri: string): RdpArgs | null {
  const lower = uri.toLowerCase()
  if (!lower.startsWith('rdp://')) return null
  let rest = uri.slice('rdp://'.length)
  const slash = rest.indexOf('/')
  if (slash >= 0) rest = rest.slice(0, slash)
  const r = empty()
  const at = rest.lastIndexOf('@')
  if (at >= 0) {
    const userinfo = rest.slice(0, at)
    const colon = userinfo.indexOf(':')
    const user = colon >= 0 ? userinfo.slice(0, colon) : userinfo
    r.user = user === '' ? null : decodeURIComponentSafe(user)
    rest = rest.slice(at + 1)
  }
  const hp = splitHostPort(rest)
  if (hp.host === '') return null
  r.host = hp.host
  r.port = hp.port
  return finish(r)
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s)
  } catch {
    return s
  }
}

/** remmina -c FILE|URI, --connect FILE|URI, --connect=FILE|URI. */
export function parseRemminaArgs(argv: readonly string[]): RdpArgs {
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i] ?? ''
    let target: string | undefined
    if (a === '-c' || a === '--connect') target = argv[++i]
    else if (a.startsWith('--connect=')) target = a.slice('--connect='.length)
    else if (a.startsWith('-c') && a.length > 2 && !a.startsWith('--')) target = a.slice(2)
    if (target === undefined) continue
    const uri = parseRdpUri(target)
    if (uri) return uri
    if (target.includes('://')) continue // vnc://, ssh://: not RDP
    const r = empty()
    r.file = target
    return finish(r)
  }
  return finish(empty())
}

export type RdpClientKind = 'freerdp' | 'mstsc' | 'msrdc' | 'rdesktop' | 'remmina' | 'rdp-app'

const RDP_CLIENTS = new Map<string, RdpClientKind>([
  ['xfreerdp', 'freerdp'],
  ['xfreerdp3', 'freerdp'],
  ['wlfreerdp', 'freerdp'],
  ['wlfreerdp3', 'freerdp'],
  ['sdl-freerdp', 'freerdp'],
  ['sdl-freerdp3', 'freerdp'],
  ['sdl3-freerdp', 'freerdp'],
  ['sdl3-freerdp3', 'freerdp'],
  ['wfreerdp', 'freerdp'],
  ['mstsc', 'mstsc'],
  ['msrdc', 'msrdc'],
  ['rdesktop', 'rdesktop'],
  ['remmina', 'remmina'],
  // macOS "Windows App" (formerly "Microsoft Remote Desktop"): in-process, many other connections
  ['windows app', 'rdp-app'],
  ['microsoft remote desktop', 'rdp-app'],
])

/** Which RDP client a normalized program name is, or null. */
export function rdpClientKind(program: string): RdpClientKind | null {
  return RDP_CLIENTS.get(normalizeProgram(program)) ?? null
}

export const RDP_PROGRAMS: readonly string[] = [...RDP_CLIENTS.keys()]

export function parseRdpArgs(kind: RdpClientKind, argv: readonly string[]): RdpArgs {
  switch (kind) {
    case 'freerdp':
    case 'mstsc':
    case 'msrdc':
      return parseSlashRdpArgs(argv)
    case 'rdesktop':
      return parseRdesktopArgs(argv)
    case 'remmina':
      return parseRemminaArgs(argv)
    case 'rdp-app':
      return parseSlashRdpArgs(argv)
  }
}
