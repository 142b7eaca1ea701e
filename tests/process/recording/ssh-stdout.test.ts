// The FIFO path of `warden ssh` (src/main/recording/ssh-stdout.ts) with the real programs: the real
// `ssh -G` decides whether ssh will enter raw mode, for command lines and ssh_config options; a real
// writer behind the FIFO for its reading and its end.
import { execFile, execFileSync, spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openStdoutFifo, PIPE_BYTES, sshWillBeRaw } from '../../../src/main/recording/ssh-stdout'
import { BIN, waitFor } from '../../support/peers'

let dir = ''
let config = ''
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'warden-stdout-'))
  config = path.join(dir, 'ssh_config')
  fs.writeFileSync(
    config,
    [
      'Host tty-yes',
      '  RequestTTY yes',
      'Host tty-no',
      '  RequestTTY no',
      'Host has-command',
      '  RemoteCommand uptime',
      'Host no-session',
      '  SessionType none',
      'Host *',
      '  HostName 127.0.0.1',
      '',
    ].join('\n'),
  )
})
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true })
})

describe('sshWillBeRaw (the real ssh -G, which connects nowhere)', () => {
  it.each([
    [['h'], true],
    [['h', 'uptime'], false],
    [['-t', 'h', 'uptime'], true],
    [['h', '-t', 'uptime'], true],
    [['-T', 'h'], false],
    [['-n', 'h'], false],
    [['-tt', '-n', 'h', 'uptime'], true],
    [['tty-yes', 'uptime'], true],
    [['tty-no'], false],
    [['-t', 'tty-no'], true],
    [['has-command'], false],
    [['-t', 'has-command'], true],
    [['no-session'], false],
    [['-o', 'RequestTTY=no', 'h'], false],
    [['-p', 'notaport', 'h'], false],
  ])('%j: %s', async (argv, want) => {
    expect(await sshWillBeRaw(BIN.ssh, ['-F', config, ...argv], { PATH: process.env.PATH })).toBe(want)
  })
})

describe('openStdoutFifo', () => {
  it("reads a writer's bytes in order, ends only after release, and leaves no file behind", async () => {
    const fifo = openStdoutFifo()
    if (fifo === null) throw new Error('no FIFO')
    const { file, args } = fifo.command('/bin/sh', ['-c', 'printf one; sleep 0.2; printf two'])
    const chunks: Buffer[] = []
    fifo.stream.on('data', (b: Buffer) => chunks.push(b))
    const closed = new Promise<void>((resolve) => fifo.stream.once('close', () => resolve()))
    const code = await new Promise<number | null>((resolve) =>
      execFile(file, args, (e) => resolve(e ? 1 : 0)),
    )
    expect(code).toBe(0)
    await waitFor(() => Buffer.concat(chunks).toString() === 'onetwo', 5_000, 'both writes')
    // the writer is gone, but this process's own write end holds the stream open until release
    expect(fifo.stream.destroyed).toBe(false)
    fifo.release()
    await closed
    expect(Buffer.concat(chunks).toString()).toBe('onetwo')
    const folder = path.dirname(args[2] as string)
    expect(fs.existsSync(folder)).toBe(true)
    fifo.dispose()
    expect(fs.existsSync(folder)).toBe(false)
  })

  it('ends soon after release when a process left behind still holds the FIFO (a LocalCommand job)', async () => {
    const fifo = openStdoutFifo()
    if (fifo === null) throw new Error('no FIFO')
    // the background sleep keeps the FIFO's write side open for 20 s after its shell has exited
    const { file, args } = fifo.command('/bin/sh', ['-c', 'sleep 20 & printf last'])
    const chunks: Buffer[] = []
    fifo.stream.on('data', (b: Buffer) => chunks.push(b))
    const closed = new Promise<void>((resolve) => fifo.stream.once('close', () => resolve()))
    const sh = spawn(file, args, { stdio: 'ignore' })
    await new Promise<void>((resolve) => sh.once('exit', () => resolve()))
    const released = performance.now()
    fifo.release()
    await closed
    // long before the sleep is done (20 s): the deadline, not a speed target
    expect(performance.now() - released).toBeLessThan(10_000)
    expect(Buffer.concat(chunks).toString()).toBe('last')
    fifo.dispose()
  })

  it('readNow takes what is queued at once, before the stream sees it; nothing while paused', async () => {
    const fifo = openStdoutFifo()
    if (fifo === null) throw new Error('no FIFO')
    const fifoPath = fifo.command('/bin/true', []).args[2] as string
    const seen: Buffer[] = []
    fifo.stream.on('data', (b: Buffer) => seen.push(b))
    try {
      expect(fifo.readNow()).toBeNull()
      // execFileSync blocks this event loop: the stream cannot read the FIFO meanwhile
      execFileSync('/bin/sh', ['-c', 'printf queued >"$0"', fifoPath])
      expect(fifo.readNow()?.toString()).toBe('queued')
      expect(fifo.readNow()).toBeNull()
      // paused, the stream may hold bytes of its own that must go first: readNow leaves it alone
      fifo.stream.pause()
      execFileSync('/bin/sh', ['-c', 'printf later >"$0"', fifoPath])
      expect(fifo.readNow()).toBeNull()
      fifo.stream.resume()
      await waitFor(() => Buffer.concat(seen).toString() === 'later', 5_000, 'the stream to read "later"')
    } finally {
      fifo.stream.destroy()
      fifo.release()
      fifo.dispose()
    }
  })

  it.runIf(process.platform === 'linux')(
    'holds 1 MB before a writer meets a full pipe (F_SETPIPE_SZ)',
    () => {
      const fifo = openStdoutFifo()
      if (fifo === null) throw new Error('no FIFO')
      const fifoPath = fifo.command('/bin/true', []).args[2] as string
      // paused before a turn of the event loop: nothing reads the FIFO while this test fills it
      fifo.stream.pause()
      const w = fs.openSync(fifoPath, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK)
      const block = Buffer.alloc(16 * 1024, 0x61)
      let held = 0
      try {
        for (;;) held += fs.writeSync(w, block) // non-blocking: EAGAIN once the pipe is full
      } catch (e) {
        expect((e as NodeJS.ErrnoException).code).toBe('EAGAIN')
      } finally {
        fs.closeSync(w)
        fifo.stream.destroy()
        fifo.release()
        fifo.dispose()
      }
      // pipe(7): 64 KB unless enlarged
      expect(held).toBe(PIPE_BYTES)
    },
  )
})
