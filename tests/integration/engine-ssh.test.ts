import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir, userInfo } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createEngine, type Engine } from '@engine/index'
import type { EngineTiming } from '@engine/timing'
import { openStore } from '@engine/store'
import { isSessionProgram } from '@engine/detect'
import type { Detected } from '@engine/detect/types'
import { createProbe, type Probe } from '@engine/probe'
import type { Session } from '@shared/model'
import { runCli } from '../../src/cli/cli'
import {
  BIN,
  freePort,
  isAlive,
  sftpClient,
  sshClient,
  sshInteractive,
  startSshd,
  stopAll,
  waitFor,
  type ClientProc,
  type Sshd,
} from '../support/peers'
import { runIdleControl, setControlPolicy } from '../support/idle-control'

// The engine against a real OpenSSH server and real ssh clients on loopback.

let sshd: Sshd
let dir: string
let engine: Engine | null = null
const extra: ChildProcess[] = []

beforeAll(async () => {
  sshd = await startSshd()
})
afterAll(async () => {
  await stopAll()
})
afterEach(async () => {
  if (engine) await engine.close()
  engine = null
  for (const c of extra.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL')
  // every client of a test ends with it, so tests never see each other's sessions
  await stopAll().then(async () => {
    sshd = await startSshd()
  })
  if (dir) rmSync(dir, { recursive: true, force: true })
})

async function newEngine(db = 'w.db', timing: Partial<EngineTiming> = {}): Promise<Engine> {
  dir ||= mkdtempSync(join(tmpdir(), 'warden-it-'))
  engine = await createEngine({ dbPath: join(dir, db), actor: 'test', ...engineOpts(), timing })
  return engine
}

/** Only this test's sshd: a developer's own ssh sessions are never touched by the tests. */
function engineOpts() {
  const port = sshd.port
  return { terminate: { graceMs: 1500 }, scope: (d: Detected) => d.remotePort === port }
}

function freshDir(): void {
  dir = mkdtempSync(join(tmpdir(), 'warden-it-'))
}

/** The sessions of this test's sshd only (the machine may have others). */
function ours(e: Engine): Session[] {
  return e.list().filter((s) => s.remotePort === sshd.port)
}

async function settle(e: Engine, count: number): Promise<Session[]> {
  return waitFor(
    async () => {
      await e.tick()
      const list = ours(e)
      return list.length === count ? list : undefined
    },
    10_000,
    `${count} sessions`,
  )
}

describe('ssh sessions against a real sshd', () => {
  it('finds plain, alias, ProxyJump, ControlMaster, sftp and tunnel clients once each, and ignores non-sessions', async () => {
    freshDir()
    const e = await newEngine()
    const me = userInfo().username
    const plain = await sshClient(sshd, [
      '-N',
      '-p',
      String(sshd.port),
      '-i',
      sshd.keyPath,
      `${me}@127.0.0.1`,
    ])
    const alias = await sshClient(sshd, ['-T', 'warden-test'], { command: 'sleep 60' })
    const jump = await sshClient(sshd, ['-N', 'warden-via-jump'])
    const mux = await sshClient(sshd, ['-N', 'warden-mux'])
    const muxClient = await sshClient(sshd, ['warden-mux'], { command: 'sleep 60' })
    const sftp = await sftpClient(sshd)
    const tunnel = await sshClient(sshd, [
      '-N',
      '-L',
      `127.0.0.1:${await freePort()}:127.0.0.1:9`,
      'warden-test',
    ])
    // Not sessions: a query-only ssh, a client that never gets a TCP connection, programs that merely mention ssh.
    extra.push(
      spawn(BIN.ssh, ['-F', sshd.clientConfigPath, '-o', 'ProxyCommand=sleep 60', 'warden-test'], {
        stdio: 'ignore',
      }),
    )
    extra.push(spawn('sleep', ['60', 'ssh', 'warden-test'], { stdio: 'ignore' }))
    extra.push(spawn('bash', ['-c', 'exec -a "vim /root/.ssh/config" sleep 60'], { stdio: 'ignore' }))

    const list = await settle(e, 6)
    const byPid = new Map(list.map((s) => [s.pid, s]))
    expect(byPid.get(plain.pid)).toMatchObject({
      resourceType: 'ssh',
      resourceName: '127.0.0.1',
      user: me,
      ipAddress: '127.0.0.1',
      status: 'active',
      location: 'This device',
    })
    expect(byPid.get(alias.pid)).toMatchObject({
      resourceName: 'warden-test',
      ipAddress: '127.0.0.1',
      flags: [],
    })
    expect(byPid.get(jump.pid)?.resourceName).toBe('warden-via-jump')
    expect(byPid.get(jump.pid)?.flags).toContain('jump')
    const master = list.find((s) => s.flags.includes('multiplexed'))
    expect(master?.pid).toBe(mux.masterPid)
    expect(master?.resourceName).toBe('warden-mux')
    expect(byPid.has(muxClient.pid)).toBe(false)
    expect(byPid.get(sftp.pid)).toMatchObject({ client: 'sftp', resourceName: 'warden-test' })
    expect(byPid.get(sftp.pid)?.flags).toContain('file-transfer')
    expect(byPid.get(tunnel.pid)?.flags).toContain('tunnel')
    expect(byPid.get(plain.pid)?.flags).not.toContain('tunnel') // -N alone: ssh -G shows no forwards
    expect(new Set(list.map((s) => s.id)).size).toBe(6)
    // a second scan adds nothing
    await e.tick()
    expect(ours(e)).toHaveLength(6)
    // ending the ControlMaster session ends the clients riding on its connection too
    expect(await e.end(master?.id ?? '')).toMatchObject({ ok: true, result: 'ended' })
    await muxClient.exited
    expect(isAlive(muxClient.pid)).toBe(false)
    expect(isAlive(alias.pid)).toBe(true)
  })

  it('finds a session whose socket is held by a ProxyCommand helper of any name', async () => {
    freshDir()
    const e = await newEngine()
    const helper = `ProxyCommand=bash -c 'exec 3<>/dev/tcp/127.0.0.1/${sshd.port}; cat <&3 & exec cat >&3'`
    const c = await sshClient(sshd, ['-o', helper, '-T', 'warden-test'], { command: 'sleep 60' })
    const [s] = await settle(e, 1)
    expect(s).toMatchObject({
      pid: c.pid,
      resourceName: 'warden-test',
      resourceType: 'ssh',
      ipAddress: '127.0.0.1',
    })
    expect(c.socketPid).not.toBe(c.pid) // the helper, not ssh, owns the connection
    expect(await e.end(s?.id ?? '')).toMatchObject({ ok: true, result: 'ended' })
    await c.exited
    expect(isAlive(c.socketPid)).toBe(false)
  })

  it('ends exactly the chosen session within the grace period and records the cause', async () => {
    freshDir()
    const e = await newEngine()
    const a = await sshClient(sshd, ['-N', 'warden-test'])
    const b = await sshClient(sshd, ['-N', 'warden-via-jump'])
    const list = await settle(e, 2)
    const target = list.find((s) => s.pid === b.pid) as Session
    const t0 = Date.now()
    const res = await e.end(target.id, 'user')
    expect(res).toMatchObject({ ok: true, result: 'ended', killed: false })
    expect(Date.now() - t0).toBeLessThan(1500)
    await b.exited
    expect(isAlive(b.pid)).toBe(false)
    expect(isAlive(b.socketPid)).toBe(false) // the ProxyJump child went with it
    expect(isAlive(a.pid)).toBe(true)
    expect(e.get(target.id)).toMatchObject({ status: 'disconnected', endReason: 'user', endedBy: 'user' })
    await e.tick()
    expect(ours(e).map((s) => s.pid)).toEqual([a.pid])
  })

  it('kills a client that ignores SIGTERM after the grace period', async () => {
    freshDir()
    const e = await newEngine()
    const stubborn = await sshClient(sshd, ['-N', 'warden-test'], { ignoreSigterm: true })
    const [s] = await settle(e, 1)
    const res = await e.end(s?.id ?? '')
    expect(res).toMatchObject({ ok: true, result: 'ended', killed: true })
    await stubborn.exited
    expect(stubborn.proc.signalCode).toBe('SIGKILL')
  })

  it('`warden end --all --yes` ends every session; without --yes and no terminal it refuses', async () => {
    freshDir()
    const e = await newEngine()
    const clients: ClientProc[] = []
    for (let i = 0; i < 3; i++) clients.push(await sshClient(sshd, ['-N', 'warden-test']))
    await settle(e, 3)
    await e.close()
    engine = null
    const db = join(dir, 'w.db')
    const io = (out: string[], err: string[]) => ({
      out: (l: string) => out.push(l),
      err: (l: string) => err.push(l),
      confirm: null,
      env: { WARDEN_DB: db },
      engine: engineOpts(),
    })
    const out1: string[] = []
    const err1: string[] = []
    expect(await runCli(['end', '--all'], io(out1, err1))).toBe(2)
    expect(err1.join('')).toMatch(/--yes/)
    for (const c of clients) expect(isAlive(c.pid)).toBe(true)
    const out2: string[] = []
    const err2: string[] = []
    expect(await runCli(['end', '--all', '--yes'], io(out2, err2))).toBe(0)
    for (const c of clients) {
      await c.exited
      expect(isAlive(c.pid)).toBe(false)
    }
    expect(out2.filter((l) => l.startsWith('ended: '))).toHaveLength(3)
    const store = openStore({ path: db })
    try {
      const rows = store.history({ limit: 10 }).rows.filter((r) => r.remotePort === sshd.port)
      expect(rows.map((r) => r.endReason)).toEqual(['bulk', 'bulk', 'bulk'])
      expect(rows.every((r) => r.endedBy === 'cli')).toBe(true)
    } finally {
      store.close()
    }
  })

  it('idle warning and auto-disconnect fire with short thresholds; traffic every T/10 survives 3T', async () => {
    freshDir()
    const e = await newEngine()
    setControlPolicy(e)
    const quiet = await sshInteractive(sshd)
    const busy = await sshInteractive(sshd)
    await settle(e, 2)
    await runIdleControl(e, Object.fromEntries(ours(e).map((s) => [s.pid, s.id])), quiet, busy)
  })

  it('after a restart adopts live sessions and closes vanished ones with app-restart at last seen', async () => {
    freshDir()
    // last seen refreshed every second (not 10 s), one missed poll: stale after 1 + 1 + 2 s
    const timing = { touchEveryMs: 1000, stalePolls: 1 }
    const first = await newEngine('w.db', timing)
    const stays = await sshClient(sshd, ['-N', 'warden-test'])
    const leaves = await sshClient(sshd, ['-N', 'warden-via-jump'])
    const list = await settle(first, 2)
    const ids = Object.fromEntries(list.map((s) => [s.pid, s.id]))
    const lastSeen = Date.parse(first.get(ids[leaves.pid] ?? '').lastSeen)
    await first.close()
    engine = null
    await leaves.stop()
    // longer than the last-seen refresh + a poll interval + 2 s: nobody was watching
    await new Promise((r) => setTimeout(r, 5000))
    const second = await newEngine('w.db', timing)
    await second.tick()
    expect(ours(second).map((s) => s.id)).toEqual([ids[stays.pid]])
    expect(second.get(ids[leaves.pid] ?? '')).toMatchObject({
      status: 'disconnected',
      endReason: 'app-restart',
      endTime: new Date(lastSeen).toISOString(),
    })
  })

  it('a client that exits on its own is recorded as process-exit', async () => {
    freshDir()
    const e = await newEngine()
    const c = await sshClient(sshd, ['-N', 'warden-test'])
    const [s] = await settle(e, 1)
    await c.stop()
    await waitFor(async () => (await e.tick()).ended.length > 0 || undefined, 5000, 'the end')
    expect(e.get(s?.id ?? '')).toMatchObject({ status: 'disconnected', endReason: 'process-exit' })
  })

  it('clients closed with SIGTERM while watching at 200 ms are recorded as process-exit, every time', async () => {
    freshDir()
    const e = await newEngine()
    e.setSetting('pollIntervalMs', 200)
    e.start()
    const reasons: (string | null)[] = []
    for (let i = 0; i < 10; i++) {
      const c = await sshClient(sshd, ['-N', 'warden-test'])
      const s = await waitFor(() => ours(e).find((x) => x.pid === c.pid), 10_000, `client ${i} tracked`)
      // at a different point of the 200 ms poll each time
      await new Promise((r) => setTimeout(r, i * 20))
      c.proc.kill('SIGTERM')
      await c.exited
      const ended = await waitFor(
        () => {
          const now = e.get(s.id)
          return now.status === 'disconnected' ? now : undefined
        },
        10_000,
        `client ${i} recorded as ended`,
      )
      reasons.push(ended.endReason)
    }
    await e.stop()
    expect(reasons).toEqual(Array<string>(10).fill('process-exit'))
  })

  it('a SIGTERM that lands mid-scan (process read before it, sockets after) is still process-exit', async () => {
    freshDir()
    // The probe reads the process table, then the sockets: a client that closes its connection
    // between the two reads looks alive without its session. This probe opens that gap on purpose.
    const real = createProbe('linux', { interesting: isSessionProgram })
    let victim: ClientProc | null = null
    const probe: Probe = {
      readProcess: (pid) => real.readProcess(pid),
      async snapshot(o) {
        const before = await real.snapshot(o)
        const c = victim
        if (!c) return before
        victim = null
        c.proc.kill('SIGTERM')
        await c.exited
        const after = await real.snapshot(o)
        return { ...after, takenAt: before.takenAt, processes: before.processes, unchanged: false }
      },
    }
    engine = await createEngine({ dbPath: join(dir, 'w.db'), actor: 'test', ...engineOpts(), probe })
    const e = engine
    const c = await sshClient(sshd, ['-N', 'warden-test'])
    const [s] = await settle(e, 1)
    const ended: Session[] = []
    e.on('ended', (x) => ended.push(x))
    victim = c
    await e.tick() // the torn scan: the process is there, its connection is not
    expect(victim).toBeNull()
    await waitFor(
      async () => {
        await e.tick()
        return ended.length > 0
      },
      5000,
      'the end',
    )
    expect(ended.map((x) => [x.id, x.endReason])).toEqual([[s?.id, 'process-exit']])
  })
})
