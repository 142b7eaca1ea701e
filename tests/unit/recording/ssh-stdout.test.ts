// When `warden ssh` may take ssh's stdout through a FIFO: only when ssh will put its terminal in raw
// mode, i.e. when it requests a pty (ssh.c main's tty_flag, src/main/recording/ssh-stdout.ts).
import { describe, expect, it } from 'vitest'
import { parseConfigDump, requestsTty } from '../../../src/main/recording/ssh-stdout'

const cfg = (o: Record<string, string>): Map<string, string> => new Map(Object.entries(o))

describe('requestsTty (ssh.c main, with stdin a terminal)', () => {
  it.each([
    // requesttty, command given, extra options, expected
    ['auto', false, {}, true],
    ['auto', true, {}, false],
    ['true', true, {}, true],
    ['force', true, {}, true],
    ['false', false, {}, false],
    ['false', true, {}, false],
    // RemoteCommand in ssh_config counts as a command
    ['auto', false, { remotecommand: 'uptime' }, false],
    ['auto', false, { remotecommand: 'none' }, true],
    ['true', false, { remotecommand: 'uptime' }, true],
    // -N / SessionType none: no session, no pty even with -t
    ['true', false, { sessiontype: 'none' }, false],
    ['auto', false, { sessiontype: 'subsystem' }, true],
    // -n / -f / StdinNull: stdin is /dev/null, only -tt (force) still asks
    ['auto', false, { stdinnull: 'yes' }, false],
    ['true', true, { stdinnull: 'yes' }, false],
    ['force', true, { stdinnull: 'yes' }, true],
  ] as const)('requesttty %s, command %s, %o: %s', (rt, command, extra, want) => {
    expect(requestsTty(cfg({ requesttty: rt, ...extra }), command)).toBe(want)
  })

  it('an option ssh did not print counts as its default (auto, no remote command)', () => {
    expect(requestsTty(new Map(), false)).toBe(true)
    expect(requestsTty(new Map(), true)).toBe(false)
  })
})

describe('parseConfigDump', () => {
  it('reads "key value" lines, the first of a repeated key wins (as ssh uses the first)', () => {
    const m = parseConfigDump(
      'user alice\nrequesttty true\nremotecommand echo a  b\nsendenv A\nsendenv B\n\n',
    )
    expect(m.get('requesttty')).toBe('true')
    expect(m.get('remotecommand')).toBe('echo a  b')
    expect(m.get('sendenv')).toBe('A')
    expect(m.size).toBe(4)
  })
})
