// `warden ui`: the built window served to the user's own browser from loopback, with the contract over a
// WebSocket. The e2e tests drive the window through this very server (tests/support/bridge.ts).
//
// One HTTP server on 127.0.0.1 (and one on ::1 at the same port, when the host has ::1) serves the renderer folder and, on the upgrade path /__warden, a
// WebSocket that carries contract calls and events (protocol: src/preload/web.ts). Calls go through the same
// `dispatch` as the Electron shell, so argument parsing, engine errors and envelopes are identical.
// What keeps other pages and other users out:
// - a random 256-bit token, handed to the page in the URL's fragment (never sent over HTTP, never in a
//   Referer) and required on the socket;
// - the Host header must name this loopback address and port (127.0.0.1, [::1] or localhost): a page of another
//   site whose DNS name was re-pointed at 127.0.0.1 (DNS rebinding) sends its own name and is refused;
// - the socket's Origin must be this server's own: browsers always send it on a WebSocket handshake;
// - the window's CSP is sent as a header, with frame-ancestors 'none' so no other page can frame it.
import { randomBytes, timingSafeEqual } from 'node:crypto'
import { existsSync } from 'node:fs'
import { createReadStream } from 'node:fs'
import { realpath, stat } from 'node:fs/promises'
import http from 'node:http'
import { extname, join, resolve } from 'node:path'
import type { Duplex } from 'node:stream'
import { fileURLToPath } from 'node:url'
import { WebSocketServer, type WebSocket } from 'ws'
import type { Engine } from '../engine/engine'
import { createHandlers, dispatch, forwardEvents, type Handlers } from '../api/handlers'
import type { FleetSource } from '../api/fleet-handlers'
import { CONTENT_TYPES, loadIndex, resolveStatic, WEB_CLIENT_FILE, type IndexPage } from './static-files'

export const SOCKET_PATH = '/__warden'
/** far above any contract call (setSetting, a list of ids); a bigger frame is not from the window */
const MAX_FRAME_BYTES = 1024 * 1024
const LOOPBACK = '127.0.0.1'
const LOOPBACK6 = '::1'

export type UiServeErrorCode = 'NOT_BUILT' | 'PORT_IN_USE' | 'LISTEN_FAILED'

/** Why `warden ui` could not start; the message is one sentence saying what to do. */
export class UiServeError extends Error {
  constructor(
    readonly code: UiServeErrorCode,
    message: string,
  ) {
    super(message)
    this.name = 'UiServeError'
  }
}

export interface UiServerOptions {
  engine: Engine
  /** the built renderer (index.html, its assets, warden-web.js); default: defaultRendererDir() */
  rendererDir?: string
  /** 0 (the default): a free port the OS picks */
  port?: number
  /** recorded in the audit trail for sessions ended from the page; default 'ui' */
  actor?: string
  /** the fleet member running beside the loop, when this device joined a fleet (issue 14) */
  fleet?: FleetSource
}

export interface UiServer {
  /** http://127.0.0.1:PORT/ */
  origin: string
  port: number
  /** the addresses listened on: 127.0.0.1, and ::1 when this host has it (same port) */
  addresses: readonly string[]
  token: string
  /** the address to open: origin + '#token=…' (the fragment stays in the browser) */
  url: string
  /** stops forwarding events, closes every socket, the WebSocket server and the HTTP server */
  close(): Promise<void>
}

/** out/renderer of this checkout (from src/main/ui-server, or from a bundle in out/<name>/). */
export function defaultRendererDir(): string {
  const here = fileURLToPath(new URL('.', import.meta.url))
  const candidates = [join(here, '../../../out/renderer'), join(here, '../renderer')]
  return candidates.find((dir) => existsSync(join(dir, 'index.html'))) ?? (candidates[0] as string)
}

async function builtWindow(rendererDir: string): Promise<{ root: string; index: IndexPage }> {
  const dir = resolve(rendererDir)
  const missing = ['index.html', WEB_CLIENT_FILE].filter((f) => !existsSync(join(dir, f)))
  if (missing.length > 0)
    throw new UiServeError(
      'NOT_BUILT',
      `the window is not built (${missing.join(' and ')} missing in ${dir}): run \`npm run build:renderer\` (or \`npm run build\`) first`,
    )
  const root = await realpath(dir)
  return { root, index: await loadIndex(root) }
}

