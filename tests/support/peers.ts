/**
 * Real remote peers on loopback for the integration tests: OpenSSH (sshd + ssh/sftp clients), xrdp +
 * xfreerdp under Xvfb, and a Node HTTP/WebSocket server held open by headless Chromium.
 *
 * Every server listens on 127.0.0.1 only, on a free port. Everything started here is tracked:
 * `stopAll()` ends it (process trees included) and removes its temp dirs; a process 'exit' / signal hook
 * does the same synchronously if a test run dies before `stopAll()`.
 *
 * Linux only (reads /proc, runs `ss`). Install the binaries with `tests/support/ensure-testbed.sh`.
 * Never uses a shell string: every process is spawned with an argument array.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import http from 'node:http'
import net from 'node:net'
import { tmpdir, userInfo } from 'node:os'
import { join } from 'node:path'
import type { Duplex } from 'node:stream'

// ---------------------------------------------------------------------------------------------------------
// Binaries (Debian paths; ensure-testbed.sh installs them)

export const BIN = {
  sshd: '/usr/sbin/sshd',
  ssh: '/usr/bin/ssh',
  sshKeygen: '/usr/bin/ssh-keygen',
  sftp: '/usr/bin/sftp',
  xvfb: '/usr/bin/Xvfb',
  xrdp: '/usr/sbin/xrdp',
  xfreerdp: '/usr/bin/xfreerdp',
  openssl: '/usr/bin/openssl',
  chromium: '/usr/bin/chromium',
  ss: '/usr/bin/ss',
  bash: '/bin/bash',
} as const

/** Which of the binaries the peers need are missing (empty: all there). */
export function missingBinaries(): string[] {
  return Object.values(BIN).filter((p) => !existsSync(p))
}

// ---------------------------------------------------------------------------------------------------------
// Small helpers

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/**
 * Poll `predicate` (every `intervalMs`, default 50) until it returns a truthy value, and return that value.
 * A predicate that throws aborts the wait with its error (use it to fail fast, e.g. when a process died).
 * On timeout: `Error('Timed out after N ms waiting for <label>')`.
 */
