// OpenSSH ssh(1) command-line parser: pure, no config files (ports by service name read
// /etc/services once, as getservbyname does: ssh-port.ts).
//
// It follows ssh.c (OpenSSH 9.x) exactly where it matters for naming and classifying, and
// tests/process/ssh-oracle.test.ts holds it to the installed `ssh -G`:
// - getopt with optstring "1246ab:c:e:fgi:kl:m:no:p:qstvxAB:CD:E:F:GI:J:KL:MNO:P:Q:R:S:TVw:W:XYy":
//   options taking an argument are BbcDEeFIiJLlmOoPpQRSWw; flags may be bundled (-vNT); an
//   argument may be attached (-p2222, -oPort=22) or the next word (-p 2222).
// - The destination is the first non-option argument. ssh then restarts getopt after it, so
//   options placed after the destination still count ("ssh host -p 2222 uptime"); the first
//   non-option after the destination starts the remote command. "--" ends option parsing
//   (after "--" the destination is taken and everything else is the command).
// - readconf.c's rule: the first obtained value wins (-l, -o User=, user@ share one slot; -p,
//   -o Port=, ssh://…:port share one; a later -p is not even checked, a later -o Port is).
//   -S always replaces ControlPath; -M makes ControlMaster yes, or ask when it already is yes.
// - Forwards are kept once each (add_local_forward), and none are left after ClearAllForwardings
//   or -W (readconf.c fill_default_options); -W and -N mean no shell.
// - Ports are a2port's (misc.c): "0002222", "http"; destinations, URIs, -J hops and forwards are
//   read as ssh does in ssh-spec.ts.
import {
  parseJumpSpec,
  parseSshDestination,
  readForward,
  readStdioForward,
  validRemoteUser,
  type KeyedForward,
  type SshForward,
  type SshForwardKind,
  type SshHop,
} from './ssh-spec'
import { sshPort } from './ssh-port'
import { isIpLiteral } from '../probe/addr'

export { parseJumpSpec, parseSshDestination, parseSshUri } from './ssh-spec'
export type { SshForward, SshForwardKind, SshHop } from './ssh-spec'

/**
 * Options that take an argument (ssh.c optstring). -P is one since OpenSSH 9.4 (a tag); in the
 * installed 9.2 it is a deprecated flag. Newer clients are what users run, so it is read as taking
 * an argument; the oracle test does not generate it.
 */
const ARG_OPTS = new Set('BbcDEeFIiJLlmOoPpQRSWw')
/** Options that do not. */
const FLAG_OPTS = new Set('1246AaCfGgKkMNnqsTtVvXxYy')

/**
 * Does this ssh option word take the next word as its argument? ("-F" yes, "-Fcfg" and "-vN"
 * no, "-vF" yes): getopt with ssh.c's option string, for callers that only need to skip ssh
 * options (mosh's --ssh command).
 */
export function sshOptionTakesNextWord(word: string): boolean {
  for (let j = 1; j < word.length; j++) {
    const c = word.charAt(j)
    if (ARG_OPTS.has(c)) return j === word.length - 1
    if (!FLAG_OPTS.has(c)) return false
  }
  return false
}

export type SshControlMaster = 'yes' | 'no' | 'ask' | 'auto' | 'autoask'

