// `npm run bench` (fleet part): one nats-server -js on loopback, 1 000 simulated devices × 10
// sessions published through the real FleetPublisher (lightweight devices: no engine, no scan, 50
// devices per connection), then, measured in this run:
//   fleet list p95        the window's All devices list (fleetView over a FleetMember, whose live
//                         mirror of the bucket makes it a memory read: src/main/fleet/mirror.ts).
//                         The target (≤ 200 ms) applies to this one.
//   fleet cold read p95   a full read of the bucket (10 000 rows + 1 000 device records), as the
//                         one-shot `warden list --fleet` does it (src/main/fleet/view.ts readFleet)
//   change visible p95    a device publishes a new session → another connection watching the bucket
//                         sees it (≤ 1 s)
//   remote End p95        a real engine (device B) with real ssh sessions to the testbed sshd;
//                         another member ends them one by one through the fleet: from the send to
//                         the ssh process gone (≤ 1 s)
//   server memory         nats-server's resident set after the load
// `--devices N` changes the device count; `--json` prints one JSON object.
import { EventEmitter } from 'node:events'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { connect } from '@nats-io/transport-node'
import { jetstream } from '@nats-io/jetstream'
import { Kvm } from '@nats-io/kv'
import type { Session } from '@shared/model'
import { DEFAULT_FLEET_TIMING, ensureBucket, type FleetTiming } from '../src/main/fleet/connection'
import { FleetMember, type FleetEngine } from '../src/main/fleet/fleet'
import { fleetView } from '../src/main/fleet/operations'
import { FleetPublisher } from '../src/main/fleet/publisher'
import { newFleetKey, sessionKey } from '../src/main/fleet/protocol'
import { readFleet } from '../src/main/fleet/view'
import { deviceEngine, startNats, type NatsServer } from '../tests/support/nats'
import { isAlive, sshClient, startSshd, stopAll, waitFor } from '../tests/support/peers'
import { prng, quantile, round } from './stats'

const JSON_OUT = process.argv.includes('--json')
const argDevices = process.argv.indexOf('--devices')
const DEVICES = argDevices > 0 ? Number(process.argv[argDevices + 1]) : 1000
const SESSIONS = 10
const PER_CONNECTION = 50
const SAMPLES = 50
const log = (s: string): void => {
  if (!JSON_OUT) process.stderr.write(`${s}\n`)
}
const random = prng(20_261_202)
const hex = (n: number): string =>
  Array.from({ length: n }, () => Math.floor(random() * 16).toString(16)).join('')

function session(device: string): Session {
  const start = new Date(Date.now() - Math.floor(random() * 3_600_000)).toISOString()
  return {
    id: hex(12),
    resourceName: `host-${hex(4)}`,
    resourceType: 'ssh',
    startTime: start,
    duration: '',
    status: 'active',
    device,
    location: 'Lisbon, PT',
    ipAddress: '192.0.2.10',
    durationMs: 0,
    lastActivity: start,
    lastSeen: start,
    endTime: null,
    endReason: null,
    endedBy: null,
    pid: 1000 + Math.floor(random() * 30_000),
    processStart: Date.parse(start),
    exe: '/usr/bin/ssh',
    client: 'ssh',
    host: 'host',
    user: 'me',
    remotePort: 22,
    localAddress: '10.0.0.2',
    flags: [],
    endable: true,
    recording: null,
  }
}

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return m ? Number(m[1]) / 1024 : NaN
}

interface SimDevice {
  id: string
  pub: FleetPublisher
  open: Session[]
}

type Conn = Awaited<ReturnType<typeof connect>>
const KEY = newFleetKey()
const ENDS = 20
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/**
 * One connection (50 devices) at a time, each wave written before the next starts: all 11 000 puts
 * at once time out on a loaded box. Then waits until the bucket holds every row (a publisher whose
 * put failed retries on its own).
 */
