import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createEngine, type Engine } from '@engine/index'
import { createHandlers, dispatch, forwardEvents, type Handlers } from '../../src/main/api/handlers'
import { createWardenApi } from '@shared/api-client'
import { events, invokes, WardenError, type Envelope } from '@shared/contract'
import { DEFAULT_SETTINGS } from '@shared/settings'

// The one path every call from the window takes: channel lookup, schema parse, handler, envelope.

let dir: string
let engine: Engine
let handlers: Handlers

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'warden-api-'))
  engine = await createEngine({ dbPath: join(dir, 'w.db'), actor: 'test', scope: () => false })
  handlers = createHandlers(engine, 'app')
})
afterAll(async () => {
  await engine.close()
  rmSync(dir, { recursive: true, force: true })
})

function error(e: Envelope): { code: string; message: string } {
  if (e.ok) throw new Error(`expected a refusal, got ${JSON.stringify(e.value)}`)
  return e.error
}

describe('dispatch', () => {
  it('has a handler for every contract entry and channels are unique', () => {
    expect(Object.keys(handlers).sort()).toEqual(Object.keys(invokes).sort())
    const channels = Object.values(invokes).map((d) => d.channel)
    expect(new Set(channels).size).toBe(channels.length)
    for (const c of channels) expect(c).toMatch(/^[a-z]+:[a-zA-Z]+$/)
  })

  it('refuses unknown channels and malformed arguments with BAD_ARGS: a rule’s own words as written, zod’s generic text naming the call', async () => {
    expect(error(await dispatch(handlers, 'sessions:nuke', []))).toMatchObject({ code: 'BAD_ARGS' })
    expect(error(await dispatch(handlers, 42, []))).toMatchObject({ code: 'BAD_ARGS' })
    expect(error(await dispatch(handlers, 'sessions:end', 'abc'))).toMatchObject({ code: 'BAD_ARGS' })
    expect(error(await dispatch(handlers, 'sessions:end', ['xyz']))).toEqual({
      code: 'BAD_ARGS',
      message: 'a session id is 12 hex characters',
    })
    expect(error(await dispatch(handlers, 'sessions:end', ['0123456789ab', 'extra']))).toEqual({
      code: 'BAD_ARGS',
      message: 'endSession: Too big: expected array to have <=1 items',
    })
    expect(
      error(await dispatch(handlers, 'resources:update', ['db1', { idleAfterSec: 2, recordAudio: 1 }])),
    ).toEqual({
      code: 'BAD_ARGS',
      message:
        'updateResourcePolicy: idleAfterSec must be a whole number of seconds from 5 to 86400 (got 2); 1: Unrecognized key: "recordAudio"',
    })
    expect(error(await dispatch(handlers, 'sessions:endAll', [[]])).message).toContain('no session to end')
    expect(error(await dispatch(handlers, 'history:query', [{ limit: 5000 }])).code).toBe('BAD_ARGS')
    expect(error(await dispatch(handlers, 'history:query', [{ sql: '1' }])).code).toBe('BAD_ARGS')
    expect(error(await dispatch(handlers, 'settings:set', ['rm -rf', 1])).code).toBe('BAD_ARGS')
    expect(
      error(await dispatch(handlers, 'resources:add', [{ name: 'x', target: 'javascript:alert(1)' }])),
    ).toMatchObject({ code: 'BAD_ARGS', message: expect.stringContaining('http:// or https://') as string })
    // values that are not a setting's kind at all never reach the engine
    expect(
      error(await dispatch(handlers, 'settings:set', ['idleAfterSec', 'x'.repeat(5_000_000)])).code,
    ).toBe('BAD_ARGS')
    expect(error(await dispatch(handlers, 'settings:set', ['idleAfterSec', Number.NaN])).code).toBe(
      'BAD_ARGS',
    )
    expect(error(await dispatch(handlers, 'settings:set', ['idleAfterSec', { a: 1 }])).code).toBe('BAD_ARGS')
    // odd channels are refused, never thrown
    expect(error(await dispatch(handlers, 10n, [])).message).toBe('unknown call bigint')
    const circular: Record<string, unknown> = {}
    circular.self = circular
    expect(error(await dispatch(handlers, circular, [])).message).toBe('unknown call object')
    expect(engine.getSettings()).toEqual(DEFAULT_SETTINGS)
    expect(engine.resources()).toEqual([])
  })

  it('passes engine refusals through with their code, and changes nothing', async () => {
    expect(error(await dispatch(handlers, 'sessions:end', ['0123456789ab']))).toEqual({
      code: 'UNKNOWN_SESSION',
      message: 'no session with id 0123456789ab',
    })
    const bad = error(await dispatch(handlers, 'settings:set', ['idleAfterSec', 2]))
    expect(bad.code).toBe('BAD_SETTING')
    expect(bad.message).toContain('idleAfterSec must be a whole number of seconds from 5 to 86400 (got 2)')
    expect(error(await dispatch(handlers, 'resources:remove', ['nope'])).code).toBe('UNKNOWN_RESOURCE')
    expect(error(await dispatch(handlers, 'history:query', [{ cursor: 'garbage' }])).code).toBe('BAD_QUERY')
    // a wrong value of the right kind is echoed short
    const long = error(await dispatch(handlers, 'settings:set', ['limitAction', 'y'.repeat(100)]))
    expect(long.code).toBe('BAD_SETTING')
    expect(long.message.length).toBeLessThan(200)
    expect(engine.getSettings()).toEqual(DEFAULT_SETTINGS)
  })

  it('runs valid calls against the engine', async () => {
    const set = await dispatch(handlers, 'settings:set', ['warnAfterSec', 900])
    expect(set).toEqual({ ok: true, value: { ...DEFAULT_SETTINGS, warnAfterSec: 900 } })
    const added = await dispatch(handlers, 'resources:add', [
      { name: ' Wiki ', target: 'https://wiki.example' },
    ])
    expect(added).toMatchObject({ ok: true, value: { name: 'Wiki', type: 'web', configured: true } })
    const list = await dispatch(handlers, 'sessions:list', [])
    expect(list).toMatchObject({ ok: true, value: { sessions: [], stats: { active: 0, idle: 0 } } })
    const hist = await dispatch(handlers, 'history:query', [{ limit: 10 }])
    expect(hist).toEqual({ ok: true, value: { rows: [], nextCursor: null } })
    const device = await dispatch(handlers, 'device:get', [])
    expect(device).toMatchObject({ ok: true, value: { id: engine.device.id, database: join(dir, 'w.db') } })
    await dispatch(handlers, 'resources:remove', ['Wiki'])
    await dispatch(handlers, 'settings:set', ['warnAfterSec', DEFAULT_SETTINGS.warnAfterSec])
  })

  it('an unexpected failure is INTERNAL with the call named, never a thrown error', async () => {
    const broken: Handlers = {
      ...handlers,
      getSettings: () => {
        throw new TypeError('boom')
      },
    }
    expect(error(await dispatch(broken, 'settings:get', []))).toEqual({
      code: 'INTERNAL',
      message: 'getSettings failed: boom',
    })
  })
})

