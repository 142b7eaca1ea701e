// mosh-client command lines. The mosh wrapper (scripts/mosh.pl in mobile-shell/mosh) ends with
//   exec {$client} ("$client", "-# @cmdline |", $ip, $port)
// with MOSH_KEY in the environment: argv is ["mosh-client", "-# alice@db1 tmux a |", "10.0.0.5",
// "60001"]. "@cmdline" is mosh's own argv joined with spaces, so quoting is lost:
// `mosh --ssh='ssh -F cfg' alias` arrives as "-# --ssh=ssh -F cfg alias |". The server address and
// UDP port are always the last two words.
import { isIpLiteral } from '../probe/addr'
import { parsePort } from './net'
import { sshOptionTakesNextWord } from './ssh-args'

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

/** mosh options that take a separate argument (when not written --opt=value): mosh.pl GetOptions. */
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

/**
 * The words of an --ssh command after its program ("ssh -F cfg -i key" → "-F cfg -i key"): its
 * options, each with its argument as ssh reads them (the same option table as ssh-args.ts). Returns
 * the index of the first word after them. mosh's own short options (-a -n -4 -6 -p PORT) read the
 * same way, so a mosh option after the --ssh command is skipped just as well.
 */
function skipSshOptions(words: readonly string[], i: number): number {
  let j = i
  while (j < words.length) {
    const w = words[j] ?? ''
    if (w.length < 2 || !w.startsWith('-') || w.startsWith('--')) break
    j += sshOptionTakesNextWord(w) ? 2 : 1
  }
  return j
}

/** The destination among mosh's own arguments: the first word that is no option nor option value. */
function moshDestination(words: readonly string[]): string | null {
  let terminated = false
  let i = 0
  while (i < words.length) {
    const w = words[i] ?? ''
    if (!terminated && w === '--') {
      terminated = true
      i++
    } else if (!terminated && (w === '--ssh' || w.startsWith('--ssh='))) {
      // "--ssh PROGRAM opts…" or "--ssh=PROGRAM opts…": the program, then its options
      i = skipSshOptions(words, w === '--ssh' ? i + 2 : i + 1)
    } else if (!terminated && w.startsWith('-')) {
      i += !w.includes('=') && MOSH_WITH_ARG.has(w) ? 2 : 1
    } else return w
  }
  return null
}

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
  const dest = moshDestination(text.split(' ').filter((w) => w !== ''))
  if (dest === null) return r
  const at = dest.lastIndexOf('@')
  return {
    ...r,
    destination: dest,
    user: at > 0 ? dest.slice(0, at) : null,
    host: at >= 0 ? dest.slice(at + 1) : dest,
  }
}
