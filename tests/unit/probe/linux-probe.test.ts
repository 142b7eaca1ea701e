// The Linux probe against real processes and real TCP connections on this machine, and against a
// fake procfs (a temp dir laid out like /proc) for the races a live system rarely shows on cue.
import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createLinuxProbe, naiveScan, rawProcFloorScan } from '@engine/probe/linux'
import type { Snapshot, SocketInfo } from '@engine/probe/types'
import type { RunFile } from '@engine/probe/exec'

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

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
  it('reports pid, ppid, uid, exe, argv, comm and a start time that does not move', async () => {
    const probe = createLinuxProbe()
    const spawnedAt = Date.now()
    const child = spawned('sleep', ['30', '0.0417'], { argv0: 'warden-probe-sleep' })
    const pid = pidOf(child)
    await sleep(100) // let it exec
    const a = await probe.snapshot()
    const p = a.processes.get(pid)
    expect(p).toEqual({
      pid,
      ppid: process.pid,
      uid: process.getuid?.(),
      startTime: expect.any(Number) as number,
      exe: sleepBin,
      argv: ['warden-probe-sleep', '30', '0.0417'],
      comm: 'sleep',
    })
    // btime has whole seconds: the start time can read up to 1 s early, and it is never in the future
    expect(p?.startTime).toBeGreaterThanOrEqual(spawnedAt - 1500)
    expect(p?.startTime).toBeLessThanOrEqual(a.takenAt + 1000)
    await sleep(50)
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
      await sleep(100)
      const p = (await createLinuxProbe().snapshot()).processes.get(pidOf(child))
      expect(p).toMatchObject({ comm: 'a) b', exe: sleepBin, argv: [link, '30'], ppid: process.pid })
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })

  it('readProcess gives a fresh read, and null once the process is gone', async () => {
    const probe = createLinuxProbe()
    const child = spawned('sleep', ['30'])
    const pid = pidOf(child)
    await sleep(100)
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
    await sleep(300)
    const snap = await createLinuxProbe().snapshot()
    const zombies = [...fs.readdirSync('/proc')].filter((name) => {
      try {
        const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8')
        return stat.slice(stat.lastIndexOf(')') + 2).startsWith(`Z ${String(pidOf(parent))} `)
      } catch {
        return false
      }
    })
    expect(zombies.length).toBe(1)
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

    await sleep(1200) // idle
    const idle = clientSide(await probe.snapshot())
    expect(idle?.lastSendMs).toBeGreaterThanOrEqual((first?.lastSendMs ?? 0) + 1000)
    expect(idle?.lastRecvMs).toBeGreaterThanOrEqual((first?.lastRecvMs ?? 0) + 1000)

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

describe('createLinuxProbe on a fake procfs', () => {
  let root: string
  const fixtures = new URL('../../fixtures/probe/linux/', import.meta.url)
  const btime = Math.floor(Date.now() / 1000) - 100_000

  /** a process dir built from this process's own real files, renumbered */
  function addProcess(pid: number, opts: { comm?: string; ticks?: number; state?: string } = {}): string {
    const dir = path.join(root, String(pid))
    fs.mkdirSync(path.join(dir, 'fd'), { recursive: true })
    const real = fs.readFileSync('/proc/self/stat', 'utf8')
    const tail = real.slice(real.lastIndexOf(')') + 2).split(' ')
    tail[0] = opts.state ?? 'S'
    tail[1] = '1'
    tail[19] = String(opts.ticks ?? 100)
    fs.writeFileSync(path.join(dir, 'stat'), `${String(pid)} (${opts.comm ?? 'node'}) ${tail.join(' ')}`)
    fs.copyFileSync('/proc/self/status', path.join(dir, 'status'))
    fs.writeFileSync(path.join(dir, 'cmdline'), `node\0server-${String(pid)}.js\0`)
    fs.symlinkSync('/usr/bin/node', path.join(dir, 'exe'))
    return dir
  }

  beforeAll(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'warden-proc-'))
    fs.writeFileSync(path.join(root, 'stat'), `cpu  1 2 3 4\nbtime ${String(btime)}\nprocesses 5\n`)
    fs.mkdirSync(path.join(root, 'net'))
    fs.copyFileSync(new URL('proc-net-tcp.txt', fixtures), path.join(root, 'net', 'tcp'))
    fs.copyFileSync(new URL('proc-net-tcp6.txt', fixtures), path.join(root, 'net', 'tcp6'))
    fs.mkdirSync(path.join(root, 'self'))
    fs.writeFileSync(path.join(root, 'uptime'), '100.00 50.00\n')
  })

  afterAll(() => {
    fs.rmSync(root, { recursive: true, force: true })
  })

  const probeOn = (): ReturnType<typeof createLinuxProbe> =>
    createLinuxProbe({ procRoot: root, ssPath: '/nonexistent/ss', clockTicks: 100 })

  it('skips processes that vanish at any step, silently', async () => {
    addProcess(100)
    // listed, then gone before its stat is read
    fs.symlinkSync(path.join(root, 'gone-before-stat'), path.join(root, '101'))
    // gone between stat and cmdline
    fs.rmSync(path.join(addProcess(102), 'cmdline'))
    // gone between cmdline and status
    fs.rmSync(path.join(addProcess(103), 'status'))
    // a stat that cannot be read as a file
    fs.mkdirSync(path.join(root, '104', 'stat'), { recursive: true })
    // exe no longer readable: still listed, exe ''
    fs.rmSync(path.join(addProcess(105), 'exe'))
    // a deleted executable
    const d106 = addProcess(106)
    fs.rmSync(path.join(d106, 'exe'))
    fs.symlinkSync('/opt/app/bin/ssh (deleted)', path.join(d106, 'exe'))
    // a zombie
    addProcess(107, { state: 'Z' })
    // a stat whose pid does not match its dir
    fs.cpSync(path.join(root, '100'), path.join(root, '108'), { recursive: true, verbatimSymlinks: true })

    const probe = probeOn()
    const snap = await probe.snapshot()
    expect([...snap.processes.keys()].sort()).toEqual([100, 105, 106])
    expect(snap.processes.get(100)).toEqual({
      pid: 100,
      ppid: 1,
      uid: process.getuid?.(),
      startTime: btime * 1000 + 1000,
      exe: '/usr/bin/node',
      argv: ['node', 'server-100.js'],
      comm: 'node',
    })
    expect(snap.processes.get(105)?.exe).toBe('')
    expect(snap.processes.get(106)?.exe).toBe('/opt/app/bin/ssh')
    for (const pid of [101, 102, 103, 104, 107, 108]) expect(await probe.readProcess(pid)).toBeNull()
    expect(await probe.readProcess(100)).toEqual(snap.processes.get(100))
  })

  it('maps /proc/net sockets to their owners through fd links', async () => {
    const dir = addProcess(200)
    fs.symlinkSync('socket:[14207]', path.join(dir, 'fd', '5'))
    fs.symlinkSync('pipe:[99]', path.join(dir, 'fd', '6'))
    const dir2 = addProcess(201)
    fs.symlinkSync('socket:[14207]', path.join(dir2, 'fd', '9'))
    const snap = await probeOn().snapshot()
    expect(snap.sockets.find((s) => s.localPort === 55452 && s.remotePort === 40200)).toEqual({
      pids: [200, 201],
      localAddress: '127.0.0.1',
      localPort: 55452,
      remoteAddress: '127.0.0.1',
      remotePort: 40200,
    })
    expect(snap.sockets.find((s) => s.localPort === 40200 && s.remotePort === 48228)).toMatchObject({
      localAddress: 'fe80::fc:ff:fe00:1',
      pids: [],
    })
    // only established entries (state 01)
    expect(snap.sockets).toHaveLength(14)
  })

  it('caches details per start time; re-reads them when comm changes, for young processes, and on pid reuse', async () => {
    const probe = probeOn()
    const dir = addProcess(300, { ticks: 100 }) // started 100 000 s ago
    expect((await probe.snapshot()).processes.get(300)?.argv).toEqual(['node', 'server-300.js'])

    // an old process's cmdline is not read again…
    fs.writeFileSync(path.join(dir, 'cmdline'), 'changed\0')
    expect((await probe.snapshot()).processes.get(300)?.argv).toEqual(['node', 'server-300.js'])
    // …unless its comm changed (an exec)
    fs.writeFileSync(
      path.join(dir, 'stat'),
      fs.readFileSync(path.join(dir, 'stat'), 'utf8').replace('(node)', '(ssh)'),
    )
    expect((await probe.snapshot()).processes.get(300)).toMatchObject({ comm: 'ssh', argv: ['changed'] })

    // the pid reused by another process: new start time, new details
    fs.rmSync(dir, { recursive: true })
    const again = addProcess(300, { ticks: 5000 })
    fs.writeFileSync(path.join(again, 'cmdline'), 'other\0')
    expect((await probe.snapshot()).processes.get(300)).toMatchObject({
      argv: ['other'],
      startTime: btime * 1000 + 50_000,
    })

    // a young process (started a second ago) is re-read on every snapshot
    const young = addProcess(301, { ticks: (Math.floor(Date.now() / 1000) - btime - 1) * 100 })
    expect((await probe.snapshot()).processes.get(301)?.argv).toEqual(['node', 'server-301.js'])
    fs.writeFileSync(path.join(young, 'cmdline'), 'ssh: /tmp/cm [mux]\0\0\0')
    expect((await probe.snapshot()).processes.get(301)?.argv).toEqual(['ssh: /tmp/cm [mux]'])

    // gone: out of the snapshot
    fs.rmSync(path.join(root, '301'), { recursive: true })
    expect((await probe.snapshot()).processes.has(301)).toBe(false)
  })

  it('runs `ss -tnpiH state established` once per snapshot and uses its sockets', async () => {
    const calls: (readonly string[])[] = []
    const ssText = fs.readFileSync(new URL('ss-established-continuation.txt', fixtures), 'utf8')
    const run: RunFile = (file, args, options) => {
      calls.push([file, ...args, String(options?.timeoutMs)])
      return Promise.resolve({ stdout: ssText, stderr: '', code: 0 })
    }
    const probe = createLinuxProbe({ procRoot: root, ssPath: '/sbin/ss-test', clockTicks: 100, run })
    const snap = await probe.snapshot()
    expect(calls).toEqual([['/sbin/ss-test', '-tnpiH', 'state', 'established', '2000']])
    expect(snap.sockets).toHaveLength(10)
    expect(snap.sockets.every((s) => s.lastSendMs !== undefined)).toBe(true)
  })

  it('stops asking ss after it exits non-zero three snapshots in a row, or at once when it is missing', async () => {
    let ssCalls = 0
    const failing: RunFile = () => {
      ssCalls++
      return Promise.resolve({ stdout: '', stderr: 'ss: bad option', code: 1 })
    }
    const probe = createLinuxProbe({ procRoot: root, ssPath: 'ss', clockTicks: 100, run: failing })
    for (let i = 0; i < 5; i++) expect((await probe.snapshot()).sockets).toHaveLength(14)
    expect(ssCalls).toBe(3)

    let missingCalls = 0
    const missing: RunFile = () => {
      missingCalls++
      return Promise.reject(Object.assign(new Error('spawn ss ENOENT'), { code: 'ENOENT' }))
    }
    const probe2 = createLinuxProbe({ procRoot: root, ssPath: 'ss', clockTicks: 100, run: missing })
    await probe2.snapshot()
    await probe2.snapshot()
    expect(missingCalls).toBe(1)

    // a timeout under load is not held against ss
    let slowCalls = 0
    const slow: RunFile = () => {
      slowCalls++
      return Promise.reject(Object.assign(new Error('timed out'), { killed: true }))
    }
    const probe3 = createLinuxProbe({ procRoot: root, ssPath: 'ss', clockTicks: 100, run: slow })
    for (let i = 0; i < 4; i++) await probe3.snapshot()
    expect(slowCalls).toBe(4)
  })

  it('asks getconf for CLK_TCK once when not told, and retries a failed first read of /proc/stat', async () => {
    let getconf = 0
    const run: RunFile = (file) => {
      if (file === 'getconf') getconf++
      return Promise.resolve({ stdout: file === 'getconf' ? '100\n' : '', stderr: '', code: 0 })
    }
    const probe = createLinuxProbe({ procRoot: root, ssPath: 'ss', run })
    await probe.snapshot()
    await probe.snapshot()
    expect(getconf).toBe(1)

    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'warden-proc-empty-'))
    try {
      const late = createLinuxProbe({ procRoot: empty, ssPath: '/nonexistent/ss', clockTicks: 100 })
      await expect(late.snapshot()).rejects.toThrow()
      fs.writeFileSync(path.join(empty, 'stat'), `btime ${String(btime)}\n`)
      expect((await late.snapshot()).processes.size).toBe(0)
    } finally {
      fs.rmSync(empty, { recursive: true, force: true })
    }
  })

  it('counts what the floor scan reads', async () => {
    const floor = await rawProcFloorScan(root)
    expect(floor.sockets).toBe(14)
    expect(floor.processes).toBeGreaterThan(0)
  })
})