/** Why a loopback address cannot be listened on at all: this host has no such address (no IPv6). */
const NO_ADDRESS = new Set(['EADDRNOTAVAIL', 'EAFNOSUPPORT', 'EINVAL', 'EPROTONOSUPPORT'])

function listenOn(server: http.Server, host: string, port: number): Promise<number> {
  return new Promise<number>((ok, fail) => {
    server.once('error', fail)
    server.listen({ host, port, exclusive: true }, () => {
      server.off('error', fail)
      const address = server.address()
      if (address === null || typeof address === 'string') fail(new Error('ui: no TCP address'))
      else ok(address.port)
    })
  })
}

function listenError(e: NodeJS.ErrnoException, host: string, port: number): UiServeError {
  const where = host === LOOPBACK6 ? `[${host}]` : host
  if (e.code === 'EADDRINUSE')
    return new UiServeError(
      'PORT_IN_USE',
      `port ${port} on ${where} is in use: choose another with --port, or leave --port out for a free one`,
    )
  return new UiServeError('LISTEN_FAILED', `cannot listen on ${where}:${port}: ${e.message}`)
}

const closeServer = (server: http.Server): Promise<void> =>
  new Promise((ok) => {
    if (server.listening) server.close(() => ok())
    else ok()
  })

/** How often a free port (port 0) is drawn again when 127.0.0.1 had it free and ::1 did not. */
const PORT_DRAWS = 8

/**
 * 127.0.0.1:PORT, and [::1] on the same port when this host has ::1: a browser may resolve
 * localhost to ::1 first (Chromium and Firefox try both), and a loopback server reachable on only
 * one of them makes "localhost:PORT" depend on that order. A host without IPv6 (EADDRNOTAVAIL,
 * EAFNOSUPPORT) serves 127.0.0.1 only. Another program on [::1]:PORT is refused like one on
 * 127.0.0.1: it would answer whoever opens localhost:PORT.
 */
async function listenLoopback(port: number): Promise<{ servers: http.Server[]; port: number }> {
  for (let draw = 1; ; draw++) {
    const v4 = http.createServer()
    const bound = await listenOn(v4, LOOPBACK, port).catch((e: unknown) => {
      throw listenError(e as NodeJS.ErrnoException, LOOPBACK, port)
    })
    const v6 = http.createServer()
    try {
      await listenOn(v6, LOOPBACK6, bound)
      return { servers: [v4, v6], port: bound }
    } catch (err) {
      const e = err as NodeJS.ErrnoException
      if (e.code !== undefined && NO_ADDRESS.has(e.code)) return { servers: [v4], port: bound }
      await closeServer(v4)
      if (port !== 0 || e.code !== 'EADDRINUSE' || draw >= PORT_DRAWS) throw listenError(e, LOOPBACK6, bound)
    }
  }
}

export async function startUiServer(opts: UiServerOptions): Promise<UiServer> {
  const { root, index } = await builtWindow(opts.rendererDir ?? defaultRendererDir())
  const port = opts.port ?? 0
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UiServeError('LISTEN_FAILED', `--port must be a whole number from 1 to 65535, not ${port}`)
  const handlers = createHandlers(opts.engine, opts.actor ?? 'ui', opts.fleet)
  const tokenText = randomBytes(32).toString('base64url')
  const token = Buffer.from(tokenText)

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES })
  const { servers, port: bound } = await listenLoopback(port)
  const hosts = new Set([`${LOOPBACK}:${bound}`, `localhost:${bound}`])
  // the name a browser sends for http://[::1]:PORT/ (RFC 3986: an IPv6 literal in brackets)
  if (servers.length > 1) hosts.add(`[${LOOPBACK6}]:${bound}`)

  for (const server of servers) {
    server.on('request', (req, res) => {
      serveFile(req, res, { root, index, hosts }).catch(() => {
        if (!res.headersSent) res.writeHead(500).end()
        else res.destroy()
      })
    })
    server.on('upgrade', (req, socket, head) => {
      socket.on('error', () => socket.destroy())
      const refusal = checkUpgrade(req, hosts, token)
      if (refusal !== null) {
        refuse(socket, refusal.status, refusal.reason)
        return
      }
      wss.handleUpgrade(req, socket, head, (ws) => {
        serveSocket(ws, handlers)
      })
    })
  }
  const stopEvents = forwardEvents(opts.engine, (channel, payload) => {
    const frame = JSON.stringify({ event: channel, payload })
    for (const ws of wss.clients) if (ws.readyState === ws.OPEN) ws.send(frame)
  })

  let closing: Promise<void> | undefined
  const origin = `http://${LOOPBACK}:${bound}`
  return {
    origin: `${origin}/`,
    port: bound,
    addresses: servers.length > 1 ? [LOOPBACK, LOOPBACK6] : [LOOPBACK],
    token: tokenText,
    url: `${origin}/#token=${tokenText}`,
    close: () => (closing ??= closeAll(servers, wss, stopEvents)),
  }
}

