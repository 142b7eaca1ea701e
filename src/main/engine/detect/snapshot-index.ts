// One pass over a snapshot, shared by the detectors of a tick: program names, children by ppid,
// sockets by owning pid. Our own process is left out everywhere.
import type { ProcessInfo, Snapshot, SocketInfo } from '../probe/types'
import { programName } from './proc-name'

export interface SnapshotIndex {
  readonly snapshot: Snapshot
  readonly selfPid: number
  /** normalized program name of every process */
  readonly names: ReadonlyMap<number, string>
  /** processes by parent pid */
  readonly children: ReadonlyMap<number, readonly ProcessInfo[]>
  /** established sockets by owning pid */
  readonly socketsByPid: ReadonlyMap<number, readonly SocketInfo[]>
  process(pid: number): ProcessInfo | undefined
  name(pid: number): string
  sockets(pid: number): readonly SocketInfo[]
}

const NONE: readonly SocketInfo[] = []

export function buildIndex(snapshot: Snapshot, selfPid: number): SnapshotIndex {
  const names = new Map<number, string>()
  const children = new Map<number, ProcessInfo[]>()
  for (const p of snapshot.processes.values()) {
    if (p.pid === selfPid) continue
    names.set(p.pid, programName(p))
    const list = children.get(p.ppid)
    if (list) list.push(p)
    else children.set(p.ppid, [p])
  }
  const socketsByPid = new Map<number, SocketInfo[]>()
  for (const s of snapshot.sockets) {
    for (const pid of s.pids) {
      if (pid === selfPid) continue
      const list = socketsByPid.get(pid)
      if (list) list.push(s)
      else socketsByPid.set(pid, [s])
    }
  }
  return {
    snapshot,
    selfPid,
    names,
    children,
    socketsByPid,
    process: (pid) => (pid === selfPid ? undefined : snapshot.processes.get(pid)),
    name: (pid) => names.get(pid) ?? '',
    sockets: (pid) => socketsByPid.get(pid) ?? NONE,
  }
}
