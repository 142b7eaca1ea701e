import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createLinuxProbe } from '@engine/probe/linux'
import { runFile, type RunFile } from '@engine/probe/exec'
import { StatFiles } from '@engine/probe/linux-read'
import type { ProcessInfo } from '@engine/probe/types'

// The Linux probe's steady state with an `interesting` filter: `ss` only when the network or the
// interesting processes changed (or counters are asked for), and stale idle clocks aged honestly.

const children: ChildProcess[] = []
const servers: net.Server[] = []
afterEach(async () => {
  for (const c of children.splice(0)) c.kill('SIGKILL')
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r))
})

function counting(): { run: RunFile; ssCalls: () => number } {
  let calls = 0
  return {
    run: (file, args, o) => {
      if (file.endsWith('ss')) calls++
      return runFile(file, args, o)
    },
    ssCalls: () => calls,
  }
}

const MARK = 'warden-fastpath-marker'
const interesting = (p: ProcessInfo): boolean => p.argv.includes(MARK)
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

async function listen(): Promise<number> {
  const server = net.createServer((sock) => sock.on('data', (d) => sock.write(d)))
  servers.push(server)
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return (server.address() as net.AddressInfo).port
}

/** a marked child process holding one connection to port; writes go through its stdin */
async function holder(port: number): Promise<ChildProcess> {
  const c = spawn(
    process.execPath,
    [
      '-e',
      `const s = require('net').connect(${String(port)}, '127.0.0.1', () => process.stdout.write('up'));` +
        "process.stdin.on('data', (d) => s.write(d)); process.stdin.on('end', () => s.destroy());" +
        'setInterval(() => {}, 60000)',
      MARK,
    ],
    { stdio: ['pipe', 'pipe', 'ignore'] },
  )
  children.push(c)
  await new Promise((r) => c.stdout.once('data', r))
  return c
}

/**
 * A marked child holding connections to port, told by lines on its stdin: `open` adds one,
 * `swap` closes the oldest and opens another (the fd count stays the same). It prints each new
 * connection's local port once connected.
 */
function juggler(port: number): { c: ChildProcess; next: () => Promise<number> } {
  const script = `
    const net = require('net'); const socks = []
    const open = () => { const s = net.connect(${String(port)}, '127.0.0.1', () => process.stdout.write(s.localPort + '\\n')); socks.push(s) }
    open()
    process.stdin.on('data', (d) => { for (const cmd of String(d).split('\\n')) {
      if (cmd === 'open') open()
      if (cmd === 'swap') { socks.shift().destroy(); open() }
    } })
    setInterval(() => {}, 60000)`
  const c = spawn(process.execPath, ['-e', script, MARK], { stdio: ['pipe', 'pipe', 'ignore'] })
  children.push(c)
  const ports: number[] = []
  const waiting: ((p: number) => void)[] = []
  c.stdout.on('data', (d: Buffer) => {
    for (const line of String(d).split('\n').filter(Boolean)) {
      const w = waiting.shift()
      if (w) w(Number(line))
      else ports.push(Number(line))
    }
  })
  const next = (): Promise<number> =>
    new Promise((r) => {
      const p = ports.shift()
      if (p === undefined) waiting.push(r)
      else r(p)
    })
  return { c, next }
}

