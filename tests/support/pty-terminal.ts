// A program run under a real pseudo-terminal (node-pty) that stands for the user's terminal: what
// the program writes arrives here as raw bytes (after the terminal's line discipline, as a terminal
// emulator would read them), keystrokes and resizes go in. Used by the `warden ssh` tests and bench.
import { spawn, type IPty } from 'node-pty'
import { drainAfterExit } from '../../src/main/recording/pty-ssh'
import { waitFor } from './peers'

export interface PtyRun {
  pty: IPty
  /** every byte read so far */
  output: () => Buffer
  text: () => string
  write: (s: string) => void
  /** resolves with the exit code (128 + N for a signal) */
  exited: Promise<number>
  /** waits until the output holds `needle` */
  waitForText: (needle: string, timeoutMs?: number) => Promise<void>
}

export function runInPty(
  file: string,
  args: string[],
  opts: { env: NodeJS.ProcessEnv; cols?: number; rows?: number; cwd?: string },
): PtyRun {
  const pty = spawn(file, args, {
    name: 'xterm-256color',
    cols: opts.cols ?? 80,
    rows: opts.rows ?? 24,
    cwd: opts.cwd ?? process.cwd(),
    env: { ...opts.env },
    encoding: null,
  })
  // a terminal keeps what the program wrote last, however busy this test process is then
  drainAfterExit(pty)
  const chunks: Buffer[] = []
  pty.onData((d: string | Buffer) => chunks.push(typeof d === 'string' ? Buffer.from(d) : d))
  const exited = new Promise<number>((resolve) => {
    pty.onExit(({ exitCode, signal }) => resolve(signal ? 128 + signal : exitCode))
  })
  const output = (): Buffer => Buffer.concat(chunks)
  const text = (): string => output().toString('utf8')
  return {
    pty,
    output,
    text,
    write: (s) => pty.write(s),
    exited,
    waitForText: async (needle, timeoutMs = 15_000) => {
      await waitFor(
        () => text().includes(needle),
        timeoutMs,
        `"${needle}" on the terminal (got ${JSON.stringify(text().slice(-300))})`,
        20,
      )
    },
  }
}
