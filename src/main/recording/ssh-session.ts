// One `warden ssh` run, recorded: opens the cast file and the ledger row, runs the real ssh
// (./pty-ssh.ts), names the ssh process to the ledger by pid + start time (so the engine marks its
// session "Recorded"), and closes the row with the file's size, length and sha256. A recording that
// cannot start or stops early (a full disk) is told on stderr and never stops the ssh session.
import type { RecordingLedger } from './ledger'
import { CastWriter } from './cast'
import { runSsh, sshMode, type SshTerminal } from './pty-ssh'
import { shellQuote } from './shim'

/** One 60 Hz frame: output within it is one cast event. */
export const OUTPUT_COALESCE_MS = 16

export interface RecordedSshOptions {
  ssh: string
  argv: readonly string[]
  env: NodeJS.ProcessEnv
  io: SshTerminal
  recordInput: boolean
  ledger: RecordingLedger
  /** a new, empty file opened for writing: its name in the recordings folder and its fd */
  createFile: (startedAt: number) => { file: string; fd: number }
  /** the start time (ms since the epoch) of a running process, as the engine's probe computes it */
  processStart: (pid: number) => Promise<number | null>
  now?: () => number
}

export interface RecordedSshResult {
  exitCode: number
  recordingId: number | null
}

/** "ssh -p 2222 'a b'": the command line as a shell would take it back (the cast's `command`). */
export function commandLine(words: readonly string[]): string {
  return words.map((w) => (/^[\w@%+=:,./-]+$/.test(w) ? w : shellQuote(w))).join(' ')
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e)
}

/** The cast file and its ledger row; on failure nothing is left open. */
function openRecording(
  opts: RecordedSshOptions,
  startedAt: number,
  command: string,
  inputRecorded: boolean,
): { cast: CastWriter; id: number } {
  const { file, fd } = opts.createFile(startedAt)
  const cast = new CastWriter({
    fd,
    // a flood becomes one event per 16 ms (or 64 KB), not one per read (./cast.ts)
    coalesceMs: OUTPUT_COALESCE_MS,
    header: {
      width: opts.io.stdout.columns || 80,
      height: opts.io.stdout.rows || 24,
      startedAt,
      command,
      title: command,
      env: { TERM: opts.env.TERM, SHELL: opts.env.SHELL },
    },
  })
  try {
    const id = opts.ledger.begin({
      kind: 'ssh-cast',
      file,
      pid: null,
      processStart: null,
      startedAt,
      inputRecorded,
      title: command,
    })
    return { cast, id }
  } catch (e) {
    cast.close()
    throw e
  }
}

export async function runRecordedSsh(opts: RecordedSshOptions): Promise<RecordedSshResult> {
  const now = opts.now ?? Date.now
  const { io } = opts
  // keystrokes pass through this process only in pty mode (./pty-ssh.ts)
  const inputRecorded = opts.recordInput && sshMode(io, true) === 'pty'
  const startedAt = now()
  const command = commandLine(['ssh', ...opts.argv])
  let rec: { cast: CastWriter; id: number }
  try {
    rec = openRecording(opts, startedAt, command, inputRecorded)
  } catch (e) {
    io.stderr.write(`warden: this session is not recorded: ${message(e)}\n`)
    const exitCode = await runSsh({ ...opts, recorder: null, recordInput: false })
    return { exitCode, recordingId: null }
  }
  const { cast, id } = rec
  let attached: Promise<void> = Promise.resolve()
  const exitCode = await runSsh({
    ...opts,
    recorder: cast,
    recordInput: inputRecorded,
    onSpawn: (pid) => {
      attached = opts.processStart(pid).then((start) => {
        if (start !== null) opts.ledger.attachProcess(id, pid, start)
      })
    },
  })
  await attached.catch((e: unknown) => {
    io.stderr.write(`warden: the recording could not be tied to its session: ${message(e)}\n`)
  })
  // a marker the player can jump to: how the session ended
  cast.marker(`ssh exited with ${exitCode}`)
  const r = cast.close()
  try {
    opts.ledger.finish(id, { endedAt: now(), ...r })
  } catch (e) {
    io.stderr.write(`warden: the recording's row could not be closed: ${message(e)}\n`)
  }
  if (r.detail !== null) io.stderr.write(`warden: ${r.detail} (the session went on)\n`)
  return { exitCode, recordingId: id }
}
