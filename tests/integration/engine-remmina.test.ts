import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createEngine, type Engine } from '@engine/index'
import type { Detected } from '@engine/detect/types'
import type { Session } from '@shared/model'
import { startXrdp, stopAll, waitFor, type Xrdp } from '../support/peers'
import {
  connectionsOf,
  DBUS_DAEMON_BIN,
  REMMINA_BIN,
  remminaConnect,
  remminaHome,
  type RemminaHome,
} from '../support/peers/remmina'

// Real Remmina 1.4 (RDP plugin, FreeRDP 2) headless on Xvfb, its own session bus, against the test
// xrdp on a free port (never 3389): issue 11 faults 1-3.
const have = existsSync(REMMINA_BIN) && existsSync(DBUS_DAEMON_BIN)

let dir: string
let engine: Engine | null = null
let xrdp: Xrdp
let home: RemminaHome & { stop: () => Promise<void> }
const savedXdg = process.env.XDG_DATA_HOME

beforeAll(async () => {
  if (!have) return
  xrdp = await startXrdp()
  home = await remminaHome(xrdp, [
    { file: 'lab-desktop', name: 'Lab desktop', username: 'bob', server: `127.0.0.1:${xrdp.port}` },
  ])
})
afterAll(async () => {
  await stopAll()
})
afterEach(async () => {
  if (engine) await engine.close()
  engine = null
  if (savedXdg === undefined) delete process.env.XDG_DATA_HOME
  else process.env.XDG_DATA_HOME = savedXdg
  rmSync(dir, { recursive: true, force: true })
})

async function newEngine(): Promise<Engine> {
  dir = mkdtempSync(join(tmpdir(), 'warden-it-'))
  // the profiles folder the engine reads is the user's $XDG_DATA_HOME/remmina
  process.env.XDG_DATA_HOME = home.dataHome
  engine = await createEngine({
    dbPath: join(dir, 'w.db'),
    actor: 'test',
    terminate: { graceMs: 2000 },
    scope: (d: Detected) => d.remotePort === xrdp.port,
  })
  return engine
}

async function sessionsOf(e: Engine, count: number): Promise<Session[]> {
  return waitFor(
    async () => {
      await e.tick()
      const list = e.list().filter((s) => s.remotePort === xrdp.port)
      return list.length === count ? list : undefined
    },
    20_000,
    `${count} Remmina sessions to port ${xrdp.port}`,
  )
}

describe.skipIf(!have)('Remmina against xrdp', () => {
  it('remmina -c profile on a non-3389 port: listed, named and user from the profile; a second connection is its own row; ending one ends both', async () => {
    const e = await newEngine()
    const first = await remminaConnect(xrdp, home, 'lab-desktop')
    const [one] = await sessionsOf(e, 1)
    expect(one).toMatchObject({
      resourceType: 'rdp',
      resourceName: 'Lab desktop',
      user: 'bob',
      client: 'remmina',
    })
    expect(one?.flags).toContain('shared-process')

    // a second `remmina -c` hands the file to the running instance (D-Bus) and exits
    await remminaConnect(xrdp, home, 'lab-desktop').catch(() => null)
    await connectionsOf(first.pid, xrdp.port, 2)
    const two = await sessionsOf(e, 2)
    expect(new Set(two.map((s) => s.pid))).toEqual(new Set([first.pid]))
    expect(new Set(two.map((s) => s.id)).size).toBe(2)

    const target = two[0] as Session
    const r = await e.end(target.id, 'test')
    expect(r).toMatchObject({ ok: true, result: 'ended' })
    await sessionsOf(e, 0)
    expect(await first.exited).not.toBeUndefined()
  })
})
