import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createEngine, type Engine } from '@engine/index'
import type { Detected } from '@engine/detect/types'
import type { Session } from '@shared/model'
import { startChurn, type Churn } from '../../bench/busy-desktop'
import { sshClient, sshInteractive, startSshd, stopAll, waitFor, type Sshd } from '../support/peers'
import { runIdleControl, setControlPolicy } from '../support/idle-control'

// The engine's guarantees on a busy desktop: real ssh sessions to a real sshd while a loopback
// server takes a new connection every 1/7 s and streams to a long-lived one (bench/busy-desktop.ts).
// The Linux probe no longer re-reads sockets with `ss` when the network changes, so these check it
// still sees new sessions at once and judges idleness on fresh counters.

let sshd: Sshd
let churn: Churn
let dir: string
let engine: Engine | null = null
/** every client a test starts ends with it, so tests never see each other's sessions */
const clients: { stop: () => Promise<void> }[] = []

beforeAll(async () => {
  sshd = await startSshd()
  churn = await startChurn()
})
afterAll(async () => {
  await churn.stop()
  await stopAll()
})
afterEach(async () => {
  if (engine) await engine.close()
  engine = null
  for (const c of clients.splice(0)) await c.stop()
  rmSync(dir, { recursive: true, force: true })
})

async function newEngine(): Promise<Engine> {
  dir = mkdtempSync(join(tmpdir(), 'warden-busy-'))
  const port = sshd.port
  engine = await createEngine({
    dbPath: join(dir, 'w.db'),
    actor: 'test',
    terminate: { graceMs: 1500 },
    scope: (d: Detected) => d.remotePort === port,
  })
  return engine
}

function ours(e: Engine): Session[] {
  return e.list().filter((s) => s.remotePort === sshd.port)
}

describe('a busy desktop (loopback churn running)', () => {
  it('a new ssh shows up within one poll or two', async () => {
    const e = await newEngine()
    const POLL = 1000
    e.setSetting('pollIntervalMs', POLL)
    e.start()
    try {
      // a few polls of churn first, so the probe is in its steady state
      await waitFor(() => (e.snapshot?.takenAt ?? 0) > Date.now() - POLL / 2 && e.snapshot, 5000, 'a poll')
      for (let i = 0; i < 3; i++) {
        const c = await sshClient(sshd, ['-N', 'warden-test'])
        clients.push(c)
        const connected = Date.now()
        await waitFor(() => ours(e).some((s) => s.pid === c.pid), 2 * POLL + 500, `ssh ${String(i)} in a row`)
        expect(Date.now() - connected).toBeLessThanOrEqual(2 * POLL + 500)
      }
    } finally {
      await e.stop()
    }
  })

  it('an idle session is warned and ended; traffic every T/10 survives 3T', async () => {
    const e = await newEngine()
    setControlPolicy(e)
    const quiet = await sshInteractive(sshd)
    const busy = await sshInteractive(sshd)
    clients.push(quiet, busy)
    const open = await waitFor(
      async () => {
        await e.tick()
        const list = ours(e)
        return list.length === 2 ? list : undefined
      },
      10_000,
      'both sessions',
    )
    await runIdleControl(e, Object.fromEntries(open.map((s) => [s.pid, s.id])), quiet, busy)
  })
})
