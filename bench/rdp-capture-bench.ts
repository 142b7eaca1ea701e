// `npm run bench` — what recording an RDP window costs (issue 12): the CPU of the ffmpeg x11grab capture
// (src/main/recording/ffmpeg-capture.ts, exactly the recorder's arguments) of a 1280×800 window at 10 fps,
// measured from ffmpeg's own utime + stime in /proc/PID/stat over wall time (100 % = one core), and the
// bytes it writes a second. Two windows under Xvfb: one that changes every frame (ffplay testsrc, a
// scrolling gradient and a counter: the worst case of a busy remote desktop) and a still one (smptebars:
// an idle desktop).
// `npx tsx bench/rdp-capture-bench.ts --json` prints the figures as one JSON object.
import { execFileSync } from 'node:child_process'
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startCapture } from '../src/main/recording/ffmpeg-capture'
import { startPatternWindow, startXvfb, stopAll, waitFor } from '../tests/support/peers'
import { round, sleep } from './stats'

const JSON_OUT = process.argv.includes('--json')
const log = (s: string): void => {
  if (!JSON_OUT) process.stderr.write(`${s}\n`)
}

const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100
const SECONDS = 10

/** CPU seconds (user + system) a process has used so far, from /proc/PID/stat fields 14 and 15. */
function cpuOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(f[11]) + Number(f[12])) / CLK_TCK
}

async function measure(
  display: string,
  source: string,
  dir: string,
): Promise<{ cpuPercent: number; kbPerSec: number }> {
  const win = await startPatternWindow(display, source)
  const path = join(dir, `${source.split('=')[0] ?? 'capture'}.webm`)
  closeSync(openSync(path, 'wx', 0o600))
  const c = startCapture({ display: { display, xauthority: null }, window: win.window, path })
  try {
    // from the first frame written on: ffmpeg's start-up (probing, encoder set-up) is not the steady cost
    await waitFor(() => statSync(path).size > 1000, 15_000, 'the first frames', 50)
    const cpu0 = cpuOf(c.pid)
    const bytes0 = statSync(path).size
    const t0 = performance.now()
    await sleep(SECONDS * 1000)
    const wall = (performance.now() - t0) / 1000
    const cpuPercent = ((cpuOf(c.pid) - cpu0) / wall) * 100
    const kbPerSec = (statSync(path).size - bytes0) / 1024 / wall
    const r = await c.stop()
    if (r.status !== 'complete') throw new Error(`the capture failed: ${r.detail ?? r.end}`)
    return { cpuPercent: round(cpuPercent), kbPerSec: round(kbPerSec) }
  } finally {
    await c.stop()
    await win.stop()
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'warden-capture-bench-'))
  try {
    const xvfb = await startXvfb()
    log(`RDP window capture: ffmpeg x11grab → VP9 realtime WebM, 1280×800 at 10 fps, ${SECONDS} s each`)
    const busy = await measure(xvfb.display, 'testsrc=size=1280x800:rate=10', dir)
    log(`  changing every frame: ${busy.cpuPercent} % of one core, ${busy.kbPerSec} KB/s`)
    const still = await measure(xvfb.display, 'smptebars=size=1280x800:rate=10', dir)
    log(`  still picture:        ${still.cpuPercent} % of one core, ${still.kbPerSec} KB/s`)
    const figures = {
      rdpCaptureCpuPercent: busy.cpuPercent,
      rdpCaptureKBps: busy.kbPerSec,
      rdpCaptureStillCpuPercent: still.cpuPercent,
      rdpCaptureStillKBps: still.kbPerSec,
    }
    if (JSON_OUT) process.stdout.write(`${JSON.stringify(figures)}\n`)
  } finally {
    await stopAll()
    rmSync(dir, { recursive: true, force: true })
  }
}

await main()
