import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Engine } from '@engine/engine'
import type { Store } from '@engine/store/types'
import { EngineError } from '@engine/errors'
import { StoreError } from '@engine/store'
import { createHandlers, dispatch } from '../../src/main/api/handlers'
import { historyQuerySchema } from '@shared/history'
import type { ResourceType } from '@shared/model'
import { newResourceAfter, policyAfter, settingsAfter } from '@shared/rules'
import { DEFAULT_SETTINGS, type ResourcePolicy } from '@shared/settings'
import { engineOnFakeOs, FakeOs } from '../support/fake-os'

// One table of cases, run against every layer that checks them: the shared rules (src/shared), the
// engine's public methods (what the CLI calls), the window's path (IPC: the contract's schemas,
// then the engine) and the store (its own check, inside the write). Each layer must accept and
// refuse the same values, and a refusal must change nothing.

type Op =
  | { setting: [string, unknown] }
  /** overrides of the resource "prod" (ssh) */
  | { policy: Partial<Record<keyof ResourcePolicy, unknown>> }
  | { add: { type: ResourceType; name: string; target: string } & Partial<ResourcePolicy> }
  | { history: Record<string, unknown> }

interface Case {
  what: string
  given?: Op[]
  op: Op
  ok: boolean
}

const web = (name: string, target: string): Op => ({ add: { type: 'web', name, target } })

