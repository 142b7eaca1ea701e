// Browser side of the test bridge (bundled to an IIFE by bridge.ts and run as a Playwright init script,
// before any page script). It gives the unchanged renderer the same `window.warden` the preload gives it,
// built by the same createWardenApi, but over a loopback WebSocket to the real engine instead of Electron IPC.
//
// Wire protocol (JSON text frames):
//   page → bridge  { id: number, channel: string, args: unknown[] }
//   bridge → page  { id, reply: Envelope }          (the answer to call `id`)
//   bridge → page  { event: channel, payload }      (a contract event)
//
// tsconfig has no DOM lib (the rest of tests/ is Node), so the few browser APIs used here are declared
// minimally below instead.
import { createWardenApi, type Transport } from '@shared/api-client'
import type { Envelope } from '@shared/channels'

interface BridgeConfig {
  url: string
  token: string
}

interface MinimalSocket {
  send(data: string): void
  addEventListener(type: 'open' | 'close', listener: () => void): void
  addEventListener(type: 'message', listener: (ev: { data: unknown }) => void): void
}

interface BrowserGlobals {
  __WARDEN_BRIDGE__?: BridgeConfig
  location?: { origin: string }
  WebSocket: new (url: string) => MinimalSocket
}

interface Pending {
  resolve: (reply: Envelope) => void
  reject: (error: Error) => void
}

const CLOSED_MESSAGE = 'the warden test bridge is closed'

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null
}

function isEnvelope(v: unknown): v is Envelope {
  if (!isRecord(v)) return false
  if (v.ok === true) return true
  return v.ok === false && isRecord(v.error) && typeof v.error.code === 'string'
}

function install(g: BrowserGlobals): void {
  const config = g.__WARDEN_BRIDGE__
  // The token must not stay readable by page scripts.
  delete g.__WARDEN_BRIDGE__
  if (config === undefined) return
  // Init scripts run in every document (about:blank, iframes of other origins): only the app's own
  // origin gets a bridge, so the token never goes anywhere else.
  const appOrigin = new URL(config.url).origin.replace(/^ws/, 'http')
  if (g.location?.origin !== appOrigin) return

  const socket = new g.WebSocket(`${config.url}?token=${encodeURIComponent(config.token)}`)
  let open = false
  let closed = false
  let nextId = 1
  const outbox: string[] = []
  const pending = new Map<number, Pending>()
  // One entry object per subscription, so unsubscribing removes exactly that one even when the same
  // function was subscribed twice.
  const listeners = new Map<string, Set<{ listener: (payload: unknown) => void }>>()

  socket.addEventListener('open', () => {
    open = true
    for (const frame of outbox.splice(0)) socket.send(frame)
  })
  socket.addEventListener('close', () => {
    closed = true
    outbox.length = 0
    const error = new Error(CLOSED_MESSAGE)
    for (const p of pending.values()) p.reject(error)
    pending.clear()
  })
  socket.addEventListener('message', (ev) => {
    if (typeof ev.data !== 'string') return
    let msg: unknown
    try {
      msg = JSON.parse(ev.data)
    } catch {
      return
    }
    if (!isRecord(msg)) return
    if (typeof msg.id === 'number') {
      const p = pending.get(msg.id)
      if (p === undefined) return
      pending.delete(msg.id)
      if (isEnvelope(msg.reply)) p.resolve(msg.reply)
      else p.reject(new Error('the warden test bridge sent a malformed reply'))
    } else if (typeof msg.event === 'string') {
      // A copy: a listener may unsubscribe (itself or another) while we iterate.
      for (const entry of [...(listeners.get(msg.event) ?? [])]) {
        try {
          entry.listener(msg.payload)
        } catch (e) {
          // One throwing listener must not starve the others; rethrown later it still shows as a page error.
          setTimeout(() => {
            throw e
          }, 0)
        }
      }
    }
  })

  const transport: Transport = {
    invoke(channel, args) {
      if (closed) return Promise.reject(new Error(CLOSED_MESSAGE))
      const id = nextId++
      const frame = JSON.stringify({ id, channel, args })
      return new Promise<Envelope>((resolve, reject) => {
        pending.set(id, { resolve, reject })
        // Calls made before the socket opens (the app's first render) wait for it.
        if (open) socket.send(frame)
        else outbox.push(frame)
      })
    },
    subscribe(channel, listener) {
      const entry = { listener }
      let set = listeners.get(channel)
      if (set === undefined) {
        set = new Set()
        listeners.set(channel, set)
      }
      set.add(entry)
      return () => {
        listeners.get(channel)?.delete(entry)
      }
    },
  }

  // Same shape as the preload's contextBridge value: read-only, not replaceable by page scripts.
  Object.defineProperty(g, 'warden', {
    value: createWardenApi(transport),
    writable: false,
    configurable: false,
    enumerable: true,
  })
}

install(globalThis)
