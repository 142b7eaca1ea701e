// Windows parsers and probe on recorded text (see tests/fixtures/probe/README.md for where each
// format comes from); the probe runs with a fake program runner.
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import {
  createWin32Probe,
  parseCimDate,
  parseNetTcpConnections,
  parseNetstatAno,
  parseSnapshotOutput,
  parseWin32Processes,
  SNAPSHOT_SCRIPT,
  splitWindowsCommandLine,
} from '@engine/probe/win32'
import type { RunFile } from '@engine/probe/exec'

const fixture = (name: string): string =>
  readFileSync(new URL(`../../fixtures/probe/win32/${name}`, import.meta.url), 'utf8')

describe('parseCimDate', () => {
  it('reads every form ConvertTo-Json gives a DateTime', () => {
    expect(parseCimDate('/Date(1795799467250)/')).toBe(1795799467250)
    expect(parseCimDate('/Date(1795799467250+0100)/')).toBe(1795799467250)
    expect(parseCimDate('2026-11-27T10:31:07.2501234+01:00')).toBe(Date.UTC(2026, 10, 27, 9, 31, 7, 250))
    expect(parseCimDate('20261127103107.250123+060')).toBe(Date.UTC(2026, 10, 27, 9, 31, 7, 250))
    expect(parseCimDate({ value: '/Date(5)/', DisplayHint: 2 })).toBe(5)
    expect(parseCimDate(1234)).toBe(1234)
    expect(parseCimDate(null)).toBeNull()
    expect(parseCimDate('not a date')).toBeNull()
  })
})

describe('splitWindowsCommandLine', () => {
  it.each([
    ['ssh  -p 2222 admin@build.example.org', ['ssh', '-p', '2222', 'admin@build.example.org']],
    ['"C:\\Windows\\system32\\mstsc.exe" /v:server01', ['C:\\Windows\\system32\\mstsc.exe', '/v:server01']],
    ['"C:\\Program Files\\App\\app.exe" ', ['C:\\Program Files\\App\\app.exe']],
    // argv[0] takes backslashes literally; later arguments follow the backslash-quote rules
    ['C:\\a\\b.exe "x y" a\\\\\\"b "c\\\\" d', ['C:\\a\\b.exe', 'x y', 'a\\"b', 'c\\', 'd']],
    ['app "say ""hi""" z', ['app', 'say "hi"', 'z']],
    ['app a\\b\\\\c', ['app', 'a\\b\\\\c']],
    ['app ""', ['app', '']],
    ['', []],
  ])('%s', (line, argv) => {
    expect(splitWindowsCommandLine(line)).toEqual(argv)
  })
})

describe('parseWin32Processes', () => {
  it('reads Windows PowerShell 5.1 output: /Date()/ dates, nulls, escaped text', () => {
    const procs = parseWin32Processes(fixture('processes.json.txt'))
    expect(procs.size).toBe(9)
    expect(procs.get(0)).toEqual({
      pid: 0,
      ppid: 0,
      uid: -1,
      startTime: 0,
      exe: '',
      argv: [],
      comm: 'System Idle Process',
    })
    expect(procs.get(10432)).toEqual({
      pid: 10432,
      ppid: 9120,
      uid: -1,
      startTime: 1795799467250,
      exe: 'C:\\Windows\\System32\\OpenSSH\\ssh.exe',
      argv: ['ssh', '-p', '2222', 'admin@build.example.org'],
      comm: 'ssh.exe',
    })
    expect(procs.get(11208)?.argv).toEqual([
      'C:\\Windows\\system32\\mstsc.exe',
      '/v:server01.corp.example.com',
    ])
    expect(procs.get(13376)?.argv).toEqual([
      'powershell.exe',
      '-NoProfile',
      '-Command',
      "Write-Host 'a < b & c'",
      'C:\\a b\\',
      '"q"',
    ])
  })

  it('reads a single object (one result) and PowerShell 7 ISO dates, with a BOM', () => {
    const procs = parseWin32Processes(`\uFEFF${fixture('process-single-pwsh7.json.txt')}`)
    expect(procs.get(10432)?.startTime).toBe(Date.UTC(2026, 10, 27, 9, 31, 7, 250))
    expect(parseWin32Processes('')).toEqual(new Map())
    expect(parseWin32Processes('null')).toEqual(new Map())
  })
})

