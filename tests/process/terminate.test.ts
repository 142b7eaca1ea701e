import { spawn, type ChildProcess } from 'node:child_process'
import { afterEach, describe, expect, it } from 'vitest'
import { createLinuxProbe } from '@engine/probe/linux'
import { checkPid, descendantsOf, terminateTree, type TerminatePorts } from '@engine/terminate'

const probe = createLinuxProbe()
const children: ChildProcess[] = []
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL')
})

function start(cmd: string, args: string[]): ChildProcess {
  const c = spawn(cmd, args, { stdio: 'ignore' })
  children.push(c)
  return c
}

/** a zombie (dead, not yet reaped by its new parent) counts as gone */
async function alive(pid: number): Promise<boolean> {
  return (await probe.readProcess(pid)) !== null
}

async function identity(pid: number): Promise<{ pid: number; startTime: number; exe: string }> {
  for (let i = 0; i < 200; i++) {
    const p = await probe.readProcess(pid)
    // wait until exec is done (bash → sleep) so the identity is the final one, and bash's trap is set
    if (p?.exe.endsWith('/sleep')) return { pid, startTime: p.startTime, exe: p.exe }
    await new Promise((r) => setTimeout(r, 20))
  }
  throw new Error(`no process ${pid}`)
}

function ports(overrides: Partial<TerminatePorts> = {}): TerminatePorts & { signals: [number, string][] } {
  const signals: [number, string][] = []
  return {
    signals,
    readProcess: (pid) => probe.readProcess(pid),
    descendants: async (pid) => descendantsOf((await probe.snapshot()).processes.values(), pid),
    signal: (pid, sig) => {
      signals.push([pid, sig])
      process.kill(pid, sig)
    },
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    ...overrides,
  }
}

const reaped = (c: ChildProcess): Promise<void> =>
  c.exitCode !== null || c.signalCode !== null
    ? Promise.resolve()
    : new Promise((r) => c.once('exit', () => r()))

describe('terminateTree on real processes', () => {
  it('ends a process with SIGTERM within the grace period', async () => {
    const c = start('sleep', ['60'])
    const id = await identity(c.pid as number)
    const p = ports()
    const out = await terminateTree(id, [], p, { graceMs: 3000 })
    expect(out).toEqual({ ok: true, result: 'ended', killed: false })
    await reaped(c)
    expect(c.signalCode).toBe('SIGTERM')
    expect(p.signals).toEqual([[id.pid, 'SIGTERM']])
  })

  it('kills a process that ignores SIGTERM after the grace period', async () => {
    const c = start('bash', ['-c', 'trap "" TERM; exec sleep 60'])
    const id = await identity(c.pid as number)
    const t0 = Date.now()
    const out = await terminateTree(id, [], ports(), { graceMs: 400 })
    expect(out).toEqual({ ok: true, result: 'ended', killed: true })
    expect(Date.now() - t0).toBeGreaterThanOrEqual(400)
    await reaped(c)
    expect(c.signalCode).toBe('SIGKILL')
  })

  it('ends the whole process tree', async () => {
    const c = start('bash', ['-c', 'sleep 61 & sleep 62 & wait'])
    const id = {
      pid: c.pid as number,
      ...(await probe
        .readProcess(c.pid as number)
        .then((p) => ({ startTime: p?.startTime ?? 0, exe: p?.exe ?? '' }))),
    }
    let kids: number[] = []
    for (let i = 0; i < 100 && kids.length < 2; i++) {
      kids = descendantsOf((await probe.snapshot()).processes.values(), id.pid).map((p) => p.pid)
      await new Promise((r) => setTimeout(r, 20))
    }
    expect(kids).toHaveLength(2)
    const out = await terminateTree(id, [], ports(), { graceMs: 2000 })
    expect(out.ok).toBe(true)
    await reaped(c)
    for (const k of kids) expect(await alive(k)).toBe(false)
  })

  it('never signals a process whose identity changed (PID reuse), and reports it gone', async () => {
    const c = start('sleep', ['60'])
    const id = await identity(c.pid as number)
    const p = ports()
    const out = await terminateTree({ ...id, startTime: id.startTime - 10_000 }, [], p)
    expect(out).toEqual({ ok: true, result: 'already-gone' })
    expect(p.signals).toEqual([])
    expect(await alive(id.pid)).toBe(true)
    const other = await terminateTree({ ...id, exe: '/usr/bin/ssh' }, [], p)
    expect(other.result).toBe('already-gone')
    expect(p.signals).toEqual([])
    expect(await alive(id.pid)).toBe(true)
  })

  it('is idempotent: an exited process is already gone', async () => {
    const c = start('sleep', ['60'])
    const id = await identity(c.pid as number)
    c.kill('SIGKILL')
    await reaped(c)
    expect(await terminateTree(id, [], ports())).toEqual({ ok: true, result: 'already-gone' })
  })

  it('reports a permission error and changes nothing', async () => {
    const c = start('sleep', ['60'])
    const id = await identity(c.pid as number)
    const eperm = Object.assign(new Error('EPERM'), { code: 'EPERM' })
    const out = await terminateTree(
      id,
      [],
      ports({
        signal: () => {
          throw eperm
        },
      }),
    )
    expect(out).toMatchObject({ ok: false, result: 'permission-denied' })
    expect(await alive(id.pid)).toBe(true)
  })

  it('refuses invalid and dangerous pids before any system call', async () => {
    for (const pid of [Number.NaN, 0, 1, -5, 2.5, process.pid]) {
      let calls = 0
      const p = ports({
        readProcess: () => {
          calls++
          return Promise.resolve(null)
        },
        signal: () => {
          calls++
        },
      })
      const out = await terminateTree({ pid, startTime: 1, exe: '/bin/x' }, [], p)
      expect(out).toMatchObject({ ok: false, result: 'refused' })
      expect(calls).toBe(0)
    }
    expect(checkPid('12')).toMatch(/invalid/)
    expect(checkPid(4242)).toBeNull()
  })
})
