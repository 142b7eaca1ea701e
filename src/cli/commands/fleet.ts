import type { Engine } from '@engine/index'
import { FleetClient, FleetConfigStore, newFleetKey, type FleetConfig } from '../../main/fleet'
import { FleetMembership } from '../../main/fleet/membership'
import { FleetJoinError, joinFleet, leaveFleet, setFleetLocation } from '../../main/fleet/operations'
export { endInFleet, fleetSessions } from '../../main/fleet/operations'
import { UsageError } from '../args'
import { defineCommand, JSON_OPTION, printJson, type CliIO, type CommandGroup } from '../command'
import { table } from '../format'

// `warden fleet …`, and the fleet parts of list, end and watch (src/main/fleet; README "Fleet").

/** The fleet settings beside this CLI's database (a 0600 JSON file). */
export function fleetStore(engine: Engine): FleetConfigStore {
  return FleetConfigStore.besideDb(engine.storeInfo.path)
}

function joined(engine: Engine): FleetConfig {
  const c = fleetStore(engine).read()
  if (!c)
    throw new UsageError('this device has not joined a fleet (warden fleet join URL --name NAME --key KEY)')
  return c
}

/** Runs `fn` with a one-shot connection to the fleet; closed whatever happens. */
export async function withFleet<T>(
  engine: Engine,
  fn: (c: FleetClient, cfg: FleetConfig) => Promise<T>,
): Promise<T> {
  const cfg = joined(engine)
  const client = await FleetClient.open(cfg, engine.device.id)
  try {
    return await fn(client, cfg)
  } finally {
    await client.close()
  }
}

/**
 * `warden watch` and `warden ui`: the fleet member runs beside the loop when this device joined;
 * under `warden ui` the window may join or leave meanwhile (the same 0600 file).
 */
export function watchFleet(engine: Engine, io: CliIO): FleetMembership {
  const membership = fleetMembership(engine, io)
  membership.start()
  return membership
}

/** The membership over this CLI's settings file, not started yet. */
export function fleetMembership(engine: Engine, io: CliIO): FleetMembership {
  return new FleetMembership({
    engine,
    store: fleetStore(engine),
    log: (l) => io.err(`warden: ${l}`),
    onConnected: (cfg) => io.err(`warden: fleet: joined ${cfg.url} as ${cfg.name}`),
  })
}

const keyCommand = defineCommand({
  name: 'key',
  summary: 'print a new random fleet key (256 bits; shown once, keep it safe)',
  usage: ['fleet key'],
  options: {},
  args: [0, 0],
  run({ io }) {
    io.out(newFleetKey())
    io.err('warden: this key is shown once: give it to each device with `warden fleet join … --key KEY`')
    return Promise.resolve(0)
  },
})

const joinCommand = defineCommand({
  name: 'join',
  summary: 'join a fleet: connect once to check, then store the connection (0600 file beside the database)',
  usage: [
    'fleet join URL --name NAME --key KEY [--location TEXT] [--creds FILE] [--ca FILE] [--cert FILE --cert-key FILE]',
  ],
  options: {
    name: { type: 'string', value: 'NAME', help: "this device's name in the fleet" },
    key: { type: 'string', value: 'KEY', help: 'the fleet key (from `warden fleet key`)' },
    creds: { type: 'string', value: 'FILE', help: 'a NATS creds file or a user nkey seed file' },
    ca: { type: 'string', value: 'FILE', help: "the server's CA certificate (PEM)" },
    cert: { type: 'string', value: 'FILE', help: 'a client certificate (PEM), with --cert-key' },
    'cert-key': { type: 'string', value: 'FILE', help: "the client certificate's private key (PEM)" },
    location: { type: 'string', value: 'TEXT', help: 'where this device is (the Location of its rows)' },
  },
  args: [1, 1],
  async run({ io, values, positionals, open }) {
    if (!values.name || !values.key) throw new UsageError('fleet join needs --name NAME and --key KEY')
    const cfg: FleetConfig = {
      url: positionals[0] as string,
      name: values.name,
      key: values.key,
      ...(values.creds ? { creds: values.creds } : {}),
      ...(values.ca ? { ca: values.ca } : {}),
      ...(values.cert ? { cert: values.cert } : {}),
      ...(values['cert-key'] ? { certKey: values['cert-key'] } : {}),
      ...(values.location !== undefined ? { location: values.location } : {}),
    }
    const engine = await open()
    const store = fleetStore(engine)
    const checked = await joinFleet(store, cfg, engine.device.id).catch((e: unknown) => {
      // a refused setting is the user's to fix (usage); an unreachable server is not
      if (e instanceof FleetJoinError) throw e
      throw new UsageError(e instanceof Error ? e.message : String(e))
    })
    io.out(`joined ${checked.url} as ${checked.name} (device ${engine.device.id}); settings in ${store.file}`)
    io.out('`warden watch` (or the app) now publishes this device and carries out commands sent to it.')
    return 0
  },
})

