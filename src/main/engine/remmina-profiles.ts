// Reads the Remmina profiles detection needs (detect/remmina.ts), beside the scan loop: the
// `-c FILE` of each remmina process and the profiles folder, each file once per (path, mtime).
// Nothing is read while no remmina process runs. Only name, username, server and protocol are
// kept (parseRemminaProfile); the rest of a file, its encrypted password included, is dropped.
import { readdir, readFile, readlink, stat } from 'node:fs/promises'
import { homedir } from 'node:os'
import { isAbsolute, join } from 'node:path'
import { programName } from './detect'
import { trimArgv } from './detect/proc-name'
import { parseRemminaArgs } from './detect/rdp-args'
import {
  isRdpProfile,
  parseRemminaProfile,
  type RemminaProfile,
  type RemminaProfiles,
} from './detect/remmina'
import type { Snapshot } from './probe/types'

export interface RemminaReaderOptions {
  /** profiles folders; default $XDG_DATA_HOME/remmina (~/.local/share/remmina), remmina_file_manager.c */
  dirs?: readonly string[]
  /** a process's working directory, for a relative `-c FILE`; default /proc/PID/cwd (Linux) */
  cwd?: (pid: number) => Promise<string | null>
}

function defaultDirs(): string[] {
  const data = process.env.XDG_DATA_HOME
  return [join(data !== undefined && data !== '' ? data : join(homedir(), '.local', 'share'), 'remmina')]
}

const procCwd = (pid: number): Promise<string | null> => readlink(`/proc/${pid}/cwd`).catch(() => null)

export class RemminaProfileReader {
  private readonly files = new Map<string, { mtimeMs: number; profile: RemminaProfile }>()
  private readonly connect = new Map<number, { startTime: number; profile: RemminaProfile }>()
  private readonly dirs: readonly string[]
  private readonly cwd: (pid: number) => Promise<string | null>

  constructor(o: RemminaReaderOptions = {}) {
    this.dirs = o.dirs ?? defaultDirs()
    this.cwd = o.cwd ?? procCwd
  }

  /** undefined while no remmina process of this user runs (uid null = any user) */
  async resolve(snap: Snapshot, uid: number | null): Promise<RemminaProfiles | undefined> {
    const remminas = [...snap.processes.values()].filter(
      (p) => programName(p) === 'remmina' && (uid === null || p.uid === uid || p.uid < 0),
    )
    this.connect.clear()
    if (remminas.length === 0) return undefined
    for (const p of remminas) {
      const file = parseRemminaArgs(trimArgv(p.argv)).file
      if (file === null) continue
      const dir = isAbsolute(file) ? '' : await this.cwd(p.pid)
      const profile = dir === null ? null : await this.read(join(dir, file))
      if (profile) this.connect.set(p.pid, { startTime: p.startTime, profile })
    }
    const saved: RemminaProfile[] = []
    for (const dir of this.dirs) {
      const names = await readdir(dir).catch(() => [] as string[])
      for (const n of names.filter((x) => x.endsWith('.remmina')).sort()) {
        const profile = await this.read(join(dir, n))
        if (profile && isRdpProfile(profile)) saved.push(profile)
      }
    }
    return { connect: this.connect, saved }
  }

  /** One profile, re-read only when its mtime changed; null when unreadable. */
  private async read(path: string): Promise<RemminaProfile | null> {
    const st = await stat(path).catch(() => null)
    if (!st?.isFile()) {
      this.files.delete(path)
      return null
    }
    const hit = this.files.get(path)
    if (hit?.mtimeMs === st.mtimeMs) return hit.profile
    const text = await readFile(path, 'utf8').catch(() => null)
    if (text === null) return null
    const profile = parseRemminaProfile(text)
    this.files.set(path, { mtimeMs: st.mtimeMs, profile })
    return profile
  }
}
