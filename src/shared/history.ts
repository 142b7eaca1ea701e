// What a history query may ask, once: for IPC (the window's History page), the CLI (warden
// history), the engine, which checks every query with it, and the store's page size.
// Pure TypeScript + zod: no Node, DOM or Electron API.
import { z } from 'zod'
import { HISTORY_LIMIT } from './limits'
import { END_REASONS, RESOURCE_TYPES, type Session } from './model'

export { HISTORY_LIMIT } from './limits'

const msSinceEpoch = z.number().int().min(0)

export const historyQuerySchema = z
  .object({
    type: z.enum(RESOURCE_TYPES).optional(),
    reason: z.enum(END_REASONS).optional(),
    /** ms since the epoch: sessions started at or after */
    since: msSinceEpoch.optional(),
    /** ms since the epoch: sessions started before (exclusive, so [since, until) ranges tile) */
    until: msSinceEpoch.optional(),
    /** text search over resource name, host, ip, location */
    text: z.string().max(200).optional(),
    limit: z
      .number()
      .int()
      .min(HISTORY_LIMIT.min)
      .max(HISTORY_LIMIT.max, `a page is at most ${HISTORY_LIMIT.max} rows`)
      .optional(),
    /** include open sessions too (default: only disconnected) */
    includeOpen: z.boolean().optional(),
    /** keyset cursor returned by the previous page */
    cursor: z.string().max(200).optional(),
  })
  .strict()
  .refine((q) => q.since === undefined || q.until === undefined || q.since <= q.until, {
    error: 'since must not be later than until',
    path: ['until'],
  })
export type HistoryFilter = z.infer<typeof historyQuerySchema>

/**
 * A history query's filters on a row in memory, for rows that do not come from the database (the
 * fleet's ended stream, src/main/fleet/ended-pages.ts). The same rule as the store's SQL
 * (src/main/engine/store/sessions.ts historyStatement): type, cause, start in [since, until), and the
 * text contained, ASCII case-insensitively as SQLite's LIKE, in the name, host, IP or location.
 */
export function historyMatches(
  s: Pick<
    Session,
    'resourceName' | 'resourceType' | 'endReason' | 'startTime' | 'host' | 'ipAddress' | 'location'
  >,
  q: HistoryFilter,
): boolean {
  if (q.type !== undefined && s.resourceType !== q.type) return false
  if (q.reason !== undefined && s.endReason !== q.reason) return false
  const start = Date.parse(s.startTime)
  if (q.since !== undefined && !(start >= q.since)) return false
  if (q.until !== undefined && !(start < q.until)) return false
  if (q.text === undefined || q.text === '') return true
  const want = asciiLower(q.text)
  return [s.resourceName, s.host, s.ipAddress, s.location].some((f) => asciiLower(f).includes(want))
}

function asciiLower(t: string): string {
  return t.replace(/[A-Z]/g, (c) => c.toLowerCase())
}