export async function waitFor<T>(
  predicate: () => T | Promise<T>,
  timeoutMs: number,
  label: string,
  intervalMs = 50,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await predicate()
    if (value) return value
    if (Date.now() >= deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${label}`)
    await sleep(intervalMs)
  }
}

const reservedPorts = new Set<number>()

/**
 * A TCP port that was free on 127.0.0.1 a moment ago (bind port 0, read it, close). Never hands out the
 * same port twice in one process. Another process may still grab it: launchers retry on a failed bind.
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = net.createServer()
      server.unref()
      server.once('error', reject)
      server.listen({ host: '127.0.0.1', port: 0, exclusive: true }, () => {
        const address = server.address()
        const p = typeof address === 'object' && address ? address.port : 0
        server.close(() => {
          resolve(p)
        })
      })
    })
    if (port > 0 && !reservedPorts.has(port)) {
      reservedPorts.add(port)
      return port
    }
  }
  throw new Error('freePort: no free port found')
}

async function makeTempDir(kind: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `warden-${kind}-`))
}

// ---------------------------------------------------------------------------------------------------------
// /proc

interface ProcStat {
  pid: number
  ppid: number
  pgid: number
  state: string
  startTime: string
  comm: string
}

function parseStat(pid: number, text: string): ProcStat | undefined {
  // comm may contain spaces and parentheses: it ends at the last ')'.
  const close = text.lastIndexOf(')')
  if (close < 0) return undefined
  const comm = text.slice(text.indexOf('(') + 1, close)
  const fields = text.slice(close + 2).split(' ')
  // fields[0] = state (field 3), [1] = ppid, [2] = pgrp, ..., [19] = starttime (field 22)
  const [state, ppid, pgid] = fields
  const startTime = fields[19]
  if (state === undefined || ppid === undefined || pgid === undefined || startTime === undefined) {
    return undefined
  }
  return { pid, ppid: Number(ppid), pgid: Number(pgid), state, startTime, comm }
}

function readStatSync(pid: number): ProcStat | undefined {
  try {
    return parseStat(pid, readFileSync(`/proc/${pid}/stat`, 'utf8'))
  } catch {
    return undefined
  }
}

function procTableSync(): ProcStat[] {
  const out: ProcStat[] = []
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    const s = readStatSync(Number(name))
    if (s) out.push(s)
  }
  return out
}

/** Synchronous on purpose: ~1 ms per 100 processes, and no burst of open files when many waits poll at once. */
function procTable(): Promise<ProcStat[]> {
  return Promise.resolve(procTableSync())
}

function descendantsIn(table: ProcStat[], roots: Iterable<number>): number[] {
  const children = new Map<number, number[]>()
  for (const p of table) {
    const list = children.get(p.ppid)
    if (list) list.push(p.pid)
    else children.set(p.ppid, [p.pid])
  }
  const seen = new Set<number>()
  const queue = [...roots]
  while (queue.length > 0) {
    const pid = queue.shift()
    if (pid === undefined) break
    for (const child of children.get(pid) ?? []) {
      if (!seen.has(child)) {
        seen.add(child)
        queue.push(child)
      }
    }
  }
  return [...seen]
}

/** All descendants of `pid` (children, grandchildren, ...), read from /proc. Excludes `pid` itself. */
export async function descendants(pid: number): Promise<number[]> {
  return descendantsIn(await procTable(), [pid])
}

/** True while `pid` exists and is not a zombie. */
export function isAlive(pid: number): boolean {
  const s = readStatSync(pid)
  return s !== undefined && s.state !== 'Z' && s.state !== 'X'
}

/** Parent pid of `pid` (undefined when it is gone). */
export function parentOf(pid: number): number | undefined {
  return readStatSync(pid)?.ppid
}

// ---------------------------------------------------------------------------------------------------------
// Sockets (ss)

export interface SocketOwner {
  name: string
  pid: number
  fd: number
}

export interface TcpSocket {
  localAddress: string
  localPort: number
  peerAddress: string
  peerPort: number
  owners: SocketOwner[]
}

function execFileText(file: string, args: string[], timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) {
        reject(new Error(`${file} ${args.join(' ')} failed: ${error.message}\n${stderr}`))
      } else {
        resolve(stdout)
      }
    })
  })
}

function splitHostPort(text: string): { address: string; port: number } {
  const i = text.lastIndexOf(':')
  let address = text.slice(0, i)
  if (address.startsWith('[') && address.endsWith(']')) address = address.slice(1, -1)
  const scope = address.indexOf('%')
  if (scope >= 0) address = address.slice(0, scope)
  const port = text.slice(i + 1)
  return { address, port: port === '*' ? 0 : Number(port) }
}

function parseSs(output: string): TcpSocket[] {
  const sockets: TcpSocket[] = []
  for (const line of output.split('\n')) {
    if (line.trim() === '') continue
    const u = line.indexOf('users:(')
    const head = (u >= 0 ? line.slice(0, u) : line).trim().split(/\s+/)
    const local = head.at(-2)
    const peer = head.at(-1)
    if (local === undefined || peer === undefined) continue
    const owners: SocketOwner[] = []
    if (u >= 0) {
      for (const m of line.slice(u).matchAll(/\("((?:[^"\\]|\\.)*)",pid=(\d+),fd=(\d+)\)/g)) {
        owners.push({ name: m[1] ?? '', pid: Number(m[2]), fd: Number(m[3]) })
      }
    }
    const l = splitHostPort(local)
    const p = splitHostPort(peer)
    sockets.push({
      localAddress: l.address,
      localPort: l.port,
      peerAddress: p.address,
      peerPort: p.port,
      owners,
    })
  }
  return sockets
}

/** Every established TCP socket on this machine (`ss -tnpH state established`). */
export async function establishedSockets(): Promise<TcpSocket[]> {
  return parseSs(await execFileText(BIN.ss, ['-tnpH', 'state', 'established']))
}

/** Every listening TCP socket (`ss -tlnpH`). */
export async function listeningSockets(): Promise<TcpSocket[]> {
  return parseSs(await execFileText(BIN.ss, ['-tlnpH']))
}

/** Established TCP sockets owned by any of `pids` (optionally only those whose peer port is `peerPort`). */
export async function establishedSocketsOf(pids: Iterable<number>, peerPort?: number): Promise<TcpSocket[]> {
  const wanted = new Set(pids)
  return (await establishedSockets()).filter(
    (s) => (peerPort === undefined || s.peerPort === peerPort) && s.owners.some((o) => wanted.has(o.pid)),
  )
}

/** Established sockets owned by `pid` or any of its descendants. */
export async function establishedSocketsOfTree(pid: number, peerPort?: number): Promise<TcpSocket[]> {
  return establishedSocketsOf([pid, ...(await descendants(pid))], peerPort)
}

export interface TcpStats {
  bytesSent: number
  bytesReceived: number
  /** ms since this socket last sent / received data (the kernel's own idle clock). */
  lastSendMs: number
  lastReceiveMs: number
}

/**
 * Kernel counters of one established connection, seen from `socket`'s side (`ss -tni`), or undefined when
 * it is gone.
 */
export async function tcpStats(socket: TcpSocket): Promise<TcpStats | undefined> {
  const out = await execFileText(BIN.ss, [
    '-tniH',
    'state',
    'established',
    'src',
    `${socket.localAddress}:${socket.localPort}`,
    'dst',
    `${socket.peerAddress}:${socket.peerPort}`,
  ])
  if (out.trim() === '') return undefined
  const num = (key: string) => Number(new RegExp(`\\b${key}:(\\d+)`).exec(out)?.[1] ?? 0)
  return {
    bytesSent: num('bytes_sent'),
    bytesReceived: num('bytes_received'),
    lastSendMs: num('lastsnd'),
    lastReceiveMs: num('lastrcv'),
  }
}

async function listenerOwnedBy(pid: number, port: number): Promise<boolean> {
  const tree = new Set([pid, ...(await descendants(pid))])
  return (await listeningSockets()).some(
    (s) => s.localAddress === '127.0.0.1' && s.localPort === port && s.owners.some((o) => tree.has(o.pid)),
  )
}

// ---------------------------------------------------------------------------------------------------------
// Process tracking and cleanup

interface Resource {
  label: string
  /** Process-group leaders we spawned (detached) and other pids we must end (an ssh mux master). */
  pids: Map<number, string> // pid -> start time (guards against pid reuse)
  dirs: Set<string>
  closers: Array<() => Promise<void>>
  order: StopOrder
  /** Also end processes whose command line contains this (Chromium's crashpad handlers leave the tree). */
  cmdlineMarker?: string
  stopping?: Promise<void>
}

const resources = new Set<Resource>()

function newResource(label: string, order: StopOrder = 'leaves-first'): Resource {
  const r: Resource = { label, pids: new Map(), dirs: new Set(), closers: [], order }
  resources.add(r)
  return r
}

function adoptPid(r: Resource, pid: number): void {
  const s = readStatSync(pid)
  if (s) r.pids.set(pid, s.startTime)
}

/** pids (other than ours) whose command line contains `marker`. */
function pidsMentioningSync(marker: string): number[] {
  const out: number[] = []
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue
    try {
      if (readFileSync(`/proc/${name}/cmdline`, 'utf8').includes(marker)) out.push(Number(name))
    } catch {
      // gone
    }
  }
  return out
}

function adoptStrays(r: Resource): void {
  if (r.cmdlineMarker !== undefined) for (const pid of pidsMentioningSync(r.cmdlineMarker)) adoptPid(r, pid)
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig)
  } catch {
    // already gone
  }
}

/** SIGKILL the process groups led by our (still the same) spawned processes. */
function killGroups(roots: Map<number, string>): void {
  for (const [pid, start] of roots) {
    if (readStatSync(pid)?.startTime === start) signal(-pid, 'SIGKILL')
  }
}

/** Snapshot: the tracked pids still alive (same start time) plus all their live descendants. */
function treeSnapshot(table: ProcStat[], roots: Map<number, string>): Map<number, string> {
  const byPid = new Map(table.map((p) => [p.pid, p]))
  const live = [...roots].filter(([pid, start]) => byPid.get(pid)?.startTime === start).map(([pid]) => pid)
  const all = new Map<number, string>()
  for (const pid of [...live, ...descendantsIn(table, live)]) {
    const p = byPid.get(pid)
    if (p && p.state !== 'Z') all.set(pid, p.startTime)
  }
  // whole process groups we created (detached children lead their own group)
  for (const p of table) {
    if (roots.has(p.pgid) && byPid.get(p.pgid)?.startTime === roots.get(p.pgid) && p.state !== 'Z') {
      all.set(p.pid, p.startTime)
    }
  }
  return all
}

function stillRunning(snapshot: Map<number, string>): number[] {
  return [...snapshot]
    .filter(([pid, start]) => {
      const s = readStatSync(pid)
      return s !== undefined && s.startTime === start && s.state !== 'Z' && s.state !== 'X'
    })
    .map(([pid]) => pid)
}

/**
 * How a resource's processes are ended (`stop()` / `stopAll()`):
 * - 'leaves-first': SIGTERM the deepest processes first, so each parent is still alive to reap its
 *   children (sshd's per-connection children, a ProxyJump's `ssh -W`, sftp's ssh) — no orphaned zombies;
 * - 'root-first': SIGTERM the root and let it take its own tree down (Chromium, which would relaunch a
 *   killed network service); leftovers then go leaves-first;
 * - 'kill': SIGKILL at once (a client started with SIGTERM ignored).
 * Whatever is still running after the grace period gets SIGKILL (and so does each whole process group).
 */
export type StopOrder = 'leaves-first' | 'root-first' | 'kill'

async function killTrees(roots: Map<number, string>, graceMs: number, order: StopOrder): Promise<void> {
  const seen = new Map<number, string>() // every process of the trees, even after it was orphaned
  const collect = (table: ProcStat[]) => {
    for (const [pid, start] of treeSnapshot(table, roots)) seen.set(pid, start)
  }
  collect(await procTable())
  if (stillRunning(seen).length === 0) return
  const deadline = Date.now() + (order === 'kill' ? 0 : graceMs)
  const termed = new Set<number>()
  if (order === 'root-first') {
    for (const pid of stillRunning(roots)) {
      signal(pid, 'SIGTERM')
      termed.add(pid)
    }
    const rootDeadline = Date.now() + graceMs / 2
    while (Date.now() < rootDeadline && stillRunning(roots).length > 0) await sleep(50)
  }
  while (Date.now() < deadline) {
    const table = await procTable()
    collect(table) // children forked meanwhile are caught too
    const live = new Set(stillRunning(seen))
    if (live.size === 0) return
    const hasLiveChild = new Set(table.filter((p) => live.has(p.pid)).map((p) => p.ppid))
    for (const pid of live) {
      if (!hasLiveChild.has(pid) && !termed.has(pid)) {
        signal(pid, 'SIGTERM')
        termed.add(pid)
      }
    }
    await sleep(25)
  }
  collect(await procTable())
  killGroups(roots)
  for (const pid of stillRunning(seen)) signal(pid, 'SIGKILL')
  await waitFor(() => stillRunning(seen).length === 0, 5000, 'killed processes to exit').catch(
    (e: unknown) => {
      throw new Error(`could not kill ${stillRunning(seen).join(', ')}: ${String(e)}`, { cause: e })
    },
  )
}

async function release(r: Resource, graceMs = 1500): Promise<void> {
  r.stopping ??= (async () => {
    for (const close of r.closers) {
      await close().catch(() => undefined)
    }
    try {
      adoptStrays(r)
      await killTrees(r.pids, graceMs, r.order)
    } finally {
      for (const dir of r.dirs) await rm(dir, { recursive: true, force: true })
      resources.delete(r)
    }
  })()
  return r.stopping
}

/** Stop everything started by this module (process trees, servers) and remove every temp dir. */
export async function stopAll(): Promise<void> {
  const results = await Promise.allSettled([...resources].map((r) => release(r, 1000)))
  const failed = results.filter((x): x is PromiseRejectedResult => x.status === 'rejected')
  if (failed.length > 0) throw new Error(`stopAll: ${failed.map((f) => String(f.reason)).join('; ')}`)
}

/** Synchronous last-resort cleanup for process 'exit' and fatal signals. */
function cleanupSync(): void {
  if (resources.size === 0) return
  let table: ProcStat[] = []
  try {
    table = procTableSync()
  } catch {
    // /proc unreadable: fall back to the groups
  }
  for (const r of resources) {
    try {
      adoptStrays(r)
    } catch {
      // best effort
    }
    const snapshot = treeSnapshot(table, r.pids)
    killGroups(r.pids)
    for (const pid of snapshot.keys()) signal(pid, 'SIGKILL')
    for (const dir of r.dirs) {
      try {
        rmSync(dir, { recursive: true, force: true })
      } catch {
        // best effort
      }
    }
  }
  resources.clear()
}

process.on('exit', cleanupSync)
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(sig, () => {
    cleanupSync()
    process.kill(process.pid, sig) // default action now that our listener is gone
  })
}

// ---------------------------------------------------------------------------------------------------------
// Spawning

interface Spawned {
  proc: ChildProcess
  pid: number
  exited: Promise<number | null>
  /** Last 16 KiB of stdout + stderr, for error messages. */
  output: () => string
}

function spawnTracked(
  r: Resource,
  file: string,
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; cwd?: string; stdin?: 'pipe' | 'ignore'; extraFds?: number } = {},
): Spawned {
  const stdio: Array<'pipe' | 'ignore'> = [opts.stdin ?? 'ignore', 'pipe', 'pipe']
  for (let i = 0; i < (opts.extraFds ?? 0); i++) stdio.push('pipe')
  const proc = spawn(file, args, {
    stdio,
    env: opts.env ?? process.env,
    cwd: opts.cwd,
    detached: true, // own process group: stop() can end the whole tree
  })
  let out = ''
  const keep = (chunk: Buffer) => {
    out = (out + chunk.toString('utf8')).slice(-16_384)
  }
  proc.stdout?.on('data', keep)
  proc.stderr?.on('data', keep)
  const exited = new Promise<number | null>((resolve) => {
    proc.once('exit', (code) => {
      resolve(code)
    })
    proc.once('error', (e) => {
      out += `\nspawn error: ${e.message}`
      resolve(null)
    })
  })
  const pid = proc.pid
  if (pid === undefined) {
    throw new Error(`could not spawn ${file}`)
  }
  adoptPid(r, pid)
  return { proc, pid, exited, output: () => out }
}

function hasExited(p: Spawned): boolean {
  return p.proc.exitCode !== null || p.proc.signalCode !== null
}

function failIfExited(p: Spawned, what: string): void {
  if (hasExited(p)) {
    const how = p.proc.signalCode ?? `code ${String(p.proc.exitCode)}`
    throw new Error(`${what} exited early (${how}):\n${p.output().trim()}`)
  }
}

// ---------------------------------------------------------------------------------------------------------
// OpenSSH

export interface Sshd {
  host: '127.0.0.1'
  port: number
  /** sshd's pid (the listener; connections are its children). */
  pid: number
  dir: string
  configPath: string
  /** `ssh -F` file defining warden-test, warden-jump, warden-via-jump, warden-mux. */
  clientConfigPath: string
  /** Private key of the client (authorized for root). */
  keyPath: string
  /** Control socket of the `warden-mux` alias. */
  controlPath: string
  output: () => string
  stop: () => Promise<void>
}

export const SSH_ALIASES = ['warden-test', 'warden-jump', 'warden-via-jump', 'warden-mux'] as const

function sshdConfig(dir: string, port: number): string {
  return [
    'ListenAddress 127.0.0.1',
    `Port ${port}`,
    `HostKey ${join(dir, 'host_ed25519')}`,
    `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
    `PidFile ${join(dir, 'sshd.pid')}`,
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'UsePAM no',
    'StrictModes no',
    'PermitRootLogin yes',
    'AllowTcpForwarding yes',
    'AllowAgentForwarding no',
    'X11Forwarding no',
    'PrintMotd no',
    'PrintLastLog no',
    'UseDNS no',
    'LogLevel ERROR',
    'MaxStartups 200',
    'MaxSessions 200',
    'Subsystem sftp internal-sftp',
    // Remote commands run under the login shell, and bash reads ~/.bashrc when started by sshd. A slow or
    // stuck rc file (a pyenv rehash lock, say) would stall every remote command for a minute: the test
    // server's sessions get a HOME of their own with no rc files.
    `SetEnv HOME=${dir}`,
    '',
  ].join('\n')
}

