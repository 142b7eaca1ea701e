// OpenSSH is the oracle of parseSshArgs: every generated command line goes to the installed
// `ssh -G -F /dev/null ARGS` (it prints the configuration it would use and never connects; -F
// /dev/null and an empty HOME keep every config file out), and the parser must agree with it.
//
// Installed client when this was written: OpenSSH_9.2p1 Debian-2+deb12u10. Version differences:
// - Debian's 9.2p1 carries the command-line host and user checks of 9.6+ (ssh_valid_hostname,
//   ssh_valid_ruser) and keeps only the first word of a -J / ProxyJump value ("a b" is "a");
//   the parser follows it (src/main/engine/detect/ssh-spec.ts).
// - -P takes a tag since 9.4 and is a no-op flag in 9.2: the parser reads the newer form, so
//   -P is not generated here.
// - ssh keeps "[…]" around a non-URI destination's host; the parser drops them for naming, so
//   hosts are compared without brackets.
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir, userInfo } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseJumpSpec, parseSshArgs, type SshArgs } from '@engine/detect/ssh-args'
import { findProgram } from '../support/find-program'

// the testbed installs openssh-client (tests/support/ensure-testbed.sh); elsewhere this says why it skips
const ssh = findProgram('ssh')

let home = ''
beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), 'ssh-oracle-'))
})
afterAll(() => rmSync(home, { recursive: true, force: true }))

interface SshG {
  ok: boolean
  values: Map<string, string[]>
}

function sshG(args: readonly string[]): Promise<SshG> {
  return new Promise((resolve) => {
    execFile(
      ssh ?? 'ssh',
      ['-G', '-F', '/dev/null', ...args],
      { env: { ...process.env, HOME: home }, timeout: 10_000 },
      (err, stdout) => {
        const values = new Map<string, string[]>()
        for (const line of stdout.split('\n')) {
          const sp = line.indexOf(' ')
          if (sp <= 0) continue
          const key = line.slice(0, sp)
          values.set(key, [...(values.get(key) ?? []), line.slice(sp + 1)])
        }
        resolve({ ok: err === null, values })
      },
    )
  })
}

/** Runs `ssh -G` for every line, `limit` at a time. */
async function sshGAll(lines: readonly string[][], limit: number): Promise<SshG[]> {
  const out: SshG[] = new Array<SshG>(lines.length)
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < lines.length) {
      const i = next++
      out[i] = await sshG(lines[i] ?? [])
    }
  }
  await Promise.all(Array.from({ length: limit }, worker))
  return out
}

const first = (g: SshG, key: string): string | null => g.values.get(key)?.[0] ?? null
const unbracket = (h: string): string => (h.startsWith('[') && h.endsWith(']') ? h.slice(1, -1) : h)
const me = userInfo().username

/** dump_cfg_forwards' lines as "kind listenPort targetHost:targetPort" (remote targets only). */
function sshForwards(g: SshG): string[] {
  const out: string[] = []
  for (const [key, kind] of [
    ['dynamicforward', 'D'],
    ['localforward', 'L'],
    ['remoteforward', 'R'],
  ] as const) {
    for (const v of g.values.get(key) ?? []) {
      const [listen = '', target = ''] = v.split(' ')
      const lp = /(?:^|\]:)(\d+)$/.exec(listen)?.[1] ?? null
      const t = /^\[(.*)\]:(\d+)$/.exec(target)
      const remote = kind === 'R' && t !== null && t[1] !== 'socks'
      out.push(`${kind} ${lp} ${remote ? `${t[1]}:${t[2]}` : '-'}`)
    }
  }
  return out.sort()
}

function parserForwards(a: SshArgs): string[] {
  return a.forwards
    .map(
      (f) => `${f.kind} ${f.listenPort} ${f.targetHost !== null ? `${f.targetHost}:${f.targetPort}` : '-'}`,
    )
    .sort()
}

const CM: Record<string, string> = { yes: 'true', no: 'false', ask: 'ask', auto: 'auto', autoask: 'autoask' }

