import { EventEmitter } from 'node:events'
import type { Session } from '@shared/model'
import type { DeviceInfo, NetInterface } from '../engine/device'
import { createGeoLocator, type GeoLocator } from '../engine/geo'
import { CommandListener, sendEnd, type CommandTarget, type Refusal, type RemoteEnd } from './commands'
import type { FleetConfig } from './config'
import {
  backoffDelay,
  DEFAULT_FLEET_TIMING,
  ensureBucket,
  ensureStreams,
  openLink,
  type FleetLink,
  type FleetTiming,
} from './connection'
import { FleetMirror } from './mirror'
import { fleetKeyBytes, type DeviceRecord, type FleetSession } from './protocol'
import { FleetPublisher } from './publisher'
import { ReplayGuard } from './replay'
import { readEnded, readFleet, type FleetSnapshot } from './view'

/** The engine as the fleet uses it (src/main/engine/engine.ts): its device, sessions and change feed. */
export interface FleetEngine extends CommandTarget {
  readonly device: DeviceInfo
  list(): Session[]
  interfaces(): Promise<NetInterface[]>
  on(event: 'changed', fn: (open: Session[]) => void): unknown
  on(event: 'ended', fn: (s: Session) => void): unknown
  off(event: 'changed', fn: (open: Session[]) => void): unknown
  off(event: 'ended', fn: (s: Session) => void): unknown
}

export interface FleetOptions {
  timing?: Partial<FleetTiming>
  log?: (line: string) => void
  appVersion?: string
  /** where seen command ids are kept (null: memory only) */
  replayFile?: string | null
  /** locates the address the server saw this device connect from (default: the offline GeoLite2 data) */
  geo?: GeoLocator
}

interface FleetEvents {
  connected: []
  refused: [Refusal]
}

/**
 * One device's membership of a fleet, for an engine that runs the loop (the app, `warden watch`):
 * connects in the background (retrying with back-off, never holding up the caller), publishes the
 * device and its sessions from the engine's change feed, carries out commands addressed to it, and
 * resyncs after every reconnect. Also the reader and the sender for list and end.
 */
export class FleetMember extends EventEmitter<FleetEvents> {
  readonly timing: FleetTiming
  private readonly key: Buffer
  private readonly publisher: FleetPublisher
  private readonly listener: CommandListener
  private readonly backoff = { attempt: 0 }
  private link: FleetLink | null = null
  /** the bucket in memory while connected: the window's list reads it (mirror.ts) */
  private mirror: FleetMirror | null = null
  /** where the server saw this device connect from (its INFO's client_ip), after each (re)connect */
  private seen: Pick<DeviceRecord, 'seenFrom' | 'seenLocation'> = {}
  private geo: GeoLocator | null = null
  private closed = false
  private timers: NodeJS.Timeout[] = []
  private readonly log: (line: string) => void
  private readonly onChanged = (open: Session[]): void => this.publisher.setOpen(open)
  private readonly onEnded = (s: Session): void => this.publisher.ended(s)

  constructor(
    private readonly engine: FleetEngine,
    private readonly config: FleetConfig,
    private readonly opts: FleetOptions = {},
  ) {
    super()
    this.timing = { ...DEFAULT_FLEET_TIMING, ...opts.timing }
    this.key = fleetKeyBytes(config.key)
    this.log = opts.log ?? (() => undefined)
    this.publisher = new FleetPublisher(engine.device.id, this.timing, this.log)
    this.listener = new CommandListener({
      deviceId: engine.device.id,
      key: this.key,
      target: engine,
      guard: new ReplayGuard(opts.replayFile ?? null),
      timing: this.timing,
      log: this.log,
      onRefused: (r) => this.emit('refused', r),
    })
  }

  get deviceId(): string {
    return this.engine.device.id
  }

  /** This device's name in the fleet and the server's address (the window's fleet status). */
  get joinedAs(): { name: string; url: string; location?: string } {
    const { name, url, location } = this.config
    return { name, url, ...(location ? { location } : {}) }
  }

  /** Connected now (the window's fleet status); reads and sends throw until then. */
  get isConnected(): boolean {
    return this.link !== null
  }

