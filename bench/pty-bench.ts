// `npm run bench` (after the engine and window figures) — what recording costs an ssh session:
// `warden ssh` (recording on: ssh under warden's own pty, its stdout through a FIFO, every byte also
// written to a cast) against plain `ssh`, both in this run, both to the real sshd on 127.0.0.1 and
// both under a real pty that stands for the user's terminal (node-pty), so the only difference is
// warden's hop. The old path (ssh's stdout on warden's pty too, WARDEN_SSH_STDOUT=pty) runs in the
// same rounds, for comparison.
//
// - throughput: 50 MB of remote output (`cat` of a 50 MB text file under `ssh -t`), measured in the
//   terminal from the first byte of the file to its last; median of 3 runs each (`--runs N`: N),
//   interleaved
// - echo latency: a keystroke typed in the terminal until the remote pty's echo of it comes back,
//   200 keystrokes one at a time; p95 of each, and warden's added p95
// `npx tsx bench/pty-bench.ts --json` prints the figures as one JSON object.
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { openStore } from '@engine/store'
import { BIN, startSshd, stopAll, type Sshd } from '../tests/support/peers'
import { runInPty, type PtyRun } from '../tests/support/pty-terminal'
import { WARDEN_BIN } from '../tests/support/warden-cli'
import { median, quantile, round } from './stats'

const JSON_OUT = process.argv.includes('--json')
const log = (s: string): void => {
  if (!JSON_OUT) process.stderr.write(`${s}\n`)
}

const PAYLOAD_BYTES = 50 * 1024 * 1024
const START = 'BENCH-START'
const END = 'BENCH-END'

/** 50 MB of base64 text in 76-column lines, from a seeded generator (the same file every run). */
function writePayload(file: string): void {
  const fd = fs.openSync(file, 'w')
  let seed = createHash('sha256').update('warden-pty-bench').digest()
  let written = 0
  while (written < PAYLOAD_BYTES) {
    const block: Buffer[] = []
    for (let i = 0; i < 1024; i++) {
      seed = createHash('sha256').update(seed).digest()
      block.push(seed)
    }
    const text = Buffer.concat(block)
      .toString('base64')
      .replace(/(.{76})/g, '$1\n')
    const chunk = Buffer.from(text).subarray(0, Math.min(text.length, PAYLOAD_BYTES - written))
    fs.writeSync(fd, chunk)
    written += chunk.length
  }
  fs.closeSync(fd)
}

const RUNS = Number(process.argv[process.argv.indexOf('--runs') + 1] ?? '') || 3

interface Client {
  name: 'ssh' | 'warden' | 'wardenPtyPath'
  run: (args: string[]) => PtyRun
}

function clients(sshd: Sshd, env: NodeJS.ProcessEnv): Client[] {
  const cfg = ['-F', sshd.clientConfigPath]
  const o = { env, cols: 120, rows: 40 }
  const warden = (args: string[], e: NodeJS.ProcessEnv): PtyRun =>
    runInPty(process.execPath, [WARDEN_BIN, 'ssh', ...cfg, ...args], { ...o, env: e })
  return [
    { name: 'ssh', run: (args) => runInPty(BIN.ssh, [...cfg, ...args], o) },
    { name: 'warden', run: (args) => warden(args, env) },
    { name: 'wardenPtyPath', run: (args) => warden(args, { ...env, WARDEN_SSH_STDOUT: 'pty' }) },
  ]
}

/** ms from the first payload byte to the last, as the terminal reads them, and the bytes between. */
async function throughputOnce(c: Client, payload: string): Promise<{ ms: number; bytes: number }> {
  let first = 0
  let last = 0
  let seen = 0
  let tail = ''
  const w = c.run(['-t', 'warden-test', `printf ${START}; cat ${payload}; printf ${END}`])
  w.pty.onData((d: string | Buffer) => {
    const s = typeof d === 'string' ? d : d.toString('latin1')
    seen += s.length
    const look = tail + s
    if (first === 0 && look.includes(START)) first = performance.now()
    if (last === 0 && look.includes(END)) last = performance.now()
    tail = look.slice(-16)
  })
  const code = await w.exited
  if (code !== 0 || first === 0 || last === 0)
    throw new Error(
      `${c.name}: exit ${code}, start ${first}, end ${last}, ${seen} bytes, tail ${JSON.stringify(w.output().subarray(-300).toString())}`,
    )
  return { ms: last - first, bytes: seen }
}

