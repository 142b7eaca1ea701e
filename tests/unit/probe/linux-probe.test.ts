// The Linux probe against a fake procfs (a temp dir laid out like /proc), for the races a live system
// rarely shows on cue. The same probe on real processes and sockets: tests/process/probe/linux-probe.test.ts.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { createLinuxProbe } from '@engine/probe/linux'
import type { RunFile } from '@engine/probe/exec'
import type { ProcessInfo } from '@engine/probe/types'
import { rawProcFloorScan } from '../../../bench/proc-floor'

describe('createLinuxProbe on a fake procfs', () => {
  let root: string
  const fixtures = new URL('../../fixtures/probe/linux/', import.meta.url)
  const btime = Math.floor(Date.now() / 1000) - 100_000

  /** a process dir built from this process's own real files, renumbered */
  function addProcess(
    pid: number,
    opts: { comm?: string; ticks?: number; state?: string; ppid?: number; exitSignal?: number } = {},
  ): string {
    const dir = path.join(root, String(pid))
    fs.mkdirSync(path.join(dir, 'fd'), { recursive: true })
    const real = fs.readFileSync('/proc/self/stat', 'utf8')
    const tail = real.slice(real.lastIndexOf(')') + 2).split(' ')
    tail[0] = opts.state ?? 'S'
    tail[1] = String(opts.ppid ?? 1)
    tail[19] = String(opts.ticks ?? 100)
    tail[35] = String(opts.exitSignal ?? 17)
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

  /** ss missing, as the probe sees it, without forking a child to find out */
  const noSs: RunFile = () => Promise.reject(Object.assign(new Error('spawn ss ENOENT'), { code: 'ENOENT' }))

  const probeOn = (): ReturnType<typeof createLinuxProbe> =>
    createLinuxProbe({ procRoot: root, ssPath: '/nonexistent/ss', clockTicks: 100, run: noSs })

  /** a probe with a session filter on the fake procfs; without ss unless given a runner */
  const narrowProbe = (
    interesting: (p: ProcessInfo) => boolean,
    run: RunFile = noSs,
  ): ReturnType<typeof createLinuxProbe> =>
    createLinuxProbe({ procRoot: root, ssPath: 'ss', clockTicks: 100, run, youngMs: 0, interesting })
  const isSsh = (p: ProcessInfo): boolean => p.argv[0] === 'ssh'

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
      sid: expect.any(Number) as number,
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

  it('with a session filter: sockets from fd links and /proc/net/tcp, counters from a filtered ss only when asked', async () => {
    const dir = addProcess(220)
    fs.writeFileSync(path.join(dir, 'cmdline'), 'ssh\0host\0')
    fs.symlinkSync('socket:[14207]', path.join(dir, 'fd', '3'))
    const calls: (readonly string[])[] = []
    let ssOut =
      '0 0 127.0.0.1:55452 127.0.0.1:40200 ino:14207 sk:1 <->\n\t cubic bytes_sent:10 lastsnd:1200 lastrcv:1300\n'
    const run: RunFile = (_file, args) => {
      calls.push(args)
      return Promise.resolve({ stdout: ssOut, stderr: '', code: ssOut === '' ? 1 : 0 })
    }
    const probe = narrowProbe(isSsh, run)
    const mine = {
      pids: [220],
      inode: 14207,
      localAddress: '127.0.0.1',
      localPort: 55452,
      remoteAddress: '127.0.0.1',
      remotePort: 40200,
    }
    // no counters asked: the connection from /proc/net/tcp, no ss
    expect((await probe.snapshot()).sockets).toEqual([mine])
    expect(calls).toEqual([])
    // counters: one ss filtered to the session's local port
    const read = await probe.snapshot({ counters: true })
    expect(calls).toEqual([['-tniHe', '-4', 'state', 'established', '(', 'sport', '=', ':55452', ')']])
    expect(read.sockets).toEqual([
      { ...mine, bytesSent: 10, bytesReceived: 0, lastSendMs: 1200, lastRecvMs: 1300 },
    ])
    // later: the same reading, aged by the time passed
    const later = await probe.snapshot()
    expect(calls).toHaveLength(1)
    expect(later.sockets[0]?.lastSendMs).toBe(1200 + later.takenAt - read.takenAt)
    // ss failing: no counters rather than stale ones
    ssOut = ''
    expect((await probe.snapshot({ counters: true })).sockets).toEqual([mine])
    // a counters reading that leaves the connection out (no longer established): dropped
    ssOut = '0 0 127.0.0.1:1 127.0.0.1:2 ino:1 sk:1 <->\n\t cubic lastsnd:1\n'
    expect((await probe.snapshot({ counters: true })).sockets).toEqual([])
    // the process closes it (gone from its fd links) and opens it again: seen at once, without ss
    fs.rmSync(path.join(dir, 'fd', '3'))
    expect((await probe.snapshot()).sockets).toEqual([])
    fs.symlinkSync('socket:[14207]', path.join(dir, 'fd', '4'))
    expect((await probe.snapshot()).sockets).toEqual([mine])
    fs.rmSync(path.join(dir, 'fd', '4'))
    const closed = await probe.snapshot()
    expect(closed.sockets).toEqual([])
    expect(closed.processes.has(220)).toBe(true)
    expect(calls).toHaveLength(3)
    fs.rmSync(dir, { recursive: true })
  })

  it('asks ss for one address family when every connection is of that one (one hash walk, not two)', async () => {
    const dir = addProcess(245)
    fs.writeFileSync(path.join(dir, 'cmdline'), 'ssh\0host\0')
    // 14207: 127.0.0.1:55452 in /proc/net/tcp; 12420: a v4-mapped [::ffff:127.0.0.1]:40124 in tcp6
    fs.symlinkSync('socket:[14207]', path.join(dir, 'fd', '3'))
    fs.symlinkSync('socket:[12420]', path.join(dir, 'fd', '4'))
    const calls: (readonly string[])[] = []
    // both connections still established, whatever was asked (one left out would count as closed)
    const stdout =
      '0 0 127.0.0.1:55452 127.0.0.1:40200 ino:14207 sk:1 <->\n\t cubic lastsnd:1\n' +
      '0 0 [::ffff:127.0.0.1]:40124 [::ffff:127.0.0.1]:44560 ino:12420 sk:2 <->\n\t cubic lastsnd:1\n'
    const run: RunFile = (_file, args) => {
      calls.push(args)
      return Promise.resolve({ stdout, stderr: '', code: 0 })
    }
    const probe = narrowProbe(isSsh, run)
    const family = async (): Promise<string | undefined> => {
      await probe.snapshot({ counters: true })
      return calls.at(-1)?.[1]
    }
    // both families: both dumps
    expect(await family()).toBe('state')
    expect(calls.at(-1)).toContain(':40124')
    // the v4-mapped one alone: an AF_INET6 socket, so -6
    fs.rmSync(path.join(dir, 'fd', '3'))
    expect(await family()).toBe('-6')
    // the IPv4 one alone
    fs.rmSync(path.join(dir, 'fd', '4'))
    fs.symlinkSync('socket:[14207]', path.join(dir, 'fd', '5'))
    expect(await family()).toBe('-4')
    expect(calls.at(-1)).toEqual(['-tniHe', '-4', 'state', 'established', '(', 'sport', '=', ':55452', ')'])
    fs.rmSync(dir, { recursive: true })
  })

  it("skips a browser's sandboxed children, whose command line Chromium rewrites as one string", async () => {
    const browser = addProcess(230, { comm: 'chromium' })
    fs.writeFileSync(path.join(browser, 'cmdline'), '/usr/lib/chromium/chromium\0--headless\0')
    fs.symlinkSync('socket:[14207]', path.join(browser, 'fd', '3'))
    const kids = [231, 232]
    kids.forEach((pid, i) => {
      const dir = addProcess(pid, { comm: 'chromium' })
      const stat = fs.readFileSync(path.join(dir, 'stat'), 'utf8').split(' ')
      stat[3] = '230' // ppid: the browser
      fs.writeFileSync(path.join(dir, 'stat'), stat.join(' '))
      // one NUL-less string (rewritten) and, for the renderer, the flag last
      const flags = i === 0 ? '--type=renderer' : '--type=utility --type=gpu-process'
      fs.writeFileSync(path.join(dir, 'cmdline'), `/usr/lib/chromium/chromium --lang=en-US ${flags}\0`)
      fs.symlinkSync('socket:[14207]', path.join(dir, 'fd', '7'))
    })
    const probe = narrowProbe((p) => p.argv[0] === '/usr/lib/chromium/chromium' && p.argv[1] === '--headless')
    const snap = await probe.snapshot()
    // only the browser's fd links are read: the renderer's and GPU process's are not
    expect(snap.sockets.map((s) => s.pids)).toEqual([[230]])
    for (const pid of [230, ...kids]) fs.rmSync(path.join(root, String(pid)), { recursive: true })
  })

  it('a new unix socket of a session program is found in /proc/net/unix, without reading the tcp tables', async () => {
    const dir = addProcess(240)
    fs.writeFileSync(path.join(dir, 'cmdline'), 'ssh\0host\0')
    fs.writeFileSync(
      path.join(root, 'net', 'unix'),
      'Num       RefCount Protocol Flags    Type St Inode Path\n0000000012: 00000003 00000000 00000000 0001 03 777001 /run/agent\n',
    )
    const probe = narrowProbe((p) => p.argv[0] === 'ssh')
    await probe.snapshot()
    const reads = vi.spyOn(fs, 'readFileSync')
    const tcpReads = (): number => reads.mock.calls.filter(([f]) => String(f).endsWith('/net/tcp')).length
    try {
      fs.symlinkSync('socket:[777001]', path.join(dir, 'fd', '4'))
      expect((await probe.snapshot()).sockets).toEqual([])
      expect(tcpReads()).toBe(0)
      // a TCP connection opened next to it is still seen on the next poll
      fs.symlinkSync('socket:[14207]', path.join(dir, 'fd', '5'))
      expect((await probe.snapshot()).sockets.map((s) => [s.inode, s.pids])).toEqual([[14207, [240]]])
      expect(tcpReads()).toBe(1)
    } finally {
      reads.mockRestore()
      fs.rmSync(path.join(root, 'net', 'unix'))
      fs.rmSync(dir, { recursive: true })
    }
  })

  it('after the first listing, looks only at the pids allocated since (/proc/loadavg), and notices exits', async () => {
    const cursor = (pid: number): void =>
      fs.writeFileSync(path.join(root, 'loadavg'), `0.10 0.20 0.30 1/200 ${String(pid)}\n`)
    const ssh = (dir: string): void => fs.writeFileSync(path.join(dir, 'cmdline'), 'ssh\0host\0')
    const first = addProcess(400)
    ssh(first)
    cursor(400)
    const probe = narrowProbe((p) => p.argv[0] === 'ssh')
    await probe.snapshot()
    const lists = vi.spyOn(fs, 'readdirSync')
    const listings = (): number => lists.mock.calls.filter(([d]) => String(d) === root).length
    try {
      // other programs fork (401, 402), then a new ssh starts (403): seen on the next poll
      addProcess(401)
      addProcess(402)
      ssh(addProcess(403))
      cursor(403)
      let snap = await probe.snapshot()
      expect(snap.processes.get(403)?.argv).toEqual(['ssh', 'host'])
      expect(snap.processes.has(401) && snap.processes.has(402)).toBe(true)
      // a new thread (404: its tid answers in /proc, exit_signal -1) is no process; 405 is
      // allocated but not attached yet (alloc_pid runs before attach_pid) when the cursor is read
      ssh(addProcess(404, { ppid: 403, exitSignal: -1 }))
      cursor(405)
      snap = await probe.snapshot()
      expect(snap.processes.has(404) || snap.processes.has(405)).toBe(false)
      ssh(addProcess(405)) // the cursor does not move again: 405 is looked for once more
      expect((await probe.snapshot()).processes.get(405)?.argv).toEqual(['ssh', 'host'])
      // a session program exits, with no fork anywhere: gone on the next poll
      fs.rmSync(first, { recursive: true })
      expect((await probe.snapshot()).processes.has(400)).toBe(false)
      expect(listings()).toBe(0)
      // the pids wrap around (pid_max, then from 300 again): one listing, which finds the new ssh
      ssh(addProcess(350))
      cursor(350)
      expect((await probe.snapshot()).processes.get(350)?.argv).toEqual(['ssh', 'host'])
      expect(listings()).toBe(1)
      // so does a jump of more pids than are worth looking at one by one
      ssh(addProcess(1400))
      cursor(1400)
      expect((await probe.snapshot()).processes.get(1400)?.argv).toEqual(['ssh', 'host'])
      expect(listings()).toBe(2)
    } finally {
      lists.mockRestore()
      fs.rmSync(path.join(root, 'loadavg'))
      for (const pid of [350, 401, 402, 403, 404, 405, 1400])
        fs.rmSync(path.join(root, String(pid)), { recursive: true })
    }
  })

  it("reads no browser's sockets when told no web resource is configured, and only the network service's of its children", async () => {
    const browser = addProcess(250, { comm: 'chromium' })
    fs.writeFileSync(path.join(browser, 'cmdline'), '/usr/lib/chromium/chromium\0--headless\0')
    const kinds = ['network.mojom.NetworkService', 'storage.mojom.StorageService']
    kinds.forEach((sub, i) => {
      const dir = addProcess(251 + i, { comm: 'chromium', ppid: 250 })
      const line = `/usr/lib/chromium/chromium --type=utility --utility-sub-type=${sub} --lang=en-US`
      fs.writeFileSync(path.join(dir, 'cmdline'), `${line}\0`)
      fs.symlinkSync('socket:[14207]', path.join(dir, 'fd', '9'))
    })
    const isChromium = (p: ProcessInfo): boolean =>
      p.argv[0]?.startsWith('/usr/lib/chromium/chromium') === true
    const probe = createLinuxProbe({
      procRoot: root,
      ssPath: 'ss',
      clockTicks: 100,
      run: noSs,
      youngMs: 0,
      interesting: isChromium,
      browser: isChromium,
    })
    try {
      expect((await probe.snapshot({ browsers: false })).sockets).toEqual([])
      // a web resource is configured: the network service's socket, not the storage service's
      expect((await probe.snapshot({ browsers: true })).sockets.map((s) => s.pids)).toEqual([[251]])
      expect((await probe.snapshot()).sockets.map((s) => s.pids)).toEqual([[251]])
    } finally {
      for (const pid of [250, 251, 252]) fs.rmSync(path.join(root, String(pid)), { recursive: true })
    }
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

  it('reads a process caught mid-exec again: the new comm with the cmdline still empty is not kept', async () => {
    // with a filter and no sweep for 10 min, as in the app: the process is neither a session
    // program nor a shell once it has exec'd, so only its empty command line brings it back
    const probe = createLinuxProbe({
      procRoot: root,
      ssPath: '/nonexistent/ss',
      clockTicks: 100,
      run: noSs,
      interesting: (p) => p.argv.includes('client.js'),
      youngMs: 0,
      fullSweepMs: 600_000,
    })
    const dir = addProcess(310, { ticks: 100, comm: 'bash' })
    expect((await probe.snapshot()).processes.get(310)?.comm).toBe('bash')
    // execve has set the new comm (fs/exec.c begin_new_exec), the new argv is not in place yet
    fs.writeFileSync(
      path.join(dir, 'stat'),
      fs.readFileSync(path.join(dir, 'stat'), 'utf8').replace('(bash)', '(node)'),
    )
    fs.writeFileSync(path.join(dir, 'cmdline'), '')
    expect((await probe.snapshot()).processes.get(310)).toMatchObject({ comm: 'node', argv: [] })
    // the exec has finished: same comm, same start time, and the command line is read again
    fs.writeFileSync(path.join(dir, 'cmdline'), 'node\0client.js\0')
    expect((await probe.snapshot()).processes.get(310)?.argv).toEqual(['node', 'client.js'])
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
      const late = createLinuxProbe({
        procRoot: empty,
        ssPath: '/nonexistent/ss',
        clockTicks: 100,
        run: noSs,
      })
      await expect(late.snapshot()).rejects.toThrow()
      fs.writeFileSync(path.join(empty, 'stat'), `btime ${String(btime)}\n`)
      expect((await late.snapshot()).processes.size).toBe(0)
    } finally {
      fs.rmSync(empty, { recursive: true, force: true })
    }
  })

  it('reads a stat file longer than its one-read buffer whole', async () => {
    const long = 'x'.repeat(6000)
    addProcess(260, { comm: long })
    try {
      expect((await probeOn().readProcess(260))?.comm).toBe(long)
    } finally {
      fs.rmSync(path.join(root, '260'), { recursive: true })
    }
  })

  it('counts what the floor scan reads', async () => {
    const floor = await rawProcFloorScan(root)
    expect(floor.sockets).toBe(14)
    expect(floor.processes).toBeGreaterThan(0)
  })
})
