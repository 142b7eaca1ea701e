// The OpenSSH processes of a snapshot as the ssh detector sees them, and the session it builds
// from them. Shared by ssh.ts (the detector), ssh-holders.ts (who holds each connection) and
// ssh-mux.ts (ControlMaster sharing).
import type { SessionFlag } from '@shared/model'
import type { ProcessInfo, SocketInfo } from '../probe/types'
import type { DetectContext } from './types'
import { muxMasterPath, trimArgv } from './proc-name'
import { parseControlMaster, parseSshArgs, type SshArgs } from './ssh-args'

/** Parents that run ssh for a file transfer (or a mount): the session is theirs. */
export const TRANSFER_PARENTS: ReadonlySet<string> = new Set(['scp', 'sftp', 'rsync', 'sshfs'])
/** Parents that supervise (and would restart) their ssh: ending must end them. */
export const SUPERVISOR_PARENTS: ReadonlySet<string> = new Set(['autossh'])
/** ProxyCommand helpers that may own the TCP socket of an ssh session. */
export const PROXY_TOOLS: ReadonlySet<string> = new Set([
  'nc',
  'ncat',
  'netcat',
  'nc.openbsd',
  'nc.traditional',
  'socat',
  'connect',
  'connect-proxy',
  'corkscrew',
  'proxytunnel',
  'cloudflared',
  'session-manager-plugin',
  'websocat',
])
/** Every program the OpenSSH detector reads: ssh, its transfer/supervisor parents, proxy helpers. */
export const OPENSSH_PROGRAMS: readonly string[] = [
  'ssh',
  ...TRANSFER_PARENTS,
  ...SUPERVISOR_PARENTS,
  ...PROXY_TOOLS,
]

export interface SshRec {
  p: ProcessInfo
  /** null for a background master proctitle */
  args: SshArgs | null
  /** control path of a "ssh: PATH [mux]" proctitle */
  muxPath: string | null
  /** -G/-V/-Q/-O: never part of a session */
  excluded: boolean
  /** tunnel per ssh_config (`ssh -G`): null when not resolved */
  configTunnel: boolean | null
  /** forwards per ssh_config (`ssh -G`): null when not resolved */
  configForwards: number | null
}

/** One ssh session being assembled. */
export interface SshBuilder {
  root: ProcessInfo
  client: string
  /** the ssh whose command line names the session (after climbing the ProxyJump chain) */
  top: SshRec
  members: Map<number, ProcessInfo>
  sockets: SocketInfo[]
  /** processes owning the connection to the (first) server: ProxyJump helpers */
  jumpHolders: Set<number>
  flags: Set<SessionFlag>
  /** ssh processes sharing the master's connection (ControlPersist creator, mux clients) */
  muxClients: SshRec[]
}

export function makeRec(p: ProcessInfo, sshConfig: DetectContext['sshConfig']): SshRec {
  const muxPath = muxMasterPath(p.argv)
  if (muxPath !== null)
    return { p, args: null, muxPath, excluded: false, configTunnel: null, configForwards: null }
  let args = parseSshArgs(trimArgv(p.argv))
  const found = sshConfig?.get(p.pid)
  const cfg = found?.startTime === p.startTime ? found : undefined
  if (cfg && args.controlPath === null && cfg.controlPath !== null) {
    // ControlMaster/ControlPath from ssh_config: argv alone does not show them
    args = {
      ...args,
      controlPath: cfg.controlPath,
      controlMaster: args.controlMaster ?? parseControlMaster(cfg.controlMaster ?? ''),
    }
  }
  const configTunnel = cfg?.forwards === undefined ? null : cfg.forwards > 0 || cfg.tunnel === true
  const configForwards = cfg?.forwards ?? null
  return {
    p,
    args,
    muxPath: null,
    excluded: args.isQueryOnly || args.isControlCommand,
    configTunnel,
    configForwards,
  }
}

/** ControlMaster yes/ask/auto/autoask with a ControlPath: this ssh offers its connection. */
export function isMasterByArgs(a: SshArgs | null): boolean {
  if (a?.controlPath == null) return false
  const m = a.controlMaster
  return m === 'yes' || m === 'ask' || m === 'auto' || m === 'autoask'
}

export function hasNamingArgs(r: SshRec): r is SshRec & { args: SshArgs } {
  return r.args?.destination != null
}
