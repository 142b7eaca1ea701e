/**
 * What every peer launcher shares: the binaries, polling with a deadline, free ports, temp dirs and a
 * shell-free `execFile` that returns stdout.
 */
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp } from 'node:fs/promises'
import net from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

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

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

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

/**
 * The opposite of `waitFor`: a state that must last. Checks `predicate` every `intervalMs` (default 50)
 * for `ms` and throws `Error('<label> stopped holding after N ms')` at the first false, so a test that
 * wants "still alive a while later" fails as soon as it stops being so, never on one late look.
 */
export async function holdsFor(
  predicate: () => boolean | Promise<boolean>,
  ms: number,
  label: string,
  intervalMs = 50,
): Promise<void> {
  const started = Date.now()
  for (;;) {
    if (!(await predicate())) throw new Error(`${label} stopped holding after ${Date.now() - started} ms`)
    if (Date.now() - started >= ms) return
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

export async function makeTempDir(kind: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `warden-${kind}-`))
}

// ---------------------------------------------------------------------------------------------------------

export function execFileText(file: string, args: string[], timeoutMs = 10_000): Promise<string> {
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
