/** RDP client side: xfreerdp drawing on the test xrdp's Xvfb. */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { clientProc, connectionOf, type ClientProc } from './clients'
import { BIN, makeTempDir, waitFor } from './common'
import { failIfExited, newResource, release, spawnTracked } from './tracking'
import type { Xrdp } from './xrdp'

export interface XfreerdpOptions {
  /** Send credentials (`/u: /p:`): xrdp then auto-logs on instead of waiting at its login screen. */
  user?: string
  password?: string
  extraArgs?: string[]
  timeoutMs?: number
}

/**
 * `DISPLAY=<xrdp's Xvfb> xfreerdp /v:127.0.0.1:<port> /cert:ignore ...` (FreeRDP 2.11 takes both
 * `/cert:ignore` and the older `/cert-ignore`). Resolves once its socket is established.
 */
export async function xfreerdpClient(xrdp: Xrdp, opts: XfreerdpOptions = {}): Promise<ClientProc> {
  const r = newResource('xfreerdp')
  try {
    const home = await makeTempDir('xfreerdp-home')
    r.dirs.add(home)
    const args = [`/v:127.0.0.1:${xrdp.port}`, '/cert:ignore', '/log-level:WARN', '/size:1024x768']
    if (opts.user !== undefined) args.push(`/u:${opts.user}`)
    if (opts.password !== undefined) args.push(`/p:${opts.password}`)
    args.push(...(opts.extraArgs ?? []))
    const p = spawnTracked(r, BIN.xfreerdp, args, {
      env: { ...process.env, DISPLAY: xrdp.display, HOME: home, XDG_CONFIG_HOME: join(home, '.config') },
    })
    const timeoutMs = opts.timeoutMs ?? 10_000
    const socket = await connectionOf(p, xrdp.port, 'xfreerdp', timeoutMs)
    // Server side: TLS up for this very connection, then capabilities exchanged (keymap loaded): from here
    // xrdp shows its login screen (~1 s after spawn).
    const tls = `TLS connection established from 127.0.0.1 port ${socket.localPort}:`
    await waitFor(
      async () => {
        failIfExited(p, 'xfreerdp')
        const log = await readFile(xrdp.logPath, 'utf8').catch(() => '')
        const at = log.indexOf(tls)
        return at >= 0 && log.indexOf('Loading keymap file', at) >= 0
      },
      timeoutMs,
      `xrdp to accept the RDP session from port ${socket.localPort}`,
    )
    return clientProc(p, socket, r)
  } catch (e) {
    await release(r)
    throw e
  }
}

// ---------------------------------------------------------------------------------------------------------
// Web: node:http + a hand-made WebSocket endpoint, and headless Chromium
