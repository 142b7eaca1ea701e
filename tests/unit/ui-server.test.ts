import { EventEmitter } from 'node:events'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import http from 'node:http'
import net from 'node:net'
import { networkInterfaces, tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import type { Engine } from '@engine/index'
import { openerFor } from '../../src/main/ui-server/open-browser'
import { startUiServer, UiServeError } from '../../src/main/ui-server/server'
import { loadIndex, WEB_CLIENT_FILE } from '../../src/main/ui-server/static-files'

// `warden ui`'s pieces that need no other process: the not-built refusal, the index page it serves, the
// opener, and the server in this process on both loopback addresses (127.0.0.1 and ::1).

const dir = mkdtempSync(join(tmpdir(), 'warden-ui-unit-'))
afterAll(() => {
  rmSync(dir, { recursive: true, force: true })
})

describe('warden ui, before it listens', () => {
  it('refuses an unbuilt window with the command that builds it, and never touches the engine', async () => {
    const untouchable = new Proxy(
      {},
      {
        get(_t, key) {
          throw new Error(`the engine was used (${String(key)})`)
        },
      },
    )
    const engine = untouchable as unknown as Engine
    const started = startUiServer({ engine, rendererDir: join(dir, 'nothing-here') })
    await expect(started).rejects.toBeInstanceOf(UiServeError)
    await expect(started).rejects.toMatchObject({ code: 'NOT_BUILT' })
    await expect(started).rejects.toThrow(/index\.html and warden-web\.js missing .*`npm run build:renderer`/)
  })

  it('serves index.html with the browser preload before </head> and the meta CSP as a header', async () => {
    const csp = "default-src 'self'; script-src 'self'"
    writeFileSync(
      join(dir, 'index.html'),
      `<html><head>\n<meta\n  http-equiv="Content-Security-Policy"\n  content="${csp};"\n/>` +
        `<script type="module" src="./app.js"></script></head><body></body></html>`,
    )
    const page = await loadIndex(dir)
    expect(page.csp).toBe(`${csp}; frame-ancestors 'none'`)
    expect(page.html).toContain(
      `<script type="module" src="./app.js"></script><script src="./${WEB_CLIENT_FILE}"></script>\n</head>`,
    )
    // a page without a CSP of its own still gets a strict one
    writeFileSync(join(dir, 'index.html'), '<html><head></head><body></body></html>')
    expect((await loadIndex(dir)).csp).toBe(
      "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
    )
  })

  it('opens the address with each platform’s opener as one argument, never a shell', () => {
    const url = 'http://127.0.0.1:1/#token=a&b'
    expect(openerFor('linux', url)).toEqual({ file: 'xdg-open', args: [url] })
    expect(openerFor('darwin', url)).toEqual({ file: 'open', args: [url] })
    expect(openerFor('win32', url)).toEqual({
      file: 'rundll32.exe',
      args: ['url.dll,FileProtocolHandler', url],
    })
  })
})

/** The host has ::1 (a container may run without IPv6): the [::1] case is skipped, saying so, where not. */
const hasV6Loopback = Object.values(networkInterfaces()).some((list) =>
  (list ?? []).some((a) => a.family === 'IPv6' && a.address === '::1'),
)

/** A built window of two files: all the server needs to start. */
function builtDir(): string {
  const root = join(dir, 'built')
  mkdirSync(root, { recursive: true })
  writeFileSync(join(root, 'index.html'), '<html><head></head><body>warden</body></html>')
  writeFileSync(join(root, WEB_CLIENT_FILE), '')
  return root
}

/** Enough engine for the socket: `listSessions` and the events forwarded to the page. */
function fakeEngine(): Engine {
  return Object.assign(new EventEmitter(), { list: () => [] }) as unknown as Engine
}

function get(host: string, port: number, hostHeader: string): Promise<{ status: number; body: string }> {
  return new Promise((ok, fail) => {
    const req = http.request({ host, port, path: '/', headers: { host: hostHeader } }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (c: string) => (body += c))
      res.on('end', () => ok({ status: res.statusCode ?? 0, body: body.trim() }))
    })
    req.on('error', fail)
    req.end()
  })
}

