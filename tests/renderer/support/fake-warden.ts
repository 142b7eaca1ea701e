// A `window.warden` for the renderer tests: the real createWardenApi over an in-memory transport.
// Arguments are checked with the contract's own schemas (as the main process does), so a store that
// sends something the engine would refuse fails here too. Each call is answered by a handler the test
// sets with `on(name, handler)`; a call without a handler fails loudly.
import { createWardenApi, type Transport } from '@shared/api-client'
import {
  checkArgs,
  events,
  invokes,
  WardenError,
  type Envelope,
  type EventName,
  type InvokeName,
  type ParsedArgsOf,
  type PayloadOf,
  type ResultOf,
  type WardenApi,
} from '@shared/contract'

type Handler<K extends InvokeName> = (...args: ParsedArgsOf<K>) => ResultOf<K> | Promise<ResultOf<K>>
type AnyHandler = (...args: unknown[]) => unknown

export interface FakeWarden {
  readonly api: WardenApi
  /** answers every later call of `name` */
  on<K extends InvokeName>(name: K, handler: Handler<K>): void
  /** the (parsed) arguments of every call of `name` so far, oldest first */
  calls<K extends InvokeName>(name: K): ParsedArgsOf<K>[]
  /** pushes an event to every current subscriber */
  emit<E extends EventName>(name: E, payload: PayloadOf<E>): void
  listenerCount(name: EventName): number
  /** forgets handlers and calls (subscriptions stay: they belong to the code under test) */
  reset(): void
}

export function createFakeWarden(): FakeWarden {
  const nameOfChannel = new Map<string, InvokeName>()
  for (const name of Object.keys(invokes) as InvokeName[]) nameOfChannel.set(invokes[name].channel, name)

  const handlers = new Map<InvokeName, AnyHandler>()
  const calls = new Map<InvokeName, unknown[][]>()
  const listeners = new Map<string, Set<(payload: unknown) => void>>()

  const transport: Transport = {
    async invoke(channel, args): Promise<Envelope> {
      const name = nameOfChannel.get(channel)
      if (name === undefined)
        return { ok: false, error: { code: 'BAD_ARGS', message: `unknown call ${JSON.stringify(channel)}` } }
      // the IPC door's own check and words (src/main/api/handlers.ts dispatch)
      const parsed = checkArgs(name, invokes[name].args, args)
      if (!parsed.ok) return { ok: false, error: { code: 'BAD_ARGS', message: parsed.error } }
      const list = calls.get(name) ?? []
      list.push(parsed.value)
      calls.set(name, list)
      const handler = handlers.get(name)
      if (handler === undefined)
        return { ok: false, error: { code: 'INTERNAL', message: `the fake has no handler for ${name}` } }
      try {
        return { ok: true, value: await handler(...(parsed.value as unknown[])) }
      } catch (e) {
        if (e instanceof WardenError) return { ok: false, error: { code: e.code, message: e.message } }
        return { ok: false, error: { code: 'INTERNAL', message: e instanceof Error ? e.message : String(e) } }
      }
    },
    subscribe(channel, listener) {
      const set = listeners.get(channel) ?? new Set()
      set.add(listener)
      listeners.set(channel, set)
      return () => set.delete(listener)
    },
  }

  return {
    api: createWardenApi(transport),
    on(name, handler) {
      handlers.set(name, handler as AnyHandler)
    },
    calls<K extends InvokeName>(name: K) {
      return (calls.get(name) ?? []) as ParsedArgsOf<K>[]
    },
    emit(name, payload) {
      for (const l of listeners.get(events[name].channel) ?? []) l(payload)
    },
    listenerCount(name) {
      return listeners.get(events[name].channel)?.size ?? 0
    },
    reset() {
      handlers.clear()
      calls.clear()
    },
  }
}

/** Installs `fake.api` as `window.warden`. Call before importing anything that imports @renderer/api. */
export function installFakeWarden(): FakeWarden {
  const fake = createFakeWarden()
  Object.defineProperty(window, 'warden', { value: fake.api, configurable: true })
  return fake
}

/** A promise the test settles by hand, to look at the state while a call is in flight. */
export interface Deferred<T> {
  promise: Promise<T>
  resolve: (value: T) => void
  reject: (error: unknown) => void
}

export function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void
  let reject!: (error: unknown) => void
  const promise = new Promise<T>((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}
