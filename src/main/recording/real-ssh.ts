// Finding the system's real `ssh` for `warden ssh` without calling ourselves: with the shim installed
// (src/main/recording/shim.ts), the first `ssh` on PATH is the shim, which runs `warden ssh`, which
// must not run the shim again. The shim is recognised by a marker line in its text, so a copy, a
// hard link or a symlink to it (all read the same bytes) is skipped too. A wrapper of someone else's
// that calls `ssh` by name again cannot be recognised that way: the depth variable stops that loop.
import fs from 'node:fs'
import path from 'node:path'

/** The line every shim file carries (and nothing else should). */
export const SHIM_MARKER = '# session-warden: ssh shim'

/**
 * How many `warden ssh` runs this process is inside: each one sets it one higher for the ssh it
 * starts, so a `warden ssh` started by that ssh (a ProxyCommand running `ssh -W`, a LocalCommand)
 * knows it is nested: the outer one already records the terminal, the inner one only runs ssh.
 */
export const SSH_DEPTH_ENV = 'WARDEN_SSH_DEPTH'

/** Deeper than this is a loop (a wrapper on PATH that calls `ssh` again), not nesting. */
export const MAX_SSH_DEPTH = 4

export function sshDepth(env: NodeJS.ProcessEnv): number {
  const n = Number(env[SSH_DEPTH_ENV] ?? '0')
  return Number.isInteger(n) && n > 0 ? n : 0
}

/** Does this file carry the shim's marker? (Reads its first 4 KB; unreadable: no.) */
export function isShim(file: string): boolean {
  let fd: number | null = null
  try {
    fd = fs.openSync(file, 'r')
    const buf = Buffer.alloc(4096)
    const n = fs.readSync(fd, buf, 0, buf.length, 0)
    return buf.subarray(0, n).toString('utf8').includes(SHIM_MARKER)
  } catch {
    return false
  } finally {
    if (fd !== null) fs.closeSync(fd)
  }
}

function isExecutableFile(file: string): boolean {
  try {
    if (!fs.statSync(file).isFile()) return false
    fs.accessSync(file, fs.constants.X_OK)
    return true
  } catch {
    return false
  }
}

/**
 * Every executable `ssh` on PATH, in PATH order, shim or not (the first is what a shell runs).
 * Empty and relative PATH entries are skipped: execvp would search the current directory for them,
 * and a recorder that runs whatever `./ssh` happens to be there is a hole, not a feature.
 */
export function sshOnPath(env: NodeJS.ProcessEnv, name = 'ssh'): string[] {
  return (env.PATH ?? '')
    .split(path.delimiter)
    .filter((dir) => dir !== '' && path.isAbsolute(dir))
    .map((dir) => path.join(dir, name))
    .filter(isExecutableFile)
}

/** The first `ssh` on PATH that is not the shim, as an absolute path; null when there is none. */
export function findRealSsh(env: NodeJS.ProcessEnv, name = 'ssh'): string | null {
  return sshOnPath(env, name).find((candidate) => !isShim(candidate)) ?? null
}
