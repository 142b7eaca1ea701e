// Builds `window.warden` from the contract's names over any transport: Electron IPC in the preload, a
// loopback WebSocket in the tests. One function per invoke, one subscribe function per event, nothing
// else: the page never gets a generic `invoke(channel, …)` or the transport itself. Imports the zod-free
// channels.ts only (the type of the result aside), so the sandboxed preload does not bundle zod.
import {
  eventChannels,
  invokeChannels,
  WardenError,
  type Envelope,
  type EventName,
  type InvokeName,
} from './channels'
import type { WardenApi } from './contract'

export interface Transport {
  invoke(channel: string, args: unknown[]): Promise<Envelope>
  /** returns the unsubscribe function */
  subscribe(channel: string, listener: (payload: unknown) => void): () => void
}

export function createWardenApi(transport: Transport): WardenApi {
  const api: Record<string, unknown> = {}
  for (const name of Object.keys(invokeChannels) as InvokeName[]) {
    const channel = invokeChannels[name]
    api[name] = async (...args: unknown[]) => {
      const reply = await transport.invoke(channel, args)
      if (reply.ok) return reply.value
      throw new WardenError(reply.error.code, reply.error.message)
    }
  }
  for (const name of Object.keys(eventChannels) as EventName[]) {
    const channel = eventChannels[name]
    api[name] = (listener: (payload: unknown) => void) => {
      if (typeof listener !== 'function') throw new TypeError(`${name} needs a listener function`)
      return transport.subscribe(channel, listener)
    }
  }
  return Object.freeze(api) as WardenApi
}