async function closeAll(servers: http.Server[], wss: WebSocketServer, stopEvents: () => void): Promise<void> {
  stopEvents()
  for (const ws of wss.clients) ws.terminate()
  await new Promise<void>((ok) => {
    wss.close(() => {
      ok()
    })
  })
  await Promise.all(
    servers.map(
      (server) =>
        new Promise<void>((ok) => {
          server.close(() => {
            ok()
          })
          server.closeAllConnections()
        }),
    ),
  )
}

function tokenMatches(given: string | null, expected: Buffer): boolean {
  if (given === null) return false
  const buf = Buffer.from(given)
  // timingSafeEqual throws on different lengths; the length itself is not secret.
  return buf.length === expected.length && timingSafeEqual(buf, expected)
}

/** Why a WebSocket handshake is refused, or null when it may go on. Host first: it decides the origin. */
function checkUpgrade(
  req: http.IncomingMessage,
  hosts: ReadonlySet<string>,
  token: Buffer,
): { status: 401 | 403 | 404; reason: string } | null {
  const host = req.headers.host ?? ''
  if (!hosts.has(host)) return { status: 403, reason: `foreign Host header ${JSON.stringify(host)}` }
  const url = new URL(req.url ?? '/', `http://${host}`)
  if (url.pathname !== SOCKET_PATH) return { status: 404, reason: 'no such socket' }
  const origin = req.headers.origin
  if (origin !== `http://${host}`)
    return {
      status: 403,
      reason: origin === undefined ? 'no Origin header' : `foreign Origin ${JSON.stringify(origin)}`,
    }
  const given = url.searchParams.get('token')
  if (!tokenMatches(given, token))
    return { status: 401, reason: given === null ? 'missing token' : 'wrong token' }
  return null
}

function refuse(socket: Duplex, status: 401 | 403 | 404, reason: string): void {
  const text = { 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found' }[status]
  const body = `warden ui: ${reason}\n`
  socket.end(
    `HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  )
  socket.destroy()
}

/** Headers on every answer: the window's CSP, no caching, no sniffing, no framing, no referrer. */
function securityHeaders(csp: string): Record<string, string> {
  return {
    'Content-Security-Policy': csp,
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Cross-Origin-Opener-Policy': 'same-origin',
  }
}

async function serveFile(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  site: { root: string; index: IndexPage; hosts: ReadonlySet<string> },
): Promise<void> {
  const text = { 'Content-Type': 'text/plain; charset=utf-8' }
  const host = req.headers.host ?? ''
  // A foreign Host means DNS rebinding or a confused client: only the loopback address counts.
  if (!site.hosts.has(host)) {
    res.writeHead(403, text).end(`warden ui: foreign Host header ${JSON.stringify(host)}\n`)
    return
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { ...text, Allow: 'GET, HEAD' }).end('warden ui: read-only\n')
    return
  }
  const headers = securityHeaders(site.index.csp)
  const file = await resolveStatic(site.root, req.url ?? '/')
  if (file === undefined) {
    res.writeHead(404, { ...headers, ...text }).end('not found\n')
    return
  }
  if (file === join(site.root, 'index.html')) {
    const body = Buffer.from(site.index.html)
    res.writeHead(200, { ...headers, 'Content-Type': CONTENT_TYPES['.html'], 'Content-Length': body.length })
    res.end(req.method === 'HEAD' ? undefined : body)
    return
  }
  res.writeHead(200, {
    ...headers,
    'Content-Type': CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
    'Content-Length': (await stat(file)).size,
  })
  if (req.method === 'HEAD') res.end()
  else
    createReadStream(file)
      .on('error', () => res.destroy())
      .pipe(res)
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

/** Answers each call frame `{ id, channel, args }` with `{ id, reply }`; frames without an id get nothing. */
function serveSocket(ws: WebSocket, handlers: Handlers): void {
  ws.on('error', () => ws.terminate())
  ws.on('message', (data, isBinary) => {
    if (isBinary) return
    const bytes = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data)
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
}
