import { mkdtempSync, rmSync, writeFileSync, utimesSync } from 'node:fs'
import { createHash } from 'node:crypto'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { Reviewer } from '@engine/anomaly/reviewer'
import { openStore, type NewSession, type Store } from '@engine/store'
import type { ProcessInfo } from '@engine/probe/types'
import type { ReviewHit } from '@shared/review'
import { DEFAULT_SETTINGS } from '@shared/settings'

// The reviewer over a real SQLite file: the hash cache, a changed binary, and alert fatigue (one
// notice per rule and key per 24 h) on a clock the test moves.

let dir: string
let store: Store
let now: number
let notices: { id: string; hits: ReviewHit[] }[]
let reviewer: Reviewer
let n = 0

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'warden-reviewer-'))
  store = openStore({ path: join(dir, 'w.db') })
  now = Date.UTC(2026, 5, 1, 12)
  notices = []
  reviewer = new Reviewer({
    store,
    now: () => now,
    selfPid: 1,
    platform: 'linux',
    asn: { lookup: () => Promise.resolve(null) },
    reportError: (e) => {
      throw e
    },
    notice: (id, hits) => notices.push({ id, hits }),
    flagged: () => undefined,
  })
})
afterEach(() => {
  store.close()
  rmSync(dir, { recursive: true, force: true })
})

/** A session of `exe` recorded and reviewed; pid 0 has no /proc entry, so the path is read. */
async function sessionOf(exe: string): Promise<string> {
  const r = store.ensureResource('ssh', 'db', 'db:22')
  const id = `00000000000${n++}`.slice(-12)
  const s: NewSession = {
    id,
    key: `k${id}`,
    resourceId: r.id,
    deviceId: 'd',
    startTime: now,
    lastActivity: now,
    lastSeen: now,
    status: 'active',
    pid: 0,
    processStart: now,
    exe,
    client: 'ssh',
    host: 'db',
    user: null,
    ipAddress: '127.0.0.1',
    remotePort: 22,
    localAddress: '127.0.0.1',
    location: 'This device',
    flags: [],
    endable: true,
  }
  store.applyTick([s], [], now)
  const processes = new Map<number, ProcessInfo>()
  reviewer.review([s], processes, DEFAULT_SETTINGS, now)
  await reviewer.settled()
  return id
}

const sha = (text: string): string => createHash('sha256').update(text).digest('hex')

describe('the reviewer', () => {
  it('hashes a binary once, notices a key once per 24 h, and again after', async () => {
    const tool = join(dir, 'tool')
    writeFileSync(tool, 'one', { mode: 0o755 })
    const a = await sessionOf(tool)
    expect(store.getReview(a)?.review.state).toBe('flagged')
    expect(store.getReview(a)?.hits[0]?.reason).toContain(sha('one'))
    expect(notices.map((x) => x.id)).toEqual([a])
    now += 23 * 3_600_000
    const b = await sessionOf(tool)
    expect(store.getReview(b)?.review.state).toBe('flagged') // still flagged for review, just not announced
    expect(notices).toHaveLength(1)
    now += 2 * 3_600_000
    const c = await sessionOf(tool)
    expect(notices.map((x) => x.id)).toEqual([a, c])
  })

  it('negative control: another binary within the 24 h is announced', async () => {
    const one = join(dir, 'one')
    const two = join(dir, 'two')
    writeFileSync(one, 'one', { mode: 0o755 })
    writeFileSync(two, 'two', { mode: 0o755 })
    await sessionOf(one)
    await sessionOf(two)
    expect(notices).toHaveLength(2)
  })

  it('a binary whose content changed at the same path is flagged as changed, with both hashes', async () => {
    const tool = join(dir, 'tool')
    writeFileSync(tool, 'before', { mode: 0o755 })
    await sessionOf(tool)
    writeFileSync(tool, 'after!', { mode: 0o755 })
    utimesSync(tool, new Date(now / 1000 + 60), new Date(now + 60_000))
    now += 60_000
    const id = await sessionOf(tool)
    const changed = store.getReview(id)?.hits.find((h) => h.rule === 'changed-binary')
    expect(changed?.reason).toContain(sha('after!').slice(0, 16))
    expect(changed?.reason).toContain(sha('before').slice(0, 16))
  })

  it('a key on the allow-list no longer counts', async () => {
    const tool = join(dir, 'tool')
    writeFileSync(tool, 'one', { mode: 0o755 })
    store.allow('unknown-binary', `exe:${sha('one')}`, now, 'test')
    const id = await sessionOf(tool)
    expect(store.getReview(id)?.review.state).toBe('clear')
    expect(notices).toEqual([])
  })
})
