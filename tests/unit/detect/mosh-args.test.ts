import { describe, expect, it } from 'vitest'
import { parseMoshClientArgs } from '@engine/detect/mosh-args'

/**
 * mosh-client's argv as the mosh wrapper builds it (scripts/mosh.pl in mobile-shell/mosh):
 *   exec {$client} ("$client", "-# @cmdline |", $ip, $port)
 * where @cmdline is mosh's own argv, joined with single spaces (so its quoting is lost).
 */
function clientArgv(cmdline: readonly string[]): string[] {
  return ['mosh-client', `-# ${cmdline.join(' ')} |`, '10.0.0.5', '60001']
}

describe('mosh-client: the destination among mosh arguments', () => {
  it.each<[string[], string, string | null]>([
    [['alice@db1'], 'db1', 'alice'],
    [['--ssh=ssh -F cfg', 'alias'], 'alias', null], // issue 11: was named "cfg"
    [['--ssh', 'ssh -F cfg', 'alias'], 'alias', null],
    [['--ssh=ssh -i ~/.ssh/id_lab', 'bob@alias'], 'alias', 'bob'],
    [['--ssh=ssh -o Port=2222', 'alias'], 'alias', null],
    [['--ssh=ssh -o', 'ProxyJump=j', 'alias'], 'alias', null],
    [['--ssh=ssh -vF cfg -p 2222', 'alias'], 'alias', null], // a bundle ending in -F
    [['--ssh=ssh -Fcfg -4', 'alias'], 'alias', null], // attached values
    [['--ssh=/usr/bin/ssh', 'alias'], 'alias', null],
    [['--ssh=ssh -F cfg', '--predict=always', '-p', '60001', 'alias', '--', 'tmux', 'a'], 'alias', null],
    [['-p', '60001', '--ssh=ssh -F cfg', '--', 'alias', 'tmux'], 'alias', null],
    [['alias', '--ssh=ssh -F cfg'], 'alias', null], // GetOptions permutes: options may follow
  ])('%j', (cmdline, host, user) => {
    expect(parseMoshClientArgs(clientArgv(cmdline))).toMatchObject({
      host,
      user,
      ip: '10.0.0.5',
      port: 60001,
    })
  })

  it('no destination in the -# word: the address stands', () => {
    expect(parseMoshClientArgs(clientArgv(['--ssh=ssh -F cfg']))).toMatchObject({
      host: null,
      ip: '10.0.0.5',
    })
  })
})
