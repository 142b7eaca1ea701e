/** A node:http server with a hand-made WebSocket endpoint: the web resource Chromium holds open. */
import { createHash } from 'node:crypto'
import http from 'node:http'
import type net from 'node:net'
import type { Duplex } from 'node:stream'
import { freePort } from './common'
import { newResource, release } from './tracking'

export interface WebServer {
  host: '127.0.0.1'
  port: number
  /** `http://127.0.0.1:<port>/` — add `?ping=<ms>` (default 2000; 0 = never) to set the page's ping period. */
  url: string
  /** Open WebSocket connections right now. */
  connections: () => number
  /** WebSocket messages received so far (the page's pings). */
  messages: () => number
  stop: () => Promise<void>
}

const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11'

const PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>Warden test page</title></head>
<body><p id="state">connecting</p>
<script>
  const q = new URLSearchParams(location.search)
  const every = Number(q.get('ping') ?? 2000)
  const ws = new WebSocket('ws://' + location.host + '/ws')
  const state = document.getElementById('state')
  ws.onopen = () => {
    state.textContent = 'open'
    if (every > 0) setInterval(() => ws.send('ping ' + Date.now()), every)
  }
  ws.onmessage = (e) => { state.textContent = 'got ' + e.data }
  ws.onclose = () => { state.textContent = 'closed' }
</script></body></html>
`

function wsFrame(opcode: number, payload: Buffer): Buffer {
  const len = payload.length
  let header: Buffer
  if (len < 126) {
    header = Buffer.from([0x80 | opcode, len])
  } else if (len < 65_536) {
    header = Buffer.alloc(4)
    header[0] = 0x80 | opcode
    header[1] = 126
    header.writeUInt16BE(len, 2)
  } else {
    header = Buffer.alloc(10)
    header[0] = 0x80 | opcode
    header[1] = 127
    header.writeBigUInt64BE(BigInt(len), 2)
  }
  return Buffer.concat([header, payload])
}

/** Serve one accepted WebSocket: answers text messages with 'pong', pings with pongs, closes on close. */
function serveWebSocket(socket: Duplex, onMessage: () => void): void {
  let buf = Buffer.alloc(0)
  socket.on('data', (chunk: Buffer) => {
    buf = Buffer.concat([buf, chunk])
    for (;;) {
      if (buf.length < 2) return
      const b0 = buf[0] ?? 0
      const b1 = buf[1] ?? 0
      const opcode = b0 & 0x0f
      const masked = (b1 & 0x80) !== 0
      let len = b1 & 0x7f
      let offset = 2
      if (len === 126) {
        if (buf.length < 4) return
        len = buf.readUInt16BE(2)
        offset = 4
      } else if (len === 127) {
        if (buf.length < 10) return
        len = Number(buf.readBigUInt64BE(2))
        offset = 10
      }
      const maskLen = masked ? 4 : 0
      if (buf.length < offset + maskLen + len) return
      const mask = buf.subarray(offset, offset + maskLen)
      const payload = Buffer.from(buf.subarray(offset + maskLen, offset + maskLen + len))
      if (masked) for (let i = 0; i < payload.length; i++) payload[i] = (payload[i] ?? 0) ^ (mask[i % 4] ?? 0)
      buf = buf.subarray(offset + maskLen + len)
      if (opcode === 0x8) {
        socket.end(wsFrame(0x8, payload.subarray(0, 2)))
        return
      } else if (opcode === 0x9) {
        socket.write(wsFrame(0xa, payload))
      } else if (opcode === 0x1 || opcode === 0x2) {
        onMessage()
        socket.write(wsFrame(0x1, Buffer.from('pong')))
      }
    }
  })
}

/** Answer a WebSocket upgrade on `/ws` (RFC 6455 handshake), then serve it; anything else gets a 400. */
function acceptWebSocket(
  req: http.IncomingMessage,
  socket: Duplex,
  open: Set<Duplex>,
  onMessage: () => void,
): void {
  const key = req.headers['sec-websocket-key']
  const upgrade = req.headers.upgrade
  if (typeof key !== 'string' || upgrade?.toLowerCase() !== 'websocket' || !req.url?.startsWith('/ws')) {
    socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n')
    return
  }
  const accept = createHash('sha1')
    .update(key + WS_GUID)
    .digest('base64')
  socket.write(
    'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
      `Sec-WebSocket-Accept: ${accept}\r\n\r\n`,
  )
  open.add(socket)
  socket.once('close', () => open.delete(socket))
  // upgraded sockets are half-open capable: when the browser goes away, finish our side too
  socket.once('end', () => {
    socket.end()
    open.delete(socket)
  })
  socket.on('error', () => undefined)
  serveWebSocket(socket, onMessage)
}

/** Listen on a free loopback port, retrying (up to 5 times) when another process took it meanwhile. */
async function listenOnFreePort(server: http.Server): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort()
    const ok = await new Promise<boolean>((resolve, reject) => {
      const onError = (e: NodeJS.ErrnoException) => {
        if (e.code === 'EADDRINUSE' && attempt < 5) resolve(false)
        else reject(e)
      }
      server.once('error', onError)
      server.listen({ host: '127.0.0.1', port, exclusive: true }, () => {
        server.off('error', onError)
        resolve(true)
      })
    })
    if (ok) return port
  }
}

/**
 * node:http server on 127.0.0.1:<free port>. `/` serves a page that opens a WebSocket to `/ws` and sends a
 * ping every `?ping=` ms; the server answers each with 'pong'. The WebSocket is a held TCP connection.
 */
export async function startWebServer(): Promise<WebServer> {
  const r = newResource('web server')
  const sockets = new Set<Duplex>()
  const wsSockets = new Set<Duplex>()
  let messageCount = 0
  const server = http.createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname
    if (path === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' })
      res.end(PAGE)
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' })
      res.end('not found\n')
    }
  })
  server.on('connection', (s: net.Socket) => {
    sockets.add(s)
    s.once('close', () => sockets.delete(s))
  })
  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex) => {
    acceptWebSocket(req, socket, wsSockets, () => {
      messageCount++
    })
  })
  r.closers.push(
    () =>
      new Promise<void>((resolve) => {
        for (const s of [...sockets, ...wsSockets]) s.destroy()
        server.close(() => {
          resolve()
        })
      }),
  )
  try {
    const port = await listenOnFreePort(server)
    return {
      host: '127.0.0.1',
      port,
      url: `http://127.0.0.1:${port}/`,
      connections: () => wsSockets.size,
      messages: () => messageCount,
      stop: () => release(r),
    }
  } catch (e) {
    await release(r)
    throw e
  }
}
