import { createHash } from 'node:crypto'
import os from 'node:os'
import si from 'systeminformation'

export interface DeviceInfo {
  id: string
  name: string
  os: string
  model: string
}

export interface NetInterface {
  name: string
  address: string
  family: 'IPv4' | 'IPv6'
  mac: string
  internal: boolean
}

/**
 * This computer: name, OS, model and a stable id. systeminformation's osInfo/system/uuid cost
 * tens of ms, so they are read once; interfaces (~70 ms via systeminformation) only when the
 * cheap os.networkInterfaces() fingerprint says something changed.
 */
export class Device {
  private info: DeviceInfo | null = null
  private ifaces: NetInterface[] = []
  private fingerprint = ''
  private lastCheck = 0

  constructor(
    private readonly checkEveryMs = 10_000,
    /** a bounded start: systeminformation runs shells; one that never answers must not hang the app */
    private readonly loadTimeoutMs = 20_000,
  ) {}

  /**
   * Name, OS, model and id, read once. Bounded: past loadTimeoutMs it fails with a clear error
   * rather than fall back, since a fallback id (the hostname's) would change this device's id.
   */
  async load(): Promise<DeviceInfo> {
    if (this.info) return this.info
    let timer: NodeJS.Timeout | undefined
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new Error(
              `device: reading this computer's identity (systeminformation osInfo, system, uuid) took over ${this.loadTimeoutMs} ms`,
            ),
          ),
        this.loadTimeoutMs,
      )
      timer.unref()
    })
    const [osInfo, system, uuid] = await Promise.race([
      Promise.all([
        si.osInfo().catch(() => null),
        si.system().catch(() => null),
        si.uuid().catch(() => null),
      ]),
      late,
    ]).finally(() => clearTimeout(timer))
    const name = os.hostname()
    const osText = osInfo
      ? `${osInfo.distro} ${osInfo.release}`.trim() || `${os.type()} ${os.release()}`
      : `${os.type()} ${os.release()}`
    const model = system ? [system.manufacturer, system.model].filter((s) => s && s !== '-').join(' ') : ''
    // The OS's machine id (Linux /etc/machine-id, macOS IOPlatformUUID, Windows MachineGuid) is
    // stable across reboots; hashed so the raw id never leaves this computer in exports.
    const rawId = uuid?.os || uuid?.hardware || `${name}|${os.platform()}|${os.arch()}`
    const id = createHash('sha256').update(rawId).digest('hex').slice(0, 16)
    this.info = { id, name, os: osText, model: model || 'Unknown model' }
    return this.info
  }

  /** Network interfaces; refreshed through systeminformation only when they changed. */
  async interfaces(now = Date.now()): Promise<NetInterface[]> {
    if (now - this.lastCheck < this.checkEveryMs && this.fingerprint) return this.ifaces
    this.lastCheck = now
    const fp = interfaceFingerprint(os.networkInterfaces())
    if (fp === this.fingerprint) return this.ifaces
    this.fingerprint = fp
    const list = await si.networkInterfaces()
    const arr = Array.isArray(list) ? list : [list]
    this.ifaces = arr.flatMap((i) => {
      const out: NetInterface[] = []
      if (i.ip4) out.push({ name: i.iface, address: i.ip4, family: 'IPv4', mac: i.mac, internal: i.internal })
      if (i.ip6) out.push({ name: i.iface, address: i.ip6, family: 'IPv6', mac: i.mac, internal: i.internal })
      return out
    })
    return this.ifaces
  }

  /** changes whenever the set of interface addresses changes (network change) */
  get networkFingerprint(): string {
    return this.fingerprint
  }
}

export function interfaceFingerprint(ifaces: NodeJS.Dict<os.NetworkInterfaceInfo[]>): string {
  return Object.entries(ifaces)
    .flatMap(([name, list]) => (list ?? []).map((i) => `${name}/${i.family}/${i.address}`))
    .sort()
    .join(',')
}
