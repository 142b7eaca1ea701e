// The browser's preload for `warden ui` (src/main/ui-server): the same `window.warden` the Electron preload
// gives the window (src/preload/index.ts), built by the same createWardenApi, but over a WebSocket to the
// loopback server instead of Electron IPC. Bundled to one classic script, warden-web.js, next to the built
// window (vite.web-client.ts); the server puts it in front of the app's scripts in index.html.
//
// The token comes in the address's fragment (#token=…), which the browser never sends to a server. It is
// moved to sessionStorage (this tab, this origin) and taken out of the address bar, so a reload still works
// and the token does not sit in the visible address or the history.
//
// Wire protocol (JSON text frames):
//   page → server  { id: number, channel: string, args: unknown[] }
//   server → page  { id, reply: Envelope }          (the answer to call `id`)
//   server → page  { event: channel, payload }      (a contract event)
//
// The main tsconfig has no DOM lib (this file is type-checked with the Node side), so the few browser APIs
// used here are declared minimally below.
import { createWardenApi, type Transport } from '@shared/api-client'
import type { Envelope } from '@shared/channels'

interface MinimalSocket {
  send(data: string): void
  addEventListener(type: 'open' | 'close', listener: () => void): void
  addEventListener(type: 'message', listener: (ev: { data: unknown }) => void): void
}

interface MinimalElement {
  textContent: string | null
  setAttribute(name: string, value: string): void
  replaceChildren(...nodes: MinimalElement[]): void
}

interface BrowserGlobals {
  location: { host: string; hash: string; pathname: string; search: string; protocol: string }
  history: { replaceState(data: unknown, unused: string, url: string): void }
  sessionStorage: { getItem(key: string): string | null; setItem(key: string, value: string): void }
  document: {
    title: string
    getElementById(id: string): MinimalElement | null
    createElement(tag: string): MinimalElement
    addEventListener(type: 'DOMContentLoaded', listener: () => void): void
  }
  WebSocket: new (url: string) => MinimalSocket
}

interface Pending {
  resolve: (reply: Envelope) => void
  reject: (error: Error) => void
}

/** the socket's path on the server (src/main/ui-server/server.ts SOCKET_PATH) */
const SOCKET_PATH = '/__warden'
const TOKEN_KEY = 'warden-ui-token'
const CLOSED_MESSAGE = 'the connection to Session Warden is closed (is `warden ui` still running?)'

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null
}

function isEnvelope(v: unknown): v is Envelope {
  if (!isRecord(v)) return false
  if (v.ok === true) return true
  return v.ok === false && isRecord(v.error) && typeof v.error.code === 'string'
}

/** The token from the fragment (then kept for reloads and removed from the address), or from a reload. */
function takeToken(g: BrowserGlobals): string | null {
  const fromHash = /(?:^#|&)token=([A-Za-z0-9_-]+)/.exec(g.location.hash)?.[1]
  if (fromHash !== undefined) {
    g.sessionStorage.setItem(TOKEN_KEY, fromHash)
    g.history.replaceState(null, '', g.location.pathname + g.location.search)
    return fromHash
  }
  return g.sessionStorage.getItem(TOKEN_KEY)
}

/** Without a token there is no window: say which address to open instead of a blank page. */
function explainMissingToken(g: BrowserGlobals): void {
  g.document.addEventListener('DOMContentLoaded', () => {
    const p = g.document.createElement('p')
    p.setAttribute('role', 'alert')
    p.textContent =
      'This page needs its key: open the address `warden ui` printed, including the #token=… part.'
    g.document.getElementById('app')?.replaceChildren(p)
  })
}

function dispatchFrame(
  data: unknown,
  pending: Map<number, Pending>,
  listeners: Map<string, Set<{ listener: (payload: unknown) => void }>>,
): void {
  if (typeof data !== 'string') return
  let msg: unknown
  try {
    msg = JSON.parse(data)
  } catch {
    return
  }
  if (!isRecord(msg)) return
  if (typeof msg.id === 'number') {
    const p = pending.get(msg.id)
    if (p === undefined) return
    pending.delete(msg.id)
    if (isEnvelope(msg.reply)) p.resolve(msg.reply)
    else p.reject(new Error('Session Warden sent a malformed reply'))
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
}

function socketTransport(g: BrowserGlobals, token: string): Transport {
  const scheme = g.location.protocol === 'https:' ? 'wss' : 'ws'
  const socket = new g.WebSocket(
    `${scheme}://${g.location.host}${SOCKET_PATH}?token=${encodeURIComponent(token)}`,
  )
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
    dispatchFrame(ev.data, pending, listeners)
  })

  return {
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
}

function install(g: BrowserGlobals): void {
  const token = takeToken(g)
  if (token === null) {
    explainMissingToken(g)
    return
  }
  // Same shape as the preload's contextBridge value: read-only, not replaceable by page scripts.
  Object.defineProperty(g, 'warden', {
    value: createWardenApi(socketTransport(g, token)),
    writable: false,
    configurable: false,
    enumerable: true,
  })
}

install(globalThis as unknown as BrowserGlobals)
