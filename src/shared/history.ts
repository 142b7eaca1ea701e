// What a history query may ask, once: for IPC (the window's History page), the CLI (warden
// history), the engine, which checks every query with it, and the store's page size.
// Pure TypeScript + zod: no Node, DOM or Electron API.
import { z } from 'zod'
import { END_REASONS, RESOURCE_TYPES } from './model'

/** Rows per page: the default, and the most one query may ask for (export pages through). */
export const HISTORY_LIMIT = { min: 1, default: 50, max: 500 } as const

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
