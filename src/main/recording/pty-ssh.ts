// Runs the real `ssh` for `warden ssh`, with the user's argv unchanged, in one of three ways:
//
// - pty: stdin and stdout are both terminals and the session is recorded. ssh runs under a
//   pseudo-terminal this process owns (node-pty), so its whole terminal stream passes through here:
//   the user's terminal is put in raw mode, keystrokes go to the pty, the pty's output goes to
//   stdout byte for byte and to the recorder, SIGWINCH resizes the pty (and records an `r` event).
//   When ssh will put its terminal in raw mode, its stdout (the bulk) leaves through a FIFO instead
//   of the pty, which costs far fewer wake-ups (./ssh-stdout.ts); its stdin, stderr and /dev/tty
//   stay on the pty.
// - pipe: recorded, but stdin or stdout is not a terminal (`echo ls | warden ssh host`, `> file`).
//   ssh gets no pty, exactly as it would have none when run directly: stdin is handed to it as is,
//   its stdout and stderr come through pipes, go out unchanged and are recorded as output. No
//   keystrokes are recorded in this mode (stdin goes to ssh without passing through here).
// - plain: not recorded. ssh inherits the terminal; this process only waits for its exit code.
//
// In every mode the exit code is ssh's own (255 for its connection errors), 128 + N for a signal.
import { spawn as spawnChild, spawnSync, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import type { Socket } from 'node:net'
import type { Readable, Writable } from 'node:stream'
import { spawn as spawnPty, type IPty } from 'node-pty'
import { openStdoutFifo, sshWillBeRaw, type StdoutFifo } from './ssh-stdout'

/** What the session is recorded into (CastWriter). */
export interface TerminalRecorder {
  output(chunk: Uint8Array): void
  input(chunk: Uint8Array): void
  resize(cols: number, rows: number): void
}

export interface SshTerminal {
  stdin: NodeJS.ReadStream
  stdout: NodeJS.WriteStream
  stderr: NodeJS.WriteStream
}

export interface RunSshOptions {
  /** absolute path of the real ssh (src/main/recording/real-ssh.ts) */
  ssh: string
  argv: readonly string[]
  env: NodeJS.ProcessEnv
  io: SshTerminal
  /** null: not recorded (plain mode) */
  recorder: TerminalRecorder | null
  /** record keystrokes as `i` events (pty mode only; the resource's policy decides) */
  recordInput: boolean
  /** called once ssh runs, with its pid */
  onSpawn?: (pid: number) => void
}

export type SshMode = 'pty' | 'pipe' | 'plain'

export function sshMode(io: SshTerminal, recording: boolean): SshMode {
  if (!recording) return 'plain'
  return io.stdin.isTTY && io.stdout.isTTY ? 'pty' : 'pipe'
}

/** Runs ssh to its end; resolves with its exit code. Never rejects for ssh's own failures. */
export function runSsh(opts: RunSshOptions): Promise<number> {
  const mode = sshMode(opts.io, opts.recorder !== null)
  if (mode === 'pty') return runInPty(opts)
  return runChild(opts, mode)
}

function exitCodeOf(code: number | null, signal: NodeJS.Signals | number | null | undefined): number {
  if (typeof signal === 'number' && signal > 0) return 128 + signal
  if (typeof signal === 'string') return 128 + ((os.constants.signals[signal] as number | undefined) ?? 0)
  return code ?? 255
}

/**
 * Signals sent to this process (not typed at the terminal) go on to ssh: SIGTERM and SIGHUP (the
 * terminal went away) end it the way they would end it run directly, and the exit path below
 * restores the terminal. `interrupt` says whether SIGINT is forwarded too: in pty mode a typed
 * Ctrl-C is a byte for the remote, so a SIGINT here came from `kill`; in the other modes ssh shares
 * the terminal's process group and already got the terminal's SIGINT itself.
 */
function forwardSignals(kill: (sig: NodeJS.Signals) => void, interrupt: boolean): () => void {
  const handlers = (['SIGTERM', 'SIGHUP', 'SIGINT'] as const).map((sig) => {
    const h = (): void => {
      if (sig !== 'SIGINT' || interrupt) kill(sig)
    }
    process.on(sig, h)
    return [sig, h] as const
  })
  return () => {
    for (const [sig, h] of handlers) process.off(sig, h)
  }
}

/**
 * Copies `from` to `to`, recording it, pausing `from` while `to` is full (backpressure). When `to`
 * fails (a reader that went away: `warden ssh host cat big | head`), `from` is closed, so ssh gets
 * the SIGPIPE it would have got writing there itself.
 */
function pump(from: Readable, to: Writable, record: ((b: Buffer) => void) | null): void {
  to.once('error', () => from.destroy())
  from.on('data', (b: Buffer) => {
    record?.(b)
    if (!to.write(b)) {
      from.pause()
      to.once('drain', () => from.resume())
    }
  })
}

function runChild(opts: RunSshOptions, mode: 'pipe' | 'plain'): Promise<number> {
  const { io } = opts
  let child: ChildProcess
  try {
    child = spawnChild(opts.ssh, [...opts.argv], {
      stdio: mode === 'plain' ? 'inherit' : [io.stdin, 'pipe', 'pipe'],
      env: opts.env,
    })
  } catch (e) {
    io.stderr.write(`warden: cannot run ${opts.ssh}: ${e instanceof Error ? e.message : String(e)}\n`)
    return Promise.resolve(255)
  }
  if (child.pid !== undefined) opts.onSpawn?.(child.pid)
  const rec = opts.recorder
  if (child.stdout && child.stderr) {
    pump(child.stdout, io.stdout, rec ? (b) => rec.output(b) : null)
    pump(child.stderr, io.stderr, rec ? (b) => rec.output(b) : null)
  }
  const unforward = forwardSignals((sig) => child.kill(sig), false)
  return new Promise((resolve) => {
    child.once('error', (e) => {
      unforward()
      io.stderr.write(`warden: cannot run ${opts.ssh}: ${e.message}\n`)
      resolve(255)
    })
    // 'close', not 'exit': the pipes are drained by then, so the recording has the last output
    child.once('close', (code, signal) => {
      unforward()
      resolve(exitCodeOf(code, signal))
    })
  })
}

/**
 * Raw mode on the user's terminal. libuv's raw mode keeps output post-processing on (OPOST|ONLCR,
 * deps/uv/src/unix/tty.c uv_tty_set_mode), which would turn a lone "\n" from the remote into
 * "\r\n": `stty -opost` turns it off, as ssh's own enter_raw_mode does (sshtty.c), so the terminal
 * receives the pty's bytes unchanged. setRawMode(false) restores the termios libuv saved before the
 * first change, OPOST included; Node restores it at exit too, whatever the exit (src/node.cc ResetStdio).
 */
function enterRaw(stdin: NodeJS.ReadStream): () => void {
  stdin.setRawMode(true)
  spawnSync('stty', ['-opost'], { stdio: [stdin, 'ignore', 'ignore'] })
  let restored = false
  const restore = (): void => {
    if (restored) return
    restored = true
    try {
      stdin.setRawMode(false)
    } catch {
      // the terminal is gone (EIO): nothing to restore
    }
  }
  process.once('exit', restore)
  return () => {
    process.off('exit', restore)
    restore()
  }
}

/**
 * Keeps the pty's last output. Two things lose it otherwise (microsoft/node-pty#72, #85, #726; seen
 * here: ~10 KB of a 15 MB `cat` lost in one run of three): once ssh, the only holder of the slave,
 * exits, the master's read can end (EIO/EOF) with output still queued; and node-pty destroys the
 * read side 200 ms after the exit whether it was read or not (lib/unixTerminal.js
 * DESTROY_SOCKET_TIMEOUT_MS), which a busy reader (a GC pause, a loaded machine) misses.
 * So this process holds the slave open too (the master never reads end-of-file while output is
 * queued), and node-pty's destroy waits until the output has been quiet for `quietMs` with a poll
 * phase in between (output that arrived while this process was busy is read first).
 */
export function drainAfterExit(term: IPty, quietMs = 100): void {
  const inner = term as unknown as { _socket?: Socket; ptsName?: string }
  const socket = inner._socket
  if (!socket) return
  let slave: number | null = null
  try {
    if (inner.ptsName) slave = fs.openSync(inner.ptsName, fs.constants.O_RDWR | fs.constants.O_NOCTTY)
  } catch {
    slave = null // without it node-pty's own behaviour stays, with the longer wait below
  }
  const closeSlave = (): void => {
    if (slave !== null) fs.closeSync(slave)
    slave = null
  }
  socket.once('close', closeSlave)
  const destroy = socket.destroy.bind(socket)
  let lastData = performance.now()
  socket.on('data', () => {
    lastData = performance.now()
  })
  const quiet = (): boolean => !socket.isPaused() && performance.now() - lastData >= quietMs
  socket.destroy = (error?: Error) => {
    const check = (): void => {
      if (socket.destroyed) {
        closeSlave()
        return
      }
      if (!quiet()) {
        setTimeout(check, quietMs)
        return
      }
      setImmediate(() => {
        if (!quiet()) setTimeout(check, quietMs)
        else {
          destroy(error)
          closeSlave()
        }
      })
    }
    check()
    return socket
  }
}

/**
 * The pty hands over at most ~4 KB per read (the line discipline's buffer), and libuv reads it up to
 * 32 times per turn of the event loop: the chunks of one turn are passed on together once the
 * turn's reads are done (setImmediate runs right after the poll phase), so a flood of output costs
 * one terminal write and one cast event per turn instead of one per read, and a keystroke's echo
 * waits for nothing but the rest of its own turn.
 */
function outputBatcher(send: (b: Buffer) => void): { push: (b: Buffer) => void; flush: () => void } {
  const pending: Buffer[] = []
  let scheduled: NodeJS.Immediate | null = null
  const flush = (): void => {
    if (scheduled !== null) clearImmediate(scheduled)
    scheduled = null
    if (pending.length === 0) return
    const b = pending.length === 1 ? (pending[0] as Buffer) : Buffer.concat(pending)
    pending.length = 0
    send(b)
  }
  return {
    push: (b) => {
      pending.push(b)
      scheduled ??= setImmediate(flush)
    },
    flush,
  }
}

function asBuffer(data: string | Buffer): Buffer {
  return typeof data === 'string' ? Buffer.from(data, 'utf8') : data
}

/** `WARDEN_SSH_STDOUT=pty`: every byte through the pty, as before the FIFO (warden's switch; ssh never sees it). */
export const STDOUT_ENV = 'WARDEN_SSH_STDOUT'

/** How ssh's stdout reaches warden in pty mode: the FIFO (./ssh-stdout.ts) when it is safe, else the pty. */
export async function ptyStdout(
  opts: Pick<RunSshOptions, 'ssh' | 'argv' | 'env'>,
): Promise<StdoutFifo | null> {
  // a switch for the benchmark and for diagnosis: the old path, every byte through the pty
  if (opts.env[STDOUT_ENV] === 'pty') return null
  if (!(await sshWillBeRaw(opts.ssh, opts.argv, opts.env))) return null
  return openStdoutFifo()
}

function startPty(opts: RunSshOptions, fifo: StdoutFifo | null, cols: number, rows: number): IPty {
  const env = Object.fromEntries(Object.entries(opts.env).filter(([k]) => k !== STDOUT_ENV))
  const run = fifo ? fifo.command(opts.ssh, opts.argv) : { file: opts.ssh, args: [...opts.argv] }
  // encoding null: node-pty hands over Buffers, the bytes as ssh wrote them (not utf8-decoded)
  return spawnPty(run.file, run.args, {
    name: opts.env.TERM ?? 'xterm',
    cols,
    rows,
    cwd: process.cwd(),
    env,
    encoding: null,
  })
}

/**
 * The terminal's output: the pty's (ssh's stderr, its prompts, the pty's echo) and, with a FIFO,
 * ssh's stdout, in the order ssh wrote them: before the pty's bytes are passed on, the FIFO's
 * queued bytes go first (ssh wrote those earlier). Resolves when both have ended.
 */
function wireOutput(
  term: IPty,
  fifo: StdoutFifo | null,
  send: (b: Buffer) => void,
): { ended: Promise<void>; flush: () => void; dispose: () => void } {
  const batch = outputBatcher(send)
  const fromFifo = (): void => {
    const queued = fifo?.readNow()
    if (queued) batch.push(queued)
  }
  const output = term.onData((data: string | Buffer) => {
    fromFifo()
    batch.push(asBuffer(data))
  })
  let ended: Promise<void> = Promise.resolve()
  if (fifo) {
    fifo.stream.on('data', (b: Buffer) => batch.push(b))
    ended = new Promise((resolve) => fifo.stream.once('close', () => resolve()))
    fifo.stream.once('error', () => fifo.stream.destroy())
  }
  return { ended, flush: batch.flush, dispose: () => output.dispose() }
}

async function runInPty(opts: RunSshOptions): Promise<number> {
  const { stdin, stdout } = opts.io
  const rec = opts.recorder
  const cols = stdout.columns || 80
  const rows = stdout.rows || 24
  const fifo = await ptyStdout(opts)
  let term: IPty
  try {
    term = startPty(opts, fifo, cols, rows)
  } catch (e) {
    fifo?.stream.destroy()
    fifo?.release()
    fifo?.dispose()
    opts.io.stderr.write(`warden: cannot run ${opts.ssh}: ${e instanceof Error ? e.message : String(e)}\n`)
    return 255
  }
  drainAfterExit(term)
  opts.onSpawn?.(term.pid)
  const leaveRaw = enterRaw(stdin)
  const onInput = (b: Buffer): void => {
    term.write(b)
    if (opts.recordInput) rec?.input(b)
  }
  const onResize = (): void => {
    const c = stdout.columns || cols
    const r = stdout.rows || rows
    term.resize(c, r)
    rec?.resize(c, r)
  }
  // a terminal that went away (EIO on write): end ssh as the terminal's hangup would
  const onOutputError = (): void => {
    term.kill('SIGHUP')
  }
  stdin.on('data', onInput)
  stdout.on('resize', onResize)
  stdout.on('error', onOutputError)
  const unforward = forwardSignals((sig) => {
    term.kill(sig)
  }, true)
  const out = wireOutput(term, fifo, (b) => {
    rec?.output(b)
    if (!stdout.write(b)) {
      term.pause()
      fifo?.stream.pause()
      stdout.once('drain', () => {
        term.resume()
        fifo?.stream.resume()
      })
    }
  })
  // node-pty emits exit once the pty's output is drained (lib/unixTerminal.js waits for 'close')
  const exit = await new Promise<{ exitCode: number; signal?: number }>((resolve) => term.onExit(resolve))
  // ssh is gone, so is its end of the FIFO: with ours closed the stream ends after the last byte
  fifo?.release()
  await out.ended
  fifo?.dispose()
  out.flush()
  out.dispose()
  unforward()
  stdin.off('data', onInput)
  stdout.off('resize', onResize)
  stdout.off('error', onOutputError)
  leaveRaw()
  stdin.pause()
  return exitCodeOf(exit.exitCode, exit.signal)
}
