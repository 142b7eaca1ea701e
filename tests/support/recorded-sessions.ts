// Real recordings for the window's player tests (issue 12): an ssh to the test sshd run under a real
// pseudo-terminal (node-pty), its output written as asciicast v2 by `warden ssh`'s own CastWriter, and a
// WebM made by the real ffmpeg. Both go into the recordings folder through the store's RecordingLedger, as the recorders do.
import { execFile } from 'node:child_process'
import fs from 'node:fs'
import { promisify } from 'node:util'
import pty from 'node-pty'
import { createProbe } from '@engine/probe'
import { CastWriter } from '../../src/main/recording/cast'
import { createRecordingFile, sha256File } from '../../src/main/recording/files'
import type { RecordingLedger } from '../../src/main/recording/ledger'
import { BIN, waitFor } from './peers/common'
import type { Sshd } from './peers/sshd'
import { adoptPid, newResource, release } from './peers/tracking'

const run = promisify(execFile)
const probe = createProbe()

/** The process start time exactly as the engine's probe reads it (what the ledger must match). */
export async function processStartOf(pid: number): Promise<number> {
  const p = await waitFor(() => probe.readProcess(pid), 5000, `pid ${pid} in /proc`)
  return p.startTime
}

export interface RecordedSsh {
  id: number
  pid: number
  /** what the terminal showed so far */
  output(): string
  /** types into the terminal (the remote command reads a line to end) */
  write(text: string): void
  /** resolves once ssh has exited and the recording is closed and hashed */
  finished: Promise<void>
  stop(): Promise<void>
}

/**
 * `ssh -tt warden-test 'printf …; uname …; read line'` under a pty, recorded into `dir`: the row is begun before
 * ssh starts, gets ssh's pid + start time, and is finished with the file's size, length and sha256 when
 * ssh exits. Writing a line ends the remote command.
 */
export async function recordSsh(
  sshd: Sshd,
  ledger: RecordingLedger,
  dir: string,
  opts: { text: string; title: string },
): Promise<RecordedSsh> {
  const startedAt = Date.now()
  const f = createRecordingFile(dir, 'ssh-cast', startedAt)
  const id = ledger.begin({
    kind: 'ssh-cast',
    file: f.file,
    pid: null,
    processStart: null,
    startedAt,
    inputRecorded: false,
    title: opts.title,
  })
  // real output after the known line (what a short admin session shows), then a line ends it
  const command = `printf '%s\\n' '${opts.text}'; uname -sr; id -un; ls -l /etc/ssh | head -6; read line`
  const args = ['-F', sshd.clientConfigPath, '-tt', 'warden-test', command]
  // rec-pty's writer, the one `warden ssh` uses (src/main/recording/cast.ts): asciicast v2
  const cast = new CastWriter({
    fd: f.fd,
    header: {
      width: 80,
      height: 24,
      startedAt,
      command: `ssh ${args.join(' ')}`,
      title: opts.title,
      env: { TERM: 'xterm-256color' },
    },
  })
  const term = pty.spawn(BIN.ssh, args, { cols: 80, rows: 24, name: 'xterm-256color', env: process.env })
  const r = newResource('recorded ssh')
  adoptPid(r, term.pid)
  let shown = ''
  term.onData((d) => {
    shown += d
    cast.output(Buffer.from(d, 'utf8'))
  })
  const finished = new Promise<void>((done) => {
    term.onExit(() => {
      cast.marker('ssh exited')
      const r = cast.close()
      ledger.finish(id, { endedAt: Date.now(), ...r })
      done()
    })
  })
  ledger.attachProcess(id, term.pid, await processStartOf(term.pid))
  await waitFor(() => shown.includes(opts.text), 10_000, `"${opts.text}" on the recorded terminal`)
  return {
    id,
    pid: term.pid,
    output: () => shown,
    write: (text) => term.write(text),
    finished,
    stop: () => release(r),
  }
}

/**
 * A real WebM (VP8) of ffmpeg's test pattern, `seconds` long (320×240 unless `size` says), recorded into `dir` for the process
 * `pid` (its start time read as the engine reads it) and finished with its size and sha256.
 */
export async function recordWebm(
  ledger: RecordingLedger,
  dir: string,
  opts: { pid: number; seconds: number; title: string; size?: `${number}x${number}` },
): Promise<{ id: number; path: string }> {
  const startedAt = Date.now()
  const f = createRecordingFile(dir, 'rdp-video', startedAt, 'webm')
  fs.closeSync(f.fd)
  const id = ledger.begin({
    kind: 'rdp-video',
    file: f.file,
    pid: opts.pid,
    processStart: await processStartOf(opts.pid),
    startedAt,
    inputRecorded: false,
    title: opts.title,
  })
  // ffmpeg docs, "testsrc" (lavfi) and "libvpx": a moving pattern, VP8 in WebM
  const src = `testsrc=duration=${opts.seconds}:size=${opts.size ?? '320x240'}:rate=10`
  await run(
    'ffmpeg',
    ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', src].concat([
      '-c:v',
      'libvpx',
      '-b:v',
      '300k',
      '-deadline',
      'realtime',
      f.path,
    ]),
  )
  const sha256 = await sha256File(f.path)
  const bytes = fs.statSync(f.path).size
  ledger.finish(id, {
    endedAt: Date.now(),
    bytes,
    durationSec: opts.seconds,
    sha256,
    status: 'complete',
    detail: null,
  })
  return { id, path: f.path }
}
