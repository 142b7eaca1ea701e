// The review's public side, as the engine exposes it (Engine.review): the list, Mark as expected,
// the allow-list, and Report suspicious session.
import path from 'node:path'
import type { EndReason, EndResult } from '@shared/model'
import {
  REVIEW_RULES,
  REVIEW_THRESHOLD,
  reviewScore,
  type AllowEntry,
  type ReportResult,
  type ReviewItem,
  type ReviewRule,
} from '@shared/review'
import type { DeviceInfo } from '../device'
import { checkSessionId, EngineError } from '../errors'
import type { SessionRow, Store } from '../store/types'
import { deliver, type ContactPorts } from './contact'
import type { ExeHasher } from './exe-hash'
import { buildBundle, summaryOf, writeBundle, type RecordingRef } from './report'

export interface ReviewServiceDeps {
  store: Store
  now: () => number
  device: DeviceInfo
  hasher: ExeHasher
  /** ends a live session through the terminator (pid + start time + exe re-checked) */
  end(id: string, reason: EndReason, actor: string): Promise<EndResult>
  /** waits for the reviews under way, so a list right after a scan includes its sessions */
  settled(): Promise<void>
  contact: ContactPorts
  /** where bundles go; default: a `reports` folder beside the database */
  reportsDir?: string
  /** the session's recording (issue 12), when one exists */
  recordingOf?: (sessionId: string) => RecordingRef | null
  /** the list changed (Mark as expected, a report) */
  changed(): void
}

/** How many flagged reviews a list shows at most (newest first). */
export const REVIEW_LIST_MAX = 500

export class ReviewService {
  constructor(private readonly deps: ReviewServiceDeps) {}

  /** Sessions that need review, newest first; allow-listed keys no longer count. */
  async list(): Promise<ReviewItem[]> {
    await this.deps.settled()
    return this.listNow()
  }

  listNow(): ReviewItem[] {
    const out: ReviewItem[] = []
    for (const f of this.deps.store.flaggedReviews(REVIEW_LIST_MAX)) {
      const score = reviewScore(f.hits)
      if (score < REVIEW_THRESHOLD) continue
      out.push({
        id: f.sessionId,
        resourceName: f.resourceName,
        resourceType: f.resourceType,
        startTime: new Date(f.startTime).toISOString(),
        open: f.open,
        score,
        reasons: f.hits.map((h) => h.reason),
        hits: f.hits,
      })
    }
    return out
  }

  /** "Mark as expected": the session's keys go on the allow-list, its review is closed. */
  accept(id: string, actor: string): ReviewItem {
    const row = this.row(id)
    const item = this.listNow().find((i) => i.id === id)
    if (!item || !this.deps.store.acceptReview(id, this.deps.now(), actor))
      throw new EngineError('NOT_FLAGGED', `${row.resourceName} (${id}) is not waiting for review`)
    this.deps.changed()
    return item
  }

  allowList(): AllowEntry[] {
    return this.deps.store.allowList()
  }

  /** Removes a key from the allow-list (Settings); an unknown entry is refused. */
  disallow(rule: string, key: string): AllowEntry[] {
    if (
      !(REVIEW_RULES as readonly string[]).includes(rule) ||
      !this.deps.store.disallow(rule as ReviewRule, key)
    )
      throw new EngineError('BAD_QUERY', `no allow-list entry ${rule} ${key}`)
    return this.allowList()
  }

  private row(id: string): SessionRow {
    checkSessionId(id)
    const row = this.deps.store.getSession(id)
    if (!row) throw new EngineError('UNKNOWN_SESSION', `no session with id ${id}`)
    return row
  }

  /**
   * Report suspicious session: ends it if live (cause `reported`), writes the evidence bundle, hands
   * it to the security contact, and records every step on the session.
   */
  async report(id: string, opts: { note?: string; actor: string }): Promise<ReportResult> {
    const { store, now } = this.deps
    let row = this.row(id)
    let ended = false
    if (row.status !== 'disconnected') {
      const r = await this.deps.end(id, 'reported', opts.actor)
      if (!r.ok)
        throw new EngineError(
          'REPORT_FAILED',
          `could not end ${row.resourceName}: ${r.error ?? r.result}; nothing was reported`,
        )
      ended = r.result === 'ended'
      row = this.row(id)
    }
    await this.deps.settled()
    const at = now()
    const bundle = await buildBundle(store, this.deps.hasher, row, {
      actor: opts.actor,
      note: opts.note ?? null,
      device: this.deps.device,
      recording: this.deps.recordingOf?.(id) ?? null,
      now: at,
    })
    const dir = this.deps.reportsDir ?? path.join(path.dirname(store.path), 'reports')
    const { file, sha256, text } = writeBundle(dir, bundle)
    if (!store.setReviewState(id, 'reported'))
      store.recordReview({ sessionId: id, at, score: 0, state: 'reported', context: '{}' }, [])
    this.event(id, 'reported', `${file} sha256 ${sha256}`, opts.actor)
    this.deps.changed()
    const summary = summaryOf(bundle, file, sha256, ended)
    const json = JSON.stringify({
      type: 'session-warden-report',
      file: path.basename(file),
      sha256,
      summary,
      bundle: text,
    })
    const subject = `Suspicious session reported: ${row.resourceName} from ${this.deps.device.name}`
    const sent = await deliver(
      store.getSettings().securityContact,
      { subject, summary, json },
      this.deps.contact,
    )
    for (const d of sent)
      this.event(id, d.ok ? 'report-sent' : 'report-failed', `${d.to}: ${d.detail}`, opts.actor)
    return { bundle: file, sha256, ended, sent }
  }

  private event(
    id: string,
    kind: 'reported' | 'report-sent' | 'report-failed',
    detail: string,
    actor: string,
  ): void {
    const at = this.deps.now()
    this.deps.store.applyTick([], [{ kind: 'event', id, at, event: kind, detail, actor }], at)
  }
}
