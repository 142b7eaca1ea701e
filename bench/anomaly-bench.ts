// The anomaly review's figures (issue 13), part of `npm run bench` (engine-bench.ts adds them as keys)
// and runnable alone: `npx tsx bench/anomaly-bench.ts [--json]`.
// - firstSightMs: a client binary seen for the first time (5 MB, a new file each time): stat, cache
//   miss, sha256, cache write; once per binary, beside the loop (never inside a tick)
// - cachedSightMs: the same binary seen again (stat + one index probe)
// - reviewList100kMs: the review list over 100 000 history rows (1 % of them flagged)
// - asnImportMs: importing @ip-location-db/asn's CSVs once (chunks, one transaction each)
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { importAsn, packagedAsnSource } from '@engine/anomaly/asn'
import { ExeHasher } from '@engine/anomaly/exe-hash'
import { ReviewService } from '@engine/anomaly/review-service'
import { openStore, type Store } from '@engine/store'
import { RULE_WEIGHTS } from '@shared/review'
import { seedHistory } from '../tests/support/seed-history'
import { median, round } from './stats'

export interface AnomalyFigures {
  firstSightMs: number
  cachedSightMs: number
  reviewList100kMs: number
  reviewListItems: number
  asnImportMs: number
  asnRows: number
}

async function hashing(dir: string, store: Store): Promise<{ first: number[]; cached: number[] }> {
  const hasher = new ExeHasher(store, Date.now, 'linux')
  const first: number[] = []
  const cached: number[] = []
  for (let i = 0; i < 10; i++) {
    const file = join(dir, `client-${i}`)
    writeFileSync(file, randomBytes(5 * 1024 * 1024), { mode: 0o755 })
    let t = performance.now()
    await hasher.hashOf(file, null)
    first.push(performance.now() - t)
    t = performance.now()
    await hasher.hashOf(file, null)
    cached.push(performance.now() - t)
  }
  return { first, cached }
}

function reviewList(store: Store): { ms: number; items: number } {
  const now = Date.now()
  seedHistory(store, {
    rows: 100_000,
    days: 365,
    until: now,
    seed: 100_000,
    hosts: Array.from({ length: 200 }, (_, i) => `host-${i}`),
    addresses: [
      { ip: '198.51.100.7', location: 'Amsterdam, NL' },
      { ip: '203.0.113.9', location: 'US' },
    ],
    batch: 10_000,
  })
  const ids = store.history({ limit: 1000, includeOpen: true }).rows.map((r) => r.id)
  for (const [i, id] of ids.entries())
    store.recordReview({ sessionId: id, at: now - i, score: 3, state: 'flagged', context: '{}' }, [
      {
        rule: 'unknown-binary',
        key: `exe:${i}`,
        reason: `Client program /tmp/${i}/ssh was not installed`,
        weight: RULE_WEIGHTS['unknown-binary'],
      },
      {
        rule: 'rare-hour',
        key: 'hour:ssh:3',
        reason: 'Started on a Monday between 03:00 and 03:59',
        weight: 1,
      },
    ])
  const service = new ReviewService({
    store,
    now: Date.now,
    device: { id: 'bench', name: 'bench', os: 'Linux', model: 'bench' },
    hasher: new ExeHasher(store, Date.now),
    end: () => Promise.reject(new Error('not in the bench')),
    settled: () => Promise.resolve(),
    contact: { openExternal: () => Promise.resolve() },
    changed: () => undefined,
  })
  const times: number[] = []
  let items = 0
  for (let i = 0; i < 20; i++) {
    const t = performance.now()
    items = service.listNow().length
    times.push(performance.now() - t)
  }
  return { ms: median(times), items }
}

export async function anomalyFigures(): Promise<AnomalyFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'warden-anomaly-bench-'))
  const store = openStore({ path: join(dir, 'w.db') })
  try {
    const h = await hashing(dir, store)
    const list = reviewList(store)
    const source = packagedAsnSource()
    let asnImportMs = -1
    let asnRows = 0
    if (source) {
      const t = performance.now()
      asnRows = await importAsn(store, source, Date.now)
      asnImportMs = performance.now() - t
    }
    return {
      firstSightMs: round(median(h.first), 2),
      cachedSightMs: round(median(h.cached), 3),
      reviewList100kMs: round(list.ms, 2),
      reviewListItems: list.items,
      asnImportMs: round(asnImportMs),
      asnRows,
    }
  } finally {
    store.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

if (import.meta.url === `file://${process.argv[1] ?? ''}`) {
  const f = await anomalyFigures()
  if (process.argv.includes('--json')) process.stdout.write(`${JSON.stringify(f)}\n`)
  else
    process.stdout.write(
      [
        `first sight of a new 5 MB client binary  ${f.firstSightMs} ms   (median of 10; once per binary)   ≤ 30 ms`,
        `the same binary seen again               ${f.cachedSightMs} ms`,
        `review list over 100 000 history rows    ${f.reviewList100kMs} ms   (${f.reviewListItems} flagged shown)   ≤ 50 ms`,
        `ASN import (once per data version)       ${f.asnImportMs} ms   (${f.asnRows} ranges)`,
        '',
      ].join('\n'),
    )
}
