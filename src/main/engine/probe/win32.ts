// Windows probe: one PowerShell run per snapshot lists processes (Win32_Process through CIM) and
// established TCP connections (Get-NetTCPConnection), both as JSON; `netstat -ano` stands in when
// Get-NetTCPConnection is not there. No per-socket counters or idle clocks (Windows keeps them,
// GetPerTcpConnectionEStats, but only for connections whose statistics were switched on by an
// administrator), so the tracker uses the desktop's input idle time here.
//
// Costs to know: starting powershell.exe takes a few hundred ms of CPU, so this probe is far
// heavier than the Linux one; a long-lived PowerShell fed over stdin would remove that start cost.
// Windows has no numeric uid: ProcessInfo.uid is -1 for every process.
import type { Probe, ProcessInfo, Snapshot, SocketInfo } from './types'
import { runFile, type RunFile } from './exec'
import { parseEndpoint, normalizeAddress, SocketCollector } from './addr'

const MARK = '<<<warden-sockets>>>'
const TIMEOUT_MS = 15_000

const PROCESS_QUERY =
  'Get-CimInstance -ClassName Win32_Process | ' +
  'Select-Object ProcessId,ParentProcessId,Name,CreationDate,ExecutablePath,CommandLine'

/** The snapshot script: processes, a marker line, then connections ('unavailable' → use netstat). */
export const SNAPSHOT_SCRIPT = [
  "$ErrorActionPreference = 'Stop'",
  '[Console]::OutputEncoding = [System.Text.Encoding]::UTF8',
  `ConvertTo-Json -Compress -InputObject @(${PROCESS_QUERY})`,
  `'${MARK}'`,
  'try {',
  '  $c = @(Get-NetTCPConnection -State Established -ErrorAction Stop |',
  '    Select-Object LocalAddress,LocalPort,RemoteAddress,RemotePort,OwningProcess)',
  '  ConvertTo-Json -Compress -InputObject $c',
  '} catch {',
  // no established connection at all is reported as an ObjectNotFound error
  "  if ($_.CategoryInfo.Category -eq 'ObjectNotFound') { '[]' } else { 'unavailable' }",
  '}',
].join('\n')

function processScript(pid: number): string {
  return [
    "$ErrorActionPreference = 'Stop'",
    '[Console]::OutputEncoding = [System.Text.Encoding]::UTF8',
    `ConvertTo-Json -Compress -InputObject @(Get-CimInstance -ClassName Win32_Process -Filter 'ProcessId = ${pid}' | ` +
      'Select-Object ProcessId,ParentProcessId,Name,CreationDate,ExecutablePath,CommandLine)',
  ].join('\n')
}

function parseJsonArray(text: string): unknown[] {
  const t = text.replace(/^\uFEFF/, '').trim()
  if (t === '' || t === 'null') return []
  const value: unknown = JSON.parse(t)
  // ConvertTo-Json gives a bare object for one item
  if (Array.isArray(value)) return value as unknown[]
  return typeof value === 'object' && value !== null ? [value] : []
}

function record(v: unknown): Record<string, unknown> | null {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null
}

function num(v: unknown): number | null {
  if (typeof v === 'number' && Number.isFinite(v)) return v
  if (typeof v === 'string' && /^-?\d+$/.test(v.trim())) return Number(v)
  return null
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : ''
}

/**
 * A CIM date as ConvertTo-Json writes it, to ms since the epoch:
 * Windows PowerShell 5.1 `"\/Date(1732723201123)\/"` (JSON.parse leaves `/Date(…)/`), with an
 * optional offset that does not change the instant; PowerShell 7 ISO 8601 text; the raw DMTF form
 * `20241127172001.123456+060` (Get-WmiObject); a number; or 5.1's `{ value, DisplayHint }` wrapper.
 */
export function parseCimDate(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null
  const rec = record(v)
  if (rec !== null) return 'value' in rec ? parseCimDate(rec.value) : null
  if (typeof v !== 'string') return null
  const ms = /^\/Date\((-?\d+)(?:[+-]\d{4})?\)\/$/.exec(v)
  if (ms?.[1] !== undefined) return Number(ms[1])
  const dmtf = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})\.(\d{6})([+-])(\d{3})$/.exec(v)
  if (dmtf !== null) {
    const [, y, mo, d, h, mi, s, us, sign, off] = dmtf
    const utc = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s))
    const offsetMin = Number(off) * (sign === '-' ? -1 : 1)
    return utc + Math.floor(Number(us) / 1000) - offsetMin * 60_000
  }
  const t = Date.parse(v)
  return Number.isNaN(t) ? null : t
}

/**
 * A Windows command line split the way the C runtime (and CommandLineToArgvW) builds argv:
 * argv[0] ends at the first space or its closing quote, with no escapes; after it, 2n backslashes
 * before a quote give n backslashes and toggle quoting, 2n+1 give n and a literal quote, and `""`
 * inside quotes is a literal quote.
 */
export function splitWindowsCommandLine(line: string): string[] {
  const argv: string[] = []
  let i = 0
  const n = line.length
  // argv[0]
  let first = ''
  if (line.startsWith('"')) {
    const close = line.indexOf('"', 1)
    first = close < 0 ? line.slice(1) : line.slice(1, close)
    i = close < 0 ? n : close + 1
  } else {
    while (i < n && line[i] !== ' ' && line[i] !== '\t') first += line[i++] ?? ''
  }
  if (line.trim() === '') return []
  argv.push(first)
  for (;;) {
    while (i < n && (line[i] === ' ' || line[i] === '\t')) i++
    if (i >= n) break
    let arg = ''
    let quoted = false
    while (i < n) {
      const c = line[i]
      if (!quoted && (c === ' ' || c === '\t')) break
      if (c === '\\') {
        let slashes = 0
        while (line[i] === '\\') {
          slashes++
          i++
        }
        if (line[i] === '"') {
          arg += '\\'.repeat(Math.floor(slashes / 2))
          if (slashes % 2 === 1) {
            arg += '"'
            i++
          }
        } else arg += '\\'.repeat(slashes)
        continue
      }
      if (c === '"') {
        if (quoted && line[i + 1] === '"') {
          arg += '"'
          i += 2
          continue
        }
        quoted = !quoted
        i++
        continue
      }
      arg += c ?? ''
      i++
    }
    argv.push(arg)
  }
  return argv
}