export interface SshArgs {
  /** the destination argument as typed ("alice@web1", "ssh://bob@host:2222", "prod") */
  destination: string | null
  /** host part of the destination: alias or name or address, no user, no port, no brackets */
  host: string | null
  /** first of -l, -o User, user@ / URI user */
  user: string | null
  /** first of -p, -o Port, URI port */
  port: number | null
  /** -o HostName (kept for information; never used for naming) */
  hostName: string | null
  /** -J / -o ProxyJump as given; null when absent or "none" */
  jump: string | null
  jumpHosts: SshHop[]
  /** -o ProxyCommand; null when absent or "none" */
  proxyCommand: string | null
  /** -S / -o ControlPath (may hold %-tokens and ~); null when absent or "none" */
  controlPath: string | null
  controlMaster: SshControlMaster | null
  controlPersist: string | null
  /** -L/-R/-D and LocalForward/RemoteForward/DynamicForward, in order */
  forwards: SshForward[]
  /** -w / -o Tunnel device forwarding ("local[:remote]") */
  tunnelDevice: string | null
  /** -W host:port (stdio forwarding: the ProxyJump helper shape) */
  stdioForward: string | null
  /** -N or SessionType=none */
  noCommand: boolean
  /** -s or SessionType=subsystem */
  subsystem: boolean
  /** -f or ForkAfterAuthentication=yes */
  background: boolean
  /** -o ClearAllForwardings=yes (scp/sftp children pass it) */
  clearAllForwardings: boolean
  /** -F */
  configFile: string | null
  /** the remote command words (after the destination) */
  command: string[]
  /** -O ctl_cmd (check, forward, cancel, exit, stop, proxy) */
  controlCommand: string | null
  /** any -O: talks to a master and exits, never a session */
  isControlCommand: boolean
  /** -G, -V or -Q: prints and exits, never a session */
  isQueryOnly: boolean
  /** every -o keyword (lower case) with its first value */
  options: ReadonlyMap<string, string>
  /** false when ssh would refuse the command line (unknown option, missing argument, bad port) */
  valid: boolean
}

function isYes(v: string): boolean {
  const s = v.toLowerCase()
  return s === 'yes' || s === 'true'
}

function noneToNull(v: string | null): string | null {
  return v === null || v.toLowerCase() === 'none' ? null : v
}

export function parseControlMaster(v: string): SshControlMaster | null {
  switch (v.toLowerCase()) {
    case 'yes':
    case 'true':
      return 'yes'
    case 'no':
    case 'false':
      return 'no'
    case 'ask':
      return 'ask'
    case 'auto':
      return 'auto'
    case 'autoask':
      return 'autoask'
    default:
      return null
  }
}

/**
 * One ssh_config line as -o takes it: "Key=Value", "Key Value", "Key = Value", value optionally
 * double-quoted. Keyword lower-cased; null when there is no keyword.
 */
export function parseSshConfigOption(line: string): { key: string; value: string } | null {
  const s = line.trim()
  let i = 0
  while (i < s.length && s[i] !== '=' && s[i] !== ' ' && s[i] !== '\t') i++
  const key = s.slice(0, i).toLowerCase()
  if (key === '') return null
  while (i < s.length && (s[i] === ' ' || s[i] === '\t')) i++
  if (s[i] === '=') i++
  let value = s.slice(i).trim()
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1)
  return { key, value }
}

function emptySshArgs(): SshArgs {
  return {
    destination: null,
    host: null,
    user: null,
    port: null,
    hostName: null,
    jump: null,
    jumpHosts: [],
    proxyCommand: null,
    controlPath: null,
    controlMaster: null,
    controlPersist: null,
    forwards: [],
    tunnelDevice: null,
    stdioForward: null,
    noCommand: false,
    subsystem: false,
    background: false,
    clearAllForwardings: false,
    configFile: null,
    command: [],
    controlCommand: null,
    isControlCommand: false,
    isQueryOnly: false,
    options: new Map(),
    valid: true,
  }
}

/** misc.c argv_split: an -o value's words, with "…" / '…' quoting and \-escapes. null: bad quotes. */
export function splitConfigWords(s: string): string[] | null {
  const out: string[] = []
  let i = 0
  while (i < s.length) {
    if (s[i] === ' ' || s[i] === '\t') {
      i++
      continue
    }
    if (s[i] === '#') break
    let word = ''
    let quote = ''
    for (; i < s.length; i++) {
      const c = s.charAt(i)
      const next = s.charAt(i + 1)
      if (c === '\\' && (next === "'" || next === '"' || next === '\\' || (quote === '' && next === ' '))) {
        word += next
        i++
      } else if (quote === '' && (c === ' ' || c === '\t')) break
      else if (quote === '' && (c === '"' || c === "'")) quote = c
      else if (quote !== '' && c === quote) quote = ''
      else word += c
    }
    if (quote !== '') return null
    out.push(word)
  }
  return out
}

