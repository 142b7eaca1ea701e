// The cost comparison is a measurement, not a check: it runs only when asked
// (PROBE_BENCH=1 npx vitest run tests/unit/probe/bench.test.ts) and prints the medians.
import { describe, expect, it } from 'vitest'
import { measureProbeCosts } from '@engine/probe/bench'

describe.runIf(process.env.PROBE_BENCH === '1')('probe costs', () => {
  it('measures the probe against the /proc floor and systeminformation', async () => {
    const costs = await measureProbeCosts(Number(process.env.PROBE_BENCH_RUNS ?? 20))
    console.log(JSON.stringify(costs, null, 2))
    expect(costs.probeSnapshotMs).toBeGreaterThan(0)
  }, 120_000)
})
