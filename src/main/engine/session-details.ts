// The session details drawer's data (issue 15 part 2), assembled on request only: the row, the sample
// ring the tick keeps (samples.ts), the review's reasons, the client's parent chain, read from the
// OS here (probe.readProcess, /proc on Linux), and its ProxyJump hops (ssh-jump.ts: argv, else
// `ssh -G`), never in the tick, so the drawer costs nothing while it is closed.
import type { Session } from '@shared/model'
import type { SessionAncestor, SessionDetails } from '@shared/session-details'
import { isLauncher, isServiceManager } from './anomaly/ancestry'
import type { SshHop } from './detect/ssh-args'
import type { Probe, ProcessInfo } from './probe/types'
import type { SampleRing } from './samples'
import type { SshJumpLookup } from './ssh-jump'
import type { SessionRow, Store } from './store/types'
import { sameProcess } from './terminate'

type JumpLookup = Pick<SshJumpLookup, 'hops'>

/** the same depth bound as the anomaly rule's walk (anomaly/ancestry.ts) */
const MAX_PARENTS = 32

function hopText(h: SshHop): string {
  const host = h.host.includes(':') ? `[${h.host}]` : h.host
  return `${h.user === null ? '' : `${h.user}@`}${host}${h.port === null ? '' : `:${h.port}`}`
}

const ancestor = (p: ProcessInfo): SessionAncestor => ({
  pid: p.pid,
  exe: p.exe,
  comm: p.comm,
  argv: p.argv.slice(0, 32),
})

/**
 * The client's parents, nearest first, up to whoever started it (issue 15). The walk ends:
 * - before a service manager (init, systemd --user, launchd) and at pid 1: every process descends
 *   from them, so they say nothing about this one;
 * - at a launcher a person uses (a terminal, IDE, file manager, sshd, tmux): anomaly/ancestry.ts
 *   LAUNCHERS, the same list the unusual-parent rule stops at;
 * - one above a session leader (Linux, sid === pid): a terminal emulator, sshd, tmux, login or a
 *   service manager hands each shell or program it starts a session of its own (setsid(2)), so the
 *   leader's parent is who opened it. That parent is shown (an unknown terminal is still named), and
 *   nothing above it: the desktop or the service tree that started the terminal is not this
 *   client's story.
 * Also at a gone process, a loop or MAX_PARENTS.
 */
export async function parentChain(
  probe: Pick<Probe, 'readProcess'>,
  client: ProcessInfo,
): Promise<SessionAncestor[]> {
  const out: SessionAncestor[] = []
  let ppid = client.ppid
  let lastOne = false
  while (ppid > 1 && out.length < MAX_PARENTS && !out.some((a) => a.pid === ppid)) {
    const p = await probe.readProcess(ppid)
    if (!p || isServiceManager(p)) break
    out.push(ancestor(p))
    if (lastOne || isLauncher(p)) break
    lastOne = p.sid === p.pid
    ppid = p.ppid
  }
  return out
}

/** The jump hops as text; null (left out) when they cannot be told, [] for a direct session. */
async function jumpChain(
  client: ProcessInfo | null,
  row: SessionRow,
  jumps: JumpLookup,
): Promise<string[] | null> {
  if (client === null) return null
  if (row.client !== 'ssh') return []
  return (await jumps.hops(client))?.map(hopText) ?? null
}

/**
 * The drawer's view of one session. The process counts only while it is the row's (terminate.ts
 * sameProcess: a reused pid is another program); otherwise argv and parents are left empty.
 */
export async function sessionDetails(
  row: SessionRow,
  session: Session,
  deps: { probe: Probe; samples: SampleRing; store: Pick<Store, 'getReview'>; jumps: JumpLookup },
): Promise<SessionDetails> {
  const open = row.endTime === null
  const proc = open ? await deps.probe.readProcess(row.pid) : null
  const client = sameProcess({ pid: row.pid, startTime: row.processStart, exe: row.exe }, proc) ? proc : null
  const { samples, localPort } = deps.samples.of(row.id)
  const last = samples.at(-1)
  const jumps = await jumpChain(client, row, deps.jumps)
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
    ...(jumps === null ? {} : { jumpChain: jumps }),
    argv: client ? client.argv.slice(0, 64) : null,
    parents: client ? await parentChain(deps.probe, client) : [],
    review: review
      ? {
          state: review.review.state,
          score: review.review.score,
          reasons: review.hits.map((h) => h.reason),
        }
      : null,
  }
}
