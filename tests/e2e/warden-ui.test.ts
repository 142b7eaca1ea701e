import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import http from 'node:http'
import { networkInterfaces, tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import type { Session } from '@shared/model'
import { e2eSuite } from '../support/e2e-suite'
import {
  freePort,
  isAlive,
  listeningSockets,
  sshClient,
  startSshd,
  waitFor,
  type Sshd,
} from '../support/peers'
import { WARDEN_BIN, warden } from '../support/warden-cli'

// `warden ui` as a user runs it: a real process serving the built window (out/renderer, built by the e2e
// set-up) on loopback, opened in Debian's Chromium at the address it printed, over the real engine, with a
// real ssh to the real sshd.

let sshd: Sshd
let dir: string
let db: string
let proc: ChildProcess
let port: number
let url: string
let exited: Promise<number | null>
const stderr: string[] = []

// the window here is the `warden ui` process's, not the harness's: the suite gives the browser and sshd
const e2e = e2eSuite({ peers: async () => (sshd = await startSshd()) })

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'warden-ui-'))
  db = join(dir, 'warden.db')
  port = await freePort()
  proc = spawn(process.execPath, [WARDEN_BIN, '--db', db, 'ui', '--no-open', '--port', String(port)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  exited = new Promise((resolve) => proc.once('exit', (code) => resolve(code)))
  createInterface({ input: proc.stderr as NodeJS.ReadableStream }).on('line', (l) => stderr.push(l))
  const lines: string[] = []
  createInterface({ input: proc.stdout as NodeJS.ReadableStream }).on('line', (l) => lines.push(l))
  const printed = await waitFor(
    () => lines.map((l) => /served at (\S+)/.exec(l)?.[1]).find((u) => u !== undefined),
    30_000,
    'the address warden ui prints',
  )
  url = printed
})

afterAll(() => {
  if (proc.exitCode === null) proc.kill('SIGKILL')
  rmSync(dir, { recursive: true, force: true })
})

/** A raw request: the Host header as given (fetch would not let a test forge it). */
function get(
  path: string,
  headers: Record<string, string> = {},
): Promise<http.IncomingMessage & { body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, headers }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (c: string) => (body += c))
      res.on('end', () => {
        resolve(Object.assign(res, { body }))
      })
    })
    req.on('error', reject)
    req.end()
  })
}