/** One keystroke until its echo; 200 of them, a line break every 50 (never measured). */
async function echoLatencies(c: Client, n = 200): Promise<number[]> {
  const w = c.run(['-t', 'warden-test', 'stty -icanon; echo READY; cat >/dev/null'])
  await w.waitForText('READY', 30_000)
  const out: number[] = []
  let waiting: ((t: number) => void) | null = null
  let expect = ''
  w.pty.onData((d: string | Buffer) => {
    const s = typeof d === 'string' ? d : d.toString('latin1')
    if (waiting && s.includes(expect)) {
      const done = waiting
      waiting = null
      done(performance.now())
    }
  })
  for (let i = 0; i < n; i++) {
    expect = String.fromCharCode(97 + (i % 26))
    const echoed = new Promise<number>((resolve) => (waiting = resolve))
    const t0 = performance.now()
    w.write(expect)
    out.push((await echoed) - t0)
  }
  w.write('\x04')
  w.write('\x03')
  await w.exited
  return out
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'warden-pty-bench-'))
  const sshd = await startSshd()
  try {
    const db = path.join(dir, 'w.db')
    const store = openStore({ path: db })
    store.setSetting('recordSsh', true)
    store.close()
    const payload = path.join(dir, 'payload.txt')
    writePayload(payload)
    const env = { ...process.env, WARDEN_DB: db, TERM: 'xterm-256color' }
    const [ssh, warden, wardenPtyPath] = clients(sshd, env) as [Client, Client, Client]
    const runs: Record<Client['name'], number[]> = { ssh: [], warden: [], wardenPtyPath: [] }
    let bytes = 0
    for (let i = 0; i < RUNS; i++) {
      for (const c of [ssh, warden, wardenPtyPath]) {
        log(`throughput ${i + 1}/${RUNS}: ${c.name} …`)
        const r = await throughputOnce(c, payload)
        runs[c.name].push(r.ms)
        bytes = r.bytes
      }
      fs.rmSync(path.join(dir, 'recordings'), { recursive: true, force: true })
    }
    const mbps = (ms: number): number => bytes / 1024 / 1024 / (ms / 1000)
    log('echo latency: ssh …')
    const echoSsh = await echoLatencies(ssh)
    log('echo latency: warden …')
    const echoWarden = await echoLatencies(warden)
    const figures = {
      ptySshMBps: round(mbps(median(runs.ssh))),
      ptyWardenMBps: round(mbps(median(runs.warden))),
      ptyThroughputRatio: round(median(runs.ssh) / median(runs.warden), 2),
      ptyPathMBps: round(mbps(median(runs.wardenPtyPath))),
      ptyPathThroughputRatio: round(median(runs.ssh) / median(runs.wardenPtyPath), 2),
      ptyEchoSshP95Ms: round(quantile(echoSsh, 0.95), 2),
      ptyEchoWardenP95Ms: round(quantile(echoWarden, 0.95), 2),
      ptyEchoP95Ms: round(quantile(echoWarden, 0.95) - quantile(echoSsh, 0.95), 2),
    }
    if (JSON_OUT) process.stdout.write(`${JSON.stringify(figures)}\n`)
    else {
      log('')
      log(`ssh recording (50 MB through a pty, ${round(bytes / 1024 / 1024)} MB seen by the terminal)`)
      log(`  plain ssh:   ${figures.ptySshMBps} MB/s`)
      log(`  warden ssh:  ${figures.ptyWardenMBps} MB/s, ratio ${figures.ptyThroughputRatio} (target ≥ 0.8)`)
      log(
        `  (old path, stdout through the pty: ${figures.ptyPathMBps} MB/s, ratio ${figures.ptyPathThroughputRatio})`,
      )
      log(`  echo p95:    ssh ${figures.ptyEchoSshP95Ms} ms, warden ${figures.ptyEchoWardenP95Ms} ms`)
      log(`  added p95:   ${figures.ptyEchoP95Ms} ms (target ≤ 5 ms)`)
    }
  } finally {
    await sshd.stop()
    await stopAll()
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

await main()
