// Reviews each new session once: the rules that need no learning (client binary, away, parent) and
// the learned ones (host, country, network, hour), scored against the threshold (src/shared/review.ts).
// What only the moment of discovery knows — the process ancestry, whether you were away — is taken
// inside the tick from the snapshot already in hand (no extra reads); hashing and the history queries
// run beside the loop. An anomaly never ends a session by itself.
import type { ResourceType } from '@shared/model'
import { needsReview, reviewScore, type ReviewHit } from '@shared/review'
import type { Settings } from '@shared/settings'
import type { SystemIdleSource } from '../activity'
import type { ProcessInfo } from '../probe/types'
import type { LearnedHistory } from '../store/review-history'
import type { NewSession, Store } from '../store/types'
import { ancestryOf, parentHits, type Ancestor } from './ancestry'
import type { AsnLookup } from './asn'
import { awayHits, type AwayFacts } from './away'
import { binaryHits } from './binary'
import { ExeHasher } from './exe-hash'
import { learnedHits, learning } from './learned'

/** What the rules saw, kept with the review for the evidence bundle (the processes may be gone by then). */
export interface ReviewContext {
  client: { pid: number; exe: string; argv: string[]; sha256: string | null }
  ancestry: Ancestor[]
  remote: { address: string; port: number; location: string; asn: number | null; org: string | null }
}

export interface ReviewerDeps {
  store: Store
  now: () => number
  selfPid: number
  platform: NodeJS.Platform
  systemIdle?: SystemIdleSource
  asn: AsnLookup
  reportError(e: unknown): void
  /** a flagged session with at least one hit not noticed in the last 24 h (alert fatigue) */
  notice(sessionId: string, hits: ReviewHit[]): void
  /** a session was flagged (the count of sessions needing review may have changed) */
  flagged(): void
}

interface Seed {
  session: NewSession
  argv: string[]
  ancestry: Ancestor[]
  away: Omit<AwayFacts, 'type' | 'resourceName'>
}

export const NOTICE_EVERY_MS = 86_400_000

export class Reviewer {
  private lockedSince: number | null = null
  private readonly pending = new Set<Promise<void>>()
  readonly hasher: ExeHasher

  constructor(private readonly deps: ReviewerDeps) {
    this.hasher = new ExeHasher(deps.store, deps.now, deps.platform)
  }

  /** The screen was locked (whatever lockAction says: a session appearing now was not started by you). */
  locked(now: number): void {
    this.lockedSince ??= now
  }
  unlocked(): void {
    this.lockedSince = null
  }

  /** The sessions this tick recorded. Cheap: map lookups in the snapshot's process table. */
  review(
    created: readonly NewSession[],
    processes: ReadonlyMap<number, ProcessInfo>,
    settings: Settings,
    now: number,
  ): void {
    const idleSec = this.deps.systemIdle?.idleSeconds() ?? null
    for (const session of created) {
      const seed: Seed = {
        session,
        argv: processes.get(session.pid)?.argv.slice(0, 64) ?? [],
        ancestry: ancestryOf(processes, session.pid),
        away: {
          lockedSince: this.lockedSince,
          idleMs: idleSec === null ? null : idleSec * 1000,
          idleAfterMs: settings.idleAfterSec * 1000,
          at: now,
        },
      }
      const p: Promise<void> = this.run(seed)
        .catch((e: unknown) => this.deps.reportError(e))
        .finally(() => this.pending.delete(p))
      this.pending.add(p)
    }
  }

  /** Waits for the reviews under way (Engine.stop, tests). */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending])
  }

  private async run(seed: Seed): Promise<void> {
    const { store, platform, selfPid } = this.deps
    const s = seed.session
    const row = store.getSession(s.id)
    if (!row) return // recorded first by another process under its own id: that process reviews it
    const exe = await this.hasher.hashOf(s.exe, s.pid)
    const history = store.learnedHistory(row.resourceType, s.resourceId, s.startTime)
    // the network is looked up only once learned rules apply (the first lookup imports the ASN data)
    const remote = await this.remote(s, !learning(history, s.startTime))
    const hits = [
      ...binaryHits({ path: s.exe, sha256: exe.sha256, previous: exe.previous, platform }),
      ...awayHits({ ...seed.away, type: row.resourceType, resourceName: row.resourceName }),
      ...parentHits(s.client, seed.ancestry, selfPid, platform),
      ...(await this.learned(history, row.resourceType, row.resourceName, s, remote)),
    ].filter((h) => !store.isAllowed(h.rule, h.key))
    const context: ReviewContext = {
      client: { pid: s.pid, exe: s.exe, argv: seed.argv, sha256: exe.sha256 },
      ancestry: seed.ancestry,
      remote,
    }
    const flagged = needsReview(hits)
    const at = this.deps.now()
    const written = store.recordReview(
      {
        sessionId: s.id,
        at,
        score: reviewScore(hits),
        state: flagged ? 'flagged' : 'clear',
        context: JSON.stringify(context),
      },
      hits,
    )
    if (!written) return // the session left this file while it was reviewed (a moved-aside database)
    if (flagged) {
      this.deps.flagged()
      this.maybeNotice(s.id, hits, at)
    }
  }

  private async remote(s: NewSession, withAsn: boolean): Promise<ReviewContext['remote']> {
    // no address class is skipped: the data simply has no range for private or loopback ones
    const net = withAsn ? await this.deps.asn.lookup(s.ipAddress) : null
    return {
      address: s.ipAddress,
      port: s.remotePort,
      location: s.location,
      asn: net?.asn ?? null,
      org: net?.org ?? null,
    }
  }

  private async learned(
    history: LearnedHistory,
    type: ResourceType,
    resourceName: string,
    s: NewSession,
    { asn, org }: ReviewContext['remote'],
  ): Promise<ReviewHit[]> {
    if (learning(history, s.startTime)) return []
    const historyAsns = new Map<number, string>()
    for (const a of history.addresses) {
      const net = await this.deps.asn.lookup(a.ip)
      if (net) historyAsns.set(net.asn, net.org)
    }
    return learnedHits(history, {
      type,
      resourceName,
      location: s.location,
      asn: asn === null ? null : { asn, org: org ?? '' },
      historyAsns,
      at: s.startTime,
    })
  }

  /** One notice per rule and key per 24 h: shown only when some hit was not noticed recently. */
  private maybeNotice(sessionId: string, hits: readonly ReviewHit[], at: number): void {
    const { store } = this.deps
    const due = hits.filter((h) => {
      const last = store.lastNoticed(h.rule, h.key)
      return last === null || at - last >= NOTICE_EVERY_MS
    })
    if (due.length === 0) return
    for (const h of due) store.markNoticed(sessionId, h.rule, h.key)
    this.deps.notice(sessionId, [...hits])
  }
}
