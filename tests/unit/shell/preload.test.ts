import { readFileSync } from 'node:fs'
import { dirname, isAbsolute, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it, vi } from 'vitest'
import { eventChannels, invokeChannels } from '@shared/channels'
import { events, invokes, type EventName, type InvokeName } from '@shared/contract'

// The preload against a fake of the two Electron objects it uses (contextBridge, ipcRenderer): what it
// puts on the page is one function per contract call and one subscribe function per event, nothing else.

const exposed = new Map<string, unknown>()
const invoked: { channel: string; args: unknown[] }[] = []
const listeners = new Map<string, ((event: unknown, payload: unknown) => void)[]>()

vi.mock('electron', () => ({
  contextBridge: {
    exposeInMainWorld: (key: string, api: unknown) => exposed.set(key, api),
  },
  ipcRenderer: {
    invoke: (channel: string, ...args: unknown[]) => {
      invoked.push({ channel, args })
      return Promise.resolve(
        channel === 'sessions:end'
          ? { ok: false, error: { code: 'UNKNOWN_SESSION', message: 'no session with id 0123456789ab' } }
          : { ok: true, value: { echoed: args } },
      )
    },
    on: (channel: string, l: (event: unknown, payload: unknown) => void) => {
      listeners.set(channel, [...(listeners.get(channel) ?? []), l])
    },
    removeListener: (channel: string, l: (event: unknown, payload: unknown) => void) => {
      listeners.set(
        channel,
        (listeners.get(channel) ?? []).filter((x) => x !== l),
      )
    },
  },
}))

async function loadApi(): Promise<Record<string, unknown>> {
  await import('../../../src/preload/index')
  const api = exposed.get('warden')
  if (typeof api !== 'object' || api === null) throw new Error('window.warden was not exposed')
  return api as Record<string, unknown>
}

describe('preload', () => {
  it('exposes window.warden only: one function per call and per event, frozen, no ipcRenderer', async () => {
    const api = await loadApi()
    expect([...exposed.keys()]).toEqual(['warden'])
    const names = [...(Object.keys(invokes) as InvokeName[]), ...(Object.keys(events) as EventName[])].sort()
    expect(Object.keys(api).sort()).toEqual(names)
    for (const n of names) expect(typeof api[n], n).toBe('function')
    expect(Object.isFrozen(api)).toBe(true)
    expect(api).not.toHaveProperty('invoke')
    expect(api).not.toHaveProperty('ipcRenderer')
  })

  it('a call goes to its own channel with its arguments; a refusal throws WardenError with the code', async () => {
    const api = await loadApi()
    const setSetting = api.setSetting as (k: string, v: unknown) => Promise<unknown>
    await expect(setSetting('closeToTray', false)).resolves.toEqual({ echoed: ['closeToTray', false] })
    expect(invoked.at(-1)).toEqual({ channel: 'settings:set', args: ['closeToTray', false] })
    const endSession = api.endSession as (id: string) => Promise<unknown>
    await expect(endSession('0123456789ab')).rejects.toMatchObject({
      name: 'WardenError',
      code: 'UNKNOWN_SESSION',
      message: 'no session with id 0123456789ab',
    })
  })

  it('an event subscription delivers payloads and its unsubscribe removes exactly its listener', async () => {
    const api = await loadApi()
    const on = api.onShowSession as (l: (p: unknown) => void) => () => void
    const got: unknown[] = []
    const off = on((p) => got.push(p))
    const channel = events.onShowSession.channel
    for (const l of listeners.get(channel) ?? []) l({ sender: 'ipc' }, { id: '0123456789ab' })
    expect(got).toEqual([{ id: '0123456789ab' }])
    off()
    expect(listeners.get(channel)).toEqual([])
  })
})

describe('the contract’s names (src/shared/channels.ts)', () => {
  it('every call and event of the contract has its channel from channels.ts, and nothing else exists', () => {
    expect(Object.keys(invokes)).toEqual(Object.keys(invokeChannels))
    expect(Object.keys(events)).toEqual(Object.keys(eventChannels))
    for (const name of Object.keys(invokeChannels) as InvokeName[])
      expect(invokes[name].channel, name).toBe(invokeChannels[name])
    for (const name of Object.keys(eventChannels) as EventName[])
      expect(events[name].channel, name).toBe(eventChannels[name])
    const all = [...Object.values(invokeChannels), ...Object.values(eventChannels)]
    expect(new Set(all).size, 'a channel is used twice').toBe(all.length)
  })

  it('the preload reaches no zod and no schema: only electron, api-client.ts and channels.ts', () => {
    const reached = runtimeImports(join(ROOT, 'src/preload/index.ts'))
    expect(reached.map((f) => (isAbsolute(f) ? relative(ROOT, f) : f)).sort()).toEqual([
      'electron',
      'src/preload/index.ts',
      'src/shared/api-client.ts',
      'src/shared/channels.ts',
    ])
  })
})

const ROOT = fileURLToPath(new URL('../../../', import.meta.url))

/** The files (and bare packages) `entry` loads at run time, following its value imports, not `import type`. */
function runtimeImports(entry: string): string[] {
  const seen = new Set<string>()
  const visit = (file: string): void => {
    if (seen.has(file)) return
    seen.add(file)
    if (!file.endsWith('.ts')) return
    const source = readFileSync(file, 'utf8')
    for (const m of source.matchAll(/^import\s+(?!type\s)[^'"]*?from\s+'([^']+)'/gms)) {
      const spec = m[1] ?? ''
      if (spec.startsWith('@shared/')) visit(join(ROOT, 'src/shared', `${spec.slice(8)}.ts`))
      else if (spec.startsWith('.')) visit(join(dirname(file), `${spec}.ts`))
      else visit(spec)
    }
  }
  visit(entry)
  return [...seen]
}
