// The Linux probe against real processes and real TCP connections on this machine (the same probe on a
// fake procfs: tests/unit/probe/linux-probe.test.ts). Processes start and exec on their own time, so
// every wait here is a poll with a deadline.
import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createProbe } from '@engine/probe/index'
import { createLinuxProbe } from '@engine/probe/linux'
import type { Probe, Snapshot, SocketInfo } from '@engine/probe/types'
import { naiveScan, rawProcFloorScan } from '../../../bench/proc-floor'

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** The first snapshot in which `ready` holds: a spawned child execs (or exits) on its own time. */
async function snapshotWhen(
  probe: Probe,
  ready: (snap: Snapshot) => boolean,
  what: string,
): Promise<Snapshot> {
  let last: Snapshot | undefined
  await expect
    .poll(
      async () => {
        last = await probe.snapshot()
        return ready(last)
      },
      { timeout: 5000, message: what },
    )
    .toBe(true)
  if (!last) throw new Error(`no snapshot: ${what}`)
  return last
}

const children: ChildProcess[] = []
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL')
})

function spawned(cmd: string, args: string[], opts: { argv0?: string } = {}): ChildProcess {
  const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'inherit'], ...opts })
  children.push(child)
  return child
}

function pidOf(child: ChildProcess): number {
  if (child.pid === undefined) throw new Error('child did not start')
  return child.pid
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve()
    else
      child.once('exit', () => {
        resolve()
      })
  })
}

const sleepBin = fs.realpathSync('/usr/bin/sleep')

describe('createLinuxProbe on real processes', () => {
  it('is what createProbe() gives on this OS, and sees this process', async () => {
    const snap = await createProbe().snapshot()
    expect(snap.processes.get(process.pid)?.pid).toBe(process.pid)
  })

  it('reports pid, ppid, uid, exe, argv, comm and a start time that does not move', async () => {
    const probe = createLinuxProbe()
    const spawnedAt = Date.now()
    const child = spawned('sleep', ['30', '0.0417'], { argv0: 'warden-probe-sleep' })
    const pid = pidOf(child)
    const a = await snapshotWhen(
      probe,
      (s) => s.processes.get(pid)?.comm === 'sleep',
      'the child to exec sleep',
    )
    const p = a.processes.get(pid)
    expect(p).toEqual({
      pid,
      ppid: process.pid,
      sid: expect.any(Number) as number,
      uid: process.getuid?.(),
      startTime: expect.any(Number) as number,
      exe: sleepBin,
      argv: ['warden-probe-sleep', '30', '0.0417'],
      comm: 'sleep',
    })
    // btime has whole seconds: the start time can read up to 1 s early, and it is never in the future
    expect(p?.startTime).toBeGreaterThanOrEqual(spawnedAt - 1500)
    expect(p?.startTime).toBeLessThanOrEqual(a.takenAt + 1000)
    await sleep(50) // time passes: the start time must not move with it
    const b = await probe.snapshot()
    expect(b.processes.get(pid)).toEqual(p)
    expect(b.takenAt).toBeGreaterThanOrEqual(a.takenAt)
    // this very process is there too
    expect(a.processes.get(process.pid)?.exe).toBe(fs.realpathSync(process.execPath))
  })

  it('reads a comm with ") " in it, as a program named "a) b" gets', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'warden-comm-'))
    const link = path.join(dir, 'a) b')
    fs.symlinkSync(sleepBin, link)
    try {
      const child = spawned(link, ['30'])
      const execd = (s: Snapshot) => s.processes.get(pidOf(child))?.exe === sleepBin
      const snap = await snapshotWhen(createLinuxProbe(), execd, 'the child to exec "a) b"')
      const p = snap.processes.get(pidOf(child))
      expect(p).toMatchObject({ comm: 'a) b', exe: sleepBin, argv: [link, '30'], ppid: process.pid })
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })

  it('readProcess gives a fresh read, and null once the process is gone', async () => {
    const probe = createLinuxProbe()
    const child = spawned('sleep', ['30'])
    const pid = pidOf(child)
    await expect.poll(async () => (await probe.readProcess(pid))?.exe, { timeout: 5000 }).toBe(sleepBin)
    const live = await probe.readProcess(pid)
    expect(live).toMatchObject({ pid, ppid: process.pid, exe: sleepBin, argv: ['sleep', '30'] })
    expect(live).toEqual((await probe.snapshot()).processes.get(pid))
    child.kill('SIGKILL')
    await exited(child) // Node reaps it: no zombie left
    expect(await probe.readProcess(pid)).toBeNull()
    expect((await probe.snapshot()).processes.has(pid)).toBe(false)
    expect(await probe.readProcess(-1)).toBeNull()
    expect(await probe.readProcess(1.5)).toBeNull()
  })

  it('leaves zombies out: the process has ended, only its parent has not reaped it', async () => {
    // the shell execs sleep after forking a child that exits at once and is never reaped
    const parent = spawned('sh', ['-c', 'sh -c "exit 0" & exec sleep 30'])
    const zombiesOfParent = (): string[] =>
      [...fs.readdirSync('/proc')].filter((name) => {
        try {
          const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8')
          return stat.slice(stat.lastIndexOf(')') + 2).startsWith(`Z ${String(pidOf(parent))} `)
        } catch {
          return false
        }
      })
    await expect.poll(() => zombiesOfParent().length, { timeout: 5000 }).toBe(1)
    const zombies = zombiesOfParent()
    const snap = await createLinuxProbe().snapshot()
    expect(snap.processes.has(Number(zombies[0]))).toBe(false)
    expect(await createLinuxProbe().readProcess(Number(zombies[0]))).toBeNull()
  })

  it('never throws while processes come and go during the scan', async () => {
    const probe = createLinuxProbe()
    const state = { running: true }
    const churn = (async () => {
      while (state.running) {
        const batch = Array.from({ length: 8 }, () => spawned('true', []))
        await Promise.all(batch.map(exited))
      }
    })()
    try {
      for (let i = 0; i < 30; i++) {
        const snap = await probe.snapshot()
        expect(snap.processes.has(process.pid)).toBe(true)
        for (const pid of snap.processes.keys()) void probe.readProcess(pid)
      }
    } finally {
      state.running = false
      await churn
    }
  })
})

