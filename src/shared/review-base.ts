// Anomaly review (issue 13): the rules' names, weights and the threshold, the review item the window,
// the CLI and the tray show, and the security contact. One place for each; the engine's rules live in
// src/main/engine/anomaly/. Without zod: the window imports this module alone (issue 15: no zod in
// its JavaScript at start); the security contact's zod schema is in ./review, which re-exports this.
// Pure TypeScript: no zod, Node, DOM or Electron API.

/**
 * - unknown-binary: the client's executable is not where a package manager installs programs, and
 *   not marked expected
 * - changed-binary: a path seen before now has another sha256
 * - away: the session appeared while the screen was locked or input idle longer than idle-after
 * - unusual-parent: started by cron, a script in a temp folder or an unknown binary
 * - new-host, new-country, new-asn: learned from this computer's own history, after the learning period
 * - rare-hour: an hour of the week that holds < 2 % of history; counts only together with another hit
 */
export const REVIEW_RULES = [
  'unknown-binary',
  'changed-binary',
  'away',
  'unusual-parent',
  'new-host',
  'new-country',
  'new-asn',
  'rare-hour',
] as const
export type ReviewRule = (typeof REVIEW_RULES)[number]

/**
 * How much each rule weighs. A session needs review at REVIEW_THRESHOLD: any one of the strong signs
 * alone; a new host (common: people do reach new servers) only with another sign.
 */
export const RULE_WEIGHTS: Readonly<Record<ReviewRule, number>> = {
  'unknown-binary': 3,
  'changed-binary': 3,
  away: 2,
  'unusual-parent': 2,
  'new-country': 2,
  'new-asn': 2,
  'new-host': 1,
  'rare-hour': 1,
}
export const REVIEW_THRESHOLD = 2

/** One rule that fired for a session: what, about which key (the allow-list's unit), why, how much. */
export interface ReviewHit {
  rule: ReviewRule
  /** what "Mark as expected" allows, e.g. "exe:<sha256>", "country:ssh:DE" */
  key: string
  /** one sentence a person can read */
  reason: string
  weight: number
}

/** The score of a set of hits: rare-hour counts only beside another hit (issue 13). */
export function reviewScore(hits: readonly Pick<ReviewHit, 'rule' | 'weight'>[]): number {
  const others = hits.filter((h) => h.rule !== 'rare-hour')
  if (others.length === 0) return 0
  return hits.reduce((sum, h) => sum + h.weight, 0)
}

export function needsReview(hits: readonly Pick<ReviewHit, 'rule' | 'weight'>[]): boolean {
  return reviewScore(hits) >= REVIEW_THRESHOLD
}

/** A session that needs review, as `warden review list` and the window show it. */
export interface ReviewItem {
  id: string
  resourceName: string
  resourceType: string
  /** ISO 8601 */
  startTime: string
  open: boolean
  score: number
  reasons: string[]
  hits: ReviewHit[]
}

/** An allow-list entry ("Mark as expected"). */
export interface AllowEntry {
  rule: ReviewRule
  key: string
  /** ISO 8601 */
  addedAt: string
  /** the reason the key was first flagged for, for the Settings list */
  note: string
}

// ------------------------------------------------------------------ the security contact

/** The setting `securityContact`: up to one mailto: address and one https webhook, space-separated. */
export interface SecurityContact {
  mailto: string | null
  webhook: string | null
}

export const CONTACT_MAX = 500
const EMAIL = /^[^\s@/?#]+@[^\s@/?#]+\.[^\s@/?#]+$/

/**
 * Parses `securityContact`. Refused: http:// (a report must not travel in clear text), credentials
 * in a URL (they would sit in the settings and in every log line), two of a kind, anything else.
 */
export function parseSecurityContact(
  text: string,
): { ok: true; value: SecurityContact } | { ok: false; error: string } {
  const out: SecurityContact = { mailto: null, webhook: null }
  for (const part of text.split(/[\s,]+/).filter((p) => p.length > 0)) {
    const lower = part.toLowerCase()
    if (lower.startsWith('mailto:')) {
      if (out.mailto !== null) return { ok: false, error: 'give at most one mailto: address' }
      if (!EMAIL.test(decodeURIComponent(part.slice(7).split('?')[0] ?? '')))
        return { ok: false, error: `${part} is not a mailto: address` }
      out.mailto = part
      continue
    }
    if (lower.startsWith('http://'))
      return { ok: false, error: 'a webhook must use https:// (TLS), not http://' }
    if (!lower.startsWith('https://'))
      return { ok: false, error: `${part.slice(0, 60)} is neither a mailto: address nor an https:// webhook` }
    if (out.webhook !== null) return { ok: false, error: 'give at most one https:// webhook' }
    let url: URL
    try {
      url = new URL(part)
    } catch {
      return { ok: false, error: `${part.slice(0, 60)} is not a valid URL` }
    }
    if (url.username !== '' || url.password !== '')
      return { ok: false, error: 'a webhook URL must not hold credentials (user:password@)' }
    out.webhook = url.toString()
  }
  return { ok: true, value: out }
}

/** What reporting a session came to (`warden report --json`). */
export interface ReportResult {
  bundle: string
  sha256: string
  ended: boolean
  sent: { to: 'mailto' | 'webhook'; ok: boolean; detail: string }[]
}
