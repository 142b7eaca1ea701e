// The `warden` command as a user runs it: bin/warden.js in a process of its own, over the real
// engine and database. Shared by the CLI's integration tests.
import { execFile } from 'node:child_process'
import { join } from 'node:path'

export const REPO_ROOT = join(import.meta.dirname, '..', '..')
export const WARDEN_BIN = join(REPO_ROOT, 'bin', 'warden.js')

export interface WardenRun {
  code: number
  out: string
  err: string
}

/** Runs `warden ARGS` to its end (60 s at most); the exit code, stdout and stderr. */
export function warden(args: string[], env: NodeJS.ProcessEnv = {}): Promise<WardenRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [WARDEN_BIN, ...args],
      { env: { ...process.env, ...env }, timeout: 60_000 },
      (err, out, errOut) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0
        resolve({ code, out, err: errOut })
      },
    )
  })
}
