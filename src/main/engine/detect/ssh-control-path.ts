// ControlPath matching: does an ssh use the control socket of a master? A client's ControlPath
// (often a template like ~/.ssh/cm-%r@%h:%p, TOKENS in ssh_config(5)) is matched against the
// master's: the expanded path in its "ssh: PATH [mux]" proctitle (ssh.c control_persist_detach
// sets it when a ControlPersist master goes to the background), or the master's own template.
// Tokens that cannot be known here (%C, %d, %L, %u, ~, ${ENV}) match any text.
import { parsePort } from './net'
import type { SshRec } from './ssh-rec'
import type { SshArgs } from './ssh-args'

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
export function controlPathMatches(c: SshArgs, m: SshRec, strict: boolean): boolean {
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
