import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import { afterEach, describe, expect, it } from 'vitest'
import { StatFds } from '@engine/probe/linux-statfds'
import { ProcessTable } from '@engine/probe/linux-procs'
import { parseProcStat } from '@engine/probe/linux-parse'
import type { ProcessInfo } from '@engine/probe/types'

// Kept /proc/<pid>/stat fds against real processes: a read at offset 0 is a fresh reading, a
// reaped process's fd fails (ESRCH) and is closed, and nothing leaks.

const linux = process.platform === 'linux'
const children: ChildProcess[] = []
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL')
})

const MARK = 'warden-statfds-marker'
const interesting = (p: ProcessInfo): boolean => p.argv.includes(MARK)
const clk = { bootMs: 0, ticks: 100 }

function sleeper(): ChildProcess {
  // the marker as argv[0]: sleep takes every operand as a duration
  const c = spawn('sleep', ['600'], { argv0: MARK, stdio: 'ignore' })
  children.push(c)
  return c
}

function exited(c: ChildProcess): Promise<void> {
  if (c.exitCode !== null || c.signalCode !== null) return Promise.resolve()
  return new Promise((r) => c.once('exit', () => r()))
}

async function until(what: string, ok: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 10))
  }
}

const openFds = (): number => fs.readdirSync('/proc/self/fd').length
const stateOf = (text: string | null): string | undefined =>
  text === null ? undefined : parseProcStat(text)?.state
const ticksOf = (pid: number): number => {
  const st = parseProcStat(fs.readFileSync(`/proc/${String(pid)}/stat`, 'utf8'))
  if (st === null) throw new Error(`no stat for ${String(pid)}`)
  return st.startTicks
}
const same = (ticks: number) => (t: string) => parseProcStat(t)?.startTicks === ticks

describe.skipIf(!linux)('StatFds on a real procfs', () => {
  it('is used on /proc and not on a copy of it', () => {
    expect(new StatFds('/proc').enabled).toBe(true)
    expect(new StatFds(fs.mkdtempSync('/tmp/warden-statfds-')).enabled).toBe(false)
  })

  it('shows a state change through the kept fd; after the exit the read fails and the fd is closed', async () => {
    const base = openFds()
    const fds = new StatFds('/proc')
    const c = sleeper()
    const pid = c.pid ?? 0
    await until(
      'the child to sleep',
      () => stateOf(fs.readFileSync(`/proc/${String(pid)}/stat`, 'utf8')) === 'S',
    )
    fds.keep(pid, `/proc/${String(pid)}/stat`, ticksOf(pid), same(ticksOf(pid)))
    expect(fds.has(pid)).toBe(true)
    expect(openFds()).toBe(base + 1)
    expect(stateOf(fds.read(pid))).toBe('S')
    // the fd directory's size through its own kept fd is the number of open fds
    const dir = `/proc/${String(pid)}/fd`
    expect(fds.fdCount(pid, dir)).toBe(fs.readdirSync(dir).length)
    expect(openFds()).toBe(base + 2)
    c.kill('SIGSTOP')
    await until('the stopped state through the same fd', () => stateOf(fds.read(pid)) === 'T')
    c.kill('SIGKILL')
    await exited(c)
    // node has reaped it: no task behind the fd's struct pid any more
    expect(fds.fdCount(pid, dir)).toBeUndefined()
    expect(fds.read(pid)).toBeNull()
    expect(fds.has(pid)).toBe(false)
    expect(openFds()).toBe(base)
  })

  it('does not keep an fd that reads another process than the one read before (a reused pid)', async () => {
    const fds = new StatFds('/proc')
    const [a, b] = [sleeper(), sleeper()]
    const [pa, pb] = [a.pid ?? 0, b.pid ?? 0]
    await until(
      'both children',
      () => fs.existsSync(`/proc/${String(pa)}`) && fs.existsSync(`/proc/${String(pb)}`),
    )
    // pb's stat opened under pa's number, as after a pid reuse between the reading and the open
    fds.keep(pa, `/proc/${String(pb)}/stat`, ticksOf(pa), same(ticksOf(pa)))
    // start ticks are in 1/100 s: the two can tie, and then only the pid tells them apart
    if (ticksOf(pa) !== ticksOf(pb)) expect(fds.has(pa)).toBe(false)
    fds.close()
    expect(fds.size).toBe(0)
  })
})

