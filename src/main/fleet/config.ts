import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fleetJoinSchema } from '@shared/fleet'
import { fleetKeyBytes } from './protocol'

/** The longest location a device may give itself (one rule, in src/shared/fleet.ts). */
export { FLEET_LOCATION_MAX } from '@shared/fleet'

/** How this device reaches its fleet. Files (creds, CA, certificate) are named by path. */
export interface FleetConfig {
  url: string
  name: string
  key: string
  creds?: string
  ca?: string
  cert?: string
  certKey?: string
  /** where this device is, as the user says (issue 14 part 5): the Location of its rows in the fleet */
  location?: string
}

/** The config checked: the URL's form, the key's length, cert with its key, and every named file there. */
export function checkFleetConfig(raw: unknown): FleetConfig {
  const parsed = fleetJoinSchema.safeParse(raw)
  if (!parsed.success) {
    const i = parsed.error.issues[0]
    throw new Error(`fleet: ${i?.path.join('.') ?? ''}: ${i?.message ?? 'invalid'}`)
  }
  const c = parsed.data
  fleetKeyBytes(c.key)
  if ((c.cert === undefined) !== (c.certKey === undefined))
    throw new Error('fleet: --cert and --cert-key go together')
  for (const f of [c.creds, c.ca, c.cert, c.certKey])
    if (f !== undefined && !existsSync(f)) throw new Error(`fleet: no such file: ${f}`)
  return c
}

/** Electron's safeStorage, as a port (src/main/shell/ports.ts style): faked in unit tests. */
export interface SecretBox {
  isEncryptionAvailable(): boolean
  encryptString(plain: string): Buffer
  decryptString(sealed: Buffer): string
}

/**
 * Where the fleet settings are kept: a 0600 file beside the database. Under the CLI it holds JSON;
 * in the app a SecretBox (safeStorage: the OS keychain's key) seals it, so the fleet key never sits
 * in the clear on disk.
 */
export class FleetConfigStore {
  constructor(
    readonly file: string,
    private readonly box: SecretBox | null = null,
  ) {}

  /** Beside the database: `fleet.json` (CLI) or `fleet.sealed` (app, sealed by the SecretBox). */
  static besideDb(dbPath: string, box: SecretBox | null = null): FleetConfigStore {
    return new FleetConfigStore(path.join(path.dirname(dbPath), box ? 'fleet.sealed' : 'fleet.json'), box)
  }

  read(): FleetConfig | null {
    if (!existsSync(this.file)) return null
    const bytes = readFileSync(this.file)
    const text = this.box ? this.box.decryptString(bytes) : bytes.toString('utf8')
    return checkFleetConfig(JSON.parse(text))
  }

  write(c: FleetConfig): void {
    const checked = checkFleetConfig(c)
    const text = JSON.stringify(checked, null, 2)
    if (this.box && !this.box.isEncryptionAvailable())
      throw new Error('fleet: the OS keychain is not available to keep the fleet key; nothing was stored')
    const bytes = this.box ? this.box.encryptString(text) : Buffer.from(text)
    mkdirSync(path.dirname(this.file), { recursive: true })
    const tmp = `${this.file}.tmp`
    writeFileSync(tmp, bytes, { mode: 0o600 })
    chmodSync(tmp, 0o600) // the umask may have narrowed it already, never widened: be explicit
    renameSync(tmp, this.file)
  }

  clear(): boolean {
    const had = existsSync(this.file)
    rmSync(this.file, { force: true })
    rmSync(this.replayFile, { force: true })
    return had
  }

  /** The seen command ids (src/main/fleet/replay.ts) live beside the settings. */
  get replayFile(): string {
    return path.join(path.dirname(this.file), 'fleet-seen.json')
  }
}
