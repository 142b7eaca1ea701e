// DETECT: one OS snapshot → candidate sessions. Pure: no I/O, no clock, no state between calls.
import type { DetectContext, Detected, Detector } from './types'
import { buildIndex } from './snapshot-index'
import { detectSsh, sshDetector } from './ssh'
import { detectRdp, rdpDetector } from './rdp'
import { detectWeb, webDetector } from './web'

export type {
  DetectContext,
  Detected,
  Detector,
  ResolvedHosts,
  SshEffectiveConfig,
  WebResource,
} from './types'
export { browserFamily, isBrowserProcess, type BrowserFamily } from './browser'
export { parseSshArgs, type SshArgs, type SshForward, type SshHop } from './ssh-args'
export { programName } from './proc-name'
export { normalizeAddress } from './net'
export { webEndpoint } from './web'
export { sshDetector, rdpDetector, webDetector }

export const detectors: readonly Detector[] = [sshDetector, rdpDetector, webDetector]

/**
 * Every candidate session in the snapshot: SSH, then RDP, then web, each ordered by root pid.
 * The snapshot is indexed once (names, children by ppid, sockets by pid) for all three.
 */
export function detectAll(ctx: DetectContext): Detected[] {
  const ix = buildIndex(ctx.snapshot, ctx.selfPid)
  return [...detectSsh(ix, ctx.sshConfig), ...detectRdp(ix), ...detectWeb(ctx, ix)]
}