  /** Starts in the background; resolves at once. */
  start(): void {
    this.engine.on('changed', this.onChanged)
    this.engine.on('ended', this.onEnded)
    this.publisher.setOpen(this.engine.list())
    this.publishDevice()
    this.timers.push(
      setInterval(() => this.publisher.heartbeat(Date.now()), this.timing.heartbeatMs),
      setInterval(() => this.publisher.refresh(), this.timing.refreshMs),
    )
    for (const t of this.timers) t.unref()
    void this.connectLoop()
  }

  private publishDevice(): void {
    void this.deviceRecord().then((d) => this.publisher.setDevice(d))
  }

  /**
   * The server's INFO names the address it saw us connect from (client_ip, nats-server ≥ 2.2;
   * nats.js keeps the latest INFO as nc.info, renewed on reconnect): the device's location when its
   * user set none. Read after every (re)connect, since a laptop moves.
   */
  private noteSeenAddress(link: FleetLink): void {
    this.geo ??= this.opts.geo ?? createGeoLocator()
    this.seen = seenAddress(link.nc.info?.client_ip, this.geo)
  }

  private async deviceRecord(): Promise<DeviceRecord> {
    const d = this.engine.device
    const ifaces = await this.engine.interfaces().catch(() => [])
    return {
      id: d.id,
      name: this.config.name,
      os: d.os,
      model: d.model,
      addresses: ifaces.filter((i) => !i.internal).map((i) => i.address),
      lastSeen: new Date().toISOString(),
      appVersion: this.opts.appVersion ?? '',
      ...(this.config.location ? { location: this.config.location } : {}),
      ...this.seen,
    }
  }

  private async connectLoop(): Promise<void> {
    while (!this.closed && !this.link) {
      try {
        const link = await openLink(this.config, this.deviceId, this.timing, this.backoff)
        await ensureStreams(link.nc, this.deviceId, this.timing)
        if (this.isClosed()) {
          await link.nc.close()
          return
        }
        this.link = link
      } catch (e) {
        const delay = backoffDelay(this.backoff.attempt++, this.timing)
        this.log(`fleet: cannot join through ${this.config.url}: ${errText(e)}; retrying in ${delay} ms`)
        await new Promise((r) => setTimeout(r, delay))
      }
    }
    const link = this.link
    if (!link) return
    this.backoff.attempt = 0
    this.noteSeenAddress(link)
    this.publishDevice()
    this.publisher.attach(link)
    this.mirror = new FleetMirror(link, this.timing, this.log)
    void this.mirror.resync()
    void this.watchStatus(link)
    void this.listener.run(link)
    this.emit('connected')
  }

  /** Reconnected: the server may be a fresh one (state lost) or have missed our writes: resync. */
  private async watchStatus(link: FleetLink): Promise<void> {
    for await (const s of link.nc.status()) {
      if (s.type === 'disconnect') this.log(`fleet: disconnected from ${this.config.url}; reconnecting`)
      if (s.type === 'error') this.log(`fleet: the server refused: ${s.error.message}`)
      if (s.type === 'reconnect') {
        this.backoff.attempt = 0
        this.log(`fleet: reconnected to ${this.config.url}; resyncing`)
        try {
          await ensureStreams(link.nc, this.deviceId, this.timing)
          await ensureBucket(link.js, this.timing)
        } catch (e) {
          this.log(`fleet: resync: ${errText(e)}`)
        }
        this.publisher.resync()
        this.noteSeenAddress(link)
        this.publishDevice()
        void this.mirror?.resync()
      }
    }
  }

  /** read through a method: close() may run while a connect is awaited */
  private isClosed(): boolean {
    return this.closed
  }

  /** Resolves once connected (tests, and callers that want to wait). */
  async connected(): Promise<void> {
    if (this.link) return
    await new Promise<void>((r) => this.once('connected', () => r()))
  }

  /** Resolves once the mirror is filled (tests and the bench: the window's list is then a memory read). */
  async mirrored(deadlineMs = 10_000): Promise<void> {
    await this.connected()
    const until = Date.now() + deadlineMs
    while (!this.mirror?.isReady) {
      if (Date.now() > until) throw new Error('fleet: the mirror was not filled in time')
      await new Promise((r) => setTimeout(r, 10))
    }
  }

