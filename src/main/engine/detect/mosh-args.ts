// mosh-client command lines. The mosh wrapper (a Perl script) ends with
//   exec {$client} ("$client", "-# @cmdline |", [client options…], $ip, $port)
// with MOSH_KEY in the environment: argv is ["mosh-client", "-# alice@db1 tmux a |", "10.0.0.5",
// "60001"]. The "-# … |" word carries the user's own mosh arguments (joined with spaces, so
// quoting is lost); the server address and UDP port are always the last two words.
import { isIpLiteral } from '../probe/addr'
import { parsePort } from './net'

export interface MoshArgs {
  /** the destination as typed to mosh ("alice@db1"), null when the -# word is missing */
  destination: string | null
  host: string | null
  user: string | null
  /** the server address mosh-client talks to (UDP) */
  ip: string
  /** the server's UDP port */
  port: number
}

/** mosh options that take a separate argument (when not written --opt=value). */
const MOSH_WITH_ARG = new Set([
  '-p',
  '--port',
  '--client',
  '--server',
  '--predict',
  '--ssh',
  '--family',
  '--bind-server',
  '--experimental-remote-ip',
])

/** null when the command line is not a connected mosh-client (e.g. "mosh-client -c"). */
export function parseMoshClientArgs(argv: readonly string[]): MoshArgs | null {
  if (argv.length < 3) return null
  const ip = argv[argv.length - 2] ?? ''
  const port = parsePort(argv[argv.length - 1])
  if (port === null || !isIpLiteral(ip)) return null
  const r: MoshArgs = { destination: null, host: null, user: null, ip, port }
  const hash = argv.find((a) => a.startsWith('-#'))
  if (hash === undefined) return r
  let text = hash.slice(2)
  const bar = text.lastIndexOf('|')
  if (bar >= 0) text = text.slice(0, bar)
  const words = text.split(' ').filter((w) => w !== '')
  let terminated = false
  for (let i = 0; i < words.length; i++) {
    const w = words[i] ?? ''
    if (!terminated && w === '--') {
      terminated = true
      continue
    }
    if (!terminated && w.startsWith('-')) {
      if (!w.includes('=') && MOSH_WITH_ARG.has(w)) i++
      continue
    }
    r.destination = w
    const at = w.lastIndexOf('@')
    r.user = at > 0 ? w.slice(0, at) : null
    r.host = at >= 0 ? w.slice(at + 1) : w
    break
  }
  return r
}