async function publishAll(nats: NatsServer, timing: FleetTiming, conns: Conn[]): Promise<SimDevice[]> {
  const devices: SimDevice[] = []
  for (let c = 0; c * PER_CONNECTION < DEVICES; c++) {
    const nc = await connect({ servers: nats.url })
    const js = jetstream(nc)
    const link = { nc, js, kv: await ensureBucket(js, timing) }
    conns.push(nc)
    const wave: SimDevice[] = []
    for (let i = c * PER_CONNECTION; i < Math.min(DEVICES, (c + 1) * PER_CONNECTION); i++) {
      const id = `sim${String(i).padStart(5, '0')}`
      const pub = new FleetPublisher(id, timing, (l) => log(l))
      const open = Array.from({ length: SESSIONS }, () => session(`device-${i}`))
      pub.setDevice({
        id,
        name: `device-${i}`,
        os: 'Linux',
        model: 'sim',
        addresses: [],
        lastSeen: new Date().toISOString(),
        appVersion: 'bench',
      })
      pub.setOpen(open)
      pub.attach(link)
      wave.push({ id, pub, open })
    }
    await Promise.all(wave.map((d) => d.pub.idle()))
    devices.push(...wave)
  }
  const kv = await new Kvm(jetstream(conns[0] as Conn)).open('warden-fleet')
  await waitFor(async () => (await kv.status()).values >= DEVICES * (SESSIONS + 1), 600_000, 'every row')
  return devices
}

/** A member's engine without sessions (the reading device: its own rows are not what is measured). */
function quietEngine(id: string): FleetEngine {
  return Object.assign(new EventEmitter(), {
    device: { id, name: id, os: 'Linux', model: 'bench' },
    list: () => [],
    interfaces: () => Promise.resolve([]),
    end: () => Promise.reject(new Error('no sessions here')),
  })
}

/** p95 of the window's list (a memory read of the mirror) and of the CLI's cold read, alternating. */
async function measureLists(
  reader: FleetMember,
  timing: FleetTiming,
): Promise<{ hot: number[]; cold: number[]; rows: number }> {
  const hot: number[] = []
  const cold: number[] = []
  const engine = quietEngine('reader')
  let rows = 0
  // 3 warm-up rounds (JIT, the server's first consumer on the stream), then 20 measured
  for (let i = 0; i < 23; i++) {
    let t = performance.now()
    rows = (await fleetView(engine, reader.client, { name: 'reader' })).sessions.length
    if (i >= 3) hot.push(performance.now() - t)
    t = performance.now()
    await readFleet(reader.client.link.js, Date.now(), timing.onlineWithinMs)
    if (i >= 3) cold.push(performance.now() - t)
  }
  return { hot, cold, rows }
}

async function measureVisible(reader: Conn, devices: SimDevice[]): Promise<number[]> {
  const kv = await new Kvm(jetstream(reader)).open('warden-fleet')
  const watch = await kv.watch({ key: 'ses.>', include: 'updates' })
  const arrived = new Map<string, number>()
  void (async () => {
    for await (const e of watch) arrived.set(e.key, performance.now())
  })()
  const visibleMs: number[] = []
  for (let i = 0; i < SAMPLES; i++) {
    const d = devices[Math.floor(random() * devices.length)] as SimDevice
    const s = session(d.id)
    d.open = [...d.open, s]
    const t = performance.now()
    d.pub.setOpen(d.open)
    const key = sessionKey(d.id, s.id)
    while (!arrived.has(key)) await sleep(1)
    visibleMs.push((arrived.get(key) as number) - t)
  }
  watch.stop()
  return visibleMs
}

/**
 * Device B: a real engine tracking its own ssh clients (bound to 127.0.0.2) and a fleet member;
 * `reader` ends B's sessions one at a time: from the send to the ssh process gone.
 */
