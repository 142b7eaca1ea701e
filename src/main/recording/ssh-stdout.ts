// The fast path of `warden ssh`'s pty mode (./pty-ssh.ts): ssh still runs under warden's pty (its
// stdin, its stderr and /dev/tty: raw mode, window size, SIGWINCH, prompts, keystrokes all as before),
// but its stdout, which carries the remote's output and so nearly all the bytes, goes to a FIFO that
// warden reads. A pty hands its reader at most ~4 KB per read and wakes it for each; a pipe takes
// 64 KB per write and per read, so a flood costs far fewer wake-ups of ssh and of warden.
//
// Output written to the FIFO skips the pty's output processing, and that matters: in a session
// without a remote pty ssh leaves its terminal cooked and relies on the terminal's ONLCR to turn the
// remote's "\n" into "\r\n". So the FIFO is used only when ssh will put its terminal in raw mode
// (-opost: bytes pass unchanged, sshtty.c enter_raw_mode), which it does exactly when it requests a
// pty for the session: `tty_flag` in ssh.c main(), handed to client_loop (clientloop.c) or to the mux
// client (mux.c mux_client_request_session) as `have_pty`. That decision is recomputed below from
// `ssh -G` (the configuration after the command line and ssh_config) and the command line's remote
// command, and any doubt keeps the old path (stdout on the pty), which is correct in every case.
//
// Why not hand ssh the user's own terminal as stdin instead (no input hop at all)? ssh restores that
// terminal's modes (sshtty.c leave_raw_mode, OPOST back on) right after its last write to stdout
// (clientloop.c client_loop's end), while that output may still be in the FIFO or in warden's
// buffer: written after the restore, every "\n" of it becomes "\r\n". Under warden's own pty, ssh's
// restore only changes warden's pty; the user's terminal stays in warden's hands until warden has
// written the last byte.
import { execFile, execFileSync } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { parseSshArgs } from '../engine/detect/ssh-args'

/** `ssh -G` output: "key value" lines, keys in lower case as ssh prints them. */
export function parseConfigDump(text: string): Map<string, string> {
  const out = new Map<string, string>()
  for (const line of text.split('\n')) {
    const m = /^(\S+)\s+(.*)$/.exec(line.trim())
    if (m && !out.has(m[1] as string)) out.set(m[1] as string, m[2] as string)
  }
  return out
}

/**
 * Whether ssh requests a pty for the session (and so enters raw mode), with stdin a terminal: ssh.c
 * main() (OpenSSH 9.2p1 lines 1349-1367, unchanged in 10.x), with `ssh -G`'s names for the options
 * (readconf.c multistate_requesttty prints yes as "true" and no as "false").
 */
export function requestsTty(config: ReadonlyMap<string, string>, commandGiven: boolean): boolean {
  const rt = config.get('requesttty') ?? 'auto'
  const no = rt === 'false' || rt === 'no'
  const force = rt === 'force'
  let tty = rt === 'true' || rt === 'yes' || force
  // "Allocate a tty by default if no command specified."
  const remoteCommand = config.get('remotecommand')
  if (!commandGiven && (remoteCommand === undefined || remoteCommand === 'none')) tty = !no
  // "Force no tty" (-O control commands are never run under a pty here: ssh.ts records none)
  if (no || config.get('sessiontype') === 'none') tty = false
  // "Do not allocate a tty if stdin is not a terminal." (-n, -f, StdinNull: stdin is /dev/null)
  if (config.get('stdinnull') === 'yes' && !force) tty = false
  return tty
}

/**
 * Will ssh, run with this command line under a terminal, put that terminal in raw mode? Asks
 * `ssh -G` (which evaluates ssh_config, Match exec included, and connects nowhere). false when that
 * fails: the caller then keeps the path that is right either way.
 */
export function sshWillBeRaw(ssh: string, argv: readonly string[], env: NodeJS.ProcessEnv): Promise<boolean> {
  const commandGiven = parseSshArgs(['ssh', ...argv]).command.length > 0
  return new Promise((resolve) => {
    execFile(ssh, ['-G', ...argv], { env, timeout: 10_000, maxBuffer: 1 << 20 }, (err, stdout) => {
      resolve(err ? false : requestsTty(parseConfigDump(stdout), commandGiven))
    })
  })
}

/** ssh's stdout as a FIFO in a private folder, read here. */
export interface StdoutFifo {
  /** what to run under the pty instead of ssh: sh opens the FIFO as stdout and execs ssh (same pid) */
  command: (ssh: string, argv: readonly string[]) => { file: string; args: string[] }
  /** the read side, as a stream (ends after ssh's last byte once `release` was called) */
  stream: net.Socket
  /**
   * Reads what ssh has written to the FIFO so far, synchronously: the pty's output (ssh's stderr)
   * is handled after it, so the two arrive in the order ssh wrote them. null when there is nothing
   * (or the stream is paused and holds bytes of its own, which must go first).
   */
  readNow: () => Buffer | null
  /**
   * ssh has exited: closes this process's write side, so the stream ends after the last byte (or
   * once quiet for LINGER_MS, when something ssh started still holds the FIFO)
   */
  release: () => void
  /** removes the FIFO and its folder */
  dispose: () => void
}

