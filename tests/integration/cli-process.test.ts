import { execFile, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Session } from '@shared/model'
import { sshClient, startSshd, stopAll, waitFor, isAlive, type Sshd } from '../support/peers'
import { REPO_ROOT as ROOT, WARDEN_BIN as BIN, warden } from '../support/warden-cli'

// The `warden` command as a user runs it: a real process over the real engine and database.

let sshd: Sshd
let dir: string

beforeAll(async () => {
  sshd = await startSshd()
  dir = mkdtempSync(join(tmpdir(), 'warden-cli-'))
})
afterAll(async () => {
  await stopAll()
  rmSync(dir, { recursive: true, force: true })
})

describe('warden as a process', () => {
  it('watch --json prints one line per change; list, end and history see the same database', async () => {
    const db = join(dir, 'shared.db')
    const watch = spawn(process.execPath, [BIN, '--db', db, 'watch', '--json'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const events: { event: string; session: Session }[] = []
    createInterface({ input: watch.stdout }).on('line', (l) => events.push(JSON.parse(l) as never))
    try {
      const client = await sshClient(sshd, ['-N', 'warden-test'])
      const created = await waitFor(
        () => events.find((e) => e.event === 'created' && e.session.pid === client.pid),
        15_000,
        'a created line from watch',
      )
      expect(created.session).toMatchObject({
        resourceType: 'ssh',
        resourceName: 'warden-test',
        status: 'active',
      })

      // a second process on the same file: lists the same session (no second row), then ends it
      const list = await warden(['--db', db, 'list', '--json'])
      expect(list.code).toBe(0)
      const rows = (JSON.parse(list.out) as Session[]).filter((s) => s.pid === client.pid)
      expect(rows.map((s) => s.id)).toEqual([created.session.id])

      const end = await warden(['--db', db, 'end', created.session.id, '--yes'])
      expect(end.err).toBe('')
      expect(end.code).toBe(0)
      expect(end.out).toMatch(/^ended: /)
      await client.exited
      expect(isAlive(client.pid)).toBe(false)

      const ended = await waitFor(
        () => events.find((e) => e.event === 'ended' && e.session.id === created.session.id),
        15_000,
        'an ended line from watch',
      )
      // the watcher saw the process go, but records the cause the CLI asked for, once
      expect(ended.session).toMatchObject({ status: 'disconnected', endReason: 'user', endedBy: 'cli' })
      const history = await warden(['--db', db, 'history', '--type', 'ssh', '--json'])
      const past = (JSON.parse(history.out) as Session[]).filter((s) => s.id === created.session.id)
      expect(past).toHaveLength(1)
      expect(past[0]?.endReason).toBe('user')

      const again = await warden(['--db', db, 'end', created.session.id, '--yes'])
      expect(again.code).toBe(0)
      const unknown = await warden(['--db', db, 'end', 'ffffffffffff', '--yes'])
      expect(unknown.code).toBe(2)
      expect(unknown.err.trim().split('\n')).toEqual(['warden: no session with id ffffffffffff'])
    } finally {
      watch.kill('SIGINT')
      await new Promise((r) => watch.once('exit', r))
    }
    expect(watch.exitCode).toBe(0)
  })

  it('watch --json into a reader that closes early ends quietly with exit 0 (EPIPE)', async () => {
    const db = join(dir, 'epipe.db')
    const watch = spawn(process.execPath, [BIN, '--db', db, 'watch', '--json'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    // `warden watch --json | head -c 100`: head holds the only read end of warden's stdout
    const head = spawn('head', ['-c', '100'], { stdio: [watch.stdout, 'pipe', 'ignore'] })
    watch.stdout.destroy()
    let headOut = ''
    head.stdout.on('data', (d: Buffer) => (headOut += d.toString()))
    let stderr = ''
    watch.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    try {
      // its created line (well over 100 bytes) lets head finish and close the pipe
      const client = await sshClient(sshd, ['-N', 'warden-test'])
      await waitFor(() => head.exitCode !== null, 15_000, 'head to take 100 bytes and exit')
      expect(headOut).toMatch(/^\{"event":"created"/)
      // the ended line is then written into a pipe nobody reads
      await client.stop()
      await waitFor(() => watch.exitCode !== null || watch.signalCode !== null, 15_000, 'watch to end')
      expect(stderr).toBe('')
      expect(watch.exitCode).toBe(0)
    } finally {
      if (watch.exitCode === null && watch.signalCode === null) {
        watch.kill('SIGINT')
        await new Promise((r) => watch.once('exit', r))
      }
    }
  })

  it('refuses a database written by a newer version and leaves it alone', async () => {
    const db = join(dir, 'future.db')
    expect((await warden(['--db', db, 'stats'])).code).toBe(0)
    const sqlite = (await import('better-sqlite3')).default
    const h = new sqlite(db)
    h.pragma('user_version = 999')
    h.close()
    const r = await warden(['--db', db, 'stats'])
    expect(r.code).toBe(1)
    expect(r.err.trim().split('\n')).toHaveLength(1)
    expect(r.err).toMatch(/newer/)
  })

  it('npm run warden works in a checkout', async () => {
    const r = await new Promise<{ code: number; out: string }>((resolve) => {
      execFile('npm', ['run', '-s', 'warden', '--', '--help'], { cwd: ROOT }, (err, out) =>
        resolve({ code: err ? 1 : 0, out }),
      )
    })
    expect(r.code).toBe(0)
    expect(r.out).toMatch(/^Usage: warden/)
  })
})