/** the pid the next fork gets, when this process may set it (root in the pid namespace) */
function setNextPid(pid: number): boolean {
  try {
    fs.writeFileSync('/proc/sys/kernel/ns_last_pid', String(pid - 1))
    return true
  } catch {
    return false
  }
}

describe.skipIf(!linux)('ProcessTable with kept stat fds', () => {
  it('reads a session program through a kept fd and never an old fd for a new process of its pid', async () => {
    const table = new ProcessTable({ procRoot: '/proc', youngMs: 0, fullSweepMs: 60_000, interesting })
    const a = sleeper()
    const pid = a.pid ?? 0
    await until('the child', () => fs.existsSync(`/proc/${String(pid)}`))
    table.scanProcesses(Date.now(), clk)
    table.scanProcesses(Date.now(), clk)
    expect(table.keepsStatFd(pid)).toBe(true)
    const first = table.readOne(pid, Date.now(), clk, true)
    a.kill('SIGKILL')
    await exited(a)
    // a new process on the same pid, where the machine lets us choose it (racy: others fork too)
    let b: ChildProcess | undefined
    for (let i = 0; i < 20 && b?.pid !== pid && setNextPid(pid); i++) {
      b?.kill('SIGKILL')
      b = sleeper()
    }
    const second = table.readOne(pid, Date.now(), clk, true)
    if (b?.pid === pid) {
      expect(second?.startTime).toBe(Math.round(ticksOf(pid) * 10))
      expect(second?.startTime).not.toBe(first?.startTime)
    } else expect(second).toBeNull()
    table.scanProcesses(Date.now(), clk)
    expect(table.keepsStatFd(pid)).toBe(b?.pid === pid)
    table.close()
    expect(table.keptFds).toBe(0)
  })

  it('leaks no fd after 200 session programs come and go', async () => {
    const base = openFds()
    const table = new ProcessTable({ procRoot: '/proc', youngMs: 0, fullSweepMs: 60_000, interesting })
    table.scanProcesses(Date.now(), clk)
    let peak = 0
    for (let round = 0; round < 10; round++) {
      const batch = Array.from({ length: 20 }, () => sleeper())
      await until('the batch', () => batch.every((c) => fs.existsSync(`/proc/${String(c.pid)}`)))
      table.scanProcesses(Date.now(), clk) // found as new pids
      table.scanProcesses(Date.now(), clk) // re-read as known: fds kept
      peak = Math.max(peak, batch.filter((c) => table.keepsStatFd(c.pid ?? 0)).length)
      for (const c of batch) expect(table.fdCount(c.pid ?? 0)).toBeGreaterThan(0)
      for (const c of batch) c.kill('SIGKILL')
      await Promise.all(batch.map(exited))
      table.scanProcesses(Date.now(), clk)
      expect(batch.filter((c) => table.keepsStatFd(c.pid ?? 0))).toEqual([])
    }
    expect(peak).toBe(20)
    // the machine's shells keep theirs until the table is closed
    table.close()
    expect(openFds()).toBe(base)
  })

  it('reads a shell through a kept fd, and sees its late exec of a session program there', async () => {
    const table = new ProcessTable({ procRoot: '/proc', youngMs: 0, fullSweepMs: 60_000, interesting })
    // a shell that waits for a line, then becomes the marked program (same pid, no fork)
    const sh = spawn('bash', ['-c', `read x; exec -a ${MARK} sleep 600`], {
      stdio: ['pipe', 'ignore', 'ignore'],
    })
    children.push(sh)
    const pid = sh.pid ?? 0
    await until('the shell', () => fs.readFileSync(`/proc/${String(pid)}/comm`, 'utf8') === 'bash\n')
    table.scanProcesses(Date.now(), clk)
    table.scanProcesses(Date.now(), clk)
    expect(table.keepsStatFd(pid)).toBe(true)
    expect(table.known.get(pid)?.interesting).toBe(false)
    sh.stdin.end('go\n')
    await until('the exec', () => {
      table.scanProcesses(Date.now(), clk)
      return table.known.get(pid)?.interesting === true
    })
    expect(table.known.get(pid)?.info.argv[0]).toBe(MARK)
    expect(table.keepsStatFd(pid)).toBe(true)
    table.close()
  })
})
