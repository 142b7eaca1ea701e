// DETECT: one OS snapshot → candidate sessions. Pure: no I/O, no clock, no state between calls.
import type { ResourceType } from '@shared/model'
import type { Detect, DetectInput, Detected } from './types'
import { buildIndex } from './snapshot-index'
import { detectSsh } from './ssh'
import { OPENSSH_PROGRAMS } from './ssh-rec'
import { detectPutty, PUTTY_PROGRAMS } from './putty'
import { detectMosh, isMoshWrapper, MOSH_PROGRAMS } from './mosh'
import { RDP_PROGRAMS } from './rdp-args'
import { BROWSER_PROGRAMS } from './browser'
import { programName } from './proc-name'
import type { ProcessInfo } from '../probe/types'
import { detectRdp } from './rdp'
import { detectWeb } from './web'

export type {
  Detect,
  DetectContext,
  DetectInput,
  Detected,
  ResolvedHosts,
  SshEffectiveConfig,
  WebResource,
} from './types'
export { browserFamily, isBrowserProcess, type BrowserFamily } from './browser'
export { parseSshArgs, type SshArgs, type SshForward, type SshHop } from './ssh-args'
export { programName }
export { normalizeAddress } from '../probe/addr'
export { webEndpoint } from './web'
export { detectSsh, detectPutty, detectMosh, detectRdp, detectWeb }

/** Every detector, each with the same signature, in the order their sessions are listed. */
export const detectors: readonly { readonly type: ResourceType; readonly detect: Detect }[] = [
  { type: 'ssh', detect: detectSsh },
  { type: 'ssh', detect: detectPutty },
  { type: 'ssh', detect: detectMosh },
  { type: 'rdp', detect: detectRdp },
  { type: 'web', detect: detectWeb },
]

const SESSION_PROGRAMS = new Set([
  ...OPENSSH_PROGRAMS,
  ...PUTTY_PROGRAMS,
  ...MOSH_PROGRAMS,
  ...RDP_PROGRAMS,
  ...BROWSER_PROGRAMS,
])

/**
 * Whether detection ever looks at this process. The probe re-reads only these (and new ones)
 * every tick; the rest are re-checked on its slower full sweep.
 */
export function isSessionProgram(p: Pick<ProcessInfo, 'exe' | 'argv' | 'comm'>): boolean {
  // the mosh wrapper runs as perl, and execs mosh-client: re-read it every tick to see the exec
  return SESSION_PROGRAMS.has(programName(p)) || isMoshWrapper(p)
}

const TYPE_ORDER: Readonly<Record<ResourceType, number>> = { ssh: 0, rdp: 1, web: 2 }

/**
 * Every candidate session in the snapshot: SSH (OpenSSH, PuTTY, mosh), then RDP, then web, each
 * type ordered by root pid. The snapshot is indexed once (names, children by ppid, sockets by
 * pid) for all detectors.
 */
export function detectAll(input: DetectInput): Detected[] {
  const ix = buildIndex(input.snapshot, input.selfPid)
  const found = detectors.flatMap((d) => d.detect(ix, input))
  // stable: a detector's own order (web: root pid, then resource) stands within a root pid
  return found.sort(
    (a, b) => TYPE_ORDER[a.resourceType] - TYPE_ORDER[b.resourceType] || a.root.pid - b.root.pid,
  )
}
