// The real mosh wrapper (the Perl script installed as `mosh`, scripts/mosh.pl in mobile-shell/mosh)
// builds mosh-client's command line; parseMoshClientArgs must find the destination in it. A fake
// ssh answers like mosh-server ("MOSH CONNECT port key", and the server's address through
// --experimental-remote-ip=remote), a fake client records its argv: nothing connects.
import { execFile } from 'node:child_process'
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseMoshClientArgs } from '@engine/detect/mosh-args'
import { findProgram } from '../support/find-program'

const mosh = process.env.MOSH_WRAPPER ?? findProgram('mosh')
let dir = ''

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mosh-wrapper-'))
  const ssh = join(dir, 'ssh')
  writeFileSync(
    ssh,
    "#!/bin/sh\nprintf '\\nMOSH SSH_CONNECTION 10.0.0.5 50000 10.0.0.5 22\\nMOSH CONNECT 60001 AAAAAAAAAAAAAAAAAAAAAA\\n'\n",
  )
  const client = join(dir, 'mosh-client')
  writeFileSync(client, '#!/bin/sh\nfor a in "$0" "$@"; do printf \'%s\\0\' "$a"; done\n')
  for (const f of [ssh, client]) chmodSync(f, 0o755)
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** The argv the wrapper gives mosh-client for these mosh arguments (with the fake ssh and client). */
function clientArgv(args: (ssh: string) => string[]): Promise<string[]> {
  const ssh = join(dir, 'ssh')
  const argv = ['--client', join(dir, 'mosh-client'), '--experimental-remote-ip=remote', ...args(ssh)]
  return new Promise((resolve, reject) => {
    execFile('perl', [mosh ?? 'mosh', ...argv], { timeout: 20_000 }, (err, stdout) => {
      if (err) reject(new Error(`mosh failed: ${err.message}`))
      else resolve(stdout.split('\0').slice(0, -1))
    })
  })
}

describe.skipIf(mosh === null)(
  `the mosh wrapper's mosh-client argv (${mosh ?? 'mosh not installed'})`,
  () => {
    it.each<[string, (ssh: string) => string[], string, string | null]>([
      ["--ssh='ssh -F cfg' alias", (ssh) => [`--ssh=${ssh} -F cfg`, 'alias'], 'alias', null],
      ["--ssh 'ssh -i key' bob@alias", (ssh) => ['--ssh', `${ssh} -i key`, 'bob@alias'], 'alias', 'bob'],
      [
        "--ssh='ssh -o Port=2222' alias -- tmux a",
        (ssh) => [`--ssh=${ssh} -o Port=2222`, 'alias', '--', 'tmux', 'a'],
        'alias',
        null,
      ],
    ])('mosh %s', async (_name, args, host, user) => {
      const argv = await clientArgv(args)
      expect(argv[1]).toMatch(/^-# .* \|$/)
      expect(parseMoshClientArgs(argv)).toMatchObject({ host, user, ip: '10.0.0.5', port: 60001 })
    })
  },
)