describe('createWardenApi over dispatch', () => {
  it('gives one function per call and per event, and rethrows refusals as WardenError', async () => {
    const listeners = new Map<string, Set<(p: unknown) => void>>()
    const api = createWardenApi({
      invoke: (channel, args) => dispatch(handlers, channel, args),
      subscribe: (channel, l) => {
        const set = listeners.get(channel) ?? new Set()
        set.add(l)
        listeners.set(channel, set)
        return () => set.delete(l)
      },
    })
    expect(Object.keys(api).sort()).toEqual([...Object.keys(invokes), ...Object.keys(events)].sort())
    expect(await api.getSettings()).toEqual(engine.getSettings())
    const refused = await api.setSetting('pollIntervalMs', 5).catch((e: unknown) => e)
    expect(refused).toBeInstanceOf(WardenError)
    expect(refused).toMatchObject({ name: 'WardenError', code: 'BAD_SETTING' })

    // engine events reach subscribers through forwardEvents, and stop after unsubscribe
    const seen: unknown[] = []
    const off = api.onSessionsChanged((s) => seen.push(s))
    const stop = forwardEvents(engine, (channel, payload) => {
      for (const l of listeners.get(channel) ?? []) l(payload)
    })
    engine.emit('changed', [])
    off()
    engine.emit('changed', [])
    stop()
    expect(seen).toHaveLength(1)
    expect(seen[0]).toMatchObject({ sessions: [], stats: { active: 0, idle: 0, totalDuration: '<1m' } })
  })
})