describe('socket parsers', () => {
  it('reads Get-NetTCPConnection JSON, unmapping IPv4-mapped and keeping zones', () => {
    const sockets = parseNetTcpConnections(fixture('tcp.json.txt'))
    expect(sockets).toHaveLength(6)
    expect(sockets[2]).toEqual({
      pids: [10432],
      localAddress: '192.168.1.20',
      localPort: 52201,
      remoteAddress: '203.0.113.10',
      remotePort: 2222,
    })
    expect(sockets[4]).toMatchObject({ localAddress: '127.0.0.1', remoteAddress: '127.0.0.1', pids: [4] })
    expect(sockets[5]).toMatchObject({ localAddress: 'fe80::5d2c:1a7:3e9b:44f0%12', remotePort: 22 })
    expect(parseNetTcpConnections(fixture('tcp-single.json.txt'))).toHaveLength(1)
  })

  it('reads netstat -ano: established TCP rows of both stacks only', () => {
    const sockets = parseNetstatAno(fixture('netstat-ano.txt'))
    expect(sockets.map((s) => [s.localPort, s.remotePort, s.pids[0]])).toEqual([
      [49733, 49734, 7344],
      [52144, 443, 12100],
      [52201, 2222, 10432],
      [52300, 3389, 11208],
      [8080, 51273, 16248],
      [52190, 443, 12100],
      [52330, 22, 10432],
    ])
    expect(sockets[6]?.localAddress).toBe('fe80::5d2c:1a7:3e9b:44f0%12')
  })

  it('netstat and Get-NetTCPConnection agree on the connections both list', () => {
    const fromNetstat = parseNetstatAno(fixture('netstat-ano.txt'))
    for (const s of parseNetTcpConnections(fixture('tcp.json.txt'))) {
      const twin = fromNetstat.find((n) => n.localPort === s.localPort && n.remotePort === s.remotePort)
      if (twin !== undefined) expect(twin).toEqual(s)
    }
  })
})

describe('createWin32Probe', () => {
  it('runs one encoded PowerShell script and splits its output', async () => {
    const calls: { file: string; args: readonly string[] }[] = []
    const run: RunFile = (file, args) => {
      calls.push({ file, args })
      return Promise.resolve({ stdout: fixture('snapshot-output.txt'), stderr: '', code: 0 })
    }
    const snap = await createWin32Probe({ run }).snapshot()
    expect(snap.processes.size).toBe(9)
    expect(snap.sockets).toHaveLength(6)
    expect(calls).toHaveLength(1)
    const [call] = calls
    expect(call?.file).toMatch(/\\System32\\WindowsPowerShell\\v1\.0\\powershell\.exe$/)
    expect(call?.args.slice(0, 3)).toEqual(['-NoProfile', '-NonInteractive', '-EncodedCommand'])
    expect(Buffer.from(call?.args[3] ?? '', 'base64').toString('utf16le')).toBe(SNAPSHOT_SCRIPT)
  })

  it('uses netstat -ano when Get-NetTCPConnection is unavailable', async () => {
    const run: RunFile = (file) =>
      Promise.resolve({
        stdout: fixture(file.endsWith('NETSTAT.EXE') ? 'netstat-ano.txt' : 'snapshot-output-no-nettcpip.txt'),
        stderr: '',
        code: 0,
      })
    const snap = await createWin32Probe({ run }).snapshot()
    expect(snap.processes.size).toBe(9)
    expect(snap.sockets).toHaveLength(7)
  })

  it('readProcess filters by a numeric pid only; null when not found', async () => {
    const scripts: string[] = []
    const run: RunFile = (_file, args) => {
      const script = Buffer.from(args[3] ?? '', 'base64').toString('utf16le')
      scripts.push(script)
      const one = script.includes("'ProcessId = 10432'")
      return Promise.resolve({
        stdout: one ? fixture('process-single-pwsh7.json.txt') : '[]',
        stderr: '',
        code: 0,
      })
    }
    const probe = createWin32Probe({ run })
    expect(await probe.readProcess(10432)).toMatchObject({ pid: 10432, comm: 'ssh.exe' })
    expect(await probe.readProcess(77)).toBeNull()
    expect(await probe.readProcess(Number.NaN)).toBeNull()
    expect(scripts).toHaveLength(2)
  })

  it('fails the snapshot when PowerShell fails or its output is cut', async () => {
    const failing: RunFile = () => Promise.resolve({ stdout: '', stderr: 'boom', code: 1 })
    await expect(createWin32Probe({ run: failing }).snapshot()).rejects.toThrow(/powershell exited 1/)
    expect(() => parseSnapshotOutput('[]')).toThrow(/marker/)
  })
})
