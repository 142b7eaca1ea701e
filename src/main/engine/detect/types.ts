import type { ResourceType, SessionFlag } from '@shared/model'
import type { ProcessInfo, Snapshot, SocketInfo } from '../probe/types'
import type { SnapshotIndex } from './snapshot-index'
import type { RemminaProfiles } from './remmina'

/** A configured web resource (SSH and RDP sessions are found without configuration). */
export interface WebResource {
  id: number
  name: string
  url: string
}

/** Resolved hosts of the web resources: host name -> addresses (done off the scan loop). */
export type ResolvedHosts = ReadonlyMap<string, readonly string[]>

/** What the detectors need besides the snapshot: configuration and facts resolved off the scan loop. */
export interface DetectContext {
  webResources: readonly WebResource[]
  resolved: ResolvedHosts
  /** pids of browser processes Session Warden launched itself, with the resource they were launched for */
  launched: ReadonlyMap<number, number>
  /** our own pid: never a session */
  selfPid: number
  /**
   * ssh options that come from ssh_config rather than argv (`ssh -G`, resolved beside the scan
   * loop), by pid: without ControlMaster/ControlPath a master set up in ~/.ssh/config could not
   * be told from a plain connection, nor its clients attached to it; without the forwards an
   * `ssh -N host` could not be told a tunnel (LocalForward in ~/.ssh/config) from a bare link.
   */
  sshConfig?: ReadonlyMap<number, SshEffectiveConfig>
  /** Remmina profiles (name, user, server only), read beside the scan loop: detect/remmina.ts */
  remmina?: RemminaProfiles
}

/** One snapshot and its context: what detectAll is given each tick. */
export interface DetectInput extends DetectContext {
  snapshot: Snapshot
}

/** Every detector: candidate sessions of one indexed snapshot, ordered by root pid. Pure. */
export type Detect = (index: SnapshotIndex, context: DetectContext) => Detected[]

export interface SshEffectiveConfig {
  /** the process start time the config was resolved for (a reused pid must not inherit it) */
  startTime: number
  /** expanded control path, null when none */
  controlPath: string | null
  controlMaster: string | null
  /**
   * LocalForward + RemoteForward + DynamicForward lines `ssh -G` printed (argv's -L/-R/-D
   * included, none after ClearAllForwardings: readconf.c fill_default_options clears them);
   * undefined when not resolved.
   */
  forwards?: number
  /** Tunnel (-w) is on: `ssh -G` printed a tunnel mode other than "false" */
  tunnel?: boolean
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