/** Every field this test checks, as ssh prints it and as the parser has it. */
function fields(a: SshArgs, g: SshG): Record<string, [unknown, unknown]> {
  const sessionType = a.noCommand ? 'none' : a.subsystem ? 'subsystem' : 'default'
  return {
    host: [a.host, unbracket(first(g, 'host') ?? '')],
    user: [a.user ?? me, first(g, 'user')],
    port: [a.port ?? 22, Number(first(g, 'port'))],
    jump: [a.jumpHosts, parseJumpSpec(first(g, 'proxyjump') ?? 'none')],
    forwards: [parserForwards(a), sshForwards(g)],
    controlMaster: [a.controlMaster === null ? 'false' : CM[a.controlMaster], first(g, 'controlmaster')],
    controlPath: [a.controlPath, first(g, 'controlpath')],
    sessionType: [sessionType, first(g, 'sessiontype')],
  }
}

const pick = <T>(...xs: T[]): fc.Arbitrary<T> => fc.constantFrom(...xs)
const host = pick('web1', 'db.example', '127.0.0.1', 'Host-A', 'h_1', '10.0.0.5')
const user = pick('alice', 'bob', 'a.b', 'deploy')
const port = pick(
  '22',
  '2222',
  '0002222',
  'http',
  'ssh',
  'https',
  'www',
  '65535',
  '0',
  '65536',
  'nosuch',
  '+22',
)
const dest = fc.oneof(
  host,
  fc.tuple(user, host).map(([u, h]) => `${u}@${h}`),
  fc
    .tuple(fc.option(user), host, fc.option(port))
    .map(([u, h, p]) => `ssh://${u !== null ? `${u}@` : ''}${h}${p !== null ? `:${p}` : ''}`),
  pick(
    'ssh://h:http',
    'ssh://bob@h:http/',
    'ssh://a%41@h',
    'alice@[::1]',
    'ssh://[::1]:22',
    '-bad',
    'a;b',
    'alice@::1',
    'u b@h',
  ),
)
const jump = fc.oneof(
  fc
    .tuple(fc.option(user), host, fc.option(port))
    .map(([u, h, p]) => `${u !== null ? `${u}@` : ''}${h}${p !== null ? `:${p}` : ''}`),
  pick('j:ssh', 'a b', 'j1,j2:2200', 'ssh://u@j:http', 'none', 'u@j:0022', 'j#x', '-x', 'a,,b'),
)
const fwd = pick(
  '8080:localhost:80',
  '127.0.0.1:8080:db:5432',
  '0:h:22',
  '8080:h:http',
  '[::1]:8080:h:22',
  '1080',
  '9000:localhost:22',
  '9000:[::1]:22',
  'bad',
)
const cm = pick('yes', 'no', 'auto', 'ask', 'autoask', 'bogus')
const option: fc.Arbitrary<string[]> = fc.oneof(
  port.map((p) => ['-p', p]),
  port.map((p) => [`-p${p}`]),
  user.map((u) => ['-l', u]),
  jump.map((j) => ['-J', j]),
  fc.tuple(pick('-L', '-R', '-D'), fwd).map(([o, f]) => [o, f]),
  fc.tuple(host, port).map(([h, p]) => ['-W', `${h}:${p}`]),
  pick(['-N'], ['-f'], ['-T'], ['-t'], ['-M'], ['-v'], ['-4'], ['-C'], ['-q'], ['-fNT'], ['-s']),
  pick(['-S', '/tmp/cm-a'], ['-S', 'none'], ['-S/tmp/cm-b']),
  port.map((p) => ['-o', `Port=${p}`]),
  user.map((u) => ['-o', `User=${u}`]),
  cm.map((v) => ['-o', `ControlMaster=${v}`]),
  pick(['-o', 'ControlPath=/tmp/cm-c'], ['-oControlPath=none']),
  pick(['-o', 'ClearAllForwardings=yes'], ['-o', 'ClearAllForwardings=no']),
  jump.map((j) => ['-o', `ProxyJump=${j}`]),
  pick(['-o', 'SessionType=none'], ['-o', 'SessionType=subsystem'], ['-o', 'SessionType=default']),
  pick(['-o', 'LocalForward=1234 h:80'], ['-oRemoteForward 0 h:22'], ['-o', 'DynamicForward=1081']),
  pick(['-o', 'HostName=web1'], ['-o', 'RemoteCommand=uptime'], ['-o', 'ForkAfterAuthentication=yes']),
)
const commandLine = fc
  .tuple(
    fc.array(option, { maxLength: 5 }),
    pick([], [], ['--']),
    dest,
    fc.array(option, { maxLength: 2 }),
    pick([], [], ['uptime'], ['ls', '-l'], ['sftp']),
  )
  .map(([before, dashes, d, after, cmd]) => [...before.flat(), ...dashes, d, ...after.flat(), ...cmd])