describe('createLinuxProbe on a real TCP connection', () => {
  let server: net.Server
  let serverPort = 0
  let client: ChildProcess
  let clientPid = 0
  let clientPort = 0
  let peer: net.Socket

  /** the child echoes on stdout whatever it receives; writes to its stdin go to the socket */
  beforeAll(async () => {
    server = net.createServer()
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    serverPort = (server.address() as net.AddressInfo).port
    const accepted = new Promise<net.Socket>((resolve) => server.once('connection', resolve))
    // not through spawned(): it must outlive each test's cleanup
    client = spawn(
      process.execPath,
      [
        '-e',
        `const s = require('net').connect(${String(serverPort)}, '127.0.0.1');` +
          "s.on('data', (d) => process.stdout.write(d)); process.stdin.on('data', (d) => s.write(d))",
      ],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    )
    clientPid = pidOf(client)
    peer = await accepted
    clientPort = peer.remotePort ?? 0
  })

  afterAll(async () => {
    peer.destroy()
    client.kill('SIGKILL')
    await new Promise<void>((resolve) =>
      server.close(() => {
        resolve()
      }),
    )
  })

  /** client writes `out`, server answers `back`; resolves once the client has received it */
  async function exchange(out: string, back: string): Promise<void> {
    const got = new Promise<void>((resolve) => {
      let seen = ''
      const onData = (d: Buffer): void => {
        seen += d.toString()
        if (seen.includes(back)) {
          client.stdout?.off('data', onData)
          resolve()
        }
      }
      client.stdout?.on('data', onData)
    })
    peer.once('data', () => peer.write(back))
    client.stdin?.write(out)
    await got
  }

  const clientSide = (snap: Snapshot): SocketInfo | undefined =>
    snap.sockets.find((s) => s.localPort === clientPort && s.remotePort === serverPort)

  it('finds the socket with the client pid, ports, counters and idle clocks that follow traffic', async () => {
    const probe = createLinuxProbe()
    await exchange('hello from the client', 'hello back')
    const first = clientSide(await probe.snapshot())
    expect(first).toMatchObject({
      pids: [clientPid],
      localAddress: '127.0.0.1',
      localPort: clientPort,
      remoteAddress: '127.0.0.1',
      remotePort: serverPort,
      bytesSent: 21,
      bytesReceived: 10,
    })
    // the server's end belongs to this process
    const snap = await probe.snapshot()
    expect(snap.sockets.find((s) => s.localPort === serverPort && s.remotePort === clientPort)?.pids).toEqual(
      [process.pid],
    )

    // idle: both kernel clocks run on until they show a second more than the first reading
    let idle: SocketInfo | undefined
    const idleFor = (s: SocketInfo | undefined, ms: number): boolean =>
      (s?.lastSendMs ?? 0) >= (first?.lastSendMs ?? 0) + ms &&
      (s?.lastRecvMs ?? 0) >= (first?.lastRecvMs ?? 0) + ms
    await expect
      .poll(
        async () => {
          idle = clientSide(await probe.snapshot())
          return idleFor(idle, 1000)
        },
        { timeout: 10_000, interval: 100 },
      )
      .toBe(true)

    await exchange('ping', 'pong')
    const active = clientSide(await probe.snapshot())
    expect(active?.lastSendMs).toBeLessThan(1000)
    expect(active?.lastRecvMs).toBeLessThan(1000)
    expect(active?.lastSendMs).toBeLessThan(idle?.lastSendMs ?? 0)
    expect(active?.bytesSent).toBe(25)
    expect(active?.bytesReceived).toBe(14)
  })

  it('falls back to /proc/net/tcp when ss is not there, and finds the same socket', async () => {
    const probe = createLinuxProbe({ ssPath: '/nonexistent/ss' })
    const snap = await probe.snapshot()
    const s = clientSide(snap)
    expect(s).toEqual({
      pids: [clientPid],
      localAddress: '127.0.0.1',
      localPort: clientPort,
      remoteAddress: '127.0.0.1',
      remotePort: serverPort,
    })
    // and keeps working on the next snapshot without trying ss again
    expect(clientSide(await probe.snapshot())?.pids).toEqual([clientPid])
  })

  it('falls back as well when ss runs but fails', async () => {
    const probe = createLinuxProbe({ ssPath: '/bin/false' })
    expect(clientSide(await probe.snapshot())?.pids).toEqual([clientPid])
  })

  it('the benchmark scans see the same machine', async () => {
    const floor = await rawProcFloorScan()
    const naive = await naiveScan()
    const snap = await createLinuxProbe().snapshot()
    expect(floor.sockets).toBeGreaterThanOrEqual(2)
    // other processes come and go meanwhile: the same order of magnitude is all one can ask
    expect(floor.processes).toBeGreaterThan(snap.processes.size / 2)
    expect(naive.processes).toBeGreaterThan(snap.processes.size / 2)
    expect(naive.processes).toBeLessThan(snap.processes.size * 2)
  }, 20_000)
})
