/**
 * Proves the real-peer launchers in tests/support/peers.ts work: every server is real, on 127.0.0.1.
 * Needs the binaries from tests/support/ensure-testbed.sh.
 */
import { execFile } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import http from 'node:http'
import { userInfo } from 'node:os'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  descendants,
  establishedSockets,
  establishedSocketsOf,
  establishedSocketsOfTree,
  freePort,
  isAlive,
  listeningSockets,
  missingBinaries,
  parentOf,
  sftpClient,
  sshClient,
  sendTraffic,
  sshInteractive,
  startChromium,
  startSshd,
  startWebServer,
  startXrdp,
  stopAll,
  tcpStats,
  trackedCount,
  trackedDirs,
  trackedPids,
  waitFor,
  holdsFor,
  xfreerdpClient,
  type Sshd,
  type WebServer,
} from '../support/peers'

function run(file: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: 10_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0
      resolve({ code, stdout, stderr })
    })
  })
}

function httpGet(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false, timeout: 5000 }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => (body += chunk))
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, body })
      })
    })
    req.on('timeout', () => req.destroy(new Error('timeout')))
    req.on('error', reject)
  })
}

/** Is `sig` in the ignored-signals mask of `pid` (/proc/<pid>/status SigIgn)? */
function ignores(pid: number, sig: number): boolean {
  const m = /^SigIgn:\s*([0-9a-f]+)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return m?.[1] !== undefined && (BigInt(`0x${m[1]}`) & (1n << BigInt(sig - 1))) !== 0n
}

const SIGTERM = 15

