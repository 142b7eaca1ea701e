// The session details drawer's data (issue 15 part 2), assembled on request only: the row, the sample
// ring the tick keeps (samples.ts), the review's reasons, and the client's parent chain, read from the
// OS here (probe.readProcess, /proc on Linux) and never in the tick, so the drawer costs nothing
// while it is closed.
import type { Session } from '@shared/model'
import type { SessionAncestor, SessionDetails } from '@shared/session-details'
import { parseSshArgs, type SshHop } from './detect/ssh-args'
import type { Probe, ProcessInfo } from './probe/types'
import type { SampleRing } from './samples'
import type { SessionRow, Store } from './store/types'
import { sameProcess } from './terminate'

/** the same depth bound as the anomaly rule's walk (anomaly/ancestry.ts) */
const MAX_PARENTS = 32

function hopText(h: SshHop): string {
  const host = h.host.includes(':') ? `[${h.host}]` : h.host
  return `${h.user === null ? '' : `${h.user}@`}${host}${h.port === null ? '' : `:${h.port}`}`
}

/** The client's parents, nearest first; stops at pid 1, a gone process or a loop. */
async function parentsOf(probe: Probe, client: ProcessInfo): Promise<SessionAncestor[]> {
  const out: SessionAncestor[] = []
  let ppid = client.ppid
  while (ppid > 1 && out.length < MAX_PARENTS && !out.some((a) => a.pid === ppid)) {
    const p = await probe.readProcess(ppid)
    if (!p) break
    out.push({ pid: p.pid, exe: p.exe, comm: p.comm, argv: p.argv.slice(0, 32) })
    ppid = p.ppid
  }
  return out
}

/**
 * The drawer's view of one session. The process counts only while it is the row's (terminate.ts
 * sameProcess: a reused pid is another program); otherwise argv and parents are left empty.
 */
export async function sessionDetails(
  row: SessionRow,
  session: Session,
  deps: { probe: Probe; samples: SampleRing; store: Pick<Store, 'getReview'> },
): Promise<SessionDetails> {
  const open = row.endTime === null
  const proc = open ? await deps.probe.readProcess(row.pid) : null
  const client = sameProcess({ pid: row.pid, startTime: row.processStart, exe: row.exe }, proc) ? proc : null
  const { samples, localPort } = deps.samples.of(row.id)
  const last = samples.at(-1)
  const jumps = client && row.client === 'ssh' ? parseSshArgs(client.argv).jumpHosts : []
  const review = deps.store.getReview(row.id)
  return {
    session,
    bytesIn: last?.bytesIn ?? null,
    bytesOut: last?.bytesOut ?? null,
    samples,
    remoteAddress: row.ipAddress,
    remotePort: row.remotePort,
    localAddress: row.localAddress,
    localPort,
    jumpChain: jumps.map(hopText),
    argv: client ? client.argv.slice(0, 64) : null,
    parents: client ? await parentsOf(deps.probe, client) : [],
    review: review
      ? {
          state: review.review.state,
          score: review.review.score,
          reasons: review.hits.map((h) => h.reason),
        }
      : null,
  }
}