function sshClientConfig(dir: string, port: number, user: string): string {
  // First match wins in ssh_config: alias-specific blocks come first, shared defaults last (`Host *`, so
  // that a plain `ssh -F cfg -p PORT -i KEY user@127.0.0.1` needs no host-key prompt either).
  return [
    'Host warden-via-jump',
    '  ProxyJump warden-jump',
    '',
    'Host warden-mux',
    '  ControlMaster auto',
    `  ControlPath ${join(dir, 'cm-%r@%h:%p')}`,
    '  ControlPersist 60',
    '',
    `Host ${SSH_ALIASES.join(' ')}`,
    '  HostName 127.0.0.1',
    `  Port ${port}`,
    `  User ${user}`,
    '',
    'Host *',
    `  IdentityFile ${join(dir, 'client_ed25519')}`,
    '  IdentitiesOnly yes',
    '  StrictHostKeyChecking no',
    `  UserKnownHostsFile ${join(dir, 'known_hosts')}`,
    '  GlobalKnownHostsFile /dev/null',
    '  BatchMode yes',
    '  LogLevel ERROR',
    '  ConnectTimeout 10',
    '  ServerAliveInterval 0',
    '  ControlMaster no',
    '  ControlPath none',
    '  ForwardAgent no',
    '  ForwardX11 no',
    '',
  ].join('\n')
}

