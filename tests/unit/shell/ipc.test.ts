import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import Database from 'better-sqlite3'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { invokes, type Envelope, type InvokeName } from '@shared/contract'
import { SETTING_KEYS, validateSetting } from '@shared/settings'
import { REVIEW_RULES } from '@shared/review'
import type { Engine } from '@engine/engine'
import { createHandlers } from '../../../src/main/api/handlers'
import {
  INVOKE_CHANNELS,
  isTrustedSender,
  registerIpc,
  type TrustedWindow,
} from '../../../src/main/shell/ipc'
import { FakeIpcMain, FakeWebContents } from '../../support/fake-electron'
import { engineOnFakeOs, FakeOs } from '../../support/fake-os'

const ROOT = new URL('../../../', import.meta.url).pathname
const APP = 'file:///app/out/renderer/index.html'

let dir: string
let os: FakeOs
let engine: Engine
let sessionId: string

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'warden-ipc-'))
  os = new FakeOs()
  engine = engineOnFakeOs(os, join(dir, 'w.db'), { actor: 'app' }).engine
  // one live session the fuzz must never end, and one configured web resource
  os.ssh(4242, ['ssh', 'admin@prod'])
  await engine.tick()
  sessionId = engine.list()[0]?.id ?? ''
  engine.addResource({ type: 'web', name: 'wiki', target: 'https://wiki.example.com/' })
})

afterAll(async () => {
  await engine.close()
  rmSync(dir, { recursive: true, force: true })
})

function setup(): {
  ipc: FakeIpcMain
  contents: FakeWebContents
  win: TrustedWindow
  unregister: () => void
} {
  const ipc = new FakeIpcMain()
  const contents = new FakeWebContents()
  contents.mainFrame = { url: APP, parent: null }
  const win: TrustedWindow = { appUrl: APP, contents: () => contents }
  const unregister = registerIpc(ipc, createHandlers(engine, 'app'), win)
  return { ipc, contents, win, unregister }
}

/** everything the database holds, as text: a write anywhere changes it */
function dump(): string {
  const db = new Database(join(dir, 'w.db'), { readonly: true, fileMustExist: true })
  try {
    const tables = db
      .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .all()
    return JSON.stringify(tables.map((t) => [t.name, db.prepare(`SELECT * FROM "${t.name}"`).all()]))
  } finally {
    db.close()
  }
}

