// A session recording's zod schemas, for IPC, the CLI and the engine. They are built from the kinds,
// limits and rules in ./recording-base (re-exported here, so `@shared/recording` stays the one import for
// the main process); the window imports ./recording-base where it needs no schema (issue 15: no zod at
// start). Pure TypeScript + zod (no Node, DOM or Electron API). Issue 12; docs/architecture.md "Recording".
import { z } from 'zod'
import { SESSION_ID_RE } from './model'
import { RECORDING_FILE_RE } from './recording-base'
import { policyPatchSchema } from './settings'

export * from './recording-base'

export const recordingIdSchema = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER)

/** A per-resource recording override: on, off, or null = the global setting (recordSsh / recordRdp). */
export const recordOverrideSchema = z
  .boolean('a recording override is true (record), false (do not record) or null (the global setting)')
  .nullable()

/** A recording's file name (RECORDING_FILE_RE). */
export const recordingFileSchema = z.string().regex(RECORDING_FILE_RE, 'a recording file is a plain name')

/** Where a chunk of a recording starts (contract `readRecording`). */
export const recordingOffsetSchema = z
  .number('an offset must be a number')
  .int('an offset is a whole number of bytes')
  .min(0, 'an offset must not be negative')
  .max(Number.MAX_SAFE_INTEGER)

/** What the contract's `listRecordings` filters by. */
export const recordingFilterSchema = z
  .object({ sessionId: z.string().regex(SESSION_ID_RE, 'a session id is 12 hex characters').optional() })
  .strict()
export type RecordingFilter = z.infer<typeof recordingFilterSchema>

/** The overrides a resource may change, as the CLI and IPC send them: the keys not given stay. */
export const recordingPatchSchema = z
  .object({ record: recordOverrideSchema, recordInput: recordOverrideSchema })
  .partial()
  .strict()
export type RecordingPatch = z.infer<typeof recordingPatchSchema>

/** A change of a resource's overrides, idle and recording together (contract `updateResourcePolicy`). */
export const resourcePatchSchema = policyPatchSchema.extend(recordingPatchSchema.shape)
