// The "busy desktop" the engine bench measures next to the quiet one: what a real desktop does on
// the network all the time (a browser, mail and sync clients), here on loopback against a server
// of our own so the run touches nothing else.
import { spawn, type ChildProcess } from 'node:child_process'
import { startChromium, type Chromium } from '../tests/support/peers'

/** The bench's desktop also runs 1 000 idle processes (what the probe's process listing walks), held by
 * one shell: one child of ours, not 1 000 handles. `stop` kills the shell's whole process group. */
export function startIdleProcesses(): { stop: () => void } {
  const shell = spawn('bash', ['-c', 'for i in $(seq 1000); do sleep 3600 & done; wait'], {
    stdio: 'ignore',
    detached: true,
  })
  return {
    stop: () => {
      if (shell.pid !== undefined) process.kill(-shell.pid, 'SIGKILL')
    },
  }
}

/** new connections per second the churn opens (each a short HTTP request, then closed) */
export const CHURN_PER_SECOND = 7

// A separate process: its CPU is not the engine's (it is reaped, and so counted, only after the
// CPU window closes). One HTTP server; one long-lived connection streaming 1 KB every 50 ms; a new
// connection every 1000 / CHURN_PER_SECOND ms (agent: false, so no keep-alive reuse).
const CHURN_SCRIPT = `
const http = require('node:http')
const server = http.createServer((req, res) => {
  if (req.url === '/stream') {
    const t = setInterval(() => res.write('x'.repeat(1024)), 50)
    req.on('close', () => clearInterval(t))
    return
  }
  res.end('<!doctype html><title>busy desktop</title><p>an idle page</p>')
})
// a browser keeps its page's connection open, as against a real site
server.keepAliveTimeout = 0
server.listen(0, '127.0.0.1', () => {
  const port = server.address().port
  http.get({ host: '127.0.0.1', port, path: '/stream' }, (res) => res.resume())
  setInterval(() => {
    http.get({ host: '127.0.0.1', port, path: '/', agent: false }, (res) => res.resume()).on('error', () => {})
  }, Math.round(1000 / Number(process.argv[1])))
  process.stdout.write(String(port) + '\\n')
})
`

export interface Churn {
  /** the loopback server's port */
  port: number
  stop: () => Promise<void>
}

/** The loopback churn alone (tests/integration/busy-desktop.test.ts runs real sessions beside it). */
export async function startChurn(perSecond = CHURN_PER_SECOND): Promise<Churn> {
  const churn: ChildProcess = spawn(process.execPath, ['-e', CHURN_SCRIPT, String(perSecond)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const exited = new Promise<void>((resolve) => churn.once('exit', () => resolve()))
  const stop = async (): Promise<void> => {
    if (churn.exitCode === null && churn.signalCode === null) churn.kill('SIGKILL')
    await exited
  }
  try {
    const port = await new Promise<number>((resolve, reject) => {
      churn.stdout?.once('data', (d: Buffer) => resolve(Number(String(d).trim())))
      churn.once('exit', (code) => reject(new Error(`churn server exited (${String(code)})`)))
    })
    return { port, stop }
  } catch (e) {
    await stop()
    throw e
  }
}

/** The churn plus a headless Chromium holding a page of the churn's server open. */
export async function startBusyDesktop(): Promise<Churn> {
  const churn = await startChurn()
  let chromium: Chromium
  try {
    chromium = await startChromium(`http://127.0.0.1:${String(churn.port)}/`)
  } catch (e) {
    await churn.stop()
    throw e
  }
  return {
    port: churn.port,
    stop: async () => {
      await chromium.stop()
      await churn.stop()
    },
  }
}