/** A handshake to `url` with these headers, then one call: the reply's `ok`, or the refusal's status and text. */
function call(url: string, headers: Record<string, string>): Promise<string> {
  return new Promise((ok) => {
    const ws = new WebSocket(url, { headers })
    ws.once('open', () => ws.send(JSON.stringify({ id: 1, channel: 'sessions:list', args: [] })))
    ws.once('message', (data: Buffer) => {
      const reply = (JSON.parse(data.toString('utf8')) as { reply: { ok: boolean } }).reply
      ws.close()
      ok(`reply ok=${String(reply.ok)}`)
    })
    ws.once('unexpected-response', (_req, res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (c: string) => (body += c))
      res.on('end', () => ok(`${res.statusCode ?? 0} ${body.trim()}`))
    })
    ws.once('error', (e) => ok(`error ${e.message}`))
  })
}

describe.skipIf(!hasV6Loopback)('warden ui on [::1]', () => {
  it('listens on ::1 at the same port: the key and [::1]:PORT get in there, a foreign Host is refused', async () => {
    const server = await startUiServer({ engine: fakeEngine(), rendererDir: builtDir() })
    try {
      const { port, token } = server
      expect(server.addresses).toEqual(['127.0.0.1', '::1'])
      const own = `[::1]:${port}`
      expect(await get('::1', port, own)).toMatchObject({ status: 200 })
      const socket = `ws://[::1]:${port}/__warden`
      expect(await call(`${socket}?token=${token}`, { origin: `http://${own}` })).toBe('reply ok=true')
      // over ::1 the same refusals hold: no key, a rebound name as Host (and Origin), a foreign Origin
      expect(await call(socket, { origin: `http://${own}` })).toBe('401 warden ui: missing token')
      const evil = `evil.example:${port}`
      expect(await call(`${socket}?token=${token}`, { host: evil, origin: `http://${evil}` })).toBe(
        `403 warden ui: foreign Host header "${evil}"`,
      )
      expect(await get('::1', port, evil)).toEqual({
        status: 403,
        body: `warden ui: foreign Host header "${evil}"`,
      })
      expect(await call(`${socket}?token=${token}`, { origin: 'http://evil.example' })).toBe(
        '403 warden ui: foreign Origin "http://evil.example"',
      )
      // the [::1] name is this server's on 127.0.0.1 too, and 127.0.0.1 still serves
      expect(await get('127.0.0.1', port, own)).toMatchObject({ status: 200 })
      expect(
        await call(`ws://127.0.0.1:${port}/__warden?token=${token}`, { origin: `http://127.0.0.1:${port}` }),
      ).toBe('reply ok=true')
    } finally {
      await server.close()
    }
  })

  it('a port another program holds on [::1] is refused, and 127.0.0.1 is let go again', async () => {
    const squatter = net.createServer()
    const port = await new Promise<number>((ok) =>
      squatter.listen({ host: '::1', port: 0 }, () => ok((squatter.address() as net.AddressInfo).port)),
    )
    try {
      const started = startUiServer({ engine: fakeEngine(), rendererDir: builtDir(), port })
      await expect(started).rejects.toMatchObject({
        code: 'PORT_IN_USE',
        message: `port ${port} on [::1] is in use: choose another with --port, or leave --port out for a free one`,
      })
      // nothing was left listening on 127.0.0.1:PORT
      const probe = net.createServer()
      await new Promise<void>((ok, fail) => {
        probe.once('error', fail)
        probe.listen({ host: '127.0.0.1', port }, ok)
      })
      await new Promise((ok) => probe.close(ok))
    } finally {
      await new Promise((ok) => squatter.close(ok))
    }
  })
})
