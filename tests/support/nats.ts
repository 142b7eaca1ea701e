/**
 * A real nats-server with JetStream on loopback for the fleet tests (Debian's nats-server;
 * ensure-testbed.sh installs it). It listens on 127.0.0.1 on a free port, keeps its store in a temp
 * folder (`-sd`), and can be stopped and started again on the same port and store, as a server
 * restarted mid-run would be. With `conf`, the text is written to nats-server.conf and used
 * (per-device users and permissions); listen and the store are still set here.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Engine } from '@engine/engine'
import { isSessionProgram } from '@engine/detect'
import { createGeoLocator } from '@engine/geo'
import { createProbe } from '@engine/probe'
import { openStore } from '@engine/store'
import type { FleetSession, FleetTiming } from '../../src/main/fleet'
import { freePort } from './peers'

/** A fleet's clocks for tests: heartbeats every second, offline after 3 s, quick reconnects. */
export const FLEET_TEST_TIMING: Partial<FleetTiming> = {
  heartbeatMs: 1000,
  refreshMs: 5000,
  onlineWithinMs: 3000,
  bucketTtlMs: 120_000,
  backoffMinMs: 100,
  backoffMaxMs: 1000,
}

export const NATS_SERVER = '/usr/sbin/nats-server'

export interface NatsServer {
  port: number
  url: string
  dir: string
  /** the server process (null while stopped) */
  proc: ChildProcess | null
  /** what the server wrote to its log (permission violations are named there) */
  log: string[]
  stop(): Promise<void>
  start(): Promise<void>
  /** stops and removes the store */
  close(): Promise<void>
}

const running = new Set<ChildProcess>()
process.on('exit', () => {
  for (const p of running) p.kill('SIGKILL')
})

export async function startNats(opts: { conf?: string } = {}): Promise<NatsServer> {
  const port = await freePort()
  const dir = mkdtempSync(join(tmpdir(), 'warden-nats-'))
  const args = ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', join(dir, 'js')]
  if (opts.conf !== undefined) {
    writeFileSync(join(dir, 'nats-server.conf'), opts.conf)
    args.push('-c', join(dir, 'nats-server.conf'))
  }
  const s: NatsServer = {
    port,
    url: `nats://127.0.0.1:${port}`,
    dir,
    proc: null,
    log: [],
    async start() {
      s.proc = await launch(args, s.log)
    },
    async stop() {
      const p = s.proc
      s.proc = null
      if (!p || p.exitCode !== null) return
      const exited = new Promise<void>((r) => p.once('exit', () => r()))
      p.kill('SIGTERM')
      await exited
      running.delete(p)
    },
    async close() {
      await s.stop()
      rmSync(dir, { recursive: true, force: true })
    },
  }
  await s.start()
  return s
}

/** Starts the server and resolves once it says it is ready (its log goes to stderr). */
function launch(args: string[], log: string[]): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const p = spawn(NATS_SERVER, args, { stdio: ['ignore', 'ignore', 'pipe'] })
    running.add(p)
    const timer = setTimeout(() => reject(new Error(`nats-server not ready: ${log.join('\n')}`)), 15_000)
    let buf = ''
    p.stderr.setEncoding('utf8').on('data', (d: string) => {
      buf += d
      const lines = buf.split('\n')
      buf = lines.pop() ?? ''
      log.push(...lines)
      if (lines.some((l) => l.includes('Server is ready'))) {
        clearTimeout(timer)
        resolve(p)
      }
    })
    p.once('exit', (code) => {
      running.delete(p)
      clearTimeout(timer)
      reject(new Error(`nats-server exited (${code}): ${log.join('\n')}`))
    })
  })
}

/**
 * A device's engine for the fleet tests: its own database in `dir` and its own device id, tracking
 * only the ssh clients to `sshPort` bound to its own loopback `source` address (ssh -b), as if it
 * ran on another computer; it scans every 250 ms.
 */
export function deviceEngine(o: {
  dir: string
  id: string
  name: string
  source: string
  sshPort: number
}): Engine {
  const engine = new Engine({
    store: openStore({ path: join(o.dir, `${o.id}.db`) }),
    probe: createProbe(process.platform, { interesting: isSessionProgram }),
    geo: createGeoLocator(),
    device: { id: o.id, name: o.name, os: 'Linux (test)', model: 'test' },
    actor: 'app',
    scope: (d) => d.remotePort === o.sshPort && d.localAddress === o.source,
    terminate: { graceMs: 1500 },
  })
  engine.setSetting('pollIntervalMs', 250)
  return engine
}

/**
 * An ended ssh session of another device, as it stands in the fleet's ended stream: started at `start`,
 * ended `lengthMs` later; `o` names it and overrides the rest.
 */
export function endedFleetSession(
  start: number,
  lengthMs: number,
  o: Partial<FleetSession> & Pick<FleetSession, 'id' | 'deviceId'>,
): FleetSession {
  const at = (ms: number): string => new Date(ms).toISOString()
  return {
    resourceName: 'build-server',
    resourceType: 'ssh',
    startTime: at(start),
    duration: '',
    status: 'disconnected',
    device: `device ${o.deviceId}`,
    location: 'Oslo',
    ipAddress: '10.0.0.7',
    durationMs: 0,
    lastActivity: at(start),
    lastSeen: at(start + lengthMs),
    endTime: at(start + lengthMs),
    endReason: 'user',
    endedBy: 'app',
    pid: 4242,
    processStart: 0,
    exe: '/usr/bin/ssh',
    client: 'ssh',
    host: 'build.example.org',
    user: null,
    remotePort: 22,
    localAddress: '10.0.0.1',
    flags: [],
    endable: true,
    recording: null,
    ...o,
  }
}