/**
 * ssh has exited, but a process it started may still hold its stdout (a LocalCommand that left a
 * job running): the FIFO would then never end and warden would wait with it. So the stream is ended
 * once nothing has come for LINGER_MS while it was flowing (it reads eagerly then: nothing of ssh's
 * is left in the FIFO).
 */
const LINGER_MS = 500

function endWhenQuiet(stream: net.Socket, closed: () => boolean): void {
  let seen = stream.bytesRead
  let quietSince = performance.now()
  const timer = setInterval(() => {
    if (closed()) {
      clearInterval(timer)
      return
    }
    if (stream.bytesRead !== seen || stream.isPaused()) {
      seen = stream.bytesRead
      quietSince = performance.now()
    } else if (performance.now() - quietSince >= LINGER_MS) {
      clearInterval(timer)
      stream.destroy()
    }
  }, 100)
}

const SH = '/bin/sh'
// "$0" is the FIFO; "$@" is ssh and its argv. exec: ssh keeps the pid node-pty reports.
const REDIRECT = 'exec "$@" >"$0"'

/**
 * Linux: the FIFO's buffer grows from 64 KB (16 pages, pipe(7)) to 1 MB (the unprivileged maximum,
 * /proc/sys/fs/pipe-max-size) with fcntl F_SETPIPE_SZ (1031, linux/fcntl.h). ssh sets a stdout that
 * is not a tty non-blocking (ssh.c ssh_session2_open), so with 64 KB it meets a full pipe every 64 KB
 * and goes round its poll loop again, reallocating its channel buffer each time: measured, 11484
 * polls and 68871 page faults for 50 MB against 3052 and 28126 when it writes to a pty (perf stat),
 * 0.45 s more CPU than plain ssh. The size belongs to the pipe, which lives while this process holds
 * an end, so any process may set it: Node has no fcntl, perl (perl-base is Essential in Debian,
 * shipped with macOS) does it once. Best effort: without perl, or elsewhere, the FIFO stays 64 KB.
 */
export const PIPE_BYTES = 1 << 20
// O_RDWR (2 on every Linux) opens a FIFO without waiting for a peer (fifo(7)); numbers rather than
// `use Fcntl`, which doubles perl's start (~11 ms instead of ~21 ms here)
const SET_PIPE_SIZE =
  'sysopen(my $f, $ARGV[0], 2) or exit 1; defined fcntl($f, 1031, int($ARGV[1])) or exit 2'

export function enlargePipe(file: string, bytes = PIPE_BYTES): boolean {
  if (process.platform !== 'linux') return false
  try {
    execFileSync('perl', ['-e', SET_PIPE_SIZE, file, String(bytes)], { stdio: 'ignore', timeout: 5000 })
    return true
  } catch {
    return false
  }
}

/** A new FIFO, open at both ends (so its reader does not see end-of-file before ssh opened it). */
export function openStdoutFifo(): StdoutFifo | null {
  let dir: string
  try {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'warden-ssh-'))
  } catch {
    return null
  }
  const file = path.join(dir, 'stdout')
  const dispose = (): void => fs.rmSync(dir, { recursive: true, force: true })
  let reader: number | null = null
  try {
    execFileSync('mkfifo', ['-m', '600', file], { stdio: 'ignore' })
    reader = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK)
    const writer = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK)
    enlargePipe(file)
    return fifoHandle(file, reader, writer, dispose)
  } catch {
    if (reader !== null) fs.closeSync(reader)
    dispose()
    return null
  }
}

function fifoHandle(file: string, reader: number, writer: number, dispose: () => void): StdoutFifo {
  const stream = new net.Socket({ fd: reader, readable: true, writable: false })
  let writerFd: number | null = writer
  let closed = false
  stream.once('close', () => (closed = true))
  const chunk = Buffer.allocUnsafe(64 * 1024)
  const readNow = (): Buffer | null => {
    if (closed || stream.isPaused() || stream.readableLength > 0) return null
    const parts: Buffer[] = []
    for (;;) {
      let n: number
      try {
        n = fs.readSync(reader, chunk, 0, chunk.length, null)
      } catch {
        break // EAGAIN: nothing more queued
      }
      if (n === 0) break // end of file: the stream's own read reports it
      parts.push(Buffer.from(chunk.subarray(0, n)))
    }
    return parts.length === 0 ? null : Buffer.concat(parts)
  }
  return {
    command: (ssh, argv) => ({ file: SH, args: ['-c', REDIRECT, file, ssh, ...argv] }),
    stream,
    readNow,
    release: () => {
      if (writerFd !== null) fs.closeSync(writerFd)
      writerFd = null
      endWhenQuiet(stream, () => closed)
    },
    dispose,
  }
}