/** A WebSocket handshake from Node; 'open', or the refusal's status and reason. */
function handshake(query: string, headers: Record<string, string>): Promise<string> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/__warden${query}`, { headers })
    ws.once('open', () => {
      ws.close()
      resolve('open')
    })
    ws.once('unexpected-response', (_req, res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (c: string) => (body += c))
      res.on('end', () => {
        resolve(`${res.statusCode ?? 0} ${body.trim()}`)
      })
    })
    ws.once('error', (e) => {
      resolve(`error ${e.message}`)
    })
  })
}

async function sessionOf(pid: number): Promise<Session> {
  return waitFor(
    async () => {
      const run = await warden(['--db', db, 'list', '--json'])
      return (JSON.parse(run.out) as Session[]).find((s) => s.pid === pid)
    },
    20_000,
    `the session of pid ${pid}`,
  )
}

describe('warden ui', () => {
  it('listens on loopback only (127.0.0.1, and ::1 where the host has it) and sends the window’s CSP as a header', async () => {
    const mine = (await listeningSockets()).filter((s) => s.localPort === port)
    const v6 = Object.values(networkInterfaces()).some((l) => (l ?? []).some((a) => a.address === '::1'))
    expect(mine.map((s) => s.localAddress).sort()).toEqual(v6 ? ['127.0.0.1', '::1'] : ['127.0.0.1'])
    const page = await get('/', { host: `127.0.0.1:${port}` })
    expect(page.statusCode).toBe(200)
    const csp = String(page.headers['content-security-policy'])
    expect(csp).toContain("script-src 'self' 'wasm-unsafe-eval'")
    expect(csp).toContain("frame-ancestors 'none'")
    expect(page.body).toContain('<script src="./warden-web.js"></script>')
    expect(page.body).not.toMatch(/<script>/) // no inline script
  })

  it('loads with the key from the printed address, hides it, and shows the engine’s sessions', async () => {
    const client = await sshClient(sshd, ['-T', 'warden-test'], { command: 'sleep 120' })
    const session = await sessionOf(client.pid)
    const context = await e2e.browser.newContext()
    try {
      const page = await context.newPage()
      const errors: string[] = []
      page.on('pageerror', (e) => errors.push(e.message))
      await page.goto(url)
      const row = page.locator(`tr[data-session-id="${session.id}"]`)
      await row.waitFor()
      expect(await row.innerText()).toContain(session.resourceName)
      expect(page.url()).toBe(`http://127.0.0.1:${port}/`)
      expect(errors).toEqual([])
    } finally {
      await context.close()
    }
  })

  it('refuses a missing or wrong key, a foreign Origin and a foreign Host, saying why', async () => {
    const token = new URL(url).hash.replace('#token=', '')
    const own = { host: `127.0.0.1:${port}`, origin: `http://127.0.0.1:${port}` }
    expect(await handshake('', own)).toBe('401 warden ui: missing token')
    expect(await handshake(`?token=${'A'.repeat(token.length)}`, own)).toBe('401 warden ui: wrong token')
    expect(await handshake(`?token=${token}`, { ...own, origin: 'http://evil.example' })).toBe(
      '403 warden ui: foreign Origin "http://evil.example"',
    )
    expect(await handshake(`?token=${token}`, { host: own.host })).toBe('403 warden ui: no Origin header')
    // DNS rebinding: a page of evil.example re-pointed at 127.0.0.1 sends its own name as Host and Origin
    const rebound = { host: `evil.example:${port}`, origin: `http://evil.example:${port}` }
    expect(await handshake(`?token=${token}`, rebound)).toBe(
      `403 warden ui: foreign Host header "evil.example:${port}"`,
    )
    const file = await get('/', { host: `evil.example:${port}` })
    expect([file.statusCode, file.body.trim()]).toEqual([
      403,
      `warden ui: foreign Host header "evil.example:${port}"`,
    ])
    // the controls: the same key and headers get in, by either loopback name
    expect(await handshake(`?token=${token}`, own)).toBe('open')
    const byName = { host: `localhost:${port}`, origin: `http://localhost:${port}` }
    expect(await handshake(`?token=${token}`, byName)).toBe('open')
  })

  it('ends a real ssh session from the page', async () => {
    const client = await sshClient(sshd, ['-T', 'warden-test'], { command: 'sleep 120' })
    const session = await sessionOf(client.pid)
    const context = await e2e.browser.newContext()
    try {
      const page = await context.newPage()
      await page.goto(url)
      const row = page.locator(`tr[data-session-id="${session.id}"]`)
      await row.locator('[data-action="end"]').click()
      await page.locator('[data-dialog="end-one"] [data-action="confirm"]').click()
      await row.waitFor({ state: 'detached' })
      await waitFor(() => !isAlive(client.pid), 15_000, 'the ended ssh to exit')
      const history = await warden(['--db', db, 'history', '--type', 'ssh', '--json'])
      const ended = (JSON.parse(history.out) as Session[]).find((s) => s.id === session.id)
      expect(ended).toMatchObject({ status: 'disconnected', endReason: 'user', endedBy: 'ui' })
    } finally {
      await context.close()
    }
  })

  it('a port in use is refused with exit status 2 and a message; the running one is untouched', async () => {
    const second = await warden(['--db', join(dir, 'other.db'), 'ui', '--no-open', '--port', String(port)])
    expect(second.code).toBe(2)
    expect(second.err.trim()).toBe(
      `warden: port ${port} on 127.0.0.1 is in use: choose another with --port, or leave --port out for a free one`,
    )
    expect(second.out).toBe('')
    expect((await get('/', { host: `127.0.0.1:${port}` })).statusCode).toBe(200)
  })

  it('Ctrl-C stops it cleanly: exit status 0 and the port is free', async () => {
    proc.kill('SIGINT')
    expect(await exited).toBe(0)
    expect(stderr).toEqual([])
    expect((await listeningSockets()).filter((s) => s.localPort === port)).toEqual([])
  })
})
