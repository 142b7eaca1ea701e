// The rules learned from this computer's own history (nothing leaves it): new destination host, new
// country, new network (ASN) for the session's protocol, and the rare hour of the week. They stay
// quiet during the learning period: 14 days and 10 sessions of that type, whichever comes later.
import { RULE_WEIGHTS, type ReviewHit } from '@shared/review'
import type { LearnedHistory } from '../store/review-history'

export const LEARN_DAYS = 14
export const LEARN_SESSIONS = 10
/** an hour of the week holding less than this share of history is rare */
export const RARE_HOUR_SHARE = 0.02
const DAY_MS = 86_400_000

/** The country code of a stored location ("Mexico City, MX" → MX); null for private, local, unknown. */
export function countryOf(location: string): string | null {
  const m = /(?:^|, )([A-Z]{2})$/.exec(location)
  return m?.[1] ?? null
}

/** Monday 00:00–01:00 local time is 0, Sunday 23:00–24:00 is 167. */
export function hourOfWeek(ms: number): number {
  const d = new Date(ms)
  return ((d.getDay() + 6) % 7) * 24 + d.getHours()
}

const DAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday']

export function learning(h: Pick<LearnedHistory, 'count' | 'firstAt'>, at: number): boolean {
  return h.count < LEARN_SESSIONS || h.firstAt === null || at - h.firstAt < LEARN_DAYS * DAY_MS
}

export interface LearnedFacts {
  type: string
  resourceName: string
  location: string
  /** the session's network, null when private or unknown */
  asn: { asn: number; org: string } | null
  /** the networks of the history's addresses (those with one) */
  historyAsns: ReadonlyMap<number, string>
  at: number
}

function listed(values: Iterable<string>, max = 5): string {
  const all = [...values]
  return all.length <= max ? all.join(', ') : `${all.slice(0, max).join(', ')} and ${all.length - max} more`
}

function countryHit(h: LearnedHistory, f: LearnedFacts, label: string): ReviewHit[] {
  const country = countryOf(f.location)
  if (country === null) return []
  const seen = new Map<string, number>()
  for (const a of h.addresses) {
    const c = countryOf(a.location)
    if (c !== null) seen.set(c, (seen.get(c) ?? 0) + a.count)
  }
  if (seen.has(country)) return []
  const earlier = [...seen.values()].reduce((s, n) => s + n, 0)
  const where = seen.size === 0 ? 'a private or local network' : listed([...seen.keys()].sort())
  return [
    {
      rule: 'new-country',
      key: `country:${f.type}:${country}`,
      weight: RULE_WEIGHTS['new-country'],
      reason: `First ${label} session to a server in ${country}; ${earlier} earlier sessions went to ${where}`,
    },
  ]
}

function asnHit(f: LearnedFacts, label: string): ReviewHit[] {
  if (f.asn === null || f.historyAsns.has(f.asn.asn)) return []
  const earlier = [...f.historyAsns].map(([n, org]) => `AS${n} (${org})`)
  return [
    {
      rule: 'new-asn',
      key: `asn:${f.type}:${f.asn.asn}`,
      weight: RULE_WEIGHTS['new-asn'],
      reason: `First ${label} session into network AS${f.asn.asn} (${f.asn.org}); earlier ones went to ${
        earlier.length === 0 ? 'no public network' : listed(earlier, 3)
      }`,
    },
  ]
}

function hourHit(h: LearnedHistory, f: LearnedFacts, label: string): ReviewHit[] {
  const week = new Array<number>(168).fill(0)
  for (const b of h.hours) {
    const slot = hourOfWeek(b.hour * 3_600_000)
    week[slot] = (week[slot] ?? 0) + b.count
  }
  const slot = hourOfWeek(f.at)
  const share = (week[slot] ?? 0) / Math.max(1, h.count)
  if (share >= RARE_HOUR_SHARE) return []
  const hour = String(slot % 24).padStart(2, '0')
  return [
    {
      rule: 'rare-hour',
      key: `hour:${f.type}:${slot}`,
      weight: RULE_WEIGHTS['rare-hour'],
      reason: `Started on a ${DAYS[Math.floor(slot / 24)] ?? '?'} between ${hour}:00 and ${hour}:59, when ${(
        share * 100
      ).toFixed(1)} % of your ${h.count} ${label} sessions started`,
    },
  ]
}

/** The learned rules' hits for one session, given its type's history before it. Pure. */
export function learnedHits(h: LearnedHistory, f: LearnedFacts): ReviewHit[] {
  if (learning(h, f.at)) return []
  const label = f.type.toUpperCase()
  const hits: ReviewHit[] = []
  if (!h.hostSeen)
    hits.push({
      rule: 'new-host',
      key: `host:${f.type}:${f.resourceName.toLowerCase()}`,
      weight: RULE_WEIGHTS['new-host'],
      reason: `First ${label} session to ${f.resourceName}; ${h.count} earlier ${label} sessions went to other hosts`,
    })
  hits.push(...countryHit(h, f, label), ...asnHit(f, label), ...hourHit(h, f, label))
  return hits
}