  /** Resolves once everything handed to the publisher so far is written. */
  async flushed(): Promise<void> {
    await this.publisher.idle()
  }

  /** The connection's reader and sender (throws until connected). */
  get client(): FleetClient {
    if (!this.link) throw new Error(`fleet: not connected to ${this.config.url}`)
    return FleetClient.over(this.link, this.config, this.deviceId, this.timing, this.mirror)
  }

  list(): Promise<FleetSnapshot> {
    return this.client.list()
  }

  endRemote(
    target: string,
    sessionId: string,
    o: { ttlMs?: number; waitMs?: number } = {},
  ): Promise<RemoteEnd> {
    return this.client.endRemote(target, sessionId, o)
  }

  async close(): Promise<void> {
    this.closed = true
    for (const t of this.timers) clearInterval(t)
    this.engine.off('changed', this.onChanged)
    this.engine.off('ended', this.onEnded)
    this.listener.stop()
    this.mirror?.close()
    this.mirror = null
    await this.publisher.close()
    await this.link?.nc.close()
    this.link = null
  }
}

/** A one-shot client (the CLI's list and end): connect, read or send, close. */
export class FleetClient {
  private constructor(
    /** the connection (tests publish raw messages on it) */
    readonly link: FleetLink,
    private readonly config: FleetConfig,
    private readonly deviceId: string,
    readonly timing: FleetTiming,
    /** a member's live mirror of the bucket (null: a one-shot client reads the bucket) */
    private readonly mirror: FleetMirror | null = null,
  ) {}

  static async open(
    c: FleetConfig,
    deviceId: string,
    timing: Partial<FleetTiming> = {},
  ): Promise<FleetClient> {
    const t = { ...DEFAULT_FLEET_TIMING, ...timing }
    const link = await openLink(c, deviceId, t).catch((e: unknown) => {
      throw new Error(`fleet: cannot reach ${c.url}: ${errText(e)}`)
    })
    try {
      await ensureStreams(link.nc, deviceId, t)
    } catch (e) {
      await link.nc.close()
      throw e
    }
    return new FleetClient(link, c, deviceId, t)
  }

  /** A client over a member's connection (closing stays the member's business). */
  static over(
    link: FleetLink,
    c: FleetConfig,
    deviceId: string,
    timing: FleetTiming,
    mirror: FleetMirror | null = null,
  ): FleetClient {
    return new FleetClient(link, c, deviceId, timing, mirror)
  }

  /** Ended sessions of the fleet (or of one device), oldest first. */
  ended(device?: string): Promise<FleetSession[]> {
    return readEnded(this.link.js, device)
  }

  /** From the member's mirror once it is filled (a memory read), else a cold read of the bucket. */
  list(): Promise<FleetSnapshot> {
    if (this.mirror?.isReady) return Promise.resolve(this.mirror.snapshot(Date.now()))
    return readFleet(this.link.js, Date.now(), this.timing.onlineWithinMs)
  }

  /** Always a read of the bucket (tests compare it with the mirror). */
  coldList(): Promise<FleetSnapshot> {
    return readFleet(this.link.js, Date.now(), this.timing.onlineWithinMs)
  }

  endRemote(
    target: string,
    sessionId: string,
    o: { ttlMs?: number; waitMs?: number } = {},
  ): Promise<RemoteEnd> {
    return sendEnd(this.link, fleetKeyBytes(this.config.key), {
      from: this.deviceId,
      fromName: this.config.name,
      target,
      sessionId,
      ...o,
    })
  }

  async close(): Promise<void> {
    await this.link.nc.close()
  }
}

/** The server-seen address and where it is (geo.ts: loopback and private ranges are named, not looked up). */
export function seenAddress(
  ip: string | undefined,
  geo: GeoLocator,
): Pick<DeviceRecord, 'seenFrom' | 'seenLocation'> {
  return ip ? { seenFrom: ip, seenLocation: geo.locate(ip) } : {}
}

function errText(e: unknown): string {
  return e instanceof Error ? e.message : String(e)
}
