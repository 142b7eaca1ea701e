// autossh -M adds its own monitor forwards to the ssh it runs (src/main/engine/detect/autossh.ts);
// the command lines below are autossh 1.4g's, recorded with a fake ssh (tests/process/autossh-monitor.test.ts
// records them from the installed autossh).
import { describe, expect, it } from 'vitest'
import { detectAll } from '@engine/detect/index'
import { autosshMonitorForwards } from '@engine/detect/autossh'
import type { SshEffectiveConfig } from '@engine/detect/types'
import { ctx, proc, sock } from './helpers'

function flagsOf(autossh: string[], ssh: string[], config?: SshEffectiveConfig): readonly string[] {
  const a = proc(1500, autossh)
  const s = proc(1501, ssh, { ppid: 1500 })
  const found = detectAll(
    ctx([a, s], [sock(1501, '10.0.0.1', 22)], config ? { sshConfig: [[1501, config]] } : {}),
  )
  expect(found).toHaveLength(1)
  expect(found[0]?.client).toBe('autossh')
  return found[0]?.flags ?? []
}

const MONITOR = ['-L', '20000:127.0.0.1:20000', '-R', '20000:127.0.0.1:20001']

describe('autossh -M: its monitor forwards are no tunnel', () => {
  it.each<[string, string[], string[], boolean]>([
    [
      '-M PORT',
      ['autossh', '-M', '20000', '-N', 'bastion'],
      ['/usr/bin/ssh', ...MONITOR, '-N', 'bastion'],
      false,
    ],
    ['-MPORT', ['autossh', '-M20000', 'bastion'], ['/usr/bin/ssh', ...MONITOR, 'bastion'], false],
    [
      '-M PORT:ECHO',
      ['autossh', '-M', '20000:7', '-N', 'bastion'],
      ['/usr/bin/ssh', '-L', '20000:127.0.0.1:7', '-N', 'bastion'],
      false,
    ],
    [
      '-M PORT with a user forward',
      ['autossh', '-M', '20000', '-N', '-L', '5432:db:5432', 'bastion'],
      ['/usr/bin/ssh', ...MONITOR, '-N', '-L', '5432:db:5432', 'bastion'],
      true,
    ],
    [
      '-M 0 with a user forward',
      ['autossh', '-M', '0', '-N', '-L', '5432:db:5432', 'bastion'],
      ['/usr/bin/ssh', '-N', '-L', '5432:db:5432', 'bastion'],
      true,
    ],
    [
      // without -M in autossh's argv the same words are the user's own
      'a user forward that looks like a monitor',
      ['autossh', '-N', '-L', '20000:127.0.0.1:20000', 'bastion'],
      ['/usr/bin/ssh', '-N', '-L', '20000:127.0.0.1:20000', 'bastion'],
      true,
    ],
  ])('%s', (_name, autossh, ssh, tunnel) => {
    expect(flagsOf(autossh, ssh).includes('tunnel')).toBe(tunnel)
  })

  it('when ssh -G was asked, its forward count less the monitor decides', () => {
    const autossh = ['autossh', '-M', '20000', '-N', 'bastion']
    const ssh = ['/usr/bin/ssh', ...MONITOR, '-N', 'bastion']
    const cfg = (forwards: number): SshEffectiveConfig => ({
      startTime: 1_700_000_000_000 + 1501 * 1000,
      controlPath: null,
      controlMaster: null,
      forwards,
      tunnel: false,
    })
    expect(flagsOf(autossh, ssh, cfg(2))).not.toContain('tunnel')
    expect(flagsOf(autossh, ssh, cfg(3))).toContain('tunnel') // a LocalForward from ssh_config
  })

  it('counts only the leading monitor words', () => {
    expect(autosshMonitorForwards(['autossh', '-M', '20000', 'h'], ['ssh', ...MONITOR, 'h'])).toBe(2)
    expect(
      autosshMonitorForwards(['autossh', '-M', '20000:7', 'h'], ['ssh', '-L', '20000:127.0.0.1:7', 'h']),
    ).toBe(1)
    expect(autosshMonitorForwards(['autossh', '-M', '0', 'h'], ['ssh', 'h'])).toBe(0)
    expect(autosshMonitorForwards(['autossh', '-M', '20000', 'h'], ['ssh', 'h', ...MONITOR])).toBe(0)
    expect(autosshMonitorForwards(['autossh', '-M', 'x', 'h'], ['ssh', ...MONITOR, 'h'])).toBe(0)
  })
})
