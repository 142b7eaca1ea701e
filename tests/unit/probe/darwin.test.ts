// macOS parsers and probe on recorded text (see tests/fixtures/probe/README.md for where each
// format comes from); the probe runs with a fake program runner.
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import {
  createDarwinProbe,
  parseDarwinProcesses,
  parseLsofSockets,
  parseLstart,
  parsePsArgs,
  parsePsStat,
} from '@engine/probe/darwin'
import type { RunFile } from '@engine/probe/exec'

const fixture = (name: string): string =>
  readFileSync(new URL(`../../fixtures/probe/darwin/${name}`, import.meta.url), 'utf8')

describe('parseLstart', () => {
  it('reads the C-locale lstart as local time, with a space-padded day', () => {
    expect(parseLstart('Thu Nov 27 09:31:07 2026')).toBe(new Date(2026, 10, 27, 9, 31, 7).getTime())
    expect(parseLstart('Mon Nov  3 09:12:01 2026')).toBe(new Date(2026, 10, 3, 9, 12, 1).getTime())
  })
  it('refuses anything else', () => {
    expect(parseLstart('Do 27 Nov 09:31:07 2026')).toBeNull()
    expect(parseLstart('Thu Foo 27 09:31:07 2026')).toBeNull()
    expect(parseLstart('')).toBeNull()
  })
})

describe('ps parsers', () => {
  it('reads pid, ppid, uid, lstart and a comm with spaces', () => {
    const rows = parsePsStat(fixture('ps-stat.txt'))
    expect(rows).toHaveLength(11)
    expect(rows[0]).toEqual({
      pid: 0,
      ppid: 0,
      uid: 0,
      startTime: new Date(2026, 10, 3, 9, 12, 1).getTime(),
      comm: 'kernel_task',
    })
    expect(rows.find((r) => r.pid === 6001)?.comm).toBe(
      '/Applications/Microsoft Remote Desktop.app/Contents/MacOS/Microsoft Remote Desktop',
    )
  })

  it('reads args (split on whitespace: ps has joined argv with spaces)', () => {
    const args = parsePsArgs(fixture('ps-args.txt'))
    expect(args.get(5188)).toEqual(['ssh', '-p', '2222', 'admin@build.example.org'])
    expect(args.get(5190)?.[0]).toBe('ssh:')
  })

  it('joins both into processes: exe only when comm is an absolute path', () => {
    const procs = parseDarwinProcesses(fixture('ps-stat.txt'), fixture('ps-args.txt'))
    expect(procs.size).toBe(11)
    expect(procs.get(5188)).toEqual({
      pid: 5188,
      ppid: 5120,
      uid: 501,
      startTime: new Date(2026, 10, 27, 9, 31, 7).getTime(),
      exe: '',
      argv: ['ssh', '-p', '2222', 'admin@build.example.org'],
      comm: 'ssh',
    })
    expect(procs.get(4050)).toMatchObject({
      ppid: 4012,
      exe: '/Applications/Google Chrome.app/Contents/Frameworks/Google Chrome Framework.framework/Versions/131.0.6778.86/Helpers/Google Chrome Helper.app/Contents/MacOS/Google Chrome Helper',
      comm: 'Google Chrome He',
    })
    expect(procs.get(4050)?.argv).toContain('--utility-sub-type=network.mojom.NetworkService')
  })

  it('keeps a process whose args line is missing (it exited between the two ps runs)', () => {
    const procs = parseDarwinProcesses(fixture('ps-stat.txt'), '')
    expect(procs.get(1)?.argv).toEqual(['/sbin/launchd'])
  })
})

