// `npx tsx bench/profile-summary.ts file.cpuprofile [top]` — a V8 CPU profile in a few lines: the
// share of samples by self time per function and per file, and the inclusive share of the
// functions that own a tick's phases (what bench/engine-profile.ts writes).
import { readFileSync } from 'node:fs'

interface Node {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  children?: number[]
}
interface Profile {
  nodes: Node[]
  samples: number[]
  startTime: number
  endTime: number
}

const [file, topArg] = process.argv.slice(2)
if (file === undefined) throw new Error('usage: profile-summary.ts file.cpuprofile [top]')
const top = Number(topArg ?? 25)
const p = JSON.parse(readFileSync(file, 'utf8')) as Profile
const byId = new Map(p.nodes.map((n) => [n.id, n]))
const parent = new Map<number, number>()
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id)

const short = (url: string): string => url.replace(/^.*\/(src|node_modules|bench|tests)\//, '$1/')
const label = (n: Node): string =>
  `${n.callFrame.functionName || '(anon)'} ${short(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`

const self = new Map<string, number>()
const perFile = new Map<string, number>()
const inclusive = new Map<string, number>()
let total = 0
for (const id of p.samples) {
  const n = byId.get(id)
  if (n === undefined) continue
  total++
  const name = n.callFrame.functionName
  if (name === '(idle)' || name === '(program)' || name === '(garbage collector)') {
    self.set(name, (self.get(name) ?? 0) + 1)
    continue
  }
  self.set(label(n), (self.get(label(n)) ?? 0) + 1)
  const f = short(n.callFrame.url) || '(native)'
  perFile.set(f, (perFile.get(f) ?? 0) + 1)
  // every distinct function on the stack once
  const seen = new Set<string>()
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const c = byId.get(cur)
    if (c === undefined) break
    const l = label(c)
    if (seen.has(l)) continue
    seen.add(l)
    inclusive.set(l, (inclusive.get(l) ?? 0) + 1)
  }
}
const ms = (p.endTime - p.startTime) / 1000
const pct = (k: number): string => `${((k / total) * 100).toFixed(1)}%`
const show = (title: string, m: Map<string, number>, n: number): void => {
  process.stdout.write(`\n${title}\n`)
  for (const [k, v] of [...m].sort((a, b) => b[1] - a[1]).slice(0, n))
    process.stdout.write(`  ${pct(v).padStart(6)}  ${k}\n`)
}
const busy = total - (self.get('(idle)') ?? 0)
process.stdout.write(`${file}: ${total} samples over ${ms.toFixed(0)} ms, ${pct(busy)} not idle\n`)
show('self', self, top)
show('by file (self)', perFile, 15)
show('inclusive', inclusive, top)
