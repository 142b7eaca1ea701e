// Every duration the app reads or writes, in one place: the Sessions page's duration text ("1h 05m"), words
// for sentences ("10 minutes"), and durations as people type them in Settings and the CLI
// ("45s", "10m", "1h 30m", "2d"; "0" or "never" for never). Pure TypeScript: no Node or DOM API.

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR

/**
 * Duration text as on the Sessions page (docs/architecture.md "The product"): "32m", "2h 30m", "2d 4h". Under a
 * minute: "<1m" (the page has no
 * seconds anywhere, and a ticking seconds counter would make every row change every second).
 * Hours keep the page's zero-padded minutes ("1h 05m"); days show whole hours ("2d 4h").
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) ms = 0
  if (ms < MINUTE) return '<1m'
  if (ms < HOUR) return `${Math.floor(ms / MINUTE)}m`
  if (ms < DAY) {
    const h = Math.floor(ms / HOUR)
    const m = Math.floor((ms % HOUR) / MINUTE)
    return `${h}h ${String(m).padStart(2, '0')}m`
  }
  const d = Math.floor(ms / DAY)
  const h = Math.floor((ms % DAY) / HOUR)
  return `${d}d ${h}h`
}

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 }

export type Parsed = { ok: true; seconds: number } | { ok: false; error: string }

export function parseDurationText(text: string): Parsed {
  const t = text.trim().toLowerCase()
  if (t === '') return { ok: false, error: 'enter a duration, e.g. 10m' }
  if (t === '0' || t === 'never') return { ok: true, seconds: 0 }
  if (/^\d+(\.\d+)?$/.test(t)) return { ok: false, error: 'add a unit: s, m, h or d (e.g. 10m)' }
  const parts = t.replace(/\s+/g, '').match(/\d+(?:\.\d+)?[smhd]/g)
  if (!parts || parts.join('') !== t.replace(/\s+/g, ''))
    return { ok: false, error: `"${text.trim()}" is not a duration: use s, m, h or d, e.g. 1h 30m` }
  let seconds = 0
  for (const p of parts) seconds += Number(p.slice(0, -1)) * (UNIT_SECONDS[p.slice(-1)] ?? 0)
  if (!Number.isInteger(seconds)) return { ok: false, error: 'use whole seconds' }
  return { ok: true, seconds }
}

/** The shortest exact text for a number of seconds: 0 → "never" when 0 means never. */
export function formatSeconds(sec: number, zeroIsNever: boolean): string {
  if (sec === 0) return zeroIsNever ? 'never' : '0s'
  const out: string[] = []
  let rest = sec
  for (const [u, n] of [
    ['d', 86_400],
    ['h', 3600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    if (rest >= n) {
      out.push(`${Math.floor(rest / n)}${u}`)
      rest %= n
    }
  }
  return out.join(' ')
}

/** Whole numbers only ("12"), as typed; anything else gets a reason. */
export function parseWholeNumber(text: string): { ok: true; value: number } | { ok: false; error: string } {
  const t = text.trim()
  if (!/^-?\d+$/.test(t)) return { ok: false, error: 'enter a whole number' }
  return { ok: true, value: Number(t) }
}

/** "10 minutes", "1 hour 5 minutes", "2 days 3 hours", "less than a minute": for sentences. */
export function durationWords(ms: number): string {
  const minutes = Math.round(Math.max(0, ms) / MINUTE)
  if (minutes < 1) return 'less than a minute'
  const unit = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`
  const d = Math.floor(minutes / 1440)
  const h = Math.floor((minutes % 1440) / 60)
  const m = minutes % 60
  if (d > 0) return h > 0 ? `${unit(d, 'day')} ${unit(h, 'hour')}` : unit(d, 'day')
  if (h > 0) return m > 0 ? `${unit(h, 'hour')} ${unit(m, 'minute')}` : unit(h, 'hour')
  return unit(m, 'minute')
}
