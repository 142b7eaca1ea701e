import type { ResourceType, SessionFlag } from '@shared/model'
import type { ProcessInfo, Snapshot, SocketInfo } from '../probe/types'

/** A configured web resource (SSH and RDP sessions are found without configuration). */
export interface WebResource {
  id: number
  name: string
  url: string
}

/** Resolved hosts of the web resources: host name -> addresses (done off the scan loop). */
export type ResolvedHosts = ReadonlyMap<string, readonly string[]>

export interface DetectContext {
  snapshot: Snapshot
  webResources: readonly WebResource[]
  resolved: ResolvedHosts
  /** pids of browser processes Session Warden launched itself, with the resource they were launched for */
  launched: ReadonlyMap<number, number>
  /** our own pid: never a session */
  selfPid: number
  /**
   * ssh options that come from ssh_config rather than argv (`ssh -G`, resolved beside the scan
   * loop), by pid. Only ControlMaster/ControlPath matter here: without them a master set up in
   * ~/.ssh/config could not be told from a plain connection, nor its clients attached to it.
   */
  sshConfig?: ReadonlyMap<number, SshEffectiveConfig>
}

export interface SshEffectiveConfig {
  /** the process start time the config was resolved for (a reused pid must not inherit it) */
  startTime: number
  /** expanded control path, null when none */
  controlPath: string | null
  controlMaster: string | null
}

/** One candidate session found in a snapshot, before tracking. */
export interface Detected {
  /** stable within a process's life: e.g. "ssh:1234:1700000000000" or "web:5678:170…:resource-3" */
  key: string
  resourceType: ResourceType
  resourceName: string
  host: string
  user: string | null
  client: string
  /** the process the user started: the one to end (its tree is ended with it) */
  root: ProcessInfo
  /** processes of this session besides root (ProxyJump child, sftp's ssh, mux clients, browser children) */
  members: ProcessInfo[]
  /** the session's own established connections (at least one) */
  sockets: SocketInfo[]
  remoteAddress: string
  remotePort: number
  localAddress: string
  flags: SessionFlag[]
  endable: boolean
  /** the web resource it belongs to */
  resourceId: number | null
}

export interface Detector {
  readonly type: ResourceType
  detect(ctx: DetectContext): Detected[]
}
