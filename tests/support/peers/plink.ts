/**
 * PuTTY's plink (putty-tools 0.78) against the test sshd, non-interactive: the client key converted
 * to PuTTY's format (puttygen) and the host key pinned with `-hostkey SHA256:…`, so `-batch` never
 * has to ask anything.
 */
import { join } from 'node:path'
import { userInfo } from 'node:os'
import { execFileText } from './common'
import type { Sshd } from './sshd'

export const PLINK_BIN = '/usr/bin/plink'
export const PUTTYGEN_BIN = '/usr/bin/puttygen'

/** `plink -batch …` options (no host) that log in to the test sshd as the current user. */
export async function plinkOptions(sshd: Sshd): Promise<string[]> {
  const ppk = join(sshd.dir, 'client.ppk')
  await execFileText(PUTTYGEN_BIN, [sshd.keyPath, '-O', 'private', '-o', ppk])
  const fp = await execFileText('/usr/bin/ssh-keygen', [
    '-l',
    '-E',
    'sha256',
    '-f',
    join(sshd.dir, 'host_ed25519.pub'),
  ])
  const sha = fp.split(' ')[1] ?? ''
  return ['-batch', '-ssh', '-P', String(sshd.port), '-l', userInfo().username, '-i', ppk, '-hostkey', sha]
}
