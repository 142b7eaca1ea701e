// `npm run bench` (fleet part): one nats-server -js on loopback, 1 000 simulated devices × 10
// sessions published through the real FleetPublisher (lightweight devices: no engine, no scan, 50
// devices per connection), then, measured in this run:
//   fleet list p95      a full read of the bucket (10 000 rows + 1 000 device records), as
//                       `warden list --fleet` does it (src/main/fleet/view.ts)
//   change visible p95  a device publishes a new session → another connection watching the bucket
//                       sees it
//   server memory       nats-server's resident set after the load
// `--devices N` changes the device count; `--json` prints one JSON object.
import { readFileSync } from 'node:fs'
import { connect } from '@nats-io/transport-node'
import { jetstream } from '@nats-io/jetstream'
import { Kvm } from '@nats-io/kv'
import type { Session } from '@shared/model'
import { DEFAULT_FLEET_TIMING, type FleetTiming } from '../src/main/fleet/connection'
import { ensureBucket } from '../src/main/fleet/connection'
import { FleetPublisher } from '../src/main/fleet/publisher'
import { sessionKey } from '../src/main/fleet/protocol'
import { readFleet } from '../src/main/fleet/view'
import { startNats } from '../tests/support/nats'
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

async function main(): Promise<void> {
  const timing: FleetTiming = { ...DEFAULT_FLEET_TIMING }
  const nats = await startNats()
  const conns = []
  const devices: SimDevice[] = []
  try {
    const t0 = performance.now()
    for (let c = 0; c * PER_CONNECTION < DEVICES; c++) {
      const nc = await connect({ servers: nats.url })
      const js = jetstream(nc)
      const link = { nc, js, kv: await ensureBucket(js, timing) }
      conns.push(nc)
      for (let i = c * PER_CONNECTION; i < Math.min(DEVICES, (c + 1) * PER_CONNECTION); i++) {
        const id = `sim${String(i).padStart(5, '0')}`
        const pub = new FleetPublisher(id, timing, (l) => log(l))
        const open = Array.from({ length: SESSIONS }, () => session(`device-${i}`))
        const now = new Date().toISOString()
        pub.setDevice({
          id,
          name: `device-${i}`,
          os: 'Linux',
          model: 'sim',
          addresses: [],
          lastSeen: now,
          appVersion: 'bench',
        })
        pub.setOpen(open)
        pub.attach(link)
        devices.push({ id, pub, open })
      }
    }
    await Promise.all(devices.map((d) => d.pub.idle()))
    const loadMs = performance.now() - t0
    log(`fleet: ${DEVICES} devices × ${SESSIONS} sessions published in ${round(loadMs)} ms`)

    const reader = await connect({ servers: nats.url })
    conns.push(reader)
    const rjs = jetstream(reader)
    const listMs: number[] = []
    let rows = 0
    // 3 warm-up reads (JIT, the server's first consumer on the stream), then 20 measured
    for (let i = 0; i < 23; i++) {
      const t = performance.now()
      rows = (await readFleet(rjs, Date.now(), timing.onlineWithinMs)).sessions.length
      if (i >= 3) listMs.push(performance.now() - t)
    }

    const kv = await new Kvm(rjs).open('warden-fleet')
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
      while (!arrived.has(key)) await new Promise((r) => setTimeout(r, 1))
      visibleMs.push((arrived.get(key) as number) - t)
    }
    watch.stop()

    const out = {
      devices: DEVICES,
      sessions: rows,
      publishLoadMs: round(loadMs),
      fleetListP50Ms: round(quantile(listMs, 0.5)),
      fleetListP95Ms: round(quantile(listMs, 0.95)),
      changeVisibleP50Ms: round(quantile(visibleMs, 0.5)),
      changeVisibleP95Ms: round(quantile(visibleMs, 0.95)),
      serverRssMb: round(rssMb(nats.proc?.pid ?? 0)),
      targets: { fleetListP95Ms: 200, changeVisibleP95Ms: 1000 },
    }
    if (JSON_OUT) process.stdout.write(`${JSON.stringify(out)}\n`)
    else
      log(
        `fleet list p95 ${out.fleetListP95Ms} ms (≤ 200) · change visible p95 ${out.changeVisibleP95Ms} ms (≤ 1000) · nats-server RSS ${out.serverRssMb} MB · ${rows} rows`,
      )
    if (out.fleetListP95Ms > 200 || out.changeVisibleP95Ms > 1000) process.exitCode = 1
  } finally {
    await Promise.all(devices.map((d) => d.pub.close()))
    await Promise.all(conns.map((c) => c.close()))
    await nats.close()
  }
}

await main()
