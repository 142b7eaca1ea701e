import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import http from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { createEngine, type Engine } from '@engine/index'
import { events, invokes } from '@shared/contract'
import { buildWebClient } from '../../vite.web-client'
import { WEB_CLIENT_FILE } from '../../src/main/ui-server/static-files'
import { startBridge, type Bridge } from '../support/bridge'
import { waitFor } from '../support/peers'
import { launchChromium, openApp, type AppPage } from '../support/ui'

// The test bridge (`warden ui`'s server, src/main/ui-server): the real engine behind `window.warden` in a real
// Chromium page, over the contract, on a hand-made page with the real browser preload (warden-web.js).

let dir: string
let engine: Engine
let bridge: Bridge
let browser: Browser
let app: AppPage

const CSP = "default-src 'self'; connect-src 'self'; script-src 'self'"

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'warden-bridge-'))
  const rendererDir = join(dir, 'renderer')
  mkdirSync(rendererDir)
  writeFileSync(
    join(rendererDir, 'index.html'),
    `<!doctype html><html><head><meta charset="utf-8">` +
      `<meta http-equiv="Content-Security-Policy" content="${CSP}">` +
      `<link rel="icon" href="/favicon.svg"><title>bridge test</title></head>` +
      `<body><script src="/app.js"></script></body></html>`,
  )
  writeFileSync(join(rendererDir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>')
  // The app's own script (script-src 'self'): it reads the settings as the real renderer would, at once,
  // while the socket cannot be open yet (a classic script runs as the parser reaches it).
  writeFileSync(
    join(rendererDir, 'app.js'),
    `globalThis.__early = window.warden.getSettings();
     globalThis.__early.then((s) => { document.body.dataset.idleAfterSec = String(s.idleAfterSec) })`,
  )
  writeFileSync(join(rendererDir, WEB_CLIENT_FILE), await buildWebClient())
  // A file next to the renderer folder: traversal must not reach it.
  writeFileSync(join(dir, 'secret.txt'), 'secret')
  // scope: nothing real is ever tracked, so the machine's own sessions never show up.
  engine = await createEngine({ dbPath: join(dir, 'w.db'), actor: 'test', scope: () => false })
  bridge = await startBridge({ engine, rendererDir })
  browser = await launchChromium()
  app = await openApp(browser, bridge)
})

afterAll(async () => {
  await app.close()
  await browser.close()
  await bridge.close()
  await engine.close()
  rmSync(dir, { recursive: true, force: true })
})

/** Runs `body` in the page with `w` = window.warden and `g` = globalThis (the page's window). */
function inPage<T>(page: Page, body: string): Promise<T> {
  return page.evaluate(`(async () => { const w = window.warden; const g = globalThis; ${body} })()`)
}

function get(
  path: string,
  method = 'GET',
): Promise<{ status: number; type: string | undefined; body: string }> {
  const { port } = new URL(bridge.url)
  return new Promise((resolve, reject) => {
    // http.request sends the path as is (fetch and URL would normalise "/../" away).
    const req = http.request({ host: '127.0.0.1', port, path, method }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => (body += chunk))
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'], body })
      })
    })
    req.on('error', reject)
    req.end()
  })
}

/** Opens a WebSocket from Node; resolves with 'open' or the refusal. */
function connect(url: string, origin?: string, host?: string): Promise<{ ws: WebSocket; outcome: string }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, {
      ...(origin === undefined ? {} : { origin }),
      ...(host === undefined ? {} : { headers: { host } }),
    })
    ws.once('open', () => {
      resolve({ ws, outcome: 'open' })
    })
    ws.once('unexpected-response', (_req, res) => {
      resolve({ ws, outcome: `refused ${res.statusCode ?? 0}` })
      ws.terminate()
    })
    ws.once('error', (e) => {
      resolve({ ws, outcome: `error ${e.message}` })
    })
  })
}

