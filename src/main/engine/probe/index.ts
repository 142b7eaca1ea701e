// Picks the probe for the running OS. Each implementation lives in its own file; only this one
// knows them all.
import type { Probe } from './types'
import { createLinuxProbe } from './linux'
import { createDarwinProbe } from './darwin'
import { createWin32Probe } from './win32'

export type { Probe, ProcessInfo, Snapshot, SocketInfo } from './types'

export function createProbe(platform: NodeJS.Platform = process.platform): Probe {
  switch (platform) {
    case 'linux':
      return createLinuxProbe()
    case 'darwin':
      return createDarwinProbe()
    case 'win32':
      return createWin32Probe()
    default:
      throw new Error(`Session Warden has no process probe for ${platform}`)
  }
}
