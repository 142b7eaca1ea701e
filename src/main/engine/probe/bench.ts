// Measures the Linux probe against its floor (the least /proc reading that gives the same
// picture) and the naive baseline (systeminformation). Runs are spaced like the real 1 s poll:
// si.processes() answers from a cache when called again within 500 ms, and the probe's own cache
// is meant for that cadence too.
import { createLinuxProbe, naiveScan, rawProcFloorScan } from './linux'

export interface ProbeCosts {
  runs: number
  /** median wall ms of one call */
  probeSnapshotMs: number
  floorScanMs: number
  naiveScanMs: number
  processes: number
  sockets: number
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b)
  const mid = s.length >> 1
  return s.length % 2 === 1 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

async function time(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now()
  await fn()
  return performance.now() - start
}

export async function measureProbeCosts(runs = 20, gapMs = 600): Promise<ProbeCosts> {
  const probe = createLinuxProbe()
  const first = await probe.snapshot() // warms the cache, as the running app has
  await naiveScan() // loads systeminformation once
  const probeMs: number[] = []
  const floorMs: number[] = []
  const naiveMs: number[] = []
  for (let i = 0; i < runs; i++) {
    await sleep(gapMs)
    probeMs.push(await time(() => probe.snapshot()))
    floorMs.push(await time(() => rawProcFloorScan()))
    naiveMs.push(await time(() => naiveScan()))
  }
  return {
    runs,
    probeSnapshotMs: median(probeMs),
    floorScanMs: median(floorMs),
    naiveScanMs: median(naiveMs),
    processes: first.processes.size,
    sockets: first.sockets.length,
  }
}
