// Picks the probe for the running OS. Each implementation lives in its own file; only this one
// knows them all.
import type { Probe, ProcessInfo } from './types'
import { createLinuxProbe } from './linux'
import { createDarwinProbe } from './darwin'
import { createWin32Probe } from './win32'

export type { Probe, ProcessInfo, Snapshot, SnapshotOptions, SocketInfo } from './types'

export interface ProbeOptions {
  /** the processes detection looks at (lets the Linux probe skip re-reading the others every tick) */
  interesting?: (p: ProcessInfo) => boolean
  /** browser processes: the Linux probe leaves their sockets alone when no web resource is configured */
  browser?: (p: ProcessInfo) => boolean
}

export function createProbe(platform: NodeJS.Platform = process.platform, opts: ProbeOptions = {}): Probe {
  switch (platform) {
    case 'linux':
      return createLinuxProbe({
        ...(opts.interesting ? { interesting: opts.interesting } : {}),
        ...(opts.browser ? { browser: opts.browser } : {}),
      })
    case 'darwin':
      return createDarwinProbe()
    case 'win32':
      return createWin32Probe()
    default:
      throw new Error(`Session Warden has no process probe for ${platform}`)
  }
}