describe('the test bridge', () => {
  it('defines window.warden with exactly one function per contract entry, read-only', async () => {
    const shape = await inPage<{ keys: string[]; types: string[]; writable: boolean; leaked: boolean }>(
      app.page,
      `const d = Object.getOwnPropertyDescriptor(g, 'warden');
       return { keys: Object.keys(w).sort(), types: [...new Set(Object.values(w).map((v) => typeof v))],
                writable: d.writable || d.configurable, leaked: '__WARDEN_BRIDGE__' in g }`,
    )
    expect(shape.keys).toEqual([...Object.keys(invokes), ...Object.keys(events)].sort())
    expect(shape.types).toEqual(['function'])
    expect(shape.writable).toBe(false)
    expect(shape.leaked).toBe(false)
  })

  it('serves the app under its CSP and answers its calls', async () => {
    await app.page.waitForSelector('body[data-idle-after-sec]', { state: 'attached' })
    const shown = await app.page.getAttribute('body', 'data-idle-after-sec')
    expect(shown).toBe(String(engine.getSettings().idleAfterSec))
    expect(await inPage(app.page, 'return await w.getSettings()')).toEqual(engine.getSettings())
    expect(app.errors).toEqual([])
  })

  it('queues calls made before the socket is open', async () => {
    // app.js called getSettings as the parser reached it: before the socket could open
    expect(await inPage(app.page, 'return await g.__early')).toEqual(engine.getSettings())
  })

  it('takes the key out of the address and keeps it for a reload of the tab', async () => {
    expect(app.page.url()).toBe(bridge.url)
    await app.page.reload()
    expect(await inPage(app.page, 'return (await w.getSettings()).idleAfterSec')).toBe(
      engine.getSettings().idleAfterSec,
    )
  })

  it('turns refusals into WardenErrors with their codes and changes nothing', async () => {
    const before = engine.getSettings()
    const bad = await inPage<{ name: string; code: string; message: string; isError: boolean }>(
      app.page,
      `try { await w.setSetting('idleAfterSec', 1); return null }
       catch (e) { return { name: e.name, code: e.code, message: e.message, isError: e instanceof Error } }`,
    )
    expect(bad).toMatchObject({ name: 'WardenError', code: 'BAD_SETTING', isError: true })
    expect(bad.message).toMatch(/idleAfterSec/)
    expect(engine.getSettings()).toEqual(before)

    const badId = await inPage<{ name: string; code: string }>(
      app.page,
      `try { await w.endSession('zz'); return null } catch (e) { return { name: e.name, code: e.code } }`,
    )
    expect(badId).toEqual({ name: 'WardenError', code: 'BAD_ARGS' })
  })

  it('pushes engine events to page listeners until they unsubscribe', async () => {
    await inPage(
      app.page,
      `g.__seenA = []; g.__seenB = [];
       g.__offA = w.onSessionsChanged((p) => g.__seenA.push(p));
       g.__offB = w.onSessionsChanged((p) => g.__seenB.push(p));
       await w.listSessions()`, // a round trip: the socket is open and the server knows this client
    )
    engine.emit('changed', [])
    await waitFor(
      () => inPage<boolean>(app.page, 'return g.__seenA.length === 1'),
      10_000,
      'the event in the page',
    )
    const first = await inPage<{ sessions: unknown[]; stats: unknown; at: number }>(
      app.page,
      'return g.__seenA[0]',
    )
    expect(first.sessions).toEqual([])
    expect(typeof first.at).toBe('number')

    await inPage(app.page, 'g.__offA()')
    engine.emit('changed', [])
    // B still listens: once it has the second event, A would have had it too (one ordered socket).
    await waitFor(
      () => inPage<boolean>(app.page, 'return g.__seenB.length === 2'),
      10_000,
      'the second event',
    )
    expect(await inPage<number>(app.page, 'return g.__seenA.length')).toBe(1)
    await inPage(app.page, 'g.__offB()')
  })

  it('refuses sockets without the token, from another origin or for another host', async () => {
    const wsUrl = bridge.url.replace(/^http/, 'ws') + '__warden'
    const own = bridge.url.replace(/\/$/, '')
    const noToken = await connect(wsUrl, own)
    expect(noToken.outcome).toBe('refused 401')
    const wrongToken = await connect(`${wsUrl}?token=${'x'.repeat(bridge.token.length)}`, own)
    expect(wrongToken.outcome).toBe('refused 401')
    const foreign = await connect(`${wsUrl}?token=${bridge.token}`, 'http://evil.example')
    expect(foreign.outcome).toBe('refused 403')
    const noOrigin = await connect(`${wsUrl}?token=${bridge.token}`)
    expect(noOrigin.outcome).toBe('refused 403')
    // DNS rebinding: a foreign name pointed at 127.0.0.1 sends its own Host (and Origin)
    const rebound = await connect(`${wsUrl}?token=${bridge.token}`, 'http://evil.example:1', 'evil.example:1')
    expect(rebound.outcome).toBe('refused 403')

    // The right token and origin get in; malformed frames get BAD_ARGS (with an id) or nothing.
    const ok = await connect(`${wsUrl}?token=${bridge.token}`, own)
    expect(ok.outcome).toBe('open')
    const replies: unknown[] = []
    ok.ws.on('message', (data: Buffer) => replies.push(JSON.parse(data.toString('utf8'))))
    ok.ws.send('not json')
    ok.ws.send(JSON.stringify({ id: 1, channel: 'nope', args: [] }))
    ok.ws.send(JSON.stringify({ id: 2, channel: 'settings:get' }))
    ok.ws.send(JSON.stringify({ id: 3, channel: 'settings:get', args: [] }))
    await waitFor(() => replies.length >= 3, 10_000, 'three replies')
    const byId = new Map(replies.map((r) => [(r as { id: number }).id, (r as { reply: unknown }).reply]))
    expect(byId.get(1)).toMatchObject({ ok: false, error: { code: 'BAD_ARGS' } })
    expect(byId.get(2)).toMatchObject({ ok: false, error: { code: 'BAD_ARGS' } })
    expect(byId.get(3)).toEqual({ ok: true, value: engine.getSettings() })
    ok.ws.close()
  })

  it('serves only files inside the renderer folder, with their content types, read-only', async () => {
    expect(await get('/')).toMatchObject({ status: 200, type: 'text/html; charset=utf-8' })
    expect(await get('/app.js')).toMatchObject({ status: 200, type: 'text/javascript; charset=utf-8' })
    expect(await get('/favicon.svg')).toMatchObject({ status: 200, type: 'image/svg+xml' })
    expect(await get('/app.js', 'HEAD')).toMatchObject({ status: 200, body: '' })
    expect((await get('/app.js', 'POST')).status).toBe(405)
    for (const path of [
      '/../package.json',
      '/../secret.txt',
      '/%2e%2e/secret.txt',
      '/..%2fsecret.txt',
      '/missing.js',
    ]) {
      expect((await get(path)).status, path).toBe(404)
    }
  })

  it('rejects pending and later calls once the bridge is closed', async () => {
    const other = await startBridge({ engine, rendererDir: join(dir, 'renderer') })
    const opened = await other.open(browser)
    // Closing the bridge closes its HTTP server too. Chromium fetches the page's icon lazily, on a busy
    // CPU only after the close, and logs the refused load as a console error itself. Such a load, of the
    // closed bridge's own files, is expected: each one may leave exactly that one message, nothing else.
    let closing = false
    const refusedAfterClose: string[] = []
    opened.page.on('requestfailed', (request) => {
      const refused = request.failure()?.errorText === 'net::ERR_CONNECTION_REFUSED'
      if (closing && refused && request.url().startsWith(other.url)) refusedAfterClose.push(request.url())
    })
    try {
      expect(await inPage(opened.page, 'return (await w.getSettings()).idleAfterSec')).toBe(
        engine.getSettings().idleAfterSec,
      )
      closing = true
      await other.close()
      const after = await inPage<{ name: string; message: string }>(
        opened.page,
        `for (;;) {
           try { await w.listSessions() } catch (e) { return { name: e.name, message: e.message } }
           await new Promise((r) => setTimeout(r, 50))
         }`,
      )
      expect(after).toEqual({
        name: 'Error',
        message: 'the connection to Session Warden is closed (is `warden ui` still running?)',
      })
      // polled: Chromium reports a failed request and its console message as two separate events
      const unexplained = (): string[] => {
        const rest = [...opened.errors]
        for (const url of refusedAfterClose) {
          const at = rest.indexOf('console: Failed to load resource: net::ERR_CONNECTION_REFUSED')
          if (at < 0) return [...rest, `(no console message yet for the refused ${url})`]
          rest.splice(at, 1)
        }
        return rest
      }
      await expect.poll(unexplained).toEqual([])
    } finally {
      await opened.close()
      await other.close()
    }
  })
})
