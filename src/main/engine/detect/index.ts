// DETECT: one OS snapshot → candidate sessions. Pure: no I/O, no clock, no state between calls.
import type { DetectContext, Detected, Detector } from './types'
import { buildIndex } from './snapshot-index'
import { detectSsh, sshDetector, SSH_RELATED_PROGRAMS } from './ssh'
import { RDP_PROGRAMS } from './rdp-args'
import { BROWSER_PROGRAMS } from './browser'
import { programName } from './proc-name'
import type { ProcessInfo } from '../probe/types'
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
export { programName }
export { normalizeAddress } from './net'
export { webEndpoint } from './web'
export { sshDetector, rdpDetector, webDetector }

export const detectors: readonly Detector[] = [sshDetector, rdpDetector, webDetector]

const SESSION_PROGRAMS = new Set([...SSH_RELATED_PROGRAMS, ...RDP_PROGRAMS, ...BROWSER_PROGRAMS])

/**
 * Whether detection ever looks at this process. The probe re-reads only these (and new ones)
 * every tick; the rest are re-checked on its slower full sweep.
 */
export function isSessionProgram(p: Pick<ProcessInfo, 'exe' | 'argv' | 'comm'>): boolean {
  return SESSION_PROGRAMS.has(programName(p))
}

/**
 * Every candidate session in the snapshot: SSH, then RDP, then web, each ordered by root pid.
 * The snapshot is indexed once (names, children by ppid, sockets by pid) for all three.
 */
export function detectAll(ctx: DetectContext): Detected[] {
  const ix = buildIndex(ctx.snapshot, ctx.selfPid)
  return [...detectSsh(ix, ctx.sshConfig), ...detectRdp(ix), ...detectWeb(ctx, ix)]
}