/** The text after an -o keyword and its separator (readconf.c strdelim: spaces, one '='). */
function configRest(line: string, key: string): string {
  const s = line.replace(/^\s+/, '').slice(key.length)
  return s.replace(/^[ \t]*=?[ \t]*/, '')
}

type SessionType = 'none' | 'subsystem' | 'default'

/** Keywords whose value is exactly one word (readconf.c: "extra arguments at end of line"). */
const ONE_WORD = new Set([
  'user',
  'port',
  'hostname',
  'controlpath',
  'controlmaster',
  'controlpersist',
  'sessiontype',
  'clearallforwardings',
  'forkafterauthentication',
])

/** One command line being read: the result and what ssh.c keeps beside it until the end. */
class SshArgvReader {
  readonly r = emptySshArgs()
  private readonly options = new Map<string, string>()
  /** options.control_path: -S replaces it, -o ControlPath only fills it */
  private controlPath: string | null = null
  /** options.proxy_command: "none" once a jump is set, so a later ProxyCommand is ignored */
  private proxyCommand: string | null = null
  private jumpSet = false
  private sessionType: SessionType | null = null
  private clearAll: boolean | null = null
  /** in argv order; the key tells local (-L, -D) from remote lists as ssh keeps them */
  private readonly forwards: KeyedForward[] = []

  private setUser(u: string | null): void {
    if (this.r.user === null && u !== null && u !== '') this.r.user = u
  }

  private setPort(p: number | null): void {
    if (this.r.port === null && p !== null) this.r.port = p
  }

  /** ssh.c -N / -s / -W and SessionType: -N and -s refuse each other. */
  private setSessionType(t: SessionType, checked: boolean): void {
    if (checked && this.sessionType !== null && this.sessionType !== t) this.r.valid = false
    this.sessionType = t
  }

  /** readconf.c add_local_forward / add_remote_forward: a forward given twice is kept once. */
  private addForward(kind: SshForwardKind, spec: string): void {
    const f = readForward(kind, spec)
    if (f === null) {
      this.r.valid = false
      return
    }
    if (!this.forwards.some((g) => g.key === f.key)) this.forwards.push(f)
  }

  /** readconf.c parse_jump, from -J (`fromFlag`) or ProxyJump. */
  private setJump(value: string, fromFlag: boolean): void {
    if (fromFlag && (this.jumpSet || this.proxyCommand !== null)) {
      this.r.valid = false // "Only a single -J option" / "Cannot specify -J with ProxyCommand"
      return
    }
    const hops = parseJumpSpec(value)
    if (hops === null) {
      this.r.valid = false
      return
    }
    if (this.jumpSet || this.proxyCommand !== null) return // inactive: checked only
    this.jumpSet = true
    if (hops.length === 0) return // "none"
    this.proxyCommand = 'none'
    this.r.jump = value
    this.r.jumpHosts = hops
  }

  /** A LocalForward / RemoteForward / DynamicForward value: "[bind:]port [host:hostport]". */
  private configForward(kind: SshForwardKind, words: readonly string[]): void {
    const [a, b] = words
    if (a === undefined || a === '' || words.length > 2) {
      this.r.valid = false
      return
    }
    if (kind === 'D' || b === undefined) {
      if (kind === 'L')
        this.r.valid = false // "Missing target argument"
      else this.addForward(kind, a)
    } else this.addForward(kind, `${a}:${b}`)
  }

  /** -o KEY=VALUE (readconf.c process_config_line: first value wins, forwards accumulate) */
  applyOption(line: string): void {
    const kv = parseSshConfigOption(line)
    const rest = kv ? configRest(line, kv.key) : ''
    const words = splitConfigWords(rest)
    if (!kv || rest === '' || words === null || words.length === 0) {
      this.r.valid = false // "no argument after keyword", "invalid quotes"
      return
    }
    const { key, value } = kv
    if (ONE_WORD.has(key) && words.length > 1) {
      this.r.valid = false
      return
    }
    const forward = CONFIG_FORWARDS[key]
    if (forward !== undefined) {
      this.configForward(forward, words)
      return
    }
    if (key === 'proxyjump') {
      this.setJump(rest, false)
      return
    }
    if (key === 'port' && sshPort(words[0] ?? '') === null) {
      this.r.valid = false // checked before "first value wins"
      return
    }
    if (key === 'controlmaster' && parseControlMaster(value) === null) {
      this.r.valid = false
      return
    }
    if (this.options.has(key)) return // first obtained value wins
    this.options.set(key, value)
    this.applyFirstOption(key, words[0] ?? '', rest)
  }

