import { detectAll } from './detect'
import type { Detected, WebResource } from './detect/types'
import type { Snapshot, SocketInfo } from './probe/types'
import { SshConfigResolver, type SshG } from './ssh-config'
import { RemminaProfileReader, type RemminaReaderOptions } from './remmina-profiles'

export interface DetectionOptions {
  /** only this user's sessions; null = every user's */
  uid: number | null
  selfPid: number
  sshG?: SshG
  remmina?: RemminaReaderOptions
  /** narrows what this engine tracks (tests scope themselves to their own peers this way) */
  scope?: (d: Detected) => boolean
}

/** What the detectors find in a snapshot, reused while the OS and the inputs stay the same. */
export class Detection {
  private readonly sshConfig: SshConfigResolver
  private readonly remmina: RemminaProfileReader
  private last: { key: string; detected: Detected[] } | null = null

  constructor(private readonly o: DetectionOptions) {
    this.sshConfig = new SshConfigResolver(o.sshG)
    this.remmina = new RemminaProfileReader(o.remmina)
  }

  /** @returns the sessions, and whether they were detected afresh from this snapshot */
  async detect(
    snapshot: Snapshot,
    webResources: readonly WebResource[],
    resolved: ReadonlyMap<string, string[]>,
    launched: ReadonlyMap<number, number>,
  ): Promise<{ detected: Detected[]; fresh: boolean }> {
    const key = `${webResources.map((w) => `${w.id}=${w.url}`).join(',')}|${[...resolved].join(';')}|${[...launched].join(',')}`
    const last = this.last?.key === key ? this.last : null
    // The OS looks exactly as it did last tick: the same sessions; only time has passed.
    if (last !== null && snapshot.unchanged === true) return { detected: last.detected, fresh: false }
    // Only the counters are new (the probe's `ss` every few seconds): the same sessions with this
    // reading of their sockets, without indexing every process again.
    if (last !== null && snapshot.sameSessions === true) {
      this.last = { key, detected: withReadings(last.detected, snapshot.sockets) }
      return { detected: this.last.detected, fresh: true }
    }
    const sshConfig = await this.sshConfig.resolve(snapshot, this.o.uid)
    const remmina = await this.remmina.resolve(snapshot, this.o.uid)
    const detected = detectAll({
      snapshot,
      sshConfig,
      ...(remmina ? { remmina } : {}),
      webResources,
      resolved,
      launched,
      selfPid: this.o.selfPid,
    }).filter(
      (d) =>
        (this.o.uid === null || d.root.uid === this.o.uid || d.root.uid < 0) && (this.o.scope?.(d) ?? true),
    )
    this.last = { key, detected }
    return { detected, fresh: true }
  }
}

/**
 * The detections with each socket replaced by this snapshot's reading of the same connection (by
 * inode). Detectors copy the snapshot's socket objects and never read a counter, so this is what
 * detecting afresh would return.
 */
function withReadings(detected: readonly Detected[], sockets: readonly SocketInfo[]): Detected[] {
  const byInode = new Map<number, SocketInfo>()
  for (const s of sockets) if (s.inode !== undefined) byInode.set(s.inode, s)
  const now = (s: SocketInfo): SocketInfo => (s.inode === undefined ? s : (byInode.get(s.inode) ?? s))
  return detected.map((d) => ({ ...d, sockets: d.sockets.map(now) }))
}