describe('IPC registration', () => {
  it('registers exactly the contract, one handler per call, all through the helper', () => {
    const { ipc, unregister } = setup()
    const contract = (Object.keys(invokes) as InvokeName[]).map((n) => invokes[n].channel)
    expect([...ipc.handlers.keys()].sort()).toEqual([...contract].sort())
    expect(INVOKE_CHANNELS).toEqual(contract)
    unregister()
    expect(ipc.handlers.size).toBe(0)
  })

  it('no other file registers handlers or touches ipcMain/ipcRenderer', () => {
    const files: string[] = []
    const walk = (d: string): void => {
      for (const name of readdirSync(d)) {
        const p = join(d, name)
        if (statSync(p).isDirectory()) walk(p)
        else if (/\.(ts|vue|mjs|js)$/.test(name)) files.push(p)
      }
    }
    walk(join(ROOT, 'src'))
    const using = files
      // protocol.handle (shell/asset-protocol.ts: a URL scheme's handler) is not IPC
      .filter((f) =>
        /\bipc(Main|Renderer)\b|(?<!protocol)\.handle\(|\.handleOnce\(/.test(readFileSync(f, 'utf8')),
      )
      .map((f) => relative(ROOT, f))
      .sort()
    expect(using).toEqual(['src/main/shell/electron.ts', 'src/main/shell/ipc.ts', 'src/preload/index.ts'])
  })

  it('a call from our window works; the same call from anything else is refused before it runs', async () => {
    const { ipc, contents, win } = setup()
    const ok = (await ipc.invoke('settings:get', contents.ipcEvent())) as Envelope
    expect(ok.ok).toBe(true)

    const other = new FakeWebContents()
    other.mainFrame = { url: APP, parent: null }
    const foreign = [
      other.ipcEvent(), // another window (same page)
      contents.ipcEvent({ url: APP, parent: {} }), // a subframe of ours
      contents.ipcEvent(null), // a frame that navigated or was destroyed
      contents.ipcEvent({ url: 'https://evil.example/', parent: null }), // our window, another page
      contents.ipcEvent({ url: 'file:///tmp/evil.html', parent: null }),
    ]
    for (const event of foreign) {
      for (const channel of INVOKE_CHANNELS) {
        const args = channel === 'sessions:end' || channel === 'sessions:keepActive' ? [sessionId] : []
        const reply = (await ipc.invoke(channel, event, ...args)) as Envelope
        expect(reply, channel).toEqual({
          ok: false,
          error: { code: 'FORBIDDEN', message: 'this call did not come from the Session Warden window' },
        })
      }
    }
    // destructive calls from a foreign sender did nothing
    expect(os.signals).toEqual([])
    expect(engine.get(sessionId).status).toBe('active')
    // and once the window is gone, nothing is trusted
    expect(isTrustedSender(contents.ipcEvent(), win)).toBe(true)
    expect(isTrustedSender(contents.ipcEvent(), { ...win, contents: () => null })).toBe(false)
  })
})

// ------------------------------------------------------------------ fuzz

const RUNS = 10_000
const anything = fc.anything({
  maxDepth: 2,
  withNullPrototype: true,
  withBigInt: true,
  withDate: true,
  withMap: true,
  withSet: true,
  withTypedArray: true,
  withSparseArray: true,
  withObjectString: true,
  withBoxedValues: true,
})
const nasty = fc.constantFrom(
  '',
  ' ',
  '__proto__',
  'constructor',
  '../../../etc/passwd',
  "'; DROP TABLE sessions; --",
  'ABCDEF012345',
  '0123456789a',
  '0123456789abc',
  '\u0000',
  'x'.repeat(5000),
  'javascript:alert(1)',
  'file:///etc/passwd',
  NaN,
  Infinity,
  -1,
  -0,
  2 ** 53,
  1e308,
  null,
  undefined,
  true,
  {},
  [],
  { __proto__: { polluted: true } },
  JSON.parse('{"__proto__": {"polluted": true}}') as unknown,
)
const value = fc.oneof(anything, nasty)
/** argument lists the contract's schema refuses */
function schemaBad(name: InvokeName): fc.Arbitrary<unknown[]> {
  const schema = invokes[name].args
  return fc
    .oneof(
      fc.array(value, { maxLength: 4 }),
      // the right number of arguments, wrong values
      fc.array(value, { minLength: schema.def.items.length, maxLength: schema.def.items.length }),
    )
    .filter((args) => !schema.safeParse(args).success)
}
const hexId = fc.stringMatching(/^[0-9a-f]{12}$/)
/** well-formed argument lists the engine refuses (unknown ids and names, out-of-range values) */
function engineBad(name: InvokeName): fc.Arbitrary<unknown[]> | null {
  // names and ids the engine does not know (it takes "01" as the id 1, for one)
  const unknownName = fc.string({ minLength: 1, maxLength: 50 }).filter((s) => {
    if (s.trim().length === 0) return false
    try {
      engine.findResource(s.trim())
      return false
    } catch {
      return true
    }
  })
  switch (name) {
    case 'endSession':
    case 'keepSessionActive':
    case 'getSessionDetails':
      return hexId.filter((id) => id !== sessionId).map((id) => [id])
    case 'endSessions':
      return fc
        .array(hexId, { minLength: 1, maxLength: 5 })
        .filter((ids) => !ids.includes(sessionId))
        .map((ids) => [ids])
    case 'setSetting':
      return fc
        .tuple(
          fc.constantFrom(...SETTING_KEYS),
          fc.oneof(fc.integer(), fc.double(), fc.boolean(), fc.string({ maxLength: 100 })),
        )
        .filter(([k, v]) => !validateSetting(k, v).ok)
    case 'updateResourcePolicy':
      return unknownName.map((n) => [n, { idleAfterSec: 60 }])
    case 'removeResource':
    case 'openWebResource':
      return unknownName.map((n) => [n])
    // anomaly review: sessions that are not flagged or not there, allow-list entries that do not exist
    case 'markExpected':
      return hexId.map((id) => [id])
    case 'reportSession':
      return hexId.filter((id) => id !== sessionId).map((id) => [id, {}])
    case 'removeAllowed':
      return fc.tuple(fc.constantFrom(...REVIEW_RULES), fc.string({ minLength: 1, maxLength: 50 }))
    default:
      return null
  }
}

describe('IPC fuzz: bad input changes nothing', () => {
  for (const name of Object.keys(invokes) as InvokeName[]) {
    it(`${name}: ${RUNS} bad inputs → refused with a code, no signal, no row written`, async () => {
      const { ipc, contents } = setup()
      const channel = invokes[name].channel
      const before = dump()
      const settingsBefore = JSON.stringify(engine.getSettings())
      const codes = new Set<string>()
      const refused = engineBad(name)
      const arb = refused ? fc.oneof(schemaBad(name), refused) : schemaBad(name)
      await fc.assert(
        fc.asyncProperty(arb, async (args) => {
          const reply = (await ipc.invoke(channel, contents.ipcEvent(), ...args)) as Envelope
          expect(reply.ok).toBe(false)
          if (reply.ok) return
          expect(reply.error.code).not.toBe('INTERNAL')
          expect(typeof reply.error.message).toBe('string')
          expect(reply.error.message.length).toBeLessThan(2000)
          codes.add(reply.error.code)
        }),
        { numRuns: RUNS },
      )
      expect(codes.has('BAD_ARGS')).toBe(true)
      // the well-formed refusals reached the engine and were refused there
      if (refused) expect([...codes].filter((c) => c !== 'BAD_ARGS')).not.toEqual([])
      expect(os.signals).toEqual([])
      expect(dump()).toBe(before)
      expect(JSON.stringify(engine.getSettings())).toBe(settingsBefore)
      expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    })
  }

  it('positive control: the same path with a good call does end the session', async () => {
    const { ipc, contents } = setup()
    const reply = (await ipc.invoke('sessions:end', contents.ipcEvent(), sessionId)) as Envelope
    expect(reply).toMatchObject({ ok: true, value: { id: sessionId, result: 'ended' } })
    expect(os.signals).toEqual([[4242, 'SIGTERM']])
  })
})