describe('parseLsofSockets', () => {
  const sockets = parseLsofSockets(fixture('lsof-established.txt'))

  it('reads every established socket once, merging the processes that share one', () => {
    expect(sockets).toHaveLength(5)
    expect(sockets.find((s) => s.remotePort === 2222)).toEqual({
      pids: [5188, 5190],
      localAddress: '192.168.1.20',
      localPort: 52201,
      remoteAddress: '203.0.113.10',
      remotePort: 2222,
    })
  })

  it('reads IPv6 and link-local names', () => {
    expect(sockets.find((s) => s.localPort === 52190)).toMatchObject({
      localAddress: '2a02:8070:b84:1f00:8d1:5c2e:9a3b:77e1',
      remoteAddress: '2a00:1450:4001:82b::200e',
      remotePort: 443,
      pids: [4050],
    })
    expect(sockets.find((s) => s.remotePort === 22)).toMatchObject({
      localAddress: 'fe80::1c2b:3aff:fe4d:5e6f%en0',
      remoteAddress: 'fe80::aede:48ff:fe00:1122%en0',
      pids: [5190],
    })
  })

  it('reads NUL-terminated fields (-F0) the same way, and skips non-established and non-TCP files', () => {
    const nul = fixture('lsof-established.txt').replaceAll('\n', '\0')
    expect(parseLsofSockets(nul)).toEqual(sockets)
    const mixed =
      'p1\ncx\nf3\nPTCP\nn*:22\nTST=LISTEN\nf4\nPUDP\nn1.2.3.4:5->6.7.8.9:10\nf5\nPTCP\nn1.2.3.4:5->6.7.8.9:10\nTST=CLOSE_WAIT\n'
    expect(parseLsofSockets(mixed)).toEqual([])
    expect(parseLsofSockets('')).toEqual([])
  })
})

describe('createDarwinProbe', () => {
  const calls: { file: string; args: readonly string[]; lcAll?: string }[] = []
  const run: RunFile = (file, args, options) => {
    calls.push({ file, args, lcAll: options?.env?.LC_ALL })
    if (file === '/usr/sbin/lsof')
      return Promise.resolve({ stdout: fixture('lsof-established.txt'), stderr: '', code: 0 })
    const wantsArgs = args.some((a) => a.includes('args='))
    const pidIndex = args.indexOf('-p')
    let text = fixture(wantsArgs ? 'ps-args.txt' : 'ps-stat.txt')
    if (pidIndex >= 0) {
      const pid = args[pidIndex + 1] ?? ''
      text = text
        .split('\n')
        .filter((l) => l.trim().split(/\s+/)[0] === pid)
        .join('\n')
      return Promise.resolve({ stdout: text, stderr: '', code: text === '' ? 1 : 0 })
    }
    return Promise.resolve({ stdout: text, stderr: '', code: 0 })
  }

  it('runs ps and lsof with argument arrays in the C locale and joins their output', async () => {
    const snap = await createDarwinProbe({ run }).snapshot()
    expect(snap.processes.size).toBe(11)
    expect(snap.sockets).toHaveLength(5)
    expect(calls.map((c) => c.file).sort()).toEqual(['/bin/ps', '/bin/ps', '/usr/sbin/lsof'])
    expect(calls.every((c) => c.lcAll === 'C')).toBe(true)
    expect(calls.find((c) => c.file === '/usr/sbin/lsof')?.args).toEqual([
      '-nP',
      '-iTCP',
      '-sTCP:ESTABLISHED',
      '-FpcnPT',
    ])
  })

  it('readProcess asks ps for one pid; null when ps does not know it', async () => {
    const probe = createDarwinProbe({ run })
    expect(await probe.readProcess(5188)).toMatchObject({ pid: 5188, comm: 'ssh', ppid: 5120 })
    expect(await probe.readProcess(4242)).toBeNull()
    expect(await probe.readProcess(0)).toBeNull()
  })

  it('treats lsof exiting 1 with nothing found as no sockets, and a real lsof failure as an error', async () => {
    const quiet: RunFile = (file, args, options) =>
      file === '/usr/sbin/lsof'
        ? Promise.resolve({ stdout: '', stderr: '', code: 1 })
        : run(file, args, options)
    expect((await createDarwinProbe({ run: quiet }).snapshot()).sockets).toEqual([])
    const broken: RunFile = (file, args, options) =>
      file === '/usr/sbin/lsof'
        ? Promise.resolve({ stdout: '', stderr: 'lsof: status error on -iTCP', code: 1 })
        : run(file, args, options)
    await expect(createDarwinProbe({ run: broken }).snapshot()).rejects.toThrow(/lsof failed/)
  })
})
