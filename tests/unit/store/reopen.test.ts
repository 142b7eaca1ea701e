import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { StoreError } from '@engine/store'
import type { ReopenNotice, Store } from '@engine/store'
import { damagePages, newSession, seed, sha1, useTempDir } from './helpers'

// Issue 9, fault 1: a process that keeps its connection to a file another process moved aside goes on
// with the moved file for good. The store must follow the path, once, and carry on.

const t = useTempDir()
const ROOT = fileURLToPath(new URL('../../..', import.meta.url))

function movedAside(): string[] {
  return fs.readdirSync(t.dir()).filter((n) => /\.corrupt-[^-]+.*Z(-\d+)?$/.test(n))
}

function reopenedError(fn: () => unknown): StoreError {
  try {
    fn()
  } catch (err) {
    if (err instanceof StoreError && err.code === 'REOPENED') return err
    throw err
  }
  throw new Error('expected StoreError REOPENED')
}

describe('a running store whose file another process moved aside', () => {
  function scenario(checkEveryMs: number): { running: Store; other: Store } {
    seed(t.db())
    const running = t.open({ checkEveryMs })
    running.upsertDevice({ id: 'dev-1', name: 'laptop', os: 'Linux', model: 'X' })
    damagePages(t.db())
    // What `warden list` does on that file: moves it aside and starts a fresh one.
    const other = t.open()
    expect(other.recoveredFrom).not.toBeNull()
    other.addResource({ type: 'ssh', name: 'fresh', target: 'fresh.example' })
    return { running, other }
  }

  it('reopens the live file, says so once (an error when nobody listens) and carries on', () => {
    const { running, other } = scenario(0)
    const err = reopenedError(() => running.listResources())
    expect(err.message).toContain(`now ${other.recoveredFrom ?? ''}`)
    // Then it works on the live file: it sees what the other process wrote, and writes where it reads.
    expect(running.findResource('fresh')?.target).toBe('fresh.example')
    running.addResource({ type: 'rdp', name: 'mine', target: 'mine.example' })
    expect(other.findResource('mine')).not.toBeNull()
    // Its device row was carried over; the notice stays queryable; nothing else was moved.
    expect(other.getDevice('dev-1')?.name).toBe('laptop')
    expect(running.reopens).toMatchObject([
      { reason: 'replaced', path: t.db(), movedTo: other.recoveredFrom },
    ])
    expect(movedAside()).toHaveLength(1)
  })

  it('tells listeners instead, and the call that found it is answered from the live file', () => {
    const { running } = scenario(0)
    const heard: ReopenNotice[] = []
    running.onReopen((n) => heard.push(n))
    expect(running.listResources().map((r) => r.name)).toEqual(['fresh'])
    expect(running.listResources().map((r) => r.name)).toEqual(['fresh'])
    expect(heard).toHaveLength(1)
  })

  it('reads check at most every checkEveryMs, but a write always checks first', () => {
    const { running, other } = scenario(60_000)
    running.onReopen(() => undefined)
    // Negative control: within the interval a read still answers from the moved file (its device row
    // lives in the moved -wal, which is sound)…
    expect(running.getDevice('dev-1')?.name).toBe('laptop')
    expect(running.reopens).toEqual([])
    expect(other.getDevice('dev-1')).toBeNull()
    // …but a write never lands in it.
    running.addResource({ type: 'rdp', name: 'mine', target: 'mine.example' })
    expect(running.reopens).toHaveLength(1)
    expect(other.findResource('mine')).not.toBeNull()
    expect(other.getDevice('dev-1')?.name).toBe('laptop')
  })
})