/**
 * Start a throwaway sshd on 127.0.0.1:<free port> (`sshd -D -e -f <cfg>`), with its own host key and an
 * authorized client key for the current user (root in CI; as non-root, sshd can only log in that same
 * user, which is what the aliases use). Resolves once sshd listens on the port.
 */
export async function startSshd(): Promise<Sshd> {
  const r = newResource('sshd')
  try {
    const dir = await makeTempDir('sshd')
    r.dirs.add(dir)
    const hostKey = join(dir, 'host_ed25519')
    const keyPath = join(dir, 'client_ed25519')
    await Promise.all([
      execFileText(BIN.sshKeygen, ['-q', '-t', 'ed25519', '-N', '', '-C', 'warden-host', '-f', hostKey]),
      execFileText(BIN.sshKeygen, ['-q', '-t', 'ed25519', '-N', '', '-C', 'warden-client', '-f', keyPath]),
    ])
    await writeFile(join(dir, 'authorized_keys'), await readFile(`${keyPath}.pub`), { mode: 0o600 })

    const configPath = join(dir, 'sshd_config')
    const user = userInfo().username
    const clientConfigPath = join(dir, 'ssh_config')
    for (let attempt = 1; ; attempt++) {
      const port = await freePort()
      await writeFile(configPath, sshdConfig(dir, port), { mode: 0o600 })
      await writeFile(clientConfigPath, sshClientConfig(dir, port, user), { mode: 0o600 })
      const p = spawnTracked(r, BIN.sshd, ['-D', '-e', '-f', configPath])
      try {
        await waitFor(
          async () => {
            failIfExited(p, 'sshd')
            return listenerOwnedBy(p.pid, port)
          },
          10_000,
          `sshd to listen on 127.0.0.1:${port}`,
        )
      } catch (e) {
        const collided = /Address already in use|Cannot bind/i.test(p.output())
        if (collided && attempt < 5) continue
        throw e
      }
      return {
        host: '127.0.0.1',
        port,
        pid: p.pid,
        dir,
        configPath,
        clientConfigPath,
        keyPath,
        controlPath: join(dir, `cm-${user}@127.0.0.1:${port}`),
        output: p.output,
        stop: () => release(r),
      }
    }
  } catch (e) {
    await release(r)
    throw e
  }
}

export interface ClientProc {
  /** pid of the process we spawned (after `exec`, that is ssh itself). */
  pid: number
  proc: ChildProcess
  /** Exit code; null when ended by a signal. */
  exited: Promise<number | null>
  /** The established connection to the server (for a mux client: the master's). */
  socket: TcpSocket
  /** pid that owns `socket` (the client, one of its children, or the mux master). */
  socketPid: number
  /** For `warden-mux`: pid of the backgrounded ControlMaster. */
  masterPid?: number
  output: () => string
  stop: () => Promise<void>
}

/** The ClientProc of a spawned client whose connection is up. */
function clientProc(p: Spawned, socket: TcpSocket, r: Resource): ClientProc {
  const owner = socket.owners[0]
  return {
    pid: p.pid,
    proc: p.proc,
    exited: p.exited,
    socket,
    socketPid: owner ? owner.pid : p.pid,
    output: p.output,
    stop: () => release(r),
  }
}