const cases: Case[] = [
  // each setting's own bounds
  { what: 'idle after 4 s', op: { setting: ['idleAfterSec', 4] }, ok: false },
  { what: 'idle after 0 (idle has no never)', op: { setting: ['idleAfterSec', 0] }, ok: false },
  { what: 'idle after 5 s', op: { setting: ['idleAfterSec', 5] }, ok: true },
  {
    what: 'idle after a day, warnings and ends off',
    given: [{ setting: ['warnAfterSec', 0] }, { setting: ['disconnectAfterSec', 0] }],
    op: { setting: ['idleAfterSec', 86_400] },
    ok: true,
  },
  {
    what: 'idle after a day and a second',
    given: [{ setting: ['warnAfterSec', 0] }, { setting: ['disconnectAfterSec', 0] }],
    op: { setting: ['idleAfterSec', 86_401] },
    ok: false,
  },
  { what: 'idle after 1.5 s', op: { setting: ['idleAfterSec', 1.5] }, ok: false },
  { what: 'warn after 0 (never)', op: { setting: ['warnAfterSec', 0] }, ok: true },
  { what: 'disconnect after 0 (never)', op: { setting: ['disconnectAfterSec', 0] }, ok: true },
  {
    what: 'warn after a week, no end',
    given: [{ setting: ['disconnectAfterSec', 0] }],
    op: { setting: ['warnAfterSec', 604_800] },
    ok: true,
  },
  {
    what: 'warn after a week and a second',
    given: [{ setting: ['disconnectAfterSec', 0] }],
    op: { setting: ['warnAfterSec', 604_801] },
    ok: false,
  },
  { what: 'scan every 199 ms', op: { setting: ['pollIntervalMs', 199] }, ok: false },
  { what: 'scan every 200 ms', op: { setting: ['pollIntervalMs', 200] }, ok: true },
  { what: 'an unknown limit action', op: { setting: ['limitAction', 'explode'] }, ok: false },
  { what: 'an unknown setting', op: { setting: ['noSuchSetting', 1] }, ok: false },
  // fault 3: the idle rules together
  {
    what: 'fault 3: warn after 30 s, then disconnect after 2 s',
    given: [{ setting: ['idleAfterSec', 5] }, { setting: ['warnAfterSec', 30] }],
    op: { setting: ['disconnectAfterSec', 2] },
    ok: false,
  },
  {
    what: 'fault 3: disconnect after 10 s under the default warning',
    op: { setting: ['disconnectAfterSec', 10] },
    ok: false,
  },
  { what: 'warn after 1 min, before idle (5 min)', op: { setting: ['warnAfterSec', 60] }, ok: false },
  { what: 'idle after 11 min, after the warning', op: { setting: ['idleAfterSec', 660] }, ok: false },
  {
    what: 'a global idle after that contradicts prod’s own warn after',
    given: [{ setting: ['idleAfterSec', 60] }, { policy: { warnAfterSec: 120 } }],
    op: { setting: ['idleAfterSec', 300] },
    ok: false,
  },
  // a resource's overrides, with the globals they fall back to
  { what: 'prod: idle after 0 (idle has no never)', op: { policy: { idleAfterSec: 0 } }, ok: false },
  { what: 'prod: idle after 4 s', op: { policy: { idleAfterSec: 4 } }, ok: false },
  { what: 'prod: idle after 5 s', op: { policy: { idleAfterSec: 5 } }, ok: true },
  { what: 'prod: warn after a week and a second', op: { policy: { warnAfterSec: 604_801 } }, ok: false },
  { what: 'prod: idle after 1.5 s', op: { policy: { idleAfterSec: 1.5 } }, ok: false },
  { what: 'prod: idle after "60"', op: { policy: { idleAfterSec: '60' } }, ok: false },
  { what: 'prod: fault 3, disconnect after 10 s', op: { policy: { disconnectAfterSec: 10 } }, ok: false },
  {
    what: 'prod: no warning, ended at 10 s, idle at 5 min',
    op: { policy: { warnAfterSec: 0, disconnectAfterSec: 10 } },
    ok: false,
  },
  {
    what: 'prod: idle at 5 s, no warning, ended at 10 s',
    op: { policy: { idleAfterSec: 5, warnAfterSec: 0, disconnectAfterSec: 10 } },
    ok: true,
  },
  { what: 'prod: back to the global rule', op: { policy: { idleAfterSec: null } }, ok: true },
  // web resources
  { what: 'a web address', op: web('Wiki', 'https://wiki.example/'), ok: true },
  {
    what: 'a user and password in the address',
    op: web('Wiki', 'https://alice:pw@wiki.example/'),
    ok: false,
  },
  { what: 'a user in the address', op: web('Wiki', 'http://alice@wiki.example/'), ok: false },
  { what: 'ftp', op: web('Wiki', 'ftp://wiki.example/'), ok: false },
  { what: 'no scheme', op: web('Wiki', 'wiki.example'), ok: false },
  { what: 'javascript:', op: web('Wiki', 'javascript:alert(1)'), ok: false },
  { what: 'an empty name', op: web('  ', 'https://wiki.example/'), ok: false },
  { what: 'a name of 201 characters', op: web('x'.repeat(201), 'https://wiki.example/'), ok: false },
  { what: 'a terminal escape in the name', op: web('a\u001b[31m', 'https://wiki.example/'), ok: false },
  {
    what: 'a new ssh resource ended before its warning',
    op: { add: { type: 'ssh', name: 'db', target: 'db.internal', disconnectAfterSec: 10 } },
    ok: false,
  },
  // history queries (the store takes any page size and caps it: it is never asked directly)
  { what: 'a page of 500', op: { history: { limit: 500 } }, ok: true },
  { what: 'a page of 501', op: { history: { limit: 501 } }, ok: false },
  { what: 'a page of 0', op: { history: { limit: 0 } }, ok: false },
  { what: 'since after until', op: { history: { since: 2, until: 1 } }, ok: false },
  { what: 'an unknown field', op: { history: { sql: '1' } }, ok: false },
]

let dir: string
let store: Store
let engine: Engine
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'warden-rules-'))
  ;({ store, engine } = engineOnFakeOs(new FakeOs(), join(dir, 'w.db')))
  store.addResource({ type: 'ssh', name: 'prod', target: 'prod.example.com' })
})
afterEach(() => {
  store.close()
  rmSync(dir, { recursive: true, force: true })
})

const prod = (): number => store.findResource('prod')?.id ?? -1

/** Runs the case's set-up through the engine; it must all be accepted. */
function given(c: Case): void {
  for (const op of c.given ?? []) {
    if ('setting' in op) engine.setSetting(...op.setting)
    else if ('policy' in op) engine.updateResourcePolicy('prod', op.policy as Partial<ResourcePolicy>)
  }
}

type Layer = (op: Op) => Promise<boolean | 'skip'>

