import { spawn } from 'node:child_process'
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Session } from '@shared/model'
import { sshClient, startSshd, stopAll, waitFor, type Sshd } from '../support/peers'
import { WARDEN_BIN as BIN, warden } from '../support/warden-cli'

// Issue 9, fault 1, as a user meets it: `warden watch` runs, the database gets damaged, `warden list`
// moves it aside and starts a new one. The watcher must follow (reopen the live file, say so once)
// instead of watching the moved file for good.

let sshd: Sshd
let dir: string

beforeAll(async () => {
  sshd = await startSshd()
  dir = mkdtempSync(join(tmpdir(), 'warden-recovery-'))
})
afterAll(async () => {
  await stopAll()
  rmSync(dir, { recursive: true, force: true })
})

/** The files a process holds open (Linux /proc), as paths; a moved file shows under its new name. */
function openFiles(pid: number): string[] {
  const fds = join('/proc', String(pid), 'fd')
  if (!existsSync(fds)) return []
  return readdirSync(fds).flatMap((fd) => {
    try {
      return [readlinkSync(join(fds, fd))]
    } catch {
      return [] // closed meanwhile
    }
  })
}

/** Overwrites every page but the first: the header still says the file is ours, its tables are garbage. */
function damagePages(file: string): void {
  const raw = new Database(file, { readonly: true })
  const pageSize = raw.pragma('page_size', { simple: true }) as number
  raw.close()
  const buf = readFileSync(file)
  buf.fill(0x5a, pageSize)
  writeFileSync(file, buf)
}

describe('a damaged database under a running watch', () => {
  it('the watcher reopens the live file, says so once, and sees what the others write', async () => {
    const db = join(dir, 'shared.db')
    expect((await warden(['--db', db, 'list'])).code).toBe(0) // creates it, closed and checkpointed
    const watch = spawn(process.execPath, [BIN, '--db', db, 'watch', '--json'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const events: { event: string; session: Session }[] = []
    createInterface({ input: watch.stdout }).on('line', (l) => events.push(JSON.parse(l) as never))
    const errLines: string[] = []
    createInterface({ input: watch.stderr }).on('line', (l) => errLines.push(l))
    watch.on('exit', (code, signal) => errLines.push(`(watcher exited: ${code} ${signal})`))
    try {
      const pid = watch.pid ?? 0
      // Running: the watcher reports a session started before the damage.
      const before = await sshClient(sshd, ['-N', 'warden-test'])
      await waitFor(
        () => events.find((e) => e.event === 'created' && e.session.pid === before.pid),
        15_000,
        'the watcher to report a session',
      )

      damagePages(db)
      const list = await warden(['--db', db, 'list', '--json'])
      expect(list.code, list.err).toBe(0)
      // One process moved it aside (the CLI here, or the watcher if it met the damage first).
      const moved = () =>
        readdirSync(dir).filter((n) => /^shared\.db\.corrupt-[^.]*$/.test(n) && !/-(wal|shm)$/.test(n))
      expect(moved()).toHaveLength(1)

      // Within a few seconds the watcher holds the live file and no longer the moved one.
      await waitFor(
        () => {
          const files = openFiles(pid)
          return files.includes(db) && !files.some((f) => f.includes('.corrupt-'))
        },
        10_000,
        'the watcher to reopen the live file',
      )

      // A session started now: the watcher records it in the live file, the very row the CLI lists.
      const client = await sshClient(sshd, ['-N', 'warden-test'])
      const created = await waitFor(
        () => events.find((e) => e.event === 'created' && e.session.pid === client.pid),
        15_000,
        'a created line from the watcher',
      )
      const listed = await warden(['--db', db, 'list', '--json'])
      const rows = (JSON.parse(listed.out) as Session[]).filter((s) => s.pid === client.pid)
      expect(rows.map((s) => s.id)).toEqual([created.session.id])

      // Said once (the watch prints the engine's 'reopened' notice, not a scan failure), and no
      // "database disk image is malformed" every second.
      expect(errLines.filter((l) => /reopened|was damaged/.test(l))).toHaveLength(1)
      expect(errLines.filter((l) => /scan failed/.test(l))).toEqual([])
      expect(errLines.filter((l) => /malformed/.test(l))).toEqual([])
      expect(moved()).toHaveLength(1)
    } finally {
      const exited = new Promise((r) => watch.once('exit', r))
      if (watch.exitCode === null && watch.signalCode === null) {
        watch.kill('SIGINT')
        await exited
      }
    }
    expect(watch.exitCode).toBe(0)
  })

  it('a file that is not ours is refused untouched with one line and exit 1; one of ours is moved aside', async () => {
    const text = join(dir, 'notes.txt')
    writeFileSync(text, 'not a database\n')
    const r = await warden(['--db', text, 'list'])
    expect(r.code).toBe(1)
    expect(r.err.trim().split('\n')).toEqual([
      `warden: ${text} is not a Session Warden database (not SQLite); it was not changed. Give --db or WARDEN_DB another path.`,
    ])
    expect(readFileSync(text, 'utf8')).toBe('not a database\n')
    expect(readdirSync(dir).filter((n) => n.startsWith('notes.txt'))).toEqual(['notes.txt'])

    const ours = join(dir, 'ours.db')
    expect((await warden(['--db', ours, 'list'])).code).toBe(0)
    damagePages(ours)
    const again = await warden(['--db', ours, 'settings', 'get', 'idleAfterSec'])
    expect(again.code).toBe(0)
    expect(again.err).toMatch(/was corrupt; it was moved to .*ours\.db\.corrupt-/)
  })
})