export interface SshClientOptions {
  /** Start ssh with SIGTERM ignored (`bash -c 'trap "" TERM; exec ssh …'`): only SIGKILL ends it. */
  ignoreSigterm?: boolean
  /** Remote command, appended after `args` (e.g. 'cat'). */
  command?: string
  /** How long to wait for the connection (default 10 s). */
  timeoutMs?: number
  /**
   * Also wait until the login went through (default true), not only the TCP handshake: adds
   * `-o LogLevel=VERBOSE` and waits for 'Authenticated to'. A mux client reusing a master skips this.
   */
  waitForAuth?: boolean
}

async function connectionOf(
  p: Spawned,
  port: number,
  what: string,
  timeoutMs: number,
  extraPids: () => number[] = () => [],
): Promise<TcpSocket> {
  return waitFor(
    async () => {
      failIfExited(p, what)
      const pids = [p.pid, ...(await descendants(p.pid)), ...extraPids()]
      return (await establishedSocketsOf(pids, port))[0]
    },
    timeoutMs,
    `${what} to hold an established connection to 127.0.0.1:${port}`,
  )
}

const AUTHENTICATED = /^Authenticated to \S+ \(.*\) using "/m

/** Wait for ssh's VERBOSE 'Authenticated to HOST (…) using "publickey".' line (ProxyJump: the final hop). */
async function waitForAuthentication(p: Spawned, what: string, timeoutMs: number, mayExit = false) {
  await waitFor(
    () => {
      if (AUTHENTICATED.test(p.output())) return true
      if (!(mayExit && p.proc.exitCode === 0)) failIfExited(p, what)
      return false
    },
    timeoutMs,
    `${what} to authenticate`,
  )
}

async function muxMasterPid(sshd: Sshd): Promise<number | undefined> {
  try {
    await stat(sshd.controlPath)
  } catch {
    return undefined
  }
  const text = await new Promise<string>((resolve) => {
    execFile(BIN.ssh, ['-F', sshd.clientConfigPath, '-O', 'check', 'warden-mux'], (_e, stdout, stderr) => {
      resolve(`${stdout}${stderr}`)
    })
  })
  const m = /Master running \(pid=(\d+)\)/.exec(text)
  return m ? Number(m[1]) : undefined
}

/**
 * Spawn `ssh -F <client config> -o LogLevel=VERBOSE ...args [command]` and resolve once its connection is
 * ESTABLISHED (a socket to sshd owned by ssh or one of its descendants, e.g. the `-W` child of a
 * ProxyJump) and the login went through (see `waitForAuth`). stdin is a pipe (kept open).
 *
 * For the `warden-mux` alias: resolves once the ControlMaster answers on its socket and holds the
 * connection. The first such client starts the master (ControlPersist backgrounds it with setsid, so it
 * leaves the client's tree; it is tracked and ended with that client); later ones reuse it and own no TCP
 * socket. Note: the first client keeps an inherited fd of the master's TCP socket, so `ss` lists both
 * pids as owners. A `-N` client that starts the master exits 0 at once (the master carries on); a `-N`
 * client joining an existing master stays running, holding only the control socket.
 */
export async function sshClient(
  sshd: Sshd,
  args: string[],
  opts: SshClientOptions = {},
): Promise<ClientProc> {
  const r = newResource(`ssh ${args.join(' ')}`, opts.ignoreSigterm ? 'kill' : 'leaves-first')
  try {
    const sshArgs = [
      '-F',
      sshd.clientConfigPath,
      // VERBOSE prints 'Authenticated to …' once the (final) login is through: our readiness signal
      ...(opts.waitForAuth === false ? [] : ['-o', 'LogLevel=VERBOSE']),
      ...args,
      ...(opts.command === undefined ? [] : [opts.command]),
    ]
    const mux = args.includes('warden-mux')
    const existingMaster = mux ? await muxMasterPid(sshd) : undefined
    const p = opts.ignoreSigterm
      ? spawnTracked(r, BIN.bash, ['-c', 'trap "" TERM; exec "$0" "$@"', BIN.ssh, ...sshArgs], {
          stdin: 'pipe',
        })
      : spawnTracked(r, BIN.ssh, sshArgs, { stdin: 'pipe' })
    const timeoutMs = opts.timeoutMs ?? 10_000

    let masterPid: number | undefined
    if (mux) {
      masterPid = await waitFor(
        async () => {
          const pid = await muxMasterPid(sshd)
          if (pid === undefined) failIfExited(p, 'ssh (mux)')
          return pid
        },
        timeoutMs,
        `the ControlMaster socket ${sshd.controlPath}`,
      )
      // The client that started the master owns it (stopping a client that merely reuses it keeps it).
      if (masterPid !== existingMaster) adoptPid(r, masterPid)
    }
    const master = masterPid
    const socket = await connectionOf(p, sshd.port, 'ssh', timeoutMs, () =>
      master === undefined ? [] : [master],
    ).catch((e: unknown) => {
      // A `-N` mux client hands its work to the master and exits 0 at once: the master is what counts.
      if (master !== undefined && p.proc.exitCode === 0) {
        return connectionOfPid(master, sshd.port, timeoutMs)
      }
      throw e
    })
    if (opts.waitForAuth !== false && existingMaster === undefined) {
      await waitForAuthentication(p, 'ssh', timeoutMs, master !== undefined)
    }
    const owner = socket.owners[0]
    return {
      pid: p.pid,
      proc: p.proc,
      exited: p.exited,
      socket,
      socketPid: master ?? (owner ? owner.pid : p.pid),
      masterPid,
      output: p.output,
      stop: () => release(r),
    }
  } catch (e) {
    await release(r)
    throw e
  }
}

async function connectionOfPid(pid: number, port: number, timeoutMs: number): Promise<TcpSocket> {
  return waitFor(
    async () => (await establishedSocketsOf([pid, ...(await descendants(pid))], port))[0],
    timeoutMs,
    `pid ${pid} to hold a connection to 127.0.0.1:${port}`,
  )
}

/**
 * `sftp -F <cfg> -o LogLevel=VERBOSE -b - warden-test` with stdin kept open and no command sent: an idle,
 * logged-in sftp session (the TCP socket belongs to sftp's `ssh -s sftp` child).
 */