  private applyFirstOption(key: string, word: string, rest: string): void {
    const r = this.r
    switch (key) {
      case 'user': {
        this.setUser(word)
        return
      }
      case 'port': {
        this.setPort(sshPort(word))
        return
      }
      case 'hostname':
        r.hostName = word
        return
      case 'proxycommand':
        if (!this.jumpSet) this.proxyCommand ??= rest // ignored once ProxyJump is set
        return
      case 'controlmaster':
        r.controlMaster ??= parseControlMaster(word)
        return
      case 'controlpath':
        this.controlPath ??= word
        return
      case 'controlpersist':
        r.controlPersist = word
        return
      case 'sessiontype': {
        const t = word.toLowerCase()
        if (t === 'none' || t === 'subsystem' || t === 'default') this.sessionType ??= t
        else r.valid = false
        return
      }
      case 'forkafterauthentication':
        if (isYes(word)) r.background = true
        return
      case 'clearallforwardings':
        this.clearAll = isYes(word)
        return
      default:
        return // the rest do not matter here
    }
  }

  /** An option with its argument (ssh.c main's getopt switch). */
  applyArgOpt(c: string, arg: string): void {
    const r = this.r
    switch (c) {
      case 'l': {
        this.setUser(arg)
        return
      }
      case 'p':
        // only the first -p is read at all: "-p 22 -p 0" is port 22, "-p 0" alone is refused
        if (r.port === null) {
          const p = sshPort(arg)
          if (p === null) r.valid = false
          this.setPort(p)
        }
        return
      case 'J': {
        this.setJump(arg, true)
        return
      }
      case 'S':
        this.controlPath = arg
        return
      case 'O':
        if (r.stdioForward !== null || r.isControlCommand || !CONTROL_COMMANDS.has(arg)) r.valid = false
        r.controlCommand = arg
        r.isControlCommand = true
        return
      case 'Q':
        r.isQueryOnly = true
        return
      case 'L':
      case 'R':
      case 'D': {
        this.addForward(c, arg)
        return
      }
      case 'W':
        if (r.stdioForward !== null || r.isControlCommand || !readStdioForward(arg)) r.valid = false
        r.stdioForward = arg
        {
          this.setSessionType('none', false)
          return
        }
      case 'w':
        r.tunnelDevice = arg
        return
      case 'F':
        r.configFile = arg
        return
      case 'o': {
        this.applyOption(arg)
        return
      }
      default:
        return // b c e i m B E I P: irrelevant here
    }
  }

  applyFlag(c: string): void {
    const r = this.r
    if (c === 'N') this.setSessionType('none', true)
    else if (c === 's') this.setSessionType('subsystem', true)
    else if (c === 'f') r.background = true
    else if (c === 'M') r.controlMaster = r.controlMaster === 'yes' ? 'ask' : 'yes'
    else if (c === 'G' || c === 'V') r.isQueryOnly = true
  }

  setDestination(dest: string): void {
    this.r.destination = dest
    const d = parseSshDestination(dest)
    if (!d) {
      this.r.valid = false
      return
    }
    this.r.host = d.host
    this.setUser(d.user)
    this.setPort(d.port)
  }

  /** One getopt word: bundled flags, possibly ending in an option with its argument. */
  readOptionWord(argv: readonly string[], i: number): number {
    const a = argv[i] ?? ''
    for (let j = 1; j < a.length; j++) {
      const c = a.charAt(j)
      if (ARG_OPTS.has(c)) {
        const attached = a.slice(j + 1)
        const arg = attached !== '' ? attached : argv[++i]
        if (arg === undefined) this.r.valid = false
        else this.applyArgOpt(c, arg)
        break
      }
      if (FLAG_OPTS.has(c)) this.applyFlag(c)
      else this.r.valid = false
    }
    return i + 1
  }