describe('a running store that meets a damaged file itself', () => {
  it('a write that meets the damage is made on the fresh file; the next read says so, once', () => {
    seed(t.db())
    const running = t.open()
    damagePages(t.db())
    expect(running.ensureResource('rdp', 'desk', 'desk.example').id).toBe(1)
    expect(reopenedError(() => running.listResources()).message).toMatch(/was damaged; it was moved/)
    expect(running.listResources().map((r) => r.name)).toEqual(['desk'])
    expect(t.open().findResource('desk')).not.toBeNull()
  })

  it('moves it aside once (bytes kept), starts afresh and carries on', () => {
    seed(t.db())
    const running = t.open()
    damagePages(t.db())
    const damaged = sha1(t.db())
    const err = reopenedError(() => running.history({}))
    expect(err.message).toMatch(/was damaged; it was moved to .*\.corrupt-/)
    const [moved] = movedAside()
    expect(movedAside()).toHaveLength(1)
    expect(sha1(path.join(t.dir(), moved ?? ''))).toBe(damaged)
    expect(running.reopens).toMatchObject([{ reason: 'damaged', movedTo: path.join(t.dir(), moved ?? '') }])

    const r = running.ensureResource('ssh', 'prod', 'prod.example.com')
    expect(running.applyTick([newSession(r.id, { id: 'after' })], [], 2).inserted).toEqual(['after'])
    expect(running.history({ includeOpen: true }).rows.map((s) => s.id)).toEqual(['after'])
    // Another process opening the path now finds the fresh file, sound: nothing more is moved.
    const other = t.open()
    expect(other.recoveredFrom).toBeNull()
    expect(other.getSession('after')).not.toBeNull()
    expect(movedAside()).toHaveLength(1)
  })
})

describe('only one process moves a damaged file aside', () => {
  // Another process that found the file damaged first: it holds the recovery lock, moves the file aside
  // a little later and starts a fresh (empty) one, then lets go.
  const MOVER = `
    const fs = require('node:fs')
    const Database = require('better-sqlite3')
    const file = process.argv[1]
    const lock = new Database(file + '.lock')
    lock.exec('BEGIN EXCLUSIVE')
    process.stdout.write('held\\n')
    setTimeout(() => {
      fs.renameSync(file, file + '.corrupt-by-the-other')
      fs.writeFileSync(file, '')
      lock.exec('ROLLBACK')
    }, 500)
  `

  it('waits for the process already moving it, then opens its fresh file instead of moving that', async () => {
    seed(t.db())
    damagePages(t.db())
    const mover = spawn(process.execPath, ['-e', MOVER, t.db()], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    const exited = new Promise<number | null>((resolve) => mover.on('close', resolve))
    await new Promise<void>((resolve) =>
      createInterface({ input: mover.stdout }).once('line', () => resolve()),
    )

    // This process found the same damage: it must not move the file too, nor the fresh one after.
    const s = t.open()
    expect(s.recoveredFrom).toBeNull()
    expect(await exited).toBe(0)
    expect(fs.readdirSync(t.dir()).filter((n) => n.includes('.corrupt-'))).toEqual([
      'warden.db.corrupt-by-the-other',
    ])
    s.ensureResource('ssh', 'after', 'h')
    expect(t.open().findResource('after')).not.toBeNull()
  })
})

// Found when issue 13's reviewer met issue 9's reopen: a review is written after awaits (hashing, the
// ASN lookup), and by then the store may follow a fresh file without that session. The write must be
// refused quietly, not fail the next scan on a foreign key.
describe('a review of a session the live file no longer holds', () => {
  it('writes nothing and says so', () => {
    const s = t.open()
    const r = s.addResource({ type: 'ssh', name: 'db1', target: 'db1.example' })
    const known = newSession(r.id)
    s.applyTick([known], [], 1_700_000_000_000)
    const review = { at: 1_700_000_000_500, score: 2, state: 'flagged' as const, context: '{}' }
    expect(s.recordReview({ ...review, sessionId: 'gone-session' }, [])).toBe(false)
    expect(s.getReview('gone-session')).toBeNull()
    expect(s.recordReview({ ...review, sessionId: known.id }, [])).toBe(true)
    expect(s.getReview(known.id)?.review.state).toBe('flagged')
  })
})
