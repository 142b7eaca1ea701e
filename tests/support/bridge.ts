// Node side of the test bridge: serves the built renderer and the IPC contract on one loopback port, so
// the unchanged renderer runs in a plain Chromium with `window.warden` backed by the real engine.
//
// One HTTP server on 127.0.0.1 (port 0) serves the static files of `rendererDir` and, on the upgrade
// path /__warden, a WebSocket that carries contract calls and events (protocol: bridge-client.ts).
// Calls go through the very same `dispatch` as the Electron shell, so argument parsing, engine errors
// and envelopes are identical. The socket only accepts the page: a random token (handed over through
// the Playwright init script, never over HTTP) and the server's own Origin are both required.
import { randomBytes, timingSafeEqual } from 'node:crypto'
import { realpath, stat } from 'node:fs/promises'
import { createReadStream } from 'node:fs'
import http from 'node:http'
import { extname, join, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Duplex } from 'node:stream'
import type { Browser } from 'playwright-core'
import { WebSocketServer, type WebSocket } from 'ws'
import { build } from 'vite'
import type { Engine } from '@engine/index'
import { createHandlers, dispatch, forwardEvents } from '../../src/main/api/handlers'
import { launchChromium, openApp, type AppPage, type OpenAppOptions } from './ui'

export interface BridgeOptions {
  engine: Engine
  /** the built renderer (index.html and its assets) */
  rendererDir: string
  /** recorded in the audit trail for sessions ended through the bridge; default 'app' */
  actor?: string
}

export interface Bridge {
  /** the app's address: http://127.0.0.1:PORT/ */
  url: string
  token: string
  /** for Playwright's `page.addInitScript({ content })`: defines `window.warden` before the app runs */
  initScript: string
  /**
   * Opens the app in a new context of `browser`, or of a Chromium launched for it (closed again by the
   * page's close() and by the bridge's close()).
   */
  open(browser?: Browser, opts?: OpenAppOptions): Promise<AppPage>
  /** stops forwarding events, closes every client, the WebSocket server and the HTTP server */
  close(): Promise<void>
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const SOCKET_PATH = '/__warden'
/** far above any contract call (setSetting, a list of ids); a bigger frame is not from the app */
const MAX_FRAME_BYTES = 1024 * 1024

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
}

let clientBundle: Promise<string> | undefined

/** bridge-client.ts as one IIFE, built in memory once per process (a build takes a moment). */
function bridgeClientBundle(): Promise<string> {
  clientBundle ??= buildClientBundle().catch((e: unknown) => {
    clientBundle = undefined // let the next bridge retry instead of caching the failure
    throw e
  })
  return clientBundle
}

async function buildClientBundle(): Promise<string> {
  const result = await build({
    configFile: false,
    root: ROOT,
    logLevel: 'silent',
    publicDir: false,
    resolve: { alias: { '@shared': join(ROOT, 'src/shared') } },
    build: {
      write: false,
      minify: false,
      sourcemap: false,
      modulePreload: false,
      copyPublicDir: false,
      emptyOutDir: false,
      rolldownOptions: {
        input: join(ROOT, 'tests/support/bridge-client.ts'),
        output: { format: 'iife' },
      },
    },
  })
  const outputs = Array.isArray(result) ? result : [result]
  for (const out of outputs) {
    if (!('output' in out)) continue
    const chunk = out.output.find((o) => o.type === 'chunk' && o.isEntry)
    if (chunk?.type === 'chunk') return chunk.code
  }
  throw new Error('bridge: building bridge-client.ts produced no entry chunk')
}

function tokenMatches(given: string | null, expected: Buffer): boolean {
  if (given === null) return false
  const buf = Buffer.from(given)
  // timingSafeEqual throws on different lengths; the length itself is not secret.
  return buf.length === expected.length && timingSafeEqual(buf, expected)
}