/** `Get-CimInstance Win32_Process | Select … | ConvertTo-Json` → processes */
export function parseWin32Processes(json: string): Map<number, ProcessInfo> {
  const out = new Map<number, ProcessInfo>()
  for (const item of parseJsonArray(json)) {
    const r = record(item)
    if (r === null) continue
    const pid = num(r.ProcessId)
    if (pid === null) continue
    const commandLine = str(r.CommandLine)
    out.set(pid, {
      pid,
      ppid: num(r.ParentProcessId) ?? 0,
      uid: -1,
      // the System Idle Process has no creation date
      startTime: parseCimDate(r.CreationDate) ?? 0,
      exe: str(r.ExecutablePath),
      argv: commandLine === '' ? [] : splitWindowsCommandLine(commandLine),
      comm: str(r.Name),
    })
  }
  return out
}

/** `Get-NetTCPConnection -State Established | Select … | ConvertTo-Json` → sockets */
export function parseNetTcpConnections(json: string): SocketInfo[] {
  const sockets = new SocketCollector()
  for (const item of parseJsonArray(json)) {
    const r = record(item)
    if (r === null) continue
    const localPort = num(r.LocalPort)
    const remotePort = num(r.RemotePort)
    const pid = num(r.OwningProcess)
    if (localPort === null || remotePort === null || pid === null) continue
    const local = { address: normalizeAddress(str(r.LocalAddress)), port: localPort }
    const remote = { address: normalizeAddress(str(r.RemoteAddress)), port: remotePort }
    sockets.add(pid, local, remote)
  }
  return sockets.sockets
}

// netstat translates its State column; these are the words for an established connection
const ESTABLISHED_WORDS = new Set(['ESTABLISHED', 'HERGESTELLT', 'ÉTABLI', 'ESTABLECIDO', 'STABILITO'])

/** `netstat -ano` → established TCP sockets (both stacks are labelled TCP) */
export function parseNetstatAno(text: string): SocketInfo[] {
  const out: SocketInfo[] = []
  for (const line of text.split(/\r?\n/)) {
    const f = line.trim().split(/\s+/)
    if (f.length !== 5 || f[0] !== 'TCP') continue
    if (!ESTABLISHED_WORDS.has((f[3] ?? '').toUpperCase())) continue
    const local = parseEndpoint(f[1] ?? '')
    const remote = parseEndpoint(f[2] ?? '')
    const pid = num(f[4])
    if (local === null || remote === null || pid === null) continue
    out.push({
      pids: [pid],
      localAddress: local.address,
      localPort: local.port,
      remoteAddress: remote.address,
      remotePort: remote.port,
    })
  }
  return out
}

/** The snapshot script's output: processes JSON, the marker, connections JSON or 'unavailable'. */
export function parseSnapshotOutput(text: string): {
  processes: Map<number, ProcessInfo>
  sockets: SocketInfo[] | null
} {
  const at = text.indexOf(MARK)
  if (at < 0) throw new Error('PowerShell output lacks the sockets marker')
  const tail = text.slice(at + MARK.length).trim()
  return {
    processes: parseWin32Processes(text.slice(0, at)),
    sockets: tail === 'unavailable' ? null : parseNetTcpConnections(tail),
  }
}

export interface Win32ProbeOptions {
  run?: RunFile
}

function systemPath(...parts: string[]): string {
  const root = process.env.SystemRoot ?? 'C:\\Windows'
  return [root, 'System32', ...parts].join('\\')
}

export function createWin32Probe(opts: Win32ProbeOptions = {}): Probe {
  const run = opts.run ?? runFile
  const powershell = systemPath('WindowsPowerShell', 'v1.0', 'powershell.exe')

  async function ps(script: string): Promise<string> {
    // -EncodedCommand (UTF-16LE, base64) keeps the script out of Windows command-line quoting
    const encoded = Buffer.from(script, 'utf16le').toString('base64')
    const r = await run(powershell, ['-NoProfile', '-NonInteractive', '-EncodedCommand', encoded], {
      timeoutMs: TIMEOUT_MS,
    })
    if (r.code !== 0) throw new Error(`powershell exited ${r.code}: ${r.stderr.trim()}`)
    return r.stdout
  }

  return {
    async snapshot(): Promise<Snapshot> {
      const takenAt = Date.now()
      const parsed = parseSnapshotOutput(await ps(SNAPSHOT_SCRIPT))
      let sockets = parsed.sockets
      if (sockets === null) {
        const r = await run(systemPath('NETSTAT.EXE'), ['-ano'], { timeoutMs: TIMEOUT_MS })
        if (r.code !== 0) throw new Error(`netstat exited ${r.code}`)
        sockets = parseNetstatAno(r.stdout)
      }
      return { takenAt, processes: parsed.processes, sockets }
    },

    async readProcess(pid: number): Promise<ProcessInfo | null> {
      if (!Number.isInteger(pid) || pid <= 0) return null
      return parseWin32Processes(await ps(processScript(pid))).get(pid) ?? null
    },
  }
}