/** `n` idle `ssh -N` sessions, started `parallel` at a time (the benchmarks' crowds). */
export async function sshBatch(sshd: Sshd, n: number, parallel = 10): Promise<ClientProc[]> {
  const out: ClientProc[] = []
  for (let i = 0; i < n; i += parallel) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(parallel, n - i) }, () =>
        sshClient(sshd, ['-N', 'warden-test'], { timeoutMs: 30_000 }),
      ),
    )
    out.push(...batch)
  }
  return out
}

export async function sftpClient(sshd: Sshd, timeoutMs = 10_000): Promise<ClientProc> {
  const r = newResource('sftp')
  try {
    const args = ['-F', sshd.clientConfigPath, '-o', 'LogLevel=VERBOSE', '-b', '-', 'warden-test']
    const p = spawnTracked(r, BIN.sftp, args, { stdin: 'pipe' })
    const socket = await connectionOf(p, sshd.port, 'sftp', timeoutMs)
    await waitForAuthentication(p, 'sftp', timeoutMs)
    return clientProc(p, socket, r)
  } catch (e) {
    await release(r)
    throw e
  }
}

export interface InteractiveSsh extends ClientProc {
  /** Send one line through the session and wait for the remote echo; resolves with the round trip in ms. */
  poke: (text?: string) => Promise<number>
}

/**
 * An ssh session running `cat` remotely with stdin/stdout piped: each `poke()` makes real traffic in both
 * directions on demand, and otherwise the session stays idle. Resolves after a first (warm-up) echo.
 */
export async function sshInteractive(sshd: Sshd, opts: SshClientOptions = {}): Promise<InteractiveSsh> {
  const client = await sshClient(sshd, ['-T', 'warden-test'], { ...opts, command: 'cat' })
  let received = ''
  client.proc.stdout?.on('data', (chunk: Buffer) => {
    received = (received + chunk.toString('utf8')).slice(-65_536)
  })
  let counter = 0
  const poke = async (text?: string): Promise<number> => {
    const stdin = client.proc.stdin
    if (!stdin || stdin.destroyed) throw new Error('poke: ssh stdin is closed')
    const line = `${text ?? 'poke'}-${process.pid}-${++counter}`
    const started = performance.now()
    stdin.write(`${line}\n`)
    await waitFor(
      () => {
        if (client.proc.exitCode !== null || client.proc.signalCode !== null) {
          throw new Error(`poke: ssh exited:\n${client.output()}`)
        }
        return received.includes(`${line}\n`)
      },
      5000,
      `the echo of ${line}`,
      10,
    )
    return performance.now() - started
  }
  // Warm-up: the session channel and the remote `cat` exist once the first line comes back.
  await poke('warm-up')
  return { ...client, poke }
}

/** Make an interactive ssh session generate traffic now (one line each way). */
export function sendTraffic(client: InteractiveSsh, text?: string): Promise<number> {
  return client.poke(text)
}

// ---------------------------------------------------------------------------------------------------------
// RDP: Xvfb + xrdp + xfreerdp

export interface Xvfb {
  /** e.g. ':3' */
  display: string
  pid: number
  stop: () => Promise<void>
}

/** Xvfb on a display it picks itself (`-displayfd`), no TCP. */
export async function startXvfb(timeoutMs = 10_000): Promise<Xvfb> {
  const r = newResource('Xvfb')
  try {
    const p = spawnTracked(
      r,
      BIN.xvfb,
      ['-displayfd', '3', '-screen', '0', '1280x800x24', '-nolisten', 'tcp', '-noreset'],
      { extraFds: 1 },
    )
    let displayText = ''
    const fd3 = p.proc.stdio[3]
    if (fd3 && 'on' in fd3) {
      fd3.on('data', (chunk: Buffer) => {
        displayText += chunk.toString('utf8')
      })
    }
    const display = await waitFor(
      () => {
        failIfExited(p, 'Xvfb')
        const m = /^(\d+)\n/.exec(displayText)
        return m ? `:${m[1] ?? ''}` : undefined
      },
      timeoutMs,
      'Xvfb to report its display',
    )
    return { display, pid: p.pid, stop: () => release(r) }
  } catch (e) {
    await release(r)
    throw e
  }
}

export interface Xrdp {
  host: '127.0.0.1'
  port: number
  /** The X display (Xvfb) that xfreerdp clients draw on. */
  display: string
  /** xrdp listener pid (it forks one child per connection). */
  pid: number
  xvfbPid: number
  dir: string
  iniPath: string
  logPath: string
  output: () => string
  stop: () => Promise<void>
}

function xrdpIni(dir: string, port: number): string {
  return [
    '[Globals]',
    'ini_version=1',
    'fork=true',
    `port=tcp://127.0.0.1:${port}`,
    'use_vsock=false',
    'tcp_nodelay=true',
    'tcp_keepalive=true',
    // TLS with our own throwaway certificate. (The standard RDP security layer would need
    // /etc/xrdp/rsakeys.ini: that path is compiled in, it cannot be pointed at a temp file.)
    'security_layer=tls',
    'crypt_level=high',
    `certificate=${join(dir, 'cert.pem')}`,
    `key_file=${join(dir, 'key.pem')}`,
    'ssl_protocols=TLSv1.2, TLSv1.3',
    'autorun=',
    'allow_channels=true',
    'allow_multimon=true',
    'bitmap_cache=true',
    'bitmap_compression=true',
    'bulk_compression=true',
    'max_bpp=32',
    'new_cursors=true',
    'use_fastpath=both',
    '',
    '[Logging]',
    `LogFile=${join(dir, 'xrdp.log')}`,
    'LogLevel=INFO',
    'EnableSyslog=false',
    '',
    // Without these, xfreerdp's channel join fails ("requested 4 channels, got 0"). drdynvc off: with it,
    // xrdp 0.9.21 logs "dynamic_monitor_open_response: error" for every xfreerdp 2.11 client.
    '[Channels]',
    'rdpdr=true',
    'rdpsnd=true',
    'drdynvc=false',
    'cliprdr=true',
    'rail=true',
    'xrdpvr=true',
    'tcutils=true',
    '',
    // One session type that never reaches xrdp-sesman (which we do not run): a VNC backend on port 1,
    // where nothing listens. Connections sit at xrdp's own login screen, which is a real RDP session.
    '[Warden]',
    'name=Warden test (login screen only)',
    'lib=libvnc.so',
    'username=ask',
    'password=ask',
    'ip=127.0.0.1',
    'port=1',
    '',
  ].join('\n')
}

