/** A throwaway OpenSSH server on loopback, and the `ssh -F` client config that goes with it. */
import { readFile, writeFile } from 'node:fs/promises'
import { userInfo } from 'node:os'
import { join } from 'node:path'
import { BIN, execFileText, freePort, makeTempDir, waitFor } from './common'
import { listenerOwnedBy } from './sockets'
import { failIfExited, newResource, release, spawnTracked } from './tracking'

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
