/** OpenSSH clients (ssh, a ControlMaster mux, sftp, interactive `cat`) against the test sshd. */
import { execFile } from 'node:child_process'
import { stat } from 'node:fs/promises'
import { clientProc, connectionOf, type ClientProc } from './clients'
import { BIN, waitFor } from './common'
import { descendants } from './proc'
import { establishedSocketsOf, type TcpSocket } from './sockets'
import type { Sshd } from './sshd'
import { adoptPid, failIfExited, newResource, release, spawnTracked, type Spawned } from './tracking'

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
    const client = clientProc(p, socket, r)
    // a mux client's connection is the master's, whoever else holds an inherited fd of it
    return { ...client, socketPid: master ?? client.socketPid, masterPid }
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

/**
 * `sftp -F <cfg> -o LogLevel=VERBOSE -b - warden-test` with stdin kept open and no command sent: an idle,
 * logged-in sftp session (the TCP socket belongs to sftp's `ssh -s sftp` child).
 */
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
