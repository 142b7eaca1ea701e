// PuTTY-family command lines (putty, plink, pscp, psftp), after PuTTY's cmdline.c.
// Options are whole words ("-pw", never bundled); the first non-option argument is the host
// ("[user@]host", plink also "proto,host"); putty's second one is the port; plink's rest is the
// remote command; pscp's remote argument is "[user@]host:path".
import { parsePort, splitHostPort } from './net'
import { parseForward, type SshForward } from './ssh-args'

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
  let explicitUser: string | null = null
  let explicitPort: number | null = null
  let hostUser: string | null = null
  let sawHost = false
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i] ?? ''
    if (a.length > 1 && a.startsWith('-')) {
      if (a === '--') continue
      if (NON_SSH.has(a)) {
        r.ssh = false
        continue
      }
      if (a === '-ssh' || a === '-ssh-connection') {
        r.ssh = true
        continue
      }
      if (a === '-N') {
        r.noShell = true
        continue
      }
      if (withArg(tool, a)) {
        const v = argv[i + 1]
        i++
        if (v === undefined) break
        switch (a) {
          case '-load':
            r.session ??= v
            break
          case '-l':
            explicitUser ??= v
            break
          case '-P':
            explicitPort ??= parsePort(v)
            break
          case '-L':
            r.forwards.push(parseForward('L', v))
            break
          case '-R':
            r.forwards.push(parseForward('R', v))
            break
          case '-D':
            r.forwards.push(parseForward('D', v))
            break
          case '-nc':
            r.nc = v
            break
        }
      }
      continue
    }
    if (tool === 'pscp') {
      const remote = parseRemoteSpec(a)
      if (remote && r.host === null) {
        r.host = remote.host
        hostUser = remote.user
      }
      continue
    }
    if (!sawHost) {
      sawHost = true
      let text = a
      if (text.startsWith('telnet:')) {
        r.ssh = false
        text = text.slice(text.startsWith('telnet://') ? 9 : 7)
      } else if (tool === 'plink') {
        const comma = text.indexOf(',')
        if (comma > 0) {
          if (text.slice(0, comma).toLowerCase() !== 'ssh') r.ssh = false
          text = text.slice(comma + 1)
        }
      }
      const { user, rest } = splitUser(text)
      hostUser = user
      const hp = splitHostPort(rest)
      r.host = hp.host === '' ? null : hp.host
      continue
    }
    if (tool === 'putty' && explicitPort === null) {
      explicitPort = parsePort(a) // "putty host 2222"
      continue
    }
    if (tool === 'plink') break // the remote command
  }
  r.user = explicitUser ?? hostUser
  r.port = explicitPort
  if (r.host === null && r.session !== null) r.host = r.session
  return r
}
