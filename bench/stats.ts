// Small figures helpers shared by the benchmarks.
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/**
 * A full garbage collection now, without starting node with --expose-gc: a CPU window opened
 * after it counts the engine's own garbage (its collections in the window), not what the bench's
 * setup and baselines left in the same heap (the floor scans' strings, the ssh and Chromium start,
 * compiled setup code), whose major GCs otherwise land in the first window.
 */
export function collectGarbage(): void {
  setFlagsFromString('--expose-gc')
  const gc = runInNewContext('gc') as () => void
  gc()
}

/** The q-quantile (nearest rank) of the values; NaN for none. */
export function quantile(values: number[], q: number): number {
  const s = [...values].sort((a, b) => a - b)
  if (s.length === 0) return Number.NaN
  const i = Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))
  return s[i] ?? Number.NaN
}

export const median = (v: number[]): number => quantile(v, 0.5)

export const max = (v: number[]): number => (v.length === 0 ? 0 : Math.max(...v))

export function round(n: number, digits = 1): number {
  const f = 10 ** digits
  return Math.round(n * f) / f
}

// mulberry32, seeded: one implementation for the tests' seeded histories and the benches
export { prng } from '../tests/support/seed-history'
