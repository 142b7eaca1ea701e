import { execFile } from 'node:child_process'
import type { SshEffectiveConfig } from './detect/types'
import { parseSshArgs, programName, type SshArgs } from './detect'
import { muxMasterPath, trimArgv } from './detect/proc-name'
import type { Snapshot } from './probe/types'

/** Runs `ssh -G ARGS` (in `cwd` when given); resolves with its stdout, or null when it fails. */
export type SshG = (ssh: string, args: readonly string[], opts?: { cwd?: string }) => Promise<string | null>

/** execFile, never a shell; 2 s, then killed: -G never connects, but a config's Match exec may hang */
export const defaultSshG: SshG = (ssh, args, opts) =>
  new Promise((resolve) => {
    const o = { timeout: 2000, windowsHide: true, ...(opts?.cwd === undefined ? {} : { cwd: opts.cwd }) }
    execFile(ssh, ['-G', ...args], o, (err, stdout) => {
      resolve(err ? null : stdout)
    })
  })

type SshGValues = Required<Omit<SshEffectiveConfig, 'startTime'>>

/** The ssh_config values detection needs, from `ssh -G` output (readconf.c dump_client_config). */
export function parseSshG(text: string): SshGValues {
  const r: SshGValues = { controlPath: null, controlMaster: null, forwards: 0, tunnel: false }
  for (const line of text.split('\n')) {
    const sp = line.indexOf(' ')
    if (sp < 0) continue
    const key = line.slice(0, sp).toLowerCase()
    const value = line.slice(sp + 1).trim()
    if (key === 'controlpath') r.controlPath = value === '' || value === 'none' ? null : value
    else if (key === 'controlmaster') r.controlMaster = value
    // one line per forward; none after ClearAllForwardings (readconf.c fill_default_options)
    else if (key === 'localforward' || key === 'remoteforward' || key === 'dynamicforward') r.forwards++
    // "false" unless -w / Tunnel: "point-to-point", "ethernet" or "true"
    else if (key === 'tunnel') r.tunnel = value !== 'false' && value !== 'no'
  }
  return r
}

/**
 * Argv already says all detection needs: its own ControlPath, and forwards or a tun device
 * (ssh_config could add forwards to a bare `ssh -N`, never make a forwarding ssh a plain one
 * but through ClearAllForwardings, which argv rarely leaves to the config).
 */
function argvSays(a: SshArgs): boolean {
  const forwards = !a.clearAllForwardings && a.forwards.length > 0
  return a.controlPath !== null && (forwards || a.tunnelDevice !== null)
}

/**
 * Resolves each new ssh process's effective ControlMaster/ControlPath and forwards once (`ssh -G`
 * with its own options, ~15 ms, never connecting), cached by pid + start time. Only ssh
 * processes whose command line does not already say are asked.
 */
export class SshConfigResolver {
  private readonly cache = new Map<number, SshEffectiveConfig>()

  private readonly sshG: SshG

  constructor(sshG?: SshG) {
    this.sshG = sshG ?? defaultSshG
  }

  /** uid: only that user's processes are asked about (null = all) */
  async resolve(snap: Snapshot, uid: number | null): Promise<ReadonlyMap<number, SshEffectiveConfig>> {
    const pending: Promise<void>[] = []
    for (const p of snap.processes.values()) {
      const hit = this.cache.get(p.pid)
      if (hit?.startTime === p.startTime) continue
      if (programName(p) !== 'ssh' || (uid !== null && p.uid !== uid && p.uid >= 0)) continue
      if (muxMasterPath(p.argv) !== null) continue
      const argv = trimArgv(p.argv)
      const a = parseSshArgs(argv)
      const entry: SshEffectiveConfig = { startTime: p.startTime, controlPath: null, controlMaster: null }
      this.cache.set(p.pid, entry)
      if (!a.valid || a.destination === null || argvSays(a) || a.isQueryOnly || a.isControlCommand) continue
      const options = argv.slice(1, argv.length - a.command.length)
      const ssh = p.exe !== '' ? p.exe : 'ssh'
      pending.push(
        this.sshG(ssh, options).then((out) => {
          if (out !== null) Object.assign(entry, parseSshG(out))
        }),
      )
    }
    await Promise.all(pending)
    for (const pid of this.cache.keys()) if (!snap.processes.has(pid)) this.cache.delete(pid)
    return this.cache
  }
}