/**
 * Xvfb + `xrdp -n -c <tmp xrdp.ini>` listening on 127.0.0.1:<free port> with a throwaway TLS cert.
 * No xrdp-sesman: clients get the login screen.
 */
export async function startXrdp(): Promise<Xrdp> {
  const xvfb = await startXvfb()
  const r = newResource('xrdp')
  r.closers.push(xvfb.stop)
  try {
    const dir = await makeTempDir('xrdp')
    r.dirs.add(dir)
    await execFileText(BIN.openssl, [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
      '-days',
      '2',
      '-subj',
      '/CN=127.0.0.1',
    ])
    const iniPath = join(dir, 'xrdp.ini')
    const logPath = join(dir, 'xrdp.log')
    for (let attempt = 1; ; attempt++) {
      const port = await freePort()
      await writeFile(iniPath, xrdpIni(dir, port), { mode: 0o600 })
      const p = spawnTracked(r, BIN.xrdp, ['-n', '-c', iniPath], { cwd: dir })
      try {
        await waitFor(
          async () => {
            failIfExited(p, 'xrdp')
            return listenerOwnedBy(p.pid, port)
          },
          10_000,
          `xrdp to listen on 127.0.0.1:${port}`,
        )
      } catch (e) {
        const log = await readFile(logPath, 'utf8').catch(() => '')
        if (/in use|bind|listen/i.test(log + p.output()) && attempt < 5) continue
        throw new Error(`${String(e)}\nxrdp.log:\n${log}`, { cause: e })
      }
      return {
        host: '127.0.0.1',
        port,
        display: xvfb.display,
        pid: p.pid,
        xvfbPid: xvfb.pid,
        dir,
        iniPath,
        logPath,
        output: p.output,
        stop: () => release(r),
      }
    }
  } catch (e) {
    await release(r)
    throw e
  }
}

export interface XfreerdpOptions {
  /** Send credentials (`/u: /p:`): xrdp then auto-logs on instead of waiting at its login screen. */
  user?: string
  password?: string
  extraArgs?: string[]
  timeoutMs?: number
}

/**
 * `DISPLAY=<xrdp's Xvfb> xfreerdp /v:127.0.0.1:<port> /cert:ignore ...` (FreeRDP 2.11 takes both
 * `/cert:ignore` and the older `/cert-ignore`). Resolves once its socket is established.
 */
export async function xfreerdpClient(xrdp: Xrdp, opts: XfreerdpOptions = {}): Promise<ClientProc> {
  const r = newResource('xfreerdp')
  try {
    const home = await makeTempDir('xfreerdp-home')
    r.dirs.add(home)
    const args = [`/v:127.0.0.1:${xrdp.port}`, '/cert:ignore', '/log-level:WARN', '/size:1024x768']
    if (opts.user !== undefined) args.push(`/u:${opts.user}`)
    if (opts.password !== undefined) args.push(`/p:${opts.password}`)
    args.push(...(opts.extraArgs ?? []))
    const p = spawnTracked(r, BIN.xfreerdp, args, {
      env: { ...process.env, DISPLAY: xrdp.display, HOME: home, XDG_CONFIG_HOME: join(home, '.config') },
    })
    const timeoutMs = opts.timeoutMs ?? 10_000
    const socket = await connectionOf(p, xrdp.port, 'xfreerdp', timeoutMs)
    // Server side: TLS up for this very connection, then capabilities exchanged (keymap loaded): from here
    // xrdp shows its login screen (~1 s after spawn).
    const tls = `TLS connection established from 127.0.0.1 port ${socket.localPort}:`
    await waitFor(
      async () => {
        failIfExited(p, 'xfreerdp')
        const log = await readFile(xrdp.logPath, 'utf8').catch(() => '')
        const at = log.indexOf(tls)
        return at >= 0 && log.indexOf('Loading keymap file', at) >= 0
      },
      timeoutMs,
      `xrdp to accept the RDP session from port ${socket.localPort}`,
    )
    return clientProc(p, socket, r)
  } catch (e) {
    await release(r)
    throw e
  }
}

// ---------------------------------------------------------------------------------------------------------
// Web: node:http + a hand-made WebSocket endpoint, and headless Chromium

export interface WebServer {
  host: '127.0.0.1'
  port: number
  /** `http://127.0.0.1:<port>/` — add `?ping=<ms>` (default 2000; 0 = never) to set the page's ping period. */
  url: string
  /** Open WebSocket connections right now. */
  connections: () => number
  /** WebSocket messages received so far (the page's pings). */
  messages: () => number
  stop: () => Promise<void>
}

const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11'

const PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>Warden test page</title></head>
<body><p id="state">connecting</p>
<script>
  const q = new URLSearchParams(location.search)
  const every = Number(q.get('ping') ?? 2000)
  const ws = new WebSocket('ws://' + location.host + '/ws')
  const state = document.getElementById('state')
  ws.onopen = () => {
    state.textContent = 'open'
    if (every > 0) setInterval(() => ws.send('ping ' + Date.now()), every)
  }
  ws.onmessage = (e) => { state.textContent = 'got ' + e.data }
  ws.onclose = () => { state.textContent = 'closed' }
