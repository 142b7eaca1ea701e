// A scripted OS for the engine (its Probe): processes, sockets with the kernel's idle clock, and the
// signals sent to them, on a clock the test moves. Shared by the engine's and the shell's unit tests.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach } from 'vitest'
import { Engine, type EngineDeps } from '@engine/engine'
import { createGeoLocator } from '@engine/geo'
import type { Probe, ProcessInfo, Snapshot, SocketInfo } from '@engine/probe/types'
import { openStore } from '@engine/store'
import type { Store } from '@engine/store/types'

export const S = 1000
export const T0 = Date.UTC(2026, 10, 27, 9, 0, 0)
export const UID = process.getuid?.() ?? 0

export class FakeOs implements Probe {
  now = T0
  procs = new Map<number, ProcessInfo>()
  /** pid -> last traffic time on its socket */
  traffic = new Map<number, number>()
  signals: [number, string][] = []
  /** false: the OS gives no per-socket counters (ss failed, another platform) */
  counters = true
  /** pid -> remote address:port of its socket (default 203.0.113.7:22) */
  remote = new Map<number, [string, number]>()
  /** a sleep of the computer: the kernel's idle clocks stand still during it (jiffies) */
  slept: { from: number; ms: number } | null = null
  snapshots = 0

  /** ms since the last traffic as the kernel reports it: without the time spent asleep */
  private kernelSince(at: number): number {
    const since = this.now - at
    return this.slept && at < this.slept.from ? since - this.slept.ms : since
  }

  ssh(pid: number, argv: string[], startTime = this.now): ProcessInfo {
    const p: ProcessInfo = { pid, ppid: 1, uid: UID, startTime, exe: '/usr/bin/ssh', argv, comm: 'ssh' }
    this.procs.set(pid, p)
    this.traffic.set(pid, this.now)
    return p
  }
  kill(pid: number): void {
    this.procs.delete(pid)
    this.traffic.delete(pid)
  }
  snapshot(): Promise<Snapshot> {
    const sockets: SocketInfo[] = [...this.traffic].map(([pid, at], i) => ({
      pids: [pid],
      localAddress: '127.0.0.1',
      localPort: 40_000 + i,
      remoteAddress: this.remote.get(pid)?.[0] ?? '203.0.113.7',
      remotePort: this.remote.get(pid)?.[1] ?? 22,
      ...(this.counters ? { lastSendMs: this.kernelSince(at), lastRecvMs: this.kernelSince(at) } : {}),
    }))
    this.snapshots++
    return Promise.resolve({ takenAt: this.now, processes: new Map(this.procs), sockets })
  }
  readProcess(pid: number): Promise<ProcessInfo | null> {
    return Promise.resolve(this.procs.get(pid) ?? null)
  }
}

/**
 * The real engine on a scripted OS: a store in `dbPath`, the OS's clock, signals recorded by the OS
 * (and the signalled process gone), no real `ssh -G` (ssh_config is not part of these scenarios).
 */
export function engineOnFakeOs(
  os: FakeOs,
  dbPath: string,
  deps: Partial<EngineDeps> = {},
): { engine: Engine; store: Store } {
  const store = openStore({ path: dbPath, now: () => os.now })
  const engine = new Engine({
    store,
    probe: os,
    geo: createGeoLocator(),
    device: { id: 'dev1', name: 'laptop', os: 'Linux', model: 'Test' },
    clock: { now: () => os.now },
    actor: 'test',
    uid: UID,
    selfPid: 999_999,
    sshG: () => Promise.resolve(null),
    terminate: {
      graceMs: 100,
      signal: (pid, sig) => {
        os.signals.push([pid, sig])
        os.kill(pid)
      },
      sleep: () => Promise.resolve(),
    },
    ...deps,
  })
  return { engine, store }
}

/** The default idle policy (DEFAULT_SETTINGS in src/shared/settings.ts) set explicitly: idle after 5 minutes, warned at 10, disconnected at 30. */
export function setIdlePolicy(engine: Pick<Engine, 'setSetting'>): void {
  engine.setSetting('idleAfterSec', 300)
  engine.setSetting('warnAfterSec', 600)
  engine.setSetting('disconnectAfterSec', 1800)
}

/**
 * Engines on the scripted OS, each test in a temporary folder of its own, their stores closed and
 * the folder removed after it. Call at the top of a test file.
 */
export function engineFactory(
  prefix: string,
): (
  os: FakeOs,
  file?: string,
  actor?: string,
  extra?: Partial<EngineDeps>,
) => { engine: Engine; store: Store } {
  let dir = ''
  let stores: Store[] = []
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), prefix))
    stores = []
  })
  afterEach(() => {
    for (const s of stores) s.close()
    rmSync(dir, { recursive: true, force: true })
  })
  return (os, file = 'w.db', actor = 'test', extra = {}) => {
    const made = engineOnFakeOs(os, join(dir, file), { actor, ...extra })
    stores.push(made.store)
    return made
  }
}
