// The details drawer's pure parts (issue 15 part 2): the ssh command to copy, the sparkline's points,
// byte counts in words. No DOM: unit-tested in tests/renderer/session-details.test.ts.
import type { Session } from '@shared/model'
import type { SessionSample } from '@shared/session-details'

/** A word as a POSIX shell reads it: quoted only when it holds anything beyond the safe set. */
function shellWord(w: string): string {
  return /^[\w@%+=:,./[\]-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`
}

/** `ssh [-J hops] [-p port] [user@]host` for this session; port 22 (ssh's default) is left out. */
export function sshCommand(
  s: Pick<Session, 'user' | 'host' | 'remotePort'>,
  jumpChain: readonly string[],
): string {
  const words = ['ssh']
  if (jumpChain.length > 0) words.push('-J', jumpChain.join(','))
  if (s.remotePort !== 22 && s.remotePort > 0) words.push('-p', String(s.remotePort))
  words.push(s.user === null ? s.host : `${s.user}@${s.host}`)
  return words.map(shellWord).join(' ')
}

/**
 * The sparkline's points, one per interval between samples, at the interval's end: bytes moved in it
 * where the OS counts bytes, else 1 when the session's last activity moved (traffic seen), 0 otherwise.
 */
export function activitySeries(samples: readonly SessionSample[]): { at: number; v: number }[] {
  const bytes = (x: SessionSample): number | null =>
    x.bytesIn === null && x.bytesOut === null ? null : (x.bytesIn ?? 0) + (x.bytesOut ?? 0)
  const out: { at: number; v: number }[] = []
  for (let i = 1; i < samples.length; i++) {
    const a = samples[i - 1]
    const b = samples[i]
    if (!a || !b) continue
    const before = bytes(a)
    const after = bytes(b)
    const v =
      before !== null && after !== null
        ? Math.max(0, after - before)
        : b.lastActivity > a.lastActivity
          ? 1
          : 0
    out.push({ at: b.at, v })
  }
  return out
}

/** SVG polyline points in a width × height box, x by time, 0 at the bottom; '' for fewer than 2. */
export function sparkPoints(
  series: readonly { at: number; v: number }[],
  width: number,
  height: number,
): string {
  const first = series[0]
  const last = series.at(-1)
  if (!first || !last || series.length < 2) return ''
  const max = Math.max(...series.map((p) => p.v), 1)
  const span = Math.max(1, last.at - first.at)
  return series
    .map(
      (p) =>
        `${(((p.at - first.at) / span) * width).toFixed(1)},${(height - 1 - (p.v / max) * (height - 2)).toFixed(1)}`,
    )
    .join(' ')
}

/** "1.4 MB", "312 B"; "not counted" when the OS gives no counter. */
export function bytesText(n: number | null): string {
  if (n === null) return 'not counted'
  const units = ['B', 'KB', 'MB', 'GB', 'TB']
  let v = n
  let u = 0
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024
    u++
  }
  return `${u === 0 ? v : v.toFixed(1)} ${units[u]}`
}
