// The one way the probes run a program: execFile with an argument array (never a shell), a
// timeout and an output cap. Injected into the probes so tests can replay recorded output.
import { execFile } from 'node:child_process'

export interface RunResult {
  stdout: string
  stderr: string
  /** the exit code; non-zero is not an error here (lsof exits 1 when it finds nothing) */
  code: number
}

export interface RunOptions {
  timeoutMs?: number
  env?: NodeJS.ProcessEnv
}

/** Rejects only when the program could not run to its end: missing, killed, timed out, too much output. */
export type RunFile = (file: string, args: readonly string[], options?: RunOptions) => Promise<RunResult>

const MAX_OUTPUT = 64 * 1024 * 1024

export const runFile: RunFile = (file, args, options = {}) =>
  new Promise((resolve, reject) => {
    execFile(
      file,
      args,
      {
        timeout: options.timeoutMs ?? 2000,
        killSignal: 'SIGKILL',
        maxBuffer: MAX_OUTPUT,
        encoding: 'utf8',
        windowsHide: true,
        env: options.env ?? process.env,
      },
      (error, stdout, stderr) => {
        if (error === null) {
          resolve({ stdout, stderr, code: 0 })
          return
        }
        // a numeric code is a normal exit with that status; anything else (ENOENT, a signal,
        // ERR_CHILD_PROCESS_STDIO_MAXBUFFER) means there is no complete output to trust
        if (typeof error.code === 'number' && !error.killed && error.signal == null) {
          resolve({ stdout, stderr, code: error.code })
          return
        }
        reject(error instanceof Error ? error : new Error(`${file} failed`))
      },
    )
  })

/** The C locale, so dates and messages come in the one format the parsers know. */
export function cLocaleEnv(): NodeJS.ProcessEnv {
  return { ...process.env, LC_ALL: 'C', LANG: 'C' }
}
