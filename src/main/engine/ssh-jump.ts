// The ProxyJump hops of an ssh client for the session details drawer (issue 15): its command line
// says -J / -o ProxyJump itself, or ssh_config does, which only `ssh -G` with the client's own
// options can tell (Host / Match blocks, Include, -F). Asked on getSessionDetails only, never per
// tick, and cached per command line for a few seconds (the drawer reloads every 2 s).
import { isAbsolute } from 'node:path'
import type { ProcessInfo } from './probe/types'
import { parseJumpSpec, parseSshArgs, type SshHop } from './detect/ssh-args'
import { trimArgv } from './detect/proc-name'
import { defaultSshG, type SshG } from './ssh-config'

/** How long an answer is reused: a config edit shows in the drawer within this */
export const JUMP_TTL_MS = 10_000
/** answers kept at most (one per command line looked at in the last JUMP_TTL_MS) */
const MAX_ENTRIES = 64

/** The `proxyjump` line of `ssh -G` output (readconf.c dump_client_config); [] when there is none. */
export function proxyJumpOfSshG(text: string): SshHop[] | null {
  for (const line of text.split('\n')) {
    if (line.slice(0, 10).toLowerCase() !== 'proxyjump ') continue
    return parseJumpSpec(line.slice(10).trim())
  }
  return []
}

export interface SshJumpDeps {
  sshG?: SshG
  now?: () => number
  /** this process's uid (null where the OS has none: Windows) */
  uid?: number | null
  platform?: NodeJS.Platform
}

/**
 * ssh reads ~/.ssh/config from its user's passwd entry (ssh.c: getpwuid(getuid())->pw_dir, not
 * $HOME), so `ssh -G` run by this process answers for a client of the same uid only; another
 * user's client gets null (the field is left out). A relative -F was read from the client's
 * working directory: on Linux ssh -G runs in /proc/PID/cwd, elsewhere such a client gets null.
 */
export class SshJumpLookup {
  private readonly cache = new Map<string, { at: number; hops: Promise<SshHop[] | null> }>()
  private readonly sshG: SshG
  private readonly now: () => number
  private readonly uid: number | null
  private readonly platform: NodeJS.Platform

  constructor(deps: SshJumpDeps = {}) {
    this.sshG = deps.sshG ?? defaultSshG
    this.now = deps.now ?? Date.now
    this.uid = deps.uid !== undefined ? deps.uid : (process.getuid?.() ?? null)
    this.platform = deps.platform ?? process.platform
  }

  /** The client's jump hops, nearest first; [] when direct; null when it cannot be told. */
  hops(client: ProcessInfo): Promise<SshHop[] | null> {
    const argv = trimArgv(client.argv)
    const a = parseSshArgs(argv)
    if (!a.valid || a.destination === null || a.isQueryOnly || a.isControlCommand)
      return Promise.resolve(null)
    // the first obtained value wins (readconf.c): -J / -o ProxyJump / -o ProxyCommand on the
    // command line come before any config file, so the config cannot change them
    if (a.jump !== null) return Promise.resolve(a.jumpHosts)
    if (a.proxyCommand !== null) return Promise.resolve([])
    if (this.uid !== null && client.uid !== this.uid) return Promise.resolve(null)
    const relative = a.configFile !== null && !isAbsolute(a.configFile)
    const cwd = relative ? (this.platform === 'linux' ? `/proc/${client.pid}/cwd` : null) : undefined
    if (cwd === null) return Promise.resolve(null)
    const ssh = client.exe !== '' ? client.exe : 'ssh'
    const options = argv.slice(1, argv.length - a.command.length)
    const key = JSON.stringify([ssh, cwd ?? '', options])
    const now = this.now()
    for (const [k, e] of this.cache) if (now - e.at >= JUMP_TTL_MS) this.cache.delete(k)
    const hit = this.cache.get(key)
    if (hit) return hit.hops
    const hops = this.sshG(ssh, options, cwd === undefined ? {} : { cwd }).then((out) =>
      out === null ? null : proxyJumpOfSshG(out),
    )
    if (this.cache.size >= MAX_ENTRIES) this.cache.delete(this.cache.keys().next().value ?? '')
    this.cache.set(key, { at: now, hops })
    return hops
  }
}