const statusCommand = defineCommand({
  name: 'status',
  summary: 'the fleet this device joined, and whether it can be reached',
  usage: ['fleet status [--json]'],
  options: { ...JSON_OPTION },
  args: [0, 0],
  async run({ io, values, open }) {
    const engine = await open()
    const cfg = fleetStore(engine).read()
    if (!cfg) {
      if (values.json) printJson(io, { joined: false })
      else io.out('Not in a fleet. Join one with: warden fleet join URL --name NAME --key KEY')
      return 0
    }
    const snap = await withFleet(engine, (c) => c.list()).catch((e: unknown) => String(e))
    const status = {
      joined: true,
      url: cfg.url,
      name: cfg.name,
      deviceId: engine.device.id,
      reachable: typeof snap !== 'string',
      ...(typeof snap === 'string'
        ? { error: snap }
        : {
            devices: snap.devices.length,
            online: snap.devices.filter((d) => d.online).length,
            sessions: snap.sessions.length,
          }),
    }
    if (values.json) printJson(io, status)
    else
      io.out(
        table(
          Object.keys(status).map((k) => k.toUpperCase()),
          [Object.values(status).map(String)],
        ),
      )
    return status.reachable ? 0 : 1
  },
})

const devicesCommand = defineCommand({
  name: 'devices',
  summary: 'the devices of the fleet: online or last seen, sessions, addresses',
  usage: ['fleet devices [--json]'],
  options: { ...JSON_OPTION },
  args: [0, 0],
  async run({ io, values, open }) {
    const engine = await open()
    const { devices } = await withFleet(engine, (c) => c.list())
    if (values.json) printJson(io, devices)
    else
      io.out(
        table(
          ['DEVICE', 'ID', 'OS', 'LOCATION', 'STATUS', 'SESSIONS', 'ADDRESSES', 'VERSION'],
          devices.map((d) => [
            d.name,
            d.id,
            d.os,
            d.location ?? '',
            d.online ? 'online' : `offline, last seen ${new Date(d.lastSeen).toLocaleString()}`,
            String(d.sessions),
            d.addresses.join(' '),
            d.appVersion,
          ]),
        ),
      )
    return 0
  },
})

const setLocationCommand = defineCommand({
  name: 'set-location',
  summary: "say where this device is: the Location of its rows across the fleet ('' to clear)",
  usage: ['fleet set-location TEXT'],
  notes: ['The app and `warden watch` publish it when they next start.'],
  options: {},
  args: [1, 1],
  async run({ io, positionals, open }) {
    const engine = await open()
    const cfg = joined(engine)
    const text = (positionals[0] as string).trim()
    try {
      setFleetLocation(fleetStore(engine), text)
    } catch (e) {
      throw new UsageError(e instanceof Error ? e.message : String(e))
    }
    io.out(text === '' ? `${cfg.name} has no location now` : `${cfg.name} is in ${text}`)
    return 0
  },
})

const leaveCommand = defineCommand({
  name: 'leave',
  summary: "leave the fleet: forget the connection (this device's rows expire with the bucket's TTL)",
  usage: ['fleet leave'],
  options: {},
  args: [0, 0],
  async run({ io, open }) {
    const engine = await open()
    io.out(
      leaveFleet(fleetStore(engine))
        ? 'left the fleet; the connection settings are removed'
        : 'not in a fleet',
    )
    return 0
  },
})

export const fleetCommand: CommandGroup = {
  name: 'fleet',
  summary: 'sessions across devices (NATS JetStream): key, join, status, devices, set-location, leave',
  subcommands: [keyCommand, joinCommand, statusCommand, devicesCommand, setLocationCommand, leaveCommand],
}
