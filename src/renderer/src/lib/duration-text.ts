// Durations as people type them in Settings: "45s", "10m", "1h 30m", "2d"; "0" or "never" for never.

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
