import { spawn, type ChildProcess } from 'node:child_process'
import { execFileSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createHash } from 'node:crypto'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createEngine, type Engine, type SystemIdleSource } from '@engine/index'
import type { Detected } from '@engine/detect/types'
import { openStore } from '@engine/store'
import type { Bundle } from '@engine/anomaly/report'
import type { Session } from '@shared/model'
import { BIN, isAlive, startSshd, stopAll, waitFor, type Sshd } from '../support/peers'
import { startHttpsHook, type HttpsHook } from '../support/https-hook'
import { runCli } from '../../src/cli/cli'

// Anomaly review against the real sshd: real ssh clients (the system one and a copy of it run from a
// temp folder), the real hash of the real binary, reports to a real https server on loopback.

let sshd: Sshd
let dir: string
let engine: Engine | null = null
const clients: ChildProcess[] = []
const hooks: HttpsHook[] = []
const opened: string[] = []

beforeAll(async () => {
  sshd = await startSshd()
})
afterAll(async () => {
  await stopAll()
})
afterEach(async () => {
  if (engine) await engine.close()
  engine = null
  for (const c of clients.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL')
  for (const h of hooks.splice(0)) await h.close()
  opened.length = 0
  if (dir) rmSync(dir, { recursive: true, force: true })
})

interface Opts {
  idle?: SystemIdleSource
  hook?: HttpsHook
  timeoutMs?: number
}

async function newEngine(o: Opts = {}): Promise<Engine> {
  dir = mkdtempSync(join(tmpdir(), 'warden-anomaly-'))
  const port = sshd.port
  engine = await createEngine({
    dbPath: join(dir, 'w.db'),
    actor: 'test',
    terminate: { graceMs: 1500 },
    scope: (d: Detected) => d.remotePort === port,
    asnSource: null,
    systemIdle: o.idle ?? { idleSeconds: () => 0 },
    contact: {
      openExternal: (url) => {
        opened.push(url)
        return Promise.resolve()
      },
      ...(o.hook ? { webhookCa: o.hook.cert } : {}),
      webhookTimeoutMs: o.timeoutMs ?? 5000,
      webhookAttempts: 3,
      retryDelayMs: () => 50,
    },
  })
  return engine
}

/** ssh -N to the test sshd with the given binary; resolves once the engine lists it. */
async function connect(e: Engine, bin: string): Promise<{ proc: ChildProcess; session: Session }> {
  const proc = spawn(bin, ['-F', sshd.clientConfigPath, '-N', 'warden-test'], { stdio: 'ignore' })
  clients.push(proc)
  const session = await waitFor(
    async () => {
      await e.tick()
      return e.list().find((s) => s.pid === proc.pid)
    },
    15_000,
    `the engine to see ${bin}`,
  )
  return { proc, session }
}

function copyOfSsh(): string {
  const copy = join(dir, 'ssh')
  copyFileSync(BIN.ssh, copy)
  execFileSync('chmod', ['755', copy])
  return copy
}

const sha256sum = (file: string): string =>
  execFileSync('sha256sum', [file], { encoding: 'utf8' }).split(' ')[0] ?? ''

describe('anomaly review with real ssh clients', () => {
  it('flags a copy of ssh run from a temp folder at once, with its path and hash; the system ssh not', async () => {
    const e = await newEngine()
    const copy = copyOfSsh()
    const system = await connect(e, BIN.ssh)
    const copied = await connect(e, copy)
    const list = await e.review.list()
    expect(list.map((i) => i.id)).toEqual([copied.session.id])
    const [item] = list
    const hash = sha256sum(copy)
    expect(item?.reasons.some((r) => r.includes(copy) && r.includes(hash))).toBe(true)
    expect(item?.hits.map((h) => h.rule)).toContain('unknown-binary')
    expect(list.some((i) => i.id === system.session.id)).toBe(false)
    // Mark as expected: the binary's key goes on the allow-list and a second run of it is not flagged
    e.review.accept(copied.session.id, 'test')
    expect(await e.review.list()).toEqual([])
    expect(e.review.allowList().map((a) => a.key)).toContain(`exe:${hash}`)
    const again = await connect(e, copy)
    expect((await e.review.list()).some((i) => i.id === again.session.id)).toBe(false)
  })

  it('flags the system ssh started by a script in a temp folder, with the chain; started from node, not', async () => {
    const e = await newEngine()
    const script = join(dir, 'run.sh')
    writeFileSync(script, `#!/bin/sh\n"${BIN.ssh}" -F "${sshd.clientConfigPath}" -N warden-test\n`, {
      mode: 0o755,
    })
    const proc = spawn('/bin/sh', [script], { stdio: 'ignore' })
    clients.push(proc)
    const session = await waitFor(
      async () => {
        await e.tick()
        return e.list().find((s) => s.remotePort === sshd.port)
      },
      15_000,
      'the ssh the script started',
    )
    const plain = await connect(e, BIN.ssh)
    const list = await e.review.list()
    const hit = list.find((i) => i.id === session.id)?.hits.find((h) => h.rule === 'unusual-parent')
    expect(hit?.key).toBe(`parent:${script}`)
    expect(hit?.reason).toContain(
      `started by the script ${script} in a temp folder: ssh ← /bin/sh ${script} (pid ${proc.pid ?? 0})`,
    )
    expect(list.some((i) => i.id === plain.session.id)).toBe(false)
  })

  it('flags a session that appears while away (input idle past idle-after, or the screen locked); not while present', async () => {
    let idle = 0
    const e = await newEngine({ idle: { idleSeconds: () => idle } })
    const present = await connect(e, BIN.ssh)
    idle = 3600
    const away = await connect(e, BIN.ssh)
    idle = 0
    await e.screenLocked()
    const locked = await connect(e, BIN.ssh)
    e.screenUnlocked()
    const list = await e.review.list()
    const reasons = new Map(list.map((i) => [i.id, i.reasons.join(' | ')]))
    expect(reasons.get(away.session.id)).toContain('no keyboard or mouse input for 1h')
    expect(reasons.get(locked.session.id)).toContain('while the screen was locked')
    expect(reasons.has(present.session.id)).toBe(false)
  })

  it('reports: ends the session (reported), writes a bundle whose sha256 matches, hands it to mail and a webhook', async () => {
    const hook = await startHttpsHook('ok')
    hooks.push(hook)
    const e = await newEngine({ hook })
    e.setSetting('securityContact', `mailto:security@example.com ${hook.url}`)
    const copy = copyOfSsh()
    const { proc, session } = await connect(e, copy)
    await e.review.list()
    const r = await e.review.report(session.id, { note: 'not me', actor: 'test' })
    expect(r.ended).toBe(true)
    expect(isAlive(proc.pid ?? 0)).toBe(false)
    const text = readFileSync(r.bundle, 'utf8')
    expect(createHash('sha256').update(text).digest('hex')).toBe(r.sha256)
    expect(readFileSync(`${r.bundle}.sha256`, 'utf8')).toContain(r.sha256)
    const bundle = JSON.parse(text) as Bundle
    expect(bundle.session.endReason).toBe('reported')
    expect(bundle.client.exe).toBe(copy)
    expect(bundle.client.sha256).toBe(sha256sum(copy))
    expect(bundle.ancestry.length).toBeGreaterThan(0)
    // (an ancestor may run from a memfd, which has no path to read: its hash came from /proc/PID/exe)
    for (const a of bundle.ancestry.filter((x) => existsSync(x.exe))) expect(a.sha256).toBe(sha256sum(a.exe))
    expect(bundle.remote.address).toBe('127.0.0.1')
    expect(bundle.note).toBe('not me')
    expect(e.history({ includeOpen: false }).rows.find((s) => s.id === session.id)?.endReason).toBe(
      'reported',
    )
    expect(r.sent.map((d) => [d.to, d.ok])).toEqual([
      ['mailto', true],
      ['webhook', true],
    ])
    expect(opened[0]).toMatch(/^mailto:security@example\.com\?subject=/)
    expect(decodeURIComponent(opened[0] ?? '')).toContain(r.bundle)
    const posted = JSON.parse(hook.bodies[0] ?? '{}') as { sha256: string; bundle: string }
    expect(posted.sha256).toBe(r.sha256)
    expect(createHash('sha256').update(posted.bundle).digest('hex')).toBe(r.sha256)
  })

  it('a webhook that never answers is retried, then the failure is recorded', async () => {
    const hang = await startHttpsHook('hang')
    hooks.push(hang)
    const e = await newEngine({ hook: hang, timeoutMs: 300 })
    e.setSetting('securityContact', hang.url)
    const { session } = await connect(e, BIN.ssh)
    const r = await e.review.report(session.id, { actor: 'test' })
    expect(r.sent).toHaveLength(1)
    expect(r.sent[0]?.ok).toBe(false)
    expect(r.sent[0]?.detail).toMatch(/failed 3 times: no answer within 300 ms/)
    expect(hang.requests()).toBe(3)
    const store = openStore({ path: join(dir, 'w.db') })
    try {
      const failed = store.events(session.id).filter((ev) => ev.kind === 'report-failed')
      expect(failed.map((ev) => ev.detail)).toEqual([expect.stringMatching(/^webhook: .*failed 3 times/)])
    } finally {
      store.close()
    }
  })

  it('negative control: a webhook that answers within the timeout gets one request', async () => {
    const hook = await startHttpsHook('ok')
    hooks.push(hook)
    const e = await newEngine({ hook, timeoutMs: 300 })
    e.setSetting('securityContact', hook.url)
    const { session } = await connect(e, BIN.ssh)
    const r = await e.review.report(session.id, { actor: 'test' })
    expect(r.sent[0]?.ok).toBe(true)
    expect(hook.requests()).toBe(1)
  })

  it('refuses an http:// or credentialed webhook and changes nothing', async () => {
    const e = await newEngine()
    expect(() => e.setSetting('securityContact', 'http://127.0.0.1/hook')).toThrow(/https/)
    expect(() => e.setSetting('securityContact', 'https://u:p@127.0.0.1/hook')).toThrow(/credentials/)
    expect(e.getSettings().securityContact).toBe('')
  })

  it('the CLI: review list --json, review accept, report --json (the bundle, its sha256, ended, sent)', async () => {
    const e = await newEngine()
    const copy = copyOfSsh()
    const { proc, session } = await connect(e, copy)
    await e.review.list()
    const dbPath = join(dir, 'w.db')
    await e.close()
    engine = null
    const cli = async (...argv: string[]): Promise<{ code: number; out: string; err: string }> => {
      const out: string[] = []
      const err: string[] = []
      const code = await runCli(argv, {
        out: (l) => out.push(l),
        err: (l) => err.push(l),
        confirm: null,
        env: { WARDEN_DB: dbPath },
        engine: {
          scope: (d: Detected) => d.remotePort === sshd.port,
          terminate: { graceMs: 1500 },
          asnSource: null,
          contact: { openExternal: () => Promise.resolve() },
        },
      })
      return { code, out: out.join('\n'), err: err.join('\n') }
    }
    const listed = await cli('review', 'list', '--json')
    expect(listed.code).toBe(0)
    const items = JSON.parse(listed.out) as { id: string; reasons: string[]; score: number }[]
    expect(items.map((i) => i.id)).toEqual([session.id])
    expect(items[0]?.reasons.join(' ')).toContain(sha256sum(copy))
    expect(items[0]?.score).toBeGreaterThanOrEqual(2)
    // without a terminal, report needs --yes and does nothing without it
    const refused = await cli('report', session.id)
    expect(refused.code).toBe(2)
    expect(isAlive(proc.pid ?? 0)).toBe(true)
    const reported = await cli('report', session.id, '--yes', '--json', '--note', 'not me')
    const r = JSON.parse(reported.out) as { bundle: string; sha256: string; ended: boolean; sent: unknown[] }
    expect(r.ended).toBe(true)
    expect(r.sent).toEqual([])
    expect(sha256sum(r.bundle)).toBe(r.sha256)
    expect(isAlive(proc.pid ?? 0)).toBe(false)
    expect((await cli('review', 'accept', session.id)).code).toBe(1) // reported: no longer waiting for review
    expect(JSON.parse((await cli('review', 'list', '--json')).out)).toEqual([])
  })
})
