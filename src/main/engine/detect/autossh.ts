// autossh's own monitor forwards. `autossh -M PORT[:ECHO] …` runs ssh with forwards of its own
// put first (autossh.c; observed with autossh 1.4g):
//   -M 20000        ssh -L 20000:127.0.0.1:20000 -R 20000:127.0.0.1:20001 <the user's arguments>
//   -M 20000:20005  ssh -L 20000:127.0.0.1:20005 <the user's arguments>
//   -M 0            ssh <the user's arguments> (no monitoring)
// They carry autossh's heartbeat, not the user's traffic: the session is no tunnel for them.
// (A monitor port given through AUTOSSH_PORT instead of -M is not in any argv and not seen here.)

/** The -M value of an autossh command line ("-M 20000", "-M20000:20005"), else null. */
function monitorSpec(autosshArgv: readonly string[]): string | null {
  for (let i = 1; i < autosshArgv.length; i++) {
    const w = autosshArgv[i] ?? ''
    if (w === '--' || !w.startsWith('-')) return null
    if (w === '-M') return autosshArgv[i + 1] ?? null
    if (w.startsWith('-M')) return w.slice(2)
  }
  return null
}

/**
 * How many of this ssh's forwards autossh added for its monitor: the leading "-L P:127.0.0.1:E"
 * (and "-R P:127.0.0.1:P+1" without an echo port) when the autossh parent asked for port P.
 */
export function autosshMonitorForwards(autosshArgv: readonly string[], sshArgv: readonly string[]): number {
  const spec = monitorSpec(autosshArgv)
  if (spec === null) return 0
  const [portText = '', echoText] = spec.split(':')
  const port = Number(portText)
  if (!Number.isInteger(port) || port <= 0 || port > 65535) return 0
  const echo = echoText === undefined ? port : Number(echoText)
  if (sshArgv[1] !== '-L' || sshArgv[2] !== `${port}:127.0.0.1:${echo}`) return 0
  if (echoText !== undefined) return 1
  return sshArgv[3] === '-R' && sshArgv[4] === `${port}:127.0.0.1:${port + 1}` ? 2 : 1
}