function refuseUpgrade(socket: Duplex, status: 401 | 404): void {
  const text = status === 401 ? 'Unauthorized' : 'Not Found'
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`)
  socket.destroy()
}

/**
 * The file the request target names inside `root`, or undefined when it is outside, missing or not a
 * file. Takes the raw target: URL() would already fold "/../x" into "/x" and hide the attempt.
 */
async function resolveStatic(root: string, target: string): Promise<string | undefined> {
  const rawPath = target.split(/[?#]/, 1)[0] ?? ''
  if (!rawPath.startsWith('/')) return undefined
  let decoded: string
  try {
    decoded = decodeURIComponent(rawPath)
  } catch {
    return undefined
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return undefined
  if (decoded.split('/').some((segment) => segment === '..')) return undefined
  const rel = decoded === '/' ? 'index.html' : decoded.replace(/^\/+/, '')
  const file = resolve(root, rel)
  if (!file.startsWith(root + sep)) return undefined
  try {
    // Again after symlinks: a link inside the folder must not lead out of it.
    const real = await realpath(file)
    if (!real.startsWith(root + sep)) return undefined
    return (await stat(real)).isFile() ? real : undefined
  } catch {
    return undefined
  }
}

function parseCall(text: string): { id: number; channel: unknown; args: unknown } | { id?: number } {
  let msg: unknown
  try {
    msg = JSON.parse(text)
  } catch {
    return {}
  }
  if (typeof msg !== 'object' || msg === null) return {}
  const { id, channel, args } = msg as Record<string, unknown>
  if (typeof id !== 'number' || !Number.isSafeInteger(id)) return {}
  if (typeof channel !== 'string' || !Array.isArray(args)) return { id }
  return { id, channel, args }
}

export async function startBridge(opts: BridgeOptions): Promise<Bridge> {
  const root = await realpath(resolve(opts.rendererDir))
  const handlers = createHandlers(opts.engine, opts.actor ?? 'app')
  const tokenText = randomBytes(32).toString('base64url')
  const token = Buffer.from(tokenText)
  const bundle = await bridgeClientBundle()

  const server = http.createServer()
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES })
  await new Promise<void>((ok, fail) => {
    server.once('error', fail)
    server.listen({ host: '127.0.0.1', port: 0 }, () => {
      server.off('error', fail)
      ok()
    })
  })
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('bridge: no TCP address')
  const host = `127.0.0.1:${address.port}`
  const origin = `http://${host}`

  server.on('request', (req, res) => {
    void (async () => {
      // A foreign Host header means DNS rebinding or a confused client: only the loopback address counts.
      if (req.headers.host !== host) {
        res.writeHead(421).end()
        return
      }
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { Allow: 'GET, HEAD' }).end()
        return
      }
      const file = await resolveStatic(root, req.url ?? '/')
      if (file === undefined) {
        res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('not found')
        return
      }
      const size = (await stat(file)).size
      res.writeHead(200, {
        'Content-Type': CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
        'Content-Length': size,
        'Cache-Control': 'no-store',
        'X-Content-Type-Options': 'nosniff',
      })
      if (req.method === 'HEAD') {
        res.end()
        return
      }
      createReadStream(file)
        .on('error', () => res.destroy())
        .pipe(res)
    })().catch(() => {
      if (!res.headersSent) res.writeHead(500).end()
      else res.destroy()
    })
  })

  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => socket.destroy())
    const url = new URL(req.url ?? '/', origin)
    if (url.pathname !== SOCKET_PATH) {
      refuseUpgrade(socket, 404)
      return
    }
    if (!tokenMatches(url.searchParams.get('token'), token) || req.headers.origin !== origin) {
      refuseUpgrade(socket, 401)
      return
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      wss.emit('connection', ws, req)
    })
  })

  wss.on('connection', (ws: WebSocket) => {
    ws.on('error', () => ws.terminate())
    ws.on('message', (data, isBinary) => {
      if (isBinary) return
      const bytes = Buffer.isBuffer(data)
        ? data
        : Array.isArray(data)
          ? Buffer.concat(data)
          : Buffer.from(data)
      const call = parseCall(bytes.toString('utf8'))
      if (call.id === undefined) return // nothing to answer to
      const id = call.id
      const reply =
        'channel' in call
          ? dispatch(handlers, call.channel, call.args)
          : Promise.resolve({
              ok: false as const,
              error: { code: 'BAD_ARGS' as const, message: 'a call needs a channel and an args array' },
            })
      void reply.then((envelope) => {
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ id, reply: envelope }))
      })
    })
  })

  const stopEvents = forwardEvents(opts.engine, (channel, payload) => {
    const frame = JSON.stringify({ event: channel, payload })
    for (const ws of wss.clients) if (ws.readyState === ws.OPEN) ws.send(frame)
  })

  const browsers = new Set<Browser>()
  let closing: Promise<void> | undefined

  const bridge: Bridge = {
    url: `${origin}/`,
    token: tokenText,
    initScript: `globalThis.__WARDEN_BRIDGE__ = ${JSON.stringify({ url: `ws://${host}${SOCKET_PATH}`, token: tokenText })};\n${bundle}`,
    async open(browser, openOpts) {
      if (browser !== undefined) return openApp(browser, bridge, openOpts)
      const own = await launchChromium()
      browsers.add(own)
      try {
        const app = await openApp(own, bridge, openOpts)
        return {
          ...app,
          close: async () => {
            await app.close()
            browsers.delete(own)
            await own.close()
          },
        }
      } catch (e) {
        browsers.delete(own)
        await own.close()
        throw e
      }
    },
    close() {
      closing ??= (async () => {
        stopEvents()
        for (const ws of wss.clients) ws.terminate()
        await new Promise<void>((ok) => {
          wss.close(() => {
            ok()
          })
        })
        await Promise.all([...browsers].map((b) => b.close()))
        browsers.clear()
        await new Promise<void>((ok) => {
          server.close(() => {
            ok()
          })
          server.closeAllConnections()
        })
      })()
      return closing
    },
  }
  return bridge
}
