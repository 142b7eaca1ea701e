// Helpers shared by the detectors.
import { SESSION_FLAGS, type ResourceType, type SessionFlag } from '@shared/model'
import type { ProcessInfo, SocketInfo } from '../probe/types'

/** "ssh:1234:1700000000000", "web:5678:1700000000000:3" */
export function sessionKey(type: ResourceType, root: ProcessInfo, resourceId?: number): string {
  const base = `${type}:${root.pid}:${root.startTime}`
  return resourceId === undefined ? base : `${base}:${resourceId}`
}

/**
 * The sockets with the best-scoring one first (ties: snapshot order), duplicates removed.
 * sockets[0] is the session's chosen connection (remote/local address and port come from it).
 */
export function primaryFirst(sockets: readonly SocketInfo[], score: (s: SocketInfo) => number): SocketInfo[] {
  const unique = [...new Set(sockets)]
  let best = 0
  let bestScore = -Infinity
  for (let i = 0; i < unique.length; i++) {
    const s = unique[i]
    if (s === undefined) continue
    const v = score(s)
    if (v > bestScore) {
      best = i
      bestScore = v
    }
  }
  if (best > 0) {
    const [chosen] = unique.splice(best, 1)
    if (chosen) unique.unshift(chosen)
  }
  return unique
}

/** Members in a stable order (start time, then pid), without the root. */
export function orderMembers(root: ProcessInfo, members: Iterable<ProcessInfo>): ProcessInfo[] {
  const out: ProcessInfo[] = []
  const seen = new Set<number>([root.pid])
  for (const m of members) {
    if (seen.has(m.pid)) continue
    seen.add(m.pid)
    out.push(m)
  }
  return out.sort((a, b) => a.startTime - b.startTime || a.pid - b.pid)
}

/** Flags in the model's order, so a session's flags always read the same way. */
export function orderFlags(flags: ReadonlySet<SessionFlag>): SessionFlag[] {
  return SESSION_FLAGS.filter((f) => flags.has(f))
}