/** true when accepted, false when refused with the layer's own kind of refusal. */
function accepted(run: () => unknown, refusal: new (...a: never[]) => Error): boolean {
  try {
    run()
    return true
  } catch (e) {
    if (e instanceof refusal) return false
    throw e
  }
}

const layers: Record<string, Layer> = {
  shared: (op) => {
    const settings = store.getSettings()
    if ('setting' in op)
      return Promise.resolve(settingsAfter(settings, store.listResources(), ...op.setting).ok)
    if ('policy' in op)
      return Promise.resolve(policyAfter(settings, store.findResource('prod'), op.policy).ok)
    if ('add' in op) return Promise.resolve(newResourceAfter(settings, op.add).ok)
    return Promise.resolve(historyQuerySchema.safeParse(op.history).success)
  },
  engine: (op) => {
    const run = (): unknown => {
      if ('setting' in op) return engine.setSetting(...op.setting)
      if ('policy' in op) return engine.updateResourcePolicy('prod', op.policy as Partial<ResourcePolicy>)
      if ('add' in op) return engine.addResource(op.add)
      return engine.history(op.history)
    }
    return Promise.resolve(accepted(run, EngineError))
  },
  ipc: async (op) => {
    const handlers = createHandlers(engine, 'app')
    const call = (channel: string, args: unknown[]) => dispatch(handlers, channel, args)
    let reply
    if ('setting' in op) reply = await call('settings:set', op.setting)
    else if ('policy' in op) reply = await call('resources:update', ['prod', op.policy])
    else if ('history' in op) reply = await call('history:query', [op.history])
    else if (op.add.type !== 'web' || Object.keys(op.add).length > 3) return 'skip'
    else reply = await call('resources:add', [{ name: op.add.name, target: op.add.target }])
    if (!reply.ok) expect(reply.error.code).not.toBe('INTERNAL')
    return reply.ok
  },
  store: (op) => {
    const run = (): unknown => {
      // untyped on purpose: the store is handed whatever its caller got
      if ('setting' in op) return store.setSetting(...(op.setting as Parameters<Store['setSetting']>))
      if ('policy' in op) return store.updateResourcePolicy(prod(), op.policy as Partial<ResourcePolicy>)
      if ('add' in op) return store.addResource(op.add)
      return 'skip'
    }
    if ('history' in op) return Promise.resolve('skip')
    return Promise.resolve(accepted(run, StoreError))
  },
}

describe('one table of rules, every layer', () => {
  for (const [layer, run] of Object.entries(layers)) {
    it.each(cases)(`${layer}: $what → accepted $ok`, async (c) => {
      given(c)
      const before = JSON.stringify([store.getSettings(), store.listResources()])
      const result = await run(c.op)
      if (result === 'skip') return
      expect(result).toBe(c.ok)
      if (!c.ok) expect(JSON.stringify([store.getSettings(), store.listResources()])).toBe(before)
    })
  }

  it('the engine, the store and IPC give the same reason for fault 3', async () => {
    const reason = 'disconnect after (10s) must be later than warn after (10m)'
    expect(() => engine.setSetting('disconnectAfterSec', 10)).toThrow(reason)
    expect(() => store.setSetting('disconnectAfterSec', 10)).toThrow(reason)
    const reply = await dispatch(createHandlers(engine), 'settings:set', ['disconnectAfterSec', 10])
    expect(reply).toMatchObject({ ok: false, error: { code: 'BAD_SETTING' } })
    expect(reply.ok ? '' : reply.error.message).toContain(reason)
    expect(store.getSettings()).toEqual(DEFAULT_SETTINGS)
  })

  it('a web address with credentials is refused everywhere with the same reason, and not stored', async () => {
    const target = 'https://alice:s3cret@wiki.example/'
    const reason = 'remove the user name and password from the address'
    expect(() => engine.addResource({ type: 'web', name: 'Wiki', target })).toThrow(reason)
    expect(() => store.addResource({ type: 'web', name: 'Wiki', target })).toThrow(reason)
    const reply = await dispatch(createHandlers(engine), 'resources:add', [{ name: 'Wiki', target }])
    expect(reply.ok ? '' : reply.error.message).toContain(reason)
    expect(JSON.stringify(store.listResources())).not.toContain('s3cret')
  })
})
