import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createEngine, type Engine } from '@engine/index'
import type { Detected } from '@engine/detect/types'
import type { Session } from '@shared/model'
import {
  isAlive,
  startChromium,
  startWebServer,
  startXrdp,
  stopAll,
  waitFor,
  xfreerdpClient,
  type WebServer,
  type Xrdp,
} from '../support/peers'

// RDP (xfreerdp → xrdp under Xvfb) and web (Chromium → a local HTTP + WebSocket server) sessions,
// found and ended by the real engine.

let dir: string
let engine: Engine | null = null
let xrdp: Xrdp
let web: WebServer

beforeAll(async () => {
  ;[xrdp, web] = await Promise.all([startXrdp(), startWebServer()])
})
afterAll(async () => {
  await stopAll()
})
afterEach(async () => {
  if (engine) await engine.close()
  engine = null
  rmSync(dir, { recursive: true, force: true })
})

async function newEngine(port: number): Promise<Engine> {
  dir = mkdtempSync(join(tmpdir(), 'warden-it-'))
  engine = await createEngine({
    dbPath: join(dir, 'w.db'),
    actor: 'test',
    terminate: { graceMs: 2000 },
    scope: (d: Detected) => d.remotePort === port,
  })
  return engine
}

async function sessionsOf(e: Engine, count: number, port: number): Promise<Session[]> {
  return waitFor(
    async () => {
      await e.tick()
      const list = e.list().filter((s) => s.remotePort === port)
      return list.length === count ? list : undefined
    },
    15_000,
    `${count} sessions to port ${port}`,
  )
}

describe('RDP', () => {
  it('finds an xfreerdp session to a real xrdp once, as rdp, and ends it', async () => {
    const e = await newEngine(xrdp.port)
    const client = await xfreerdpClient(xrdp)
    const [s] = await sessionsOf(e, 1, xrdp.port)
    expect(s).toMatchObject({
      resourceType: 'rdp',
      resourceName: '127.0.0.1',
      ipAddress: '127.0.0.1',
      client: 'xfreerdp',
      pid: client.pid,
      status: 'active',
      endable: true,
    })
    await e.tick()
    expect(e.list().filter((x) => x.remotePort === xrdp.port)).toHaveLength(1)
    const res = await e.end(s?.id ?? '')
    expect(res).toMatchObject({ ok: true, result: 'ended' })
    await client.exited
    expect(isAlive(client.pid)).toBe(false)
    expect(e.get(s?.id ?? '')).toMatchObject({ status: 'disconnected', endReason: 'user' })
  })
})

describe('activity of GUI and browser clients comes from their own sockets', () => {
  it('an xfreerdp idle at the login screen goes idle although the process keeps doing X11 I/O', async () => {
    const e = await newEngine(xrdp.port)
    e.setSetting('idleAfterSec', 5)
    e.setSetting('pollIntervalMs', 250)
    const client = await xfreerdpClient(xrdp)
    const [s] = await sessionsOf(e, 1, xrdp.port)
    expect(s?.status).toBe('active')
    const rchar = (): number =>
      Number(/rchar: (\d+)/.exec(readFileSync(`/proc/${client.pid}/io`, 'utf8'))?.[1])
    const ioBefore = rchar()
    const idle = await waitFor(
      async () => {
        await e.tick()
        const cur = e.get(s?.id ?? '')
        return cur.status === 'idle' ? cur : undefined
      },
      15_000,
      'the RDP session to go idle',
    )
    expect(idle.pid).toBe(client.pid)
    // process-wide I/O kept moving (X11): it is not an idle signal, the socket's clock is
    expect(rchar()).toBeGreaterThan(ioBefore)
    await client.stop()
  })

  it('a page that pings every second stays active; the same page without pings goes idle', async () => {
    const e = await newEngine(web.port)
    e.setSetting('idleAfterSec', 5)
    e.addResource({ type: 'web', name: 'Busy', target: web.url })
    const busy = await startChromium(`${web.url}?ping=1000`)
    const [s] = await sessionsOf(e, 1, web.port)
    const statuses = new Set<string>()
    const t0 = Date.now()
    while (Date.now() - t0 < 9000) {
      await e.tick()
      statuses.add(e.get(s?.id ?? '').status)
      await new Promise((r) => setTimeout(r, 300))
    }
    expect([...statuses]).toEqual(['active'])
    await busy.stop()
    await waitFor(async () => ((await e.tick()).ended.length > 0 ? true : undefined), 10_000, 'the end')

    const quiet = await startChromium(`${web.url}?ping=0`)
    const [q] = await sessionsOf(e, 1, web.port)
    expect(q?.pid).toBe(quiet.pid)
    await waitFor(
      async () => {
        await e.tick()
        return e.get(q?.id ?? '').status === 'idle' ? true : undefined
      },
      15_000,
      'the quiet page to go idle',
    )
    await quiet.stop()
  })
})

describe('web', () => {
  it('finds Chromium holding a page and a WebSocket of a configured resource; it cannot end the user browser', async () => {
    const e = await newEngine(web.port)
    e.addResource({ type: 'web', name: 'Intranet', target: web.url })
    const browser = await startChromium(`${web.url}?ping=1000`)
    const [s] = await sessionsOf(e, 1, web.port)
    expect(s).toMatchObject({
      resourceType: 'web',
      resourceName: 'Intranet',
      ipAddress: '127.0.0.1',
      pid: browser.pid, // the browser, not its network-service child that owns the sockets
      flags: ['in-browser'],
      endable: false,
    })
    const res = await e.end(s?.id ?? '')
    expect(res.ok).toBe(false)
    expect(res.result).toBe('not-endable')
    expect(res.error).toMatch(/close its tab yourself/)
    expect(isAlive(browser.pid)).toBe(true)
    expect(e.list().filter((x) => x.remotePort === web.port)).toHaveLength(1)
    // when the user closes the browser, the session ends as process-exit
    await browser.stop()
    await waitFor(async () => ((await e.tick()).ended.length > 0 ? true : undefined), 10_000, 'the end')
    expect(e.get(s?.id ?? '')).toMatchObject({ status: 'disconnected', endReason: 'process-exit' })
  })

  it('a browser window Session Warden launched for a resource can be ended, and its profile is wiped', async () => {
    const e = await newEngine(web.port)
    e.addResource({ type: 'web', name: 'Dashboard', target: `${web.url}?ping=1000` })
    const { pid } = await e.launchWeb('Dashboard', {
      browser: '/usr/bin/chromium',
      extraArgs: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    })
    const [s] = await sessionsOf(e, 1, web.port)
    expect(s).toMatchObject({ resourceName: 'Dashboard', pid, flags: ['launched'], endable: true })
    const profile = join(dir, 'web-profiles')
    expect(existsSync(profile)).toBe(true)
    const res = await e.end(s?.id ?? '')
    expect(res).toMatchObject({ ok: true, result: 'ended' })
    expect(isAlive(pid)).toBe(false)
    expect(existsSync(join(profile, String(e.findResource('Dashboard').id)))).toBe(false)
  })
})
