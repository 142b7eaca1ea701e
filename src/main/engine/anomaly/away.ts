// The away rule: a new session that appears while the screen is locked or input has been idle
// longer than idle-after is exactly the spec's "a session you didn't initiate".
import { formatDuration } from '@shared/duration'
import { RULE_WEIGHTS, type ReviewHit } from '@shared/review'

export interface AwayFacts {
  /** ms since the epoch the screen was locked, null when it is not */
  lockedSince: number | null
  /** ms since the last keyboard or mouse input, null when unknown (the CLI) */
  idleMs: number | null
  idleAfterMs: number
  /** when the session appeared */
  at: number
  type: string
  resourceName: string
}

export function awayHits(f: AwayFacts): ReviewHit[] {
  const key = `away:${f.type}:${f.resourceName.toLowerCase()}`
  const time = new Date(f.at).toTimeString().slice(0, 5)
  const base = { rule: 'away', key, weight: RULE_WEIGHTS.away } as const
  if (f.lockedSince !== null && f.lockedSince <= f.at)
    return [
      {
        ...base,
        reason: `Started at ${time} while the screen was locked (for ${formatDuration(f.at - f.lockedSince)})`,
      },
    ]
  if (f.idleMs !== null && f.idleMs > f.idleAfterMs)
    return [
      {
        ...base,
        reason: `Started at ${time} while you were away: no keyboard or mouse input for ${formatDuration(f.idleMs)}`,
      },
    ]
  return []
}