  /** What is settled only once every option is read (ssh.c after its getopt loops). */
  finish(): SshArgs {
    const r = this.r
    r.controlPath = noneToNull(this.controlPath)
    r.proxyCommand = r.jump === null ? noneToNull(this.proxyCommand) : null
    r.noCommand = this.sessionType === 'none'
    r.subsystem = this.sessionType === 'subsystem'
    // readconf.c fill_default_options: -W clears forwards unless ClearAllForwardings says no
    r.clearAllForwardings = this.clearAll ?? r.stdioForward !== null
    r.forwards = r.clearAllForwardings ? [] : this.forwards.map((f) => f.forward)
    const tunnel = this.options.get('tunnel')
    if (r.tunnelDevice === null && tunnel !== undefined && tunnel.toLowerCase() !== 'no') {
      r.tunnelDevice = this.options.get('tunneldevice') ?? 'any:any'
    }
    r.options = this.options
    if (r.destination === null ? !r.isQueryOnly : this.refusedAfterOptions()) r.valid = false
    return r
  }

  /** ssh.c main's checks once the command line is read (-F /dev/null: no config file's say). */
  private refusedAfterOptions(): boolean {
    const r = this.r
    const hasCommand = r.command.join(' ') !== ''
    const remoteCommand = noneToNull(this.options.get('remotecommand') ?? null) !== null
    if (r.subsystem && r.command.length === 0) return true // "You must specify a subsystem"
    if (r.user !== null && !validRemoteUser(r.user)) return true
    if (hasCommand && remoteCommand) return true // "Cannot execute command-line and remote command"
    // "Cannot fork into background without a command to execute"
    if (r.background && !hasCommand && !remoteCommand && !r.noCommand) return true
    return this.isJumpLoop()
  }

  /**
   * ssh.c "jumphost loop": the last jump hop is the destination itself (the last hop; same host after HostName,
   * port and user). A hop without a user uses the session's; when neither names one both are the
   * local user, which this pure parser cannot know, so a hop user beside no session user is no loop.
   */
  private isJumpLoop(): boolean {
    const r = this.r
    const hop = r.jumpHosts[r.jumpHosts.length - 1] // the hop ssh connects through last
    if (hop === undefined || r.host === null) return false
    const name = r.hostName !== null ? r.hostName.replace(/%h/g, r.host) : r.host
    const target = isIpLiteral(name) ? name : name.toLowerCase()
    const hopUser = hop.user ?? r.user
    return hop.host === target && (hop.port ?? 22) === (r.port ?? 22) && hopUser === r.user
  }
}

const CONTROL_COMMANDS: ReadonlySet<string> = new Set(['check', 'forward', 'exit', 'stop', 'cancel', 'proxy'])

const CONFIG_FORWARDS: Readonly<Record<string, SshForwardKind>> = {
  localforward: 'L',
  remoteforward: 'R',
  dynamicforward: 'D',
}

/**
 * A -L/-R/-D specification, leniently: PuTTY's tools take the same syntax. Ports and hosts as
 * ssh reads them; a specification ssh would refuse keeps only its kind and text.
 */
export function parseForward(kind: SshForwardKind, spec: string): SshForward {
  return (
    readForward(kind, spec)?.forward ?? { kind, spec, listenPort: null, targetPort: null, targetHost: null }
  )
}

/** Parse an ssh command line (argv[0] is the program and is skipped). */
export function parseSshArgs(argv: readonly string[]): SshArgs {
  const reader = new SshArgvReader()
  let terminated = false
  let i = 1
  while (i < argv.length) {
    const a = argv[i] ?? ''
    if (!terminated && a === '--') {
      terminated = true
      i++
    } else if (!terminated && a.length > 1 && a.startsWith('-')) {
      i = reader.readOptionWord(argv, i)
    } else if (reader.r.destination === null) {
      reader.setDestination(a)
      i++
      // ssh restarts getopt after the destination (ssh.c "goto again"), unless after "--"
      if (terminated) {
        reader.r.command = argv.slice(i)
        break
      }
    } else {
      reader.r.command = argv.slice(i)
      break
    }
  }
  return reader.finish()
}
