// The `warden` command as a user runs it: bin/warden.js in a process of its own, over the real
// engine and database. Shared by the CLI's integration tests.
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { runCli, type CliIO } from '../../src/cli/cli'

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

/**
 * Runs `warden ARGS` in this process (runCli, no process start: ~2 s cheaper per call), with no
 * terminal to confirm on; `io` sets the environment and engine options. Its exit code and output.
 */
export async function wardenInProcess(
  args: readonly string[],
  io: Pick<CliIO, 'env' | 'engine'> = { env: {} },
): Promise<WardenRun> {
  const out: string[] = []
  const err: string[] = []
  const code = await runCli(args, { ...io, out: (l) => out.push(l), err: (l) => err.push(l), confirm: null })
  return { code, out: out.join('\n'), err: err.join('\n') }
}