describe('real peers on loopback', () => {
  let sshd: Sshd
  let web: WebServer

  beforeAll(async () => {
    expect(missingBinaries(), 'missing binaries: run `sudo bash tests/support/ensure-testbed.sh`').toEqual([])
    ;[sshd, web] = await Promise.all([startSshd(), startWebServer()])
  })

  afterAll(async () => {
    await stopAll()
  })

  it('freePort and waitFor behave', async () => {
    const [a, b] = await Promise.all([freePort(), freePort()])
    expect(a).not.toBe(b)
    await expect(waitFor(() => false, 120, 'never')).rejects.toThrow(
      'Timed out after 120 ms waiting for never',
    )
    await expect(
      waitFor(
        () => {
          throw new Error('fail fast')
        },
        5000,
        'x',
      ),
    ).rejects.toThrow('fail fast')
  })

  it('sshd listens on 127.0.0.1 only, and a plain client gets an established connection', async () => {
    const listeners = (await listeningSockets()).filter((s) => s.localPort === sshd.port)
    expect(listeners.map((s) => s.localAddress)).toEqual(['127.0.0.1'])
    expect(listeners[0]?.owners.map((o) => o.pid)).toContain(sshd.pid)

    const client = await sshClient(sshd, ['-N', 'warden-test'])
    expect(client.socket.peerAddress).toBe('127.0.0.1')
    expect(client.socket.peerPort).toBe(sshd.port)
    expect(client.socketPid).toBe(client.pid)
    // the other end belongs to one of sshd's per-connection children
    const serverSide = await establishedSocketsOfTree(sshd.pid)
    expect(serverSide.some((s) => s.peerPort === client.socket.localPort)).toBe(true)
    await client.stop()
    expect(isAlive(client.pid)).toBe(false)

    // without an alias: the shared `Host *` defaults still avoid any host-key prompt
    const raw = await sshClient(sshd, [
      '-N',
      '-p',
      String(sshd.port),
      '-i',
      sshd.keyPath,
      `${userInfo().username}@127.0.0.1`,
    ])
    expect(raw.socket.peerPort).toBe(sshd.port)
    await raw.stop()
  })

  it('client aliases resolve to the test sshd and run commands', async () => {
    for (const alias of ['warden-test', 'warden-jump', 'warden-via-jump', 'warden-mux']) {
      const { stdout } = await run('/usr/bin/ssh', ['-F', sshd.clientConfigPath, '-G', alias])
      expect(stdout).toMatch(/^hostname 127\.0\.0\.1$/m)
      expect(stdout).toMatch(new RegExp(`^port ${sshd.port}$`, 'm'))
    }
    const jump = await run('/usr/bin/ssh', ['-F', sshd.clientConfigPath, '-G', 'warden-via-jump'])
    expect(jump.stdout).toMatch(/^proxyjump warden-jump$/m)
    const once = await run('/usr/bin/ssh', ['-F', sshd.clientConfigPath, 'warden-test', 'echo', 'alias-ok'])
    expect(once).toMatchObject({ code: 0, stdout: 'alias-ok\n' })
  })

  it('ProxyJump: two ssh processes, the child holds the only TCP socket', async () => {
    for (const args of [
      ['-N', 'warden-via-jump'],
      ['-J', 'warden-jump', '-N', 'warden-test'],
    ]) {
      const client = await sshClient(sshd, args)
      const kids = await descendants(client.pid)
      expect(kids).toContain(client.socketPid)
      expect(client.socketPid).not.toBe(client.pid)
      expect(readFileSync(`/proc/${client.socketPid}/cmdline`, 'utf8')).toContain('-W')
      const tree = await establishedSocketsOf([client.pid, ...kids])
      expect(tree).toHaveLength(1)
      await client.stop()
    }
  })

  it('ControlMaster: later clients reuse the master (one TCP connection)', async () => {
    const first = await sshClient(sshd, ['-T', 'warden-mux'], { command: 'cat' })
    const second = await sshClient(sshd, ['-T', 'warden-mux'], { command: 'cat' })
    const idle = await sshClient(sshd, ['-N', 'warden-mux']) // joins with no session: stays, holds no TCP
    const master = first.masterPid ?? -1
    expect(first.masterPid).toBeDefined()
    expect([second.masterPid, idle.masterPid]).toEqual([master, master])
    expect(existsSync(sshd.controlPath)).toBe(true)
    await holdsFor(
      () => [first.pid, second.pid, idle.pid, master].every((pid) => isAlive(pid)),
      200,
      'all alive',
    )
    expect(parentOf(master)).not.toBe(first.pid) // ControlPersist: backgrounded with setsid, re-parented
    const all = await establishedSocketsOf([first.pid, second.pid, idle.pid, master], sshd.port)
    expect(all).toHaveLength(1)
    // OpenSSH detail: the first (foreground) process keeps an inherited copy of the master's TCP fd, so ss
    // lists both pids as owners of the one connection.
    const owners = all[0]?.owners.map((o) => o.pid) ?? []
    expect(owners).toContain(master)
    expect(owners.every((pid) => pid === master || pid === first.pid)).toBe(true)
    expect(await establishedSocketsOfTree(second.pid, sshd.port)).toEqual([])
    expect(await establishedSocketsOfTree(idle.pid, sshd.port)).toEqual([])
    expect(second.socketPid).toBe(master)
    await second.stop()
    await idle.stop()
    expect(isAlive(master)).toBe(true) // clients that merely reused the master do not take it down
    await first.stop()
    expect(isAlive(master)).toBe(false)

    // `-N` starting a new master: the foreground hands over to the background master and exits 0 at once
    const starter = await sshClient(sshd, ['-N', 'warden-mux'])
    expect(await starter.exited).toBe(0)
    const master2 = starter.masterPid ?? -1
    expect(isAlive(master2)).toBe(true)
    expect(starter.socket.owners.map((o) => o.pid)).toEqual([master2])
    await starter.stop()
    expect(isAlive(master2)).toBe(false)
  })

  it('sftp stays connected (socket held by its ssh child)', async () => {
    const sftp = await sftpClient(sshd)
    expect(await descendants(sftp.pid)).toContain(sftp.socketPid)
    await holdsFor(() => isAlive(sftp.pid), 300, 'sftp alive')
    expect(await establishedSocketsOfTree(sftp.pid, sshd.port)).toHaveLength(1)
    await sftp.stop()
  })

  it('a -L tunnel forwards a real connection', async () => {
    const local = await freePort()
    const tunnel = await sshClient(sshd, [
      '-N',
      '-L',
      `127.0.0.1:${local}:127.0.0.1:${web.port}`,
      'warden-test',
    ])
    const res = await waitFor(
      () => httpGet(`http://127.0.0.1:${local}/`).catch(() => undefined),
      5000,
      'the tunnel to answer',
    )
    expect(res.status).toBe(200)
    expect(res.body).toContain('Warden test page')
    const listeners = (await listeningSockets()).filter((s) => s.localPort === local)
    expect(listeners[0]?.owners.map((o) => o.pid)).toContain(tunnel.pid)
    await tunnel.stop()
  })

  it('ignoreSigterm: the client survives SIGTERM and dies with SIGKILL', async () => {
    const plain = await sshClient(sshd, ['-N', 'warden-test'])
    const stubborn = await sshClient(sshd, ['-N', 'warden-test'], { ignoreSigterm: true })
    expect(readFileSync(`/proc/${stubborn.pid}/comm`, 'utf8').trim()).toBe('ssh') // bash exec'd into ssh
    expect(ignores(stubborn.pid, SIGTERM)).toBe(true)
    expect(ignores(plain.pid, SIGTERM)).toBe(false)

    process.kill(plain.pid, 'SIGTERM')
    process.kill(stubborn.pid, 'SIGTERM')
    await plain.exited
    await holdsFor(() => isAlive(stubborn.pid), 500, 'the SIGTERM-proof client alive')
    expect(await establishedSocketsOf([stubborn.pid], sshd.port)).toHaveLength(1)

    process.kill(stubborn.pid, 'SIGKILL')
    expect(await stubborn.exited).toBeNull()
    expect(stubborn.proc.signalCode).toBe('SIGKILL')
  })

  it('interactive session: poke() sends a line and gets the echo (traffic on demand)', async () => {
    const session = await sshInteractive(sshd)
    expect((await establishedSockets()).some((s) => s.localPort === session.socket.localPort)).toBe(true)
    // idle since the warm-up echo: the kernel's clock runs on until it reads 250 ms
    await expect
      .poll(async () => (await tcpStats(session.socket))?.lastReceiveMs, { timeout: 5000 })
      .toBeGreaterThanOrEqual(250)
    const before = await tcpStats(session.socket)
    const rtt1 = await session.poke()
    const rtt2 = await sendTraffic(session, 'hello')
    expect(rtt1).toBeLessThan(2000)
    expect(rtt2).toBeLessThan(2000)
    const after = await tcpStats(session.socket)
    expect(after?.bytesSent).toBeGreaterThan(before?.bytesSent ?? Infinity)
    expect(after?.bytesReceived).toBeGreaterThan(before?.bytesReceived ?? Infinity)
    expect(after?.lastReceiveMs).toBeLessThan(250)
    await session.stop()
    expect(await tcpStats(session.socket)).toBeUndefined()
  })

  it('xrdp + xfreerdp: an established RDP connection at the login screen', async () => {
    const xrdp = await startXrdp()
    const listeners = (await listeningSockets()).filter((s) => s.localPort === xrdp.port)
    expect(listeners.map((s) => s.localAddress)).toEqual(['127.0.0.1'])
    const client = await xfreerdpClient(xrdp)
    expect(client.socket.peerPort).toBe(xrdp.port)
    expect(client.socketPid).toBe(client.pid)
    const serverSide = await waitFor(
      async () =>
        (await establishedSocketsOfTree(xrdp.pid)).find((s) => s.peerPort === client.socket.localPort),
      5000,
      'the xrdp side of the connection',
    )
    expect(serverSide.owners.map((o) => o.pid)).not.toContain(xrdp.pid) // a forked child serves it
    expect(readFileSync(xrdp.logPath, 'utf8')).toContain(
      `TLS connection established from 127.0.0.1 port ${client.socket.localPort}:`,
    )
    await holdsFor(() => isAlive(client.pid), 500, 'xfreerdp alive')
    await client.stop()
    await xrdp.stop()
  })

  it('Chromium holds a WebSocket to the web server from a child of the browser process', async () => {
    const browser = await startChromium(`${web.url}?ping=300`)
    expect(browser.socket.peerPort).toBe(web.port)
    expect(browser.socketPid).not.toBe(browser.pid)
    expect(parentOf(browser.socketPid)).toBe(browser.pid)
    expect(readFileSync(`/proc/${browser.socketPid}/cmdline`, 'utf8')).toContain('network')
    await waitFor(() => web.connections() >= 1, 10_000, 'the page to open its WebSocket')
    const m0 = web.messages()
    await waitFor(() => web.messages() >= m0 + 2, 5000, 'two pings from the page')
    await browser.stop()
    await waitFor(() => web.connections() === 0, 5000, 'the WebSocket to close')
  })

  it('stopAll leaves no process, listener or temp dir behind', async () => {
    const client = await sshClient(sshd, ['-N', 'warden-via-jump'])
    const stubborn = await sshClient(sshd, ['-N', 'warden-test'], { ignoreSigterm: true })
    const mux = await sshClient(sshd, ['-T', 'warden-mux'], { command: 'cat' })
    const xrdp = await startXrdp()
    const rdp = await xfreerdpClient(xrdp)
    const browser = await startChromium(`${web.url}?ping=0`)

    const pids = await trackedPids()
    const dirs = trackedDirs()
    const crashpad = pids.filter((pid) =>
      readFileSync(`/proc/${pid}/comm`, 'utf8').startsWith('chrome_crashpad'),
    )
    expect(crashpad.length).toBeGreaterThan(0) // found although they left the browser's tree
    for (const pid of [sshd.pid, client.pid, client.socketPid, stubborn.pid, mux.masterPid ?? -1]) {
      expect(pids).toContain(pid)
    }
    for (const pid of [xrdp.pid, xrdp.xvfbPid, rdp.pid, browser.pid, browser.socketPid]) {
      expect(pids).toContain(pid)
    }
    expect(pids.length).toBeGreaterThan(10)
    expect(dirs.length).toBeGreaterThanOrEqual(4) // sshd, xrdp, xfreerdp HOME, chromium profile
    const ports = [sshd.port, xrdp.port, web.port]

    const started = Date.now()
    await stopAll()
    const took = Date.now() - started
    expect(took).toBeLessThan(10_000)

    expect(pids.filter((pid) => isAlive(pid))).toEqual([])
    // nothing that mentions one of our temp dirs either (e.g. Chromium's crashpad handlers, which setsid)
    const mentioning = readdirSync('/proc')
      .filter((n) => /^\d+$/.test(n) && isAlive(Number(n)))
      .filter((n) => {
        try {
          const cmd = readFileSync(`/proc/${n}/cmdline`, 'utf8')
          return dirs.some((d) => cmd.includes(d))
        } catch {
          return false
        }
      })
    expect(mentioning).toEqual([])
    expect(dirs.filter((d) => existsSync(d))).toEqual([])
    expect(trackedCount()).toBe(0)
    const still = (await listeningSockets()).filter((s) => ports.includes(s.localPort))
    expect(still).toEqual([])
  })
})