const CASES = 2000

describe.skipIf(ssh === null)(`parseSshArgs against ssh -G (${ssh ?? 'ssh not installed'})`, () => {
  it(`agrees on ${CASES} generated command lines`, { timeout: 120_000 }, async () => {
    const lines = fc.sample(commandLine, { seed: 11, numRuns: CASES })
    const answers = await sshGAll(lines, 4)
    const wrong: string[] = []
    let accepted = 0
    let validity = 0
    lines.forEach((line, i) => {
      const g = answers[i] as SshG
      const a = parseSshArgs(['ssh', ...line])
      if (a.valid !== g.ok) {
        validity++
        wrong.push(
          `${JSON.stringify(line)}: ssh ${g.ok ? 'accepts' : 'refuses'}, parser says valid=${a.valid}`,
        )
      }
      if (!g.ok) return
      accepted++
      for (const [name, [mine, theirs]] of Object.entries(fields(a, g))) {
        if (JSON.stringify(mine) !== JSON.stringify(theirs))
          wrong.push(
            `${JSON.stringify(line)}: ${name} ${JSON.stringify(mine)} ≠ ssh ${JSON.stringify(theirs)}`,
          )
      }
    })
    // both kinds of line are generated in numbers
    expect(accepted).toBeGreaterThan(CASES / 4)
    expect(CASES - accepted).toBeGreaterThan(CASES / 10)
    expect({ validity, wrong: wrong.slice(0, 30) }).toEqual({ validity: 0, wrong: [] })
  })
  // the classes of issue 11, by name (their expected values: tests/unit/detect/ssh-args.test.ts)
  it.each<string[]>([
    ['-p', 'http', 'h'],
    ['-p', '0002222', 'h'],
    ['ssh://bob@h:http'],
    ['-J', 'j:ssh', 'h'],
    ['-J', 'a b', 'h'],
    ['-p', '22', '-p', '0', 'h'],
    ['-p', '0', 'h'],
    ['-l', 'bob', '-l', 'carol', '-o', 'User=dave', 'h'],
    ['-o', 'Port=2200', '-o', 'Port=2300', '-p', '2400', 'h'],
    ['-o', 'ControlPath=/tmp/a', '-o', 'ControlPath=/tmp/b', 'h'],
    ['-o', 'ControlPath=/tmp/a', '-S', '/tmp/b', 'h'],
    ['-o', 'ControlMaster=yes', '-M', 'h'],
    ['-o', 'SessionType=none', '-o', 'SessionType=subsystem', 'h'],
    ['-o', 'ProxyJump=a', '-o', 'ProxyJump=b', 'h'],
    ['-L', '8080:localhost:80', '-W', 'db:5432', '-R', '9000:localhost:22', 'h'],
    ['-o', 'ClearAllForwardings=yes', '-L', '1:h:2', 'h'],
    ['-L', '1:h:2', '-L', '1:h:2', '-o', 'LocalForward=1 h:2', 'h'],
    ['-R', '0:h:22', 'h'],
    ['-f', 'h'],
    ['db\u00a0prod'],
    ['-l', 'u;x', 'h'],
    ['-J', 'bob@h', '-l', 'bob', 'h'],
  ])('named: %j', async (...line) => {
    const [g] = await sshGAll([line], 1)
    const a = parseSshArgs(['ssh', ...line])
    expect(a.valid).toBe(g?.ok)
    if (g?.ok) for (const [mine, theirs] of Object.values(fields(a, g))) expect(mine).toEqual(theirs)
  })
})