describe('Linux probe fast path', () => {
  it("reads a session program's fd links again only when its fd count changes, and all of them with counters", async () => {
    const port = await listen()
    const { c, next } = juggler(port)
    const first = await next()
    // no periodic re-read of every link within the test, however slow the machine
    const probe = createLinuxProbe({ interesting, youngMs: 0, fdSweepMs: 600_000 })
    const ports = async (o?: { counters: boolean }): Promise<number[]> =>
      (await probe.snapshot(o)).sockets
        .filter((s) => s.remotePort === port && s.pids.includes(c.pid ?? -1))
        .map((s) => s.localPort)
        .sort()
    expect(await ports({ counters: true })).toEqual([first])
    const lists = vi.spyOn(fs, 'readdirSync')
    const fdLists = (): number =>
      lists.mock.calls.filter(([d]) => String(d) === `/proc/${String(c.pid)}/fd`).length
    try {
      // nothing changed: one stat of its fd directory, no listing of it
      expect(await ports()).toEqual([first])
      expect(fdLists()).toBe(0)
      // a second connection changes the count: seen on the next poll
      c.stdin?.write('open\n')
      const second = await next()
      expect(await ports()).toEqual([first, second].sort())
      expect(fdLists()).toBe(1)
      // one closed and another opened between two polls: the count is as it was, and the reading
      // keeps the closed connection (never a session taken for ended on a missed link) until the
      // next reading of counters reads every link again
      c.stdin?.write('swap\n')
      const third = await next()
      const between = await ports()
      expect(between).toHaveLength(2)
      expect(between.includes(second)).toBe(true)
      expect(await ports({ counters: true })).toEqual([second, third].sort())
    } finally {
      lists.mockRestore()
    }
  })

  it('polls with no fd count changed hand back the same owners; an exit, or a new program, is seen at once', async () => {
    const port = await listen()
    const a = juggler(port)
    const b = juggler(port)
    const [pa, pb] = [await a.next(), await b.next()]
    const probe = createLinuxProbe({ interesting, youngMs: 0, fdSweepMs: 600_000 })
    const ours = async (): Promise<number[]> =>
      (await probe.snapshot()).sockets
        .filter((s) => s.remotePort === port)
        .map((s) => s.localPort)
        .sort()
    await probe.snapshot({ counters: true })
    expect(await ours()).toEqual([pa, pb].sort())
    expect(await ours()).toEqual([pa, pb].sort())
    // one of the two exits: the other's reading stands, the exited one's socket goes
    a.c.kill('SIGKILL')
    await expect.poll(ours, { timeout: 5000 }).toEqual([pb])
    // a third program: its connection is there in the next snapshot
    const c = juggler(port)
    const pc = await c.next()
    await expect.poll(ours, { timeout: 5000 }).toEqual([pb, pc].sort())
  })

  it('reuses the last socket reading when nothing changed, with idle clocks aged by the time since', async () => {
    const port = await listen()
    const c = await holder(port)
    const { run, ssCalls } = counting()
    const probe = createLinuxProbe({ run, interesting, youngMs: 0 })
    const first = await probe.snapshot({ counters: true })
    const mine = first.sockets.find((s) => s.remotePort === port && s.pids.includes(c.pid ?? -1))
    expect(mine?.lastSendMs).toBeDefined()
    const calls = ssCalls()
    // quiet ticks: this machine may fork or connect meanwhile (other tests), so allow a few extra
    // readings but demand that most ticks reuse the last one
    let reused = 0
    for (let i = 0; i < 10; i++) {
      await sleep(100) // a tick period: the reading must age by the time that passed
      const before = ssCalls()
      const snap = await probe.snapshot()
      if (ssCalls() !== before) continue
      reused++
      const again = snap.sockets.find((s) => s.remotePort === port && s.pids.includes(c.pid ?? -1))
      // aged: the same moment of last traffic, seen from later
      expect((again?.lastSendMs ?? 0) - (mine?.lastSendMs ?? 0)).toBeCloseTo(snap.takenAt - first.takenAt, -1)
    }
    expect(reused).toBeGreaterThan(0)
    expect(ssCalls() - calls).toBeLessThan(10)
  })

  it('reads counters with one ss filtered to the session sockets, only when asked for them', async () => {
    const port = await listen()
    const c = await holder(port)
    const calls: (readonly string[])[] = []
    const run: RunFile = (file, args, o) => {
      if (file.endsWith('ss')) calls.push(args)
      return runFile(file, args, o)
    }
    const probe = createLinuxProbe({ run, interesting, youngMs: 0 })
    const snap = await probe.snapshot({ counters: true })
    const mine = snap.sockets.find((s) => s.remotePort === port && s.pids.includes(c.pid ?? -1))
    expect(mine?.lastSendMs).toBeDefined()
    expect(calls).toHaveLength(1)
    // filtered to the marked client's local port (argument array, no shell)
    expect(calls[0]).toEqual([
      '-tniHe',
      '-4', // the client connected to 127.0.0.1: IPv4 only, one sock_diag dump
      'state',
      'established',
      '(',
      'sport',
      '=',
      `:${String(mine?.localPort)}`,
      ')',
    ])
    // only the marked processes' sockets are reported
    expect(snap.sockets.every((s) => s.pids.includes(c.pid ?? -1))).toBe(true)
  })

  it('sees a session program connect and disconnect from /proc/net/tcp, without spawning ss', async () => {
    const port = await listen()
    const { run, ssCalls } = counting()
    const probe = createLinuxProbe({ run, interesting, youngMs: 0 })
    await probe.snapshot()
    const c = await holder(port)
    const mine = (s: { remotePort: number; pids: number[] }): boolean =>
      s.remotePort === port && s.pids.includes(c.pid ?? -1)
    await expect.poll(async () => (await probe.snapshot()).sockets.some(mine), { timeout: 5000 }).toBe(true)
    c.stdin?.end() // the client keeps running; only its connection goes
    await expect.poll(async () => (await probe.snapshot()).sockets.some(mine), { timeout: 5000 }).toBe(false)
    expect(ssCalls()).toBe(0)
  })

  it('churn of other connections (5 per 100 ms) spawns no ss and keeps the session socket', async () => {
    const port = await listen()
    const c = await holder(port)
    const { run, ssCalls } = counting()
    const probe = createLinuxProbe({ run, interesting, youngMs: 0 })
    await probe.snapshot({ counters: true })
    const n0 = ssCalls()
    for (let i = 0; i < 10; i++) {
      await Promise.all(
        Array.from({ length: 5 }, async () => {
          const s = net.connect(port, '127.0.0.1')
          await new Promise((r) => s.once('connect', r))
          s.destroy()
        }),
      )
      const snap = await probe.snapshot()
      expect(snap.sockets.some((s) => s.remotePort === port && s.pids.includes(c.pid ?? -1))).toBe(true)
    }
    expect(ssCalls()).toBe(n0)
  })

  it('stays unchanged while other processes come and go; a new session program changes it', async () => {
    const port = await listen()
    await holder(port)
    const probe = createLinuxProbe({ interesting, youngMs: 0 })
    await probe.snapshot({ counters: true })
    const other = spawn('sleep', ['30'], { stdio: 'ignore' })
    children.push(other)
    // the fork is in the process map, yet detection has nothing new to look at
    // the snapshot that first lists the fork (a new process map) is still unchanged for detection
    const deadline = Date.now() + 5000
    let first = await probe.snapshot()
    while (!first.processes.has(other.pid ?? -1) && Date.now() < deadline) first = await probe.snapshot()
    expect(first.processes.has(other.pid ?? -1)).toBe(true)
    expect(first.unchanged).toBe(true)
    await holder(port)
    expect((await probe.snapshot()).unchanged).toBe(false)
  })

  it('a session program that starts a child (no new connection) is not sameSessions: its family changed', async () => {
    const port = await listen()
    const c = spawn(
      process.execPath,
      [
        '-e',
        `const s = require('net').connect(${String(port)}, '127.0.0.1', () => process.stdout.write('up'));` +
          "process.stdin.on('data', () => { const k = require('child_process').spawn('sleep', ['30'], { stdio: 'ignore' }); process.stdout.write(String(k.pid)) });" +
          'setInterval(() => {}, 60000)',
        MARK,
      ],
      { stdio: ['pipe', 'pipe', 'ignore'] },
    )
    children.push(c)
    await new Promise((r) => c.stdout.once('data', r))
    const probe = createLinuxProbe({ interesting, youngMs: 0 })
    await probe.snapshot({ counters: true })
    expect((await probe.snapshot()).sameSessions).toBe(true)
    const kid = new Promise<number>((r) => c.stdout.once('data', (d: Buffer) => r(Number(String(d)))))
    c.stdin.write('fork\n')
    const pid = await kid
    const deadline = Date.now() + 5000
    let snap = await probe.snapshot()
    while (!snap.processes.has(pid) && Date.now() < deadline) snap = await probe.snapshot()
    expect(snap.processes.get(pid)?.ppid).toBe(c.pid)
    expect([snap.sameSessions, snap.unchanged]).toEqual([false, false])
    process.kill(pid)
  })

  it('a counters reading of the same connections is sameSessions, not unchanged; a new connection is neither', async () => {
    const port = await listen()
    await holder(port)
    const probe = createLinuxProbe({ interesting, youngMs: 0 })
    await probe.snapshot({ counters: true })
    const counters = await probe.snapshot({ counters: true })
    expect(counters.sameSessions).toBe(true)
    expect(counters.unchanged).toBe(false)
    expect(counters.sockets.some((s) => s.remotePort === port && s.lastRecvMs !== undefined)).toBe(true)
    const quiet = await probe.snapshot()
    expect([quiet.sameSessions, quiet.unchanged]).toEqual([true, true])
    await holder(port)
    const next = await probe.snapshot({ counters: true })
    expect([next.sameSessions, next.unchanged]).toEqual([false, false])
  })

  it('has a session program started after other forks in the very next snapshot, and its exit in the one after', async () => {
    const probe = createLinuxProbe({ interesting, youngMs: 0 })
    await probe.snapshot()
    // other programs fork first (the pids before the new one's)
    for (let i = 0; i < 5; i++) await new Promise((r) => spawn('true').once('exit', r))
    const c = spawn(
      process.execPath,
      ['-e', "process.stdout.write('up'); setInterval(() => {}, 60000)", MARK],
      {
        stdio: ['ignore', 'pipe', 'ignore'],
      },
    )
    children.push(c)
    await new Promise((r) => c.stdout.once('data', r))
    expect((await probe.snapshot()).processes.get(c.pid ?? -1)?.argv.includes(MARK)).toBe(true)
    c.kill('SIGKILL')
    await new Promise((r) => c.once('exit', r))
    expect((await probe.snapshot()).processes.has(c.pid ?? -1)).toBe(false)
  })

  it('sees a new interesting process at once and drops one that exited', async () => {
    const probe = createLinuxProbe({ interesting, youngMs: 0 })
    await probe.snapshot()
    const c = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)', MARK], { stdio: 'ignore' })
    children.push(c)
    // seen on the first snapshot after node has exec'd (the exec takes its own time under load)
    await expect
      .poll(async () => (await probe.snapshot()).processes.get(c.pid ?? -1)?.argv, { timeout: 5000 })
      .toEqual([process.execPath, '-e', 'setTimeout(() => {}, 30000)', MARK])
    c.kill('SIGKILL')
    await new Promise((r) => c.once('exit', r))
    const after = await probe.snapshot()
    expect(after.processes.has(c.pid ?? -1)).toBe(false)
  })

  it('finds a process that became a session program by a late exec, long before the periodic sweep', async () => {
    const port = await listen()
    const probe = createLinuxProbe({ interesting, youngMs: 0, fullSweepMs: 600_000 })
    // a shell that is not interesting when first read, then execs into a marked client once told to
    // (a line on its stdin: no race with the first reading however slow the machine is)
    const script =
      `const s = require('net').connect(${String(port)}, '127.0.0.1');` + 'setTimeout(() => s.end(), 30000)'
    const c = spawn('bash', ['-c', `read -r _; exec "$0" -e "$1" ${MARK}`, process.execPath, script], {
      stdio: ['pipe', 'ignore', 'ignore'],
    })
    children.push(c)
    await expect
      .poll(async () => (await probe.snapshot()).processes.get(c.pid ?? -1)?.argv[0], { timeout: 5000 })
      .toBe('bash')
    c.stdin.write('go\n')
    // well inside the 10 min sweep: the late exec and its connection are seen within seconds. With
    // youngMs 0 the fd links of the new program are re-read when its fd count changes, else by the 5 s
    // re-read (node's start-up can open and close fds so the count matches): the deadline allows that.
    await expect
      .poll(
        async () => {
          const snap = await probe.snapshot()
          return (
            snap.processes.get(c.pid ?? -1)?.argv.includes(MARK) === true &&
            snap.sockets.some((sk) => sk.remotePort === port && sk.pids.includes(c.pid ?? -1))
          )
        },
        { timeout: 10_000, interval: 50 },
      )
      .toBe(true)
  })

  it('a kept stat file reads its own process until it exits, then says gone (ESRCH), never another one', async () => {
    const files = new StatFiles('/proc')
    try {
      const c = spawn('sleep', ['60'], { stdio: 'ignore' })
      children.push(c)
      const pid = c.pid ?? -1
      await expect.poll(() => files.read(pid)?.split(' ')[1], { timeout: 5000 }).toBe('(sleep)')
      // the same file, read again: the kernel renders the line afresh (state, times)
      expect(files.read(pid)?.startsWith(`${String(pid)} (sleep) `)).toBe(true)
      c.kill('SIGKILL')
      await new Promise((r) => c.once('exit', r))
      // reaped: the struct pid the file holds has no task any more
      expect(files.read(pid)).toBeNull()
    } finally {
      files.close()
    }
  })

  it('a copy of /proc (not procfs) is read by path: a removed process is gone at once', () => {
    const root = fs.mkdtempSync('/tmp/warden-statfiles-')
    try {
      fs.mkdirSync(`${root}/42`)
      fs.writeFileSync(`${root}/42/stat`, '42 (ssh) S 1 42 42 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 100 0\n')
      const files = new StatFiles(root)
      expect(files.read(42)).toContain('(ssh)')
      fs.rmSync(`${root}/42`, { recursive: true })
      expect(files.read(42)).toBeNull()
      files.close()
    } finally {
      fs.rmSync(root, { recursive: true, force: true })
    }
  })

  it('a session program read every poll sees its exec and its exit through the kept stat file', async () => {
    const probe = createLinuxProbe({ interesting, youngMs: 0, fullSweepMs: 600_000 })
    try {
      const keep = 'setInterval(() => {}, 60000)'
      const c = spawn('bash', ['-c', `read -r _; exec "$0" -e "$1" ${MARK}`, process.execPath, keep], {
        stdio: ['pipe', 'ignore', 'ignore'],
      })
      children.push(c)
      const pid = c.pid ?? -1
      await expect
        .poll(async () => (await probe.snapshot()).processes.get(pid)?.comm, { timeout: 5000 })
        .toBe('bash')
      // read twice more from the kept file: the same reading, handed back as it was
      const a = (await probe.snapshot()).processes.get(pid)
      expect((await probe.snapshot()).processes.get(pid)).toBe(a)
      c.stdin.write('go\n')
      await expect
        .poll(async () => (await probe.snapshot()).processes.get(pid)?.argv, { timeout: 5000 })
        .toEqual([process.execPath, '-e', keep, MARK])
      c.kill('SIGKILL')
      await new Promise((r) => c.once('exit', r))
      expect((await probe.snapshot()).processes.has(pid)).toBe(false)
    } finally {
      probe.close?.()
    }
  })

  /** a marked single-threaded program (perl) holding one connection to port; `open` on its stdin adds one */
  async function perlHolder(port: number): Promise<ChildProcess> {
    const script =
      `my @s = (IO::Socket::INET->new(PeerAddr => "127.0.0.1:${String(port)}") or die); $| = 1; print "up\\n";` +
      `while (my $l = <STDIN>) { push @s, IO::Socket::INET->new(PeerAddr => "127.0.0.1:${String(port)}"); print "opened\\n" }`
    const c = spawn('perl', ['-MIO::Socket::INET', '-e', script, MARK], { stdio: ['pipe', 'pipe', 'ignore'] })
    children.push(c)
    await new Promise((r) => c.stdout.once('data', r))
    return c
  }

  /**
   * Waits until a SIGSTOP sent to pid has taken effect. kill() returns before the target runs its
   * own stop (kernel/signal.c do_signal_stop), and that run changes its schedstat: a poll taken in
   * between would see the process run once more. Stopped ('T') with the same schedstat at two
   * polls in a row, it is off the CPU.
   */
  async function stopped(pid: number): Promise<void> {
    let last = ''
    const settled = (): boolean => {
      const state = fs.readFileSync(`/proc/${String(pid)}/stat`, 'utf8').split(') ')[1]?.[0]
      const run = fs.readFileSync(`/proc/${String(pid)}/schedstat`, 'utf8')
      const same = state === 'T' && run === last
      last = run
      return same
    }
    await expect.poll(settled, { timeout: 5000 }).toBe(true)
  }

  it('a single-threaded session program that has not run since the last poll is not read again (schedstat)', async () => {
    const port = await listen()
    const perl = await perlHolder(port)
    const node = await holder(port) // multi-threaded: its schedstat is its main thread's only
    const probe = createLinuxProbe({ interesting, youngMs: 0, fullSweepMs: 600_000, fdSweepMs: 600_000 })
    const fdStats = vi.spyOn(fs, 'statSync')
    const statted = (pid: number | undefined): number =>
      fdStats.mock.calls.filter(([p]) => p === `/proc/${String(pid)}/fd`).length
    const mine = async (pid: number | undefined): Promise<number> =>
      (await probe.snapshot()).sockets.filter((s) => s.pids.includes(pid ?? -1)).length
    try {
      // the first polls read it all and learn its thread count and schedstat
      for (let i = 0; i < 3; i++) expect(await mine(perl.pid)).toBe(1)
      process.kill(perl.pid ?? -1, 'SIGSTOP')
      process.kill(node.pid ?? -1, 'SIGSTOP')
      await stopped(perl.pid ?? -1)
      await probe.snapshot() // learns the schedstat of the stopped process
      const [perlBefore, nodeBefore] = [statted(perl.pid), statted(node.pid)]
      for (let i = 0; i < 3; i++) expect(await mine(perl.pid)).toBe(1)
      // stopped, it did not run: its fd directory was not looked at again; the node one was
      expect(statted(perl.pid)).toBe(perlBefore)
      expect(statted(node.pid)).toBe(nodeBefore + 3)
      // it runs and opens a connection: seen at the first poll after
      process.kill(perl.pid ?? -1, 'SIGCONT')
      perl.stdin?.write('open\n')
      await new Promise((r) => perl.stdout?.once('data', r))
      expect(await mine(perl.pid)).toBe(2)
      expect(statted(perl.pid)).toBeGreaterThan(perlBefore)
      // killed while stopped, it runs its own exit: gone at the next poll
      process.kill(perl.pid ?? -1, 'SIGSTOP')
      await probe.snapshot()
      await probe.snapshot()
      perl.kill('SIGKILL')
      await new Promise((r) => perl.once('exit', r))
      const after = await probe.snapshot()
      expect(after.processes.has(perl.pid ?? -1)).toBe(false)
      expect(after.sockets.some((s) => s.pids.includes(perl.pid ?? -1))).toBe(false)
    } finally {
      process.kill(node.pid ?? -1, 'SIGCONT')
      fdStats.mockRestore()
      probe.close?.()
    }
  })
})
