// "Report suspicious session" (issue 13): the evidence bundle — one JSON file under the app-data
// folder with its own sha256 — and its delivery to the security contact (contact.ts).
import { createHash } from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import type { ReviewHit } from '@shared/review'
import type { DeviceInfo } from '../device'
import type { EventRow, SessionRow, Store } from '../store/types'
import type { Ancestor } from './ancestry'
import type { ExeHasher } from './exe-hash'
import type { ReviewContext } from './reviewer'

export const BUNDLE_FORMAT = 'session-warden-evidence/1'

/** A recording of the session, if the recorder (issue 12) made one: where, and its sha256. */
export interface RecordingRef {
  file: string
  sha256: string | null
  status: string
}

export interface Bundle {
  format: typeof BUNDLE_FORMAT
  createdAt: string
  reportedBy: string
  note: string | null
  session: SessionRow
  events: EventRow[]
  review: { score: number; state: string; hits: ReviewHit[] } | null
  client: { pid: number; exe: string; argv: string[]; sha256: string | null }
  ancestry: (Ancestor & { sha256: string | null })[]
  remote: ReviewContext['remote']
  device: Pick<DeviceInfo, 'id' | 'name' | 'os' | 'model'>
  recording: RecordingRef | null
}

function parseContext(text: string | undefined): ReviewContext | null {
  if (text === undefined) return null
  try {
    return JSON.parse(text) as ReviewContext
  } catch {
    return null
  }
}

/** Gathers the evidence: the review's context, with each executable's sha256 (cached, or read now). */
export async function buildBundle(
  store: Store,
  hasher: ExeHasher,
  row: SessionRow,
  extra: {
    actor: string
    note: string | null
    device: DeviceInfo
    recording: RecordingRef | null
    now: number
  },
): Promise<Bundle> {
  const review = store.getReview(row.id)
  const ctx = parseContext(review?.review.context)
  const client = ctx?.client ?? { pid: row.pid, exe: row.exe, argv: [], sha256: null }
  if (client.sha256 === null && client.exe !== '')
    client.sha256 = (await hasher.hashOf(client.exe, null)).sha256
  const ancestry = await Promise.all(
    (ctx?.ancestry ?? []).map(async (a) => ({
      ...a,
      sha256: a.exe === '' ? null : (await hasher.hashOf(a.exe, a.pid)).sha256,
    })),
  )
  const { id, name, os, model } = extra.device
  return {
    format: BUNDLE_FORMAT,
    createdAt: new Date(extra.now).toISOString(),
    reportedBy: extra.actor,
    note: extra.note,
    session: row,
    events: store.events(row.id),
    review: review ? { score: review.review.score, state: review.review.state, hits: review.hits } : null,
    client,
    ancestry,
    remote: ctx?.remote ?? {
      address: row.ipAddress,
      port: row.remotePort,
      location: row.location,
      asn: null,
      org: null,
    },
    device: { id, name, os, model },
    recording: extra.recording,
  }
}

/**
 * Writes the bundle (owner-only) and a `sha256sum`-format line beside it; returns the path and the
 * sha256 of exactly the bytes written.
 */
export function writeBundle(dir: string, bundle: Bundle): { file: string; sha256: string; text: string } {
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  const stamp = bundle.createdAt.replace(/[:.]/g, '-')
  const file = path.join(dir, `report-${stamp}-${bundle.session.id}.json`)
  const text = `${JSON.stringify(bundle, null, 2)}\n`
  const sha256 = createHash('sha256').update(text).digest('hex')
  writeFileSync(file, text, { mode: 0o600, flag: 'wx' })
  writeFileSync(`${file}.sha256`, `${sha256}  ${path.basename(file)}\n`, { mode: 0o600 })
  return { file, sha256, text }
}

/** The mail's summary: what happened and where the bundle is (a mail client cannot attach it by URL). */
export function summaryOf(bundle: Bundle, file: string, sha256: string, ended: boolean): string {
  const s = bundle.session
  const reasons = bundle.review?.hits.map((h) => `- ${h.reason}`) ?? []
  return [
    `Session Warden: suspicious ${s.resourceType.toUpperCase()} session reported on ${bundle.device.name}.`,
    '',
    `Session ${s.id}: ${s.client} to ${s.resourceName} (${s.ipAddress}:${s.remotePort}, ${s.location}), started ${new Date(s.startTime).toISOString()}.`,
    ended ? 'It was ended when reported.' : 'It had already ended.',
    ...(reasons.length > 0 ? ['', 'Why it was flagged:', ...reasons] : []),
    ...(bundle.note ? ['', `Note: ${bundle.note}`] : []),
    '',
    `Evidence bundle: ${file}`,
    `sha256: ${sha256}`,
  ].join('\n')
}