async function measureRemoteEnd(
  nats: NatsServer,
  reader: FleetMember,
  timing: FleetTiming,
): Promise<number[]> {
  const dir = mkdtempSync(join(tmpdir(), 'warden-fleet-bench-'))
  const sshd = await startSshd()
  const engine = deviceEngine({
    dir,
    id: 'bench-b',
    name: 'device-b',
    source: '127.0.0.2',
    sshPort: sshd.port,
  })
  const member = new FleetMember(engine, { url: nats.url, name: 'device-b', key: KEY }, { timing })
  try {
    member.start()
    engine.start()
    await member.connected()
    const clients = []
    for (let i = 0; i < ENDS; i++)
      clients.push(await sshClient(sshd, ['-N', '-b', '127.0.0.2', 'warden-test']))
    const pids = new Set(clients.map((c) => c.pid))
    const rows = await waitFor(
      async () => {
        const mine = (await reader.list()).sessions.filter((s) => s.deviceId === 'bench-b' && pids.has(s.pid))
        return mine.length === ENDS ? mine : null
      },
      60_000,
      "B's sessions in the reader's list",
    )
    const endMs: number[] = []
    for (const row of rows) {
      const t = performance.now()
      const r = await reader.endRemote('bench-b', row.id)
      if (r.status !== 'answered' || !r.result.ok) throw new Error(`remote end failed: ${JSON.stringify(r)}`)
      while (isAlive(row.pid)) await sleep(1)
      endMs.push(performance.now() - t)
    }
    return endMs
  } finally {
    await member.close()
    await engine.close()
    await stopAll()
    rmSync(dir, { recursive: true, force: true })
  }
}

async function main(): Promise<void> {
  const timing: FleetTiming = { ...DEFAULT_FLEET_TIMING }
  const nats = await startNats()
  const conns: Conn[] = []
  let devices: SimDevice[] = []
  const reader = new FleetMember(
    quietEngine('reader'),
    { url: nats.url, name: 'reader', key: KEY },
    { timing },
  )
  try {
    const t0 = performance.now()
    devices = await publishAll(nats, timing, conns)
    const loadMs = performance.now() - t0
    log(`fleet: ${DEVICES} devices × ${SESSIONS} sessions published in ${round(loadMs)} ms`)

    reader.start()
    const f0 = performance.now()
    await reader.mirrored(120_000)
    const mirrorFillMs = performance.now() - f0
    const lists = await measureLists(reader, timing)
    const visibleMs = await measureVisible(reader.client.link.nc, devices)
    log('fleet: remote End of real ssh sessions …')
    const endMs = await measureRemoteEnd(nats, reader, timing)

    const out = {
      devices: DEVICES,
      sessions: lists.rows,
      publishLoadMs: round(loadMs),
      mirrorFillMs: round(mirrorFillMs),
      fleetListP50Ms: round(quantile(lists.hot, 0.5)),
      fleetListP95Ms: round(quantile(lists.hot, 0.95)),
      fleetColdReadP50Ms: round(quantile(lists.cold, 0.5)),
      fleetColdReadP95Ms: round(quantile(lists.cold, 0.95)),
      changeVisibleP50Ms: round(quantile(visibleMs, 0.5)),
      changeVisibleP95Ms: round(quantile(visibleMs, 0.95)),
      remoteEndP50Ms: round(quantile(endMs, 0.5)),
      remoteEndP95Ms: round(quantile(endMs, 0.95)),
      serverRssMb: round(rssMb(nats.proc?.pid ?? 0)),
      load: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '),
      targets: { fleetListP95Ms: 200, changeVisibleP95Ms: 1000, remoteEndP95Ms: 1000 },
    }
    if (JSON_OUT) process.stdout.write(`${JSON.stringify(out)}\n`)
    else
      log(
        `fleet list (window, from the mirror) p95 ${out.fleetListP95Ms} ms (≤ 200) · cold read (warden list --fleet) p95 ${out.fleetColdReadP95Ms} ms (no target) · change visible p95 ${out.changeVisibleP95Ms} ms (≤ 1000) · remote End p95 ${out.remoteEndP95Ms} ms (≤ 1000) · nats-server RSS ${out.serverRssMb} MB · ${out.sessions} rows · load ${out.load}`,
      )
    const t = out.targets
    if (
      out.fleetListP95Ms > t.fleetListP95Ms ||
      out.changeVisibleP95Ms > t.changeVisibleP95Ms ||
      out.remoteEndP95Ms > t.remoteEndP95Ms
    )
      process.exitCode = 1
  } finally {
    await reader.close()
    await Promise.all(devices.map((d) => d.pub.close()))
    await Promise.all(conns.map((c) => c.close()))
    await nats.close()
  }
}

await main()