</script></body></html>
`

function wsFrame(opcode: number, payload: Buffer): Buffer {
  const len = payload.length
  let header: Buffer
  if (len < 126) {
    header = Buffer.from([0x80 | opcode, len])
  } else if (len < 65_536) {
    header = Buffer.alloc(4)
    header[0] = 0x80 | opcode
    header[1] = 126
    header.writeUInt16BE(len, 2)
  } else {
    header = Buffer.alloc(10)
    header[0] = 0x80 | opcode
    header[1] = 127
    header.writeBigUInt64BE(BigInt(len), 2)
  }
  return Buffer.concat([header, payload])
}

/** Serve one accepted WebSocket: answers text messages with 'pong', pings with pongs, closes on close. */
function serveWebSocket(socket: Duplex, onMessage: () => void): void {
  let buf = Buffer.alloc(0)
  socket.on('data', (chunk: Buffer) => {
    buf = Buffer.concat([buf, chunk])
    for (;;) {
      if (buf.length < 2) return
      const b0 = buf[0] ?? 0
      const b1 = buf[1] ?? 0
      const opcode = b0 & 0x0f
      const masked = (b1 & 0x80) !== 0
      let len = b1 & 0x7f
      let offset = 2
      if (len === 126) {
        if (buf.length < 4) return
        len = buf.readUInt16BE(2)
        offset = 4
      } else if (len === 127) {
        if (buf.length < 10) return
        len = Number(buf.readBigUInt64BE(2))
        offset = 10
      }
      const maskLen = masked ? 4 : 0
      if (buf.length < offset + maskLen + len) return
      const mask = buf.subarray(offset, offset + maskLen)
      const payload = Buffer.from(buf.subarray(offset + maskLen, offset + maskLen + len))
      if (masked) for (let i = 0; i < payload.length; i++) payload[i] = (payload[i] ?? 0) ^ (mask[i % 4] ?? 0)
      buf = buf.subarray(offset + maskLen + len)
      if (opcode === 0x8) {
        socket.end(wsFrame(0x8, payload.subarray(0, 2)))
        return
      } else if (opcode === 0x9) {
        socket.write(wsFrame(0xa, payload))
      } else if (opcode === 0x1 || opcode === 0x2) {
        onMessage()
        socket.write(wsFrame(0x1, Buffer.from('pong')))
      }
    }
  })
}

/**
 * node:http server on 127.0.0.1:<free port>. `/` serves a page that opens a WebSocket to `/ws` and sends a
 * ping every `?ping=` ms; the server answers each with 'pong'. The WebSocket is a held TCP connection.
 */
export async function startWebServer(): Promise<WebServer> {
  const r = newResource('web server')
  const sockets = new Set<Duplex>()
  const wsSockets = new Set<Duplex>()
  let messageCount = 0
  const server = http.createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname
    if (path === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' })
      res.end(PAGE)
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' })
      res.end('not found\n')
    }
  })
  server.on('connection', (s: net.Socket) => {
    sockets.add(s)
    s.once('close', () => sockets.delete(s))
  })
  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex) => {
    const key = req.headers['sec-websocket-key']
    const upgrade = req.headers.upgrade
    if (typeof key !== 'string' || upgrade?.toLowerCase() !== 'websocket' || !req.url?.startsWith('/ws')) {
      socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n')
      return
    }
    const accept = createHash('sha1')
      .update(key + WS_GUID)
      .digest('base64')
    socket.write(
      'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        `Sec-WebSocket-Accept: ${accept}\r\n\r\n`,
    )
    wsSockets.add(socket)
    socket.once('close', () => wsSockets.delete(socket))
    // upgraded sockets are half-open capable: when the browser goes away, finish our side too
    socket.once('end', () => {
      socket.end()
      wsSockets.delete(socket)
    })
    socket.on('error', () => undefined)
    serveWebSocket(socket, () => {
      messageCount++
    })
  })
  r.closers.push(
    () =>
      new Promise<void>((resolve) => {
        for (const s of [...sockets, ...wsSockets]) s.destroy()
        server.close(() => {
          resolve()
        })
      }),
  )
  try {
    for (let attempt = 1; ; attempt++) {
      const port = await freePort()
      const ok = await new Promise<boolean>((resolve, reject) => {
        const onError = (e: NodeJS.ErrnoException) => {
          if (e.code === 'EADDRINUSE' && attempt < 5) resolve(false)
          else reject(e)
        }
        server.once('error', onError)
        server.listen({ host: '127.0.0.1', port, exclusive: true }, () => {
          server.off('error', onError)
          resolve(true)
        })
      })
      if (!ok) continue
      return {
        host: '127.0.0.1',
        port,
        url: `http://127.0.0.1:${port}/`,
        connections: () => wsSockets.size,
        messages: () => messageCount,
        stop: () => release(r),
      }
    }
  } catch (e) {
    await release(r)
    throw e
  }
}

export interface ChromiumOptions {
  extraArgs?: string[]
  timeoutMs?: number
}

export interface Chromium {
  /** The browser (root) process. */
  pid: number
  proc: ChildProcess
  /** An established socket to the page's server (it belongs to the network-service child). */
  socket: TcpSocket
  socketPid: number
  userDataDir: string
  output: () => string
  stop: () => Promise<void>
}

/**
 * Headless Chromium (root-safe flags, fresh profile) opening `url`. Resolves once the browser's process
 * tree holds an established socket to the url's port.
 */
export async function startChromium(url: string, opts: ChromiumOptions = {}): Promise<Chromium> {
  const r = newResource('chromium', 'root-first')
  try {
    const target = new URL(url)
    const port = Number(target.port || (target.protocol === 'https:' ? 443 : 80))
    const userDataDir = await makeTempDir('chromium')
    r.dirs.add(userDataDir)
    r.cmdlineMarker = userDataDir // also in the crashpad handlers' --database=
    const args = [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--no-default-browser-check',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-breakpad',
      '--disable-crash-reporter',
      '--disable-dev-shm-usage',
      `--user-data-dir=${userDataDir}`,
      ...(opts.extraArgs ?? []),
      url,
    ]
    const p = spawnTracked(r, BIN.chromium, args, {
      env: {
        ...process.env,
        HOME: userDataDir,
        XDG_CONFIG_HOME: join(userDataDir, '.config'),
        XDG_CACHE_HOME: join(userDataDir, '.cache'),
      },
    })
    const socket = await connectionOf(p, port, 'chromium', opts.timeoutMs ?? 20_000)
    const owner = socket.owners[0]
    return {
      pid: p.pid,
      proc: p.proc,
      socket,
      socketPid: owner ? owner.pid : p.pid,
      userDataDir,
      output: p.output,
      stop: () => release(r),
    }
  } catch (e) {
    await release(r)
    throw e
  }
}

/** Number of resources (servers, clients) currently tracked: 0 after `stopAll()`. */
export function trackedCount(): number {
  return resources.size
}

/** Every pid currently tracked, with its live descendants (for leak checks in tests). */
export async function trackedPids(): Promise<number[]> {
  const table = await procTable()
  const all = new Set<number>()
  for (const r of resources) {
    adoptStrays(r)
    for (const pid of treeSnapshot(table, r.pids).keys()) all.add(pid)
  }
  return [...all]
}

/** Temp dirs currently owned by tracked resources. */
export function trackedDirs(): string[] {
  return [...resources].flatMap((r) => [...r.dirs])
}
