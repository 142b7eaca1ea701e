import type { FleetConfig, FleetConfigStore } from './config'
import type { FleetTiming } from './connection'
import { FleetMember, type FleetEngine } from './fleet'
import { joinFleet, leaveFleet, setFleetLocation } from './operations'

export interface FleetMembershipOptions {
  engine: FleetEngine
  /** the settings: sealed by the SecretBox in the app, a 0600 JSON file under the CLI and `warden ui` */
  store: FleetConfigStore
  log?: (line: string) => void
  timing?: Partial<FleetTiming>
  appVersion?: string
  /** said once a member connected (the CLI prints it) */
  onConnected?: (cfg: FleetConfig) => void
}

/**
 * This device's membership while the app or `warden ui`/`warden watch` runs: the member started from
 * the stored settings, and joining, leaving and moving it without a restart (the window's Settings →
 * Fleet). Join, leave and set-location are the CLI's own functions (operations.ts); one at a time.
 */
export class FleetMembership {
  private member: FleetMember | null = null
  private queue: Promise<unknown> = Promise.resolve()
  private readonly log: (line: string) => void

  constructor(private readonly opts: FleetMembershipOptions) {
    this.log = opts.log ?? (() => undefined)
  }

  /** The running member (null: not joined, or the settings could not be read). */
  current(): FleetMember | null {
    return this.member
  }

  /** Where the settings are kept: 'keychain' (sealed by safeStorage) or 'file' (0600). */
  get keptIn(): 'keychain' | 'file' {
    return this.opts.store.file.endsWith('.sealed') ? 'keychain' : 'file'
  }

  /** Starts the member from the stored settings, if any; unreadable settings are said in the log. */
  start(): FleetMember | null {
    let cfg: FleetConfig | null
    try {
      cfg = this.opts.store.read()
    } catch (e) {
      this.log(`fleet: settings unreadable (${e instanceof Error ? e.message : String(e)}); not joining`)
      return null
    }
    if (cfg) this.run(cfg)
    return this.member
  }

  /** Joins (connects first; nothing is stored on failure), then runs the new member in place of any old one. */
  join(raw: unknown): Promise<FleetMember> {
    return this.serial(async () => {
      const cfg = await joinFleet(this.opts.store, raw, this.opts.engine.device.id, this.opts.timing)
      await this.stopMember()
      return this.run(cfg)
    })
  }

  /** Stops the member and forgets the settings; false when this device was in no fleet. */
  leave(): Promise<boolean> {
    return this.serial(async () => {
      await this.stopMember()
      return leaveFleet(this.opts.store)
    })
  }

  /** Stores where this device is and restarts the member, so its record says so now. */
  setLocation(text: string): Promise<FleetConfig> {
    return this.serial(async () => {
      const cfg = setFleetLocation(this.opts.store, text)
      await this.stopMember()
      this.run(cfg)
      return cfg
    })
  }

  close(): Promise<void> {
    return this.serial(() => this.stopMember())
  }

  private run(cfg: FleetConfig): FleetMember {
    const member = new FleetMember(this.opts.engine, cfg, {
      log: this.log,
      replayFile: this.opts.store.replayFile,
      ...(this.opts.timing ? { timing: this.opts.timing } : {}),
      ...(this.opts.appVersion ? { appVersion: this.opts.appVersion } : {}),
    })
    const said = this.opts.onConnected
    if (said) member.once('connected', () => said(cfg))
    member.start()
    this.member = member
    return member
  }

  private async stopMember(): Promise<void> {
    const m = this.member
    this.member = null
    await m?.close()
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn, fn)
    this.queue = next.catch(() => undefined)
    return next
  }
}
