/** Headless Chromium holding a page open (the web sessions the engine detects). */
import type { ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import { connectionOf } from './clients'
import { BIN, makeTempDir } from './common'
import type { TcpSocket } from './sockets'
import { newResource, release, spawnTracked } from './tracking'

export interface ChromiumOptions {
  extraArgs?: string[]
  timeoutMs?: number
}

export interface Chromium {
  /** The browser (root) process. */
  pid: number
  proc: ChildProcess
  /** An established socket to the page's server (it belongs to the network-service child). */
  socket: TcpSocket
  socketPid: number
  userDataDir: string
  output: () => string
  stop: () => Promise<void>
}

/**
 * Headless Chromium (root-safe flags, fresh profile) opening `url`. Resolves once the browser's process
 * tree holds an established socket to the url's port.
 */
export async function startChromium(url: string, opts: ChromiumOptions = {}): Promise<Chromium> {
  const r = newResource('chromium', 'root-first')
  try {
    const target = new URL(url)
    const port = Number(target.port || (target.protocol === 'https:' ? 443 : 80))
    const userDataDir = await makeTempDir('chromium')
    r.dirs.add(userDataDir)
    r.cmdlineMarker = userDataDir // also in the crashpad handlers' --database=
    const args = [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--no-default-browser-check',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-breakpad',
      '--disable-crash-reporter',
      '--disable-dev-shm-usage',
      `--user-data-dir=${userDataDir}`,
      ...(opts.extraArgs ?? []),
      url,
    ]
    const p = spawnTracked(r, BIN.chromium, args, {
      env: {
        ...process.env,
        HOME: userDataDir,
        XDG_CONFIG_HOME: join(userDataDir, '.config'),
        XDG_CACHE_HOME: join(userDataDir, '.cache'),
      },
    })
    const socket = await connectionOf(p, port, 'chromium', opts.timeoutMs ?? 20_000)
    const owner = socket.owners[0]
    return {
      pid: p.pid,
      proc: p.proc,
      socket,
      socketPid: owner ? owner.pid : p.pid,
      userDataDir,
      output: p.output,
      stop: () => release(r),
    }
  } catch (e) {
    await release(r)
    throw e
  }
}
