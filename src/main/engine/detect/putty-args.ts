// PuTTY-family command lines (putty, plink, pscp, psftp), after PuTTY's cmdline.c.
// Options are whole words ("-pw", never bundled); the first non-option argument is the host
// ("[user@]host", plink also "proto,host"); putty's second one is the port; plink's rest is the
// remote command; pscp's remote argument is "[user@]host:path".
import { parsePort, splitHostPort } from './net'
import { parseForward, type SshForward, type SshForwardKind } from './ssh-args'

export type PuttyTool = 'putty' | 'plink' | 'pscp' | 'psftp'

export interface PuttyArgs {
  tool: PuttyTool
  /** host as typed (or the -load session name when no host is given) */
  host: string | null
  user: string | null
  port: number | null
  /** -load session */
  session: string | null
  /** false for -telnet/-rlogin/-raw/-serial/-supdup or a "telnet:" host: not SSH */
  ssh: boolean
  /** -L/-R/-D, same spec grammar as OpenSSH's */
  forwards: SshForward[]
  /** -N */
  noShell: boolean
  /** -nc host:port (plink as a proxy) */
  nc: string | null
}

const COMMON_WITH_ARG = new Set([
  '-load',
  '-l',
  '-loghost',
  '-hostkey',
  '-L',
  '-R',
  '-D',
  '-nc',
  '-m',
  '-P',
  '-pw',
  '-pwfile',
  '-i',
  '-cert',
  '-sercfg',
  '-sessionlog',
  '-sshlog',
  '-sshrawlog',
  '-proxycmd',
])
/** X11 options of the Unix putty window (pterm-style), all with an argument. */
const PUTTY_GUI_WITH_ARG = new Set([
  '-geometry',
  '-fn',
  '-fb',
  '-fw',
  '-fwb',
  '-fg',
  '-bg',
  '-bfg',
  '-bbg',
  '-cfg',
  '-cbg',
  '-sl',
  '-T',
  '-title',
  '-name',
  '-class',
  '-log',
  '-display',
  '-xrm',
])
const NON_SSH = new Set(['-telnet', '-rlogin', '-raw', '-serial', '-supdup'])

function withArg(tool: PuttyTool, opt: string): boolean {
  if (COMMON_WITH_ARG.has(opt)) return true
  if (tool === 'putty') return PUTTY_GUI_WITH_ARG.has(opt)
  if (tool === 'psftp') return opt === '-b' // batch file; -bc and -be are flags
  return false
}

function splitUser(text: string): { user: string | null; rest: string } {
  const at = text.lastIndexOf('@')
  return at > 0 ? { user: text.slice(0, at), rest: text.slice(at + 1) } : { user: null, rest: text }
}

/** pscp's remote file argument "[user@]host:path" → user and host; null for local paths. */
function parseRemoteSpec(arg: string): { user: string | null; host: string } | null {
  let colon: number
  if (arg.startsWith('[') || arg.includes('@[')) {
    const close = arg.indexOf(']')
    colon = close >= 0 ? arg.indexOf(':', close) : -1
  } else colon = arg.indexOf(':')
  if (colon <= 0) return null
  if (colon === 1 && (arg[2] === '\\' || arg[2] === '/')) return null // C:\file
  const { user, rest } = splitUser(arg.slice(0, colon))
  const host = rest.startsWith('[') && rest.endsWith(']') ? rest.slice(1, -1) : rest
  return host === '' ? null : { user, host }
}

/** What the command line says besides the result, settled at the end. */
interface PuttyScan {
  r: PuttyArgs
  explicitUser: string | null
  explicitPort: number | null
  hostUser: string | null
  sawHost: boolean
}

/** An option word (and its argument, when it takes one); returns the index of the next word. */
function readOption(s: PuttyScan, argv: readonly string[], i: number): number {
  const a = argv[i] ?? ''
  const r = s.r
  if (NON_SSH.has(a)) r.ssh = false
  else if (a === '-ssh' || a === '-ssh-connection') r.ssh = true
  else if (a === '-N') r.noShell = true
  else if (a !== '--' && withArg(s.r.tool, a)) {
    const v = argv[i + 1]
    if (v === undefined) return argv.length
    if (a === '-load') r.session ??= v
    else if (a === '-l') s.explicitUser ??= v
    else if (a === '-P') s.explicitPort ??= parsePort(v)
    else if (a === '-L' || a === '-R' || a === '-D')
      r.forwards.push(parseForward(a.charAt(1) as SshForwardKind, v))
    else if (a === '-nc') r.nc = v
    return i + 2
  }
  return i + 1
}

/** The host word: "[user@]host[:port]", plink's "proto,host", "telnet:host" (PuTTY's cmdline.c). */
function readHost(s: PuttyScan, word: string): void {
  const r = s.r
  let text = word
  if (text.startsWith('telnet:')) {
    r.ssh = false
    text = text.slice(text.startsWith('telnet://') ? 9 : 7)
  } else if (r.tool === 'plink') {
    const comma = text.indexOf(',')
    if (comma > 0) {
      if (text.slice(0, comma).toLowerCase() !== 'ssh') r.ssh = false
      text = text.slice(comma + 1)
    }
  }
  const { user, rest } = splitUser(text)
  s.hostUser = user
  const hp = splitHostPort(rest)
  r.host = hp.host === '' ? null : hp.host
}

/** A word that is no option; false when the rest is plink's remote command. */
function readWord(s: PuttyScan, word: string): boolean {
  const r = s.r
  if (r.tool === 'pscp') {
    const remote = parseRemoteSpec(word)
    if (remote && r.host === null) {
      r.host = remote.host
      s.hostUser = remote.user
    }
  } else if (!s.sawHost) {
    s.sawHost = true
    readHost(s, word)
  } else if (r.tool === 'putty' && s.explicitPort === null) {
    s.explicitPort = parsePort(word) // "putty host 2222"
  } else if (r.tool === 'plink') return false
  return true
}

export function parsePuttyArgs(tool: PuttyTool, argv: readonly string[]): PuttyArgs {
  const r: PuttyArgs = {
    tool,
    host: null,
    user: null,
    port: null,
    session: null,
    ssh: true,
    forwards: [],
    noShell: false,
    nc: null,
  }
  const s: PuttyScan = { r, explicitUser: null, explicitPort: null, hostUser: null, sawHost: false }
  for (let i = 1; i < argv.length;) {
    const a = argv[i] ?? ''
    if (a.length > 1 && a.startsWith('-')) i = readOption(s, argv, i)
    else if (readWord(s, a)) i++
    else break
  }
  r.user = s.explicitUser ?? s.hostUser
  r.port = s.explicitPort
  if (r.host === null && r.session !== null) r.host = r.session
  return r
}
