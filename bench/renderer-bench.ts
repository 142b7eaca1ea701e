// `npm run bench` (after the engine figures) — the window's speed, in Debian's Chromium over the test
// bridge, backed by the real engine:
//
// 1. History: 10 000 disconnected sessions in a real database. How long from the click on "History"
//    to the first screen of rows painted: in fresh pages (the view is mounted for the first time) and
//    switching back to it from Settings (the view is kept alive and reloads its first page).
// 2. Live: 200 real ssh sessions to a real sshd, the engine polling every second, the Sessions view
//    open, and sessions ending, starting and changing status every second. Chromium's long tasks
//    (PerformanceObserver 'longtask') once the table shows all 200.
//
// `npx tsx bench/renderer-bench.ts --json` prints the same figures as one JSON object (`npm run bench
// -- --json` prints the engine's object, then this one, one per line). For finding causes:
// `--profile=FILE` (CPU profile of the live phase, unminified build) and `--renderer=DIR` (measure
// another build, e.g. a variant of the window, instead of building src/renderer).
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import net from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { build } from 'vite'
import { END_REASONS, type EndReason, type ResourceType, type SessionFlag } from '@shared/model'
import { createEngine, type Engine } from '@engine/index'
import type { Detected } from '@engine/detect/types'
import { openStore } from '@engine/store'
import type { NewSession, SessionUpdate } from '@engine/store/types'
import { rendererConfig } from '../vite.renderer.config'
import { startBridge, type Bridge } from '../tests/support/bridge'
import { launchChromium, openApp } from '../tests/support/ui'
import {
  freePort,
  sshBatch,
  sshClient,
  startSshd,
  stopAll,
  waitFor,
  type ClientProc,
  type Sshd,
} from '../tests/support/peers'
import { max, median, prng, round, sleep } from './stats'

/**
 * Bytes of JavaScript the built window ships in assets/ (every chunk, the lazy ones included: issue 15's
 * ≤ 800 KB), or of the chunks `only` names (file names in assets/).
 */
function rendererJsBytes(rendererDir: string, only?: (file: string) => boolean): number {
  const assets = join(rendererDir, 'assets')
  return readdirSync(assets)
    .filter((f) => f.endsWith('.js') && (only === undefined || only(f)))
    .reduce((sum, f) => sum + statSync(join(assets, f)).size, 0)
}

/**
 * Bytes of WebAssembly the built window ships in assets/: asciinema-player's terminal, a file of its own
 * since vite.player-wasm.ts (before, 116 KB of base64 text in the player's JavaScript). Not JavaScript, so
 * not in rendererJsBytes; fetched only when a recording is opened.
 */
function rendererWasmBytes(rendererDir: string): number {
  const assets = join(rendererDir, 'assets')
  return readdirSync(assets)
    .filter((f) => f.endsWith('.wasm'))
    .reduce((sum, f) => sum + statSync(join(assets, f)).size, 0)
}

/**
 * The chunk of asciinema-player (loaded only when a recording is opened: src/components/CastPlayer.vue),
 * known by the class of the player's root element, which only its own code writes.
 */
function isPlayerChunk(rendererDir: string, file: string): boolean {
  return readFileSync(join(rendererDir, 'assets', file), 'utf8').includes('ap-wrapper')
}

/** The window's own scripts the page fetched (file names in assets/): performance's resource entries. */
const LOADED_JS = String.raw`performance.getEntriesByType('resource')
  .map((e) => new URL(e.name).pathname)
  .filter((p) => p.endsWith('.js') && p.includes('/assets/'))
  .map((p) => p.split('/').pop())`

const JSON_OUT = process.argv.includes('--json')
/**
 * `--profile=FILE`: builds the renderer unminified, records a CPU profile of the live phase into FILE
 * (open it in Chrome DevTools) and prints where the page's time went. Slower: for finding causes only.
 */
const PROFILE = process.argv.find((a) => a.startsWith('--profile='))?.slice('--profile='.length)
/** `--renderer=DIR`: measure this built renderer (index.html and assets) instead of building src/renderer */
const PREBUILT = process.argv.find((a) => a.startsWith('--renderer='))?.slice('--renderer='.length)
const log = (s: string): void => {
  if (!JSON_OUT) process.stderr.write(`${s}\n`)
}

const VIEWPORT = { width: 1280, height: 800 }
const HISTORY_ROWS = 10_000
const HISTORY_COLD_PAGES = 5
const HISTORY_WARM_SWITCHES = 7
const LIVE_SESSIONS = 200
/** of the live sessions, these are -L tunnels to a local echo server: traffic on demand (idle → active) */
const LIVE_TUNNELS = 10
const LIVE_MEASURE_MS = 20_000

// ---------------------------------------------------------------------------------------------------------
// In the page. Plain JavaScript run as an init script before the bridge's own, so it sees every task
// from the first one. tsconfig has no DOM lib: the page side stays a string, its results are typed below.

const INSTRUMENT = String.raw`(() => {
  const B = (globalThis.__bench = { longTasks: [], frames: [], replies: [] })
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) B.longTasks.push({ start: e.startTime, duration: e.duration })
    }).observe({ type: 'longtask', buffered: true })
    B.longTaskObserver = true
  } catch {
    B.longTaskObserver = false
  }
  try {
    // the same blocking work seen per frame, with the scripts that ran in it (for attribution)
    new PerformanceObserver((list) => {
      for (const e of list.getEntries())
        B.frames.push({
          start: e.startTime,
          duration: e.duration,
          blocking: e.blockingDuration,
          render: e.renderStart > 0 ? e.startTime + e.duration - e.renderStart : 0,
          layout: e.styleAndLayoutStart > 0 ? e.startTime + e.duration - e.styleAndLayoutStart : 0,
          scripts: e.scripts.map((s) => ({
            invoker: s.invoker,
            duration: s.duration,
            forcedLayout: s.forcedStyleAndLayoutDuration,
            source: (s.sourceFunctionName || '?') + ' ' + (s.sourceURL || '').split('/').pop() + ':' + s.sourceCharPosition,
          })),
        })
    }).observe({ type: 'long-animation-frame', buffered: true })
  } catch {}
  // the next task: runs after the current one and its microtasks (where Vue patches the DOM)
  const afterTask = () =>
    new Promise((resolve) => {
      const c = new MessageChannel()
      c.port1.onmessage = () => resolve(performance.now())
      c.port2.postMessage(0)
    })
  // after the next frame is painted
  const afterPaint = () => new Promise((resolve) => requestAnimationFrame(() => resolve(afterTask())))
  B.afterPaint = afterPaint

  // Every history reply and sessions:changed event the bridge hands the app: when it arrived, when
  // the app was done with it (parse, store, Vue patch) and when the frame after it was painted.
  const Socket = globalThis.WebSocket
  globalThis.WebSocket = class extends Socket {
    constructor(...args) {
      super(...args)
      // added before the bridge's own listener: this one runs first, in the same task
      this.addEventListener('message', (ev) => {
        if (typeof ev.data !== 'string') return
        const kind = ev.data.startsWith('{"event":"sessions:changed"')
          ? 'changed'
          : ev.data.includes('"nextCursor"')
            ? 'history'
            : null
        if (kind === null) return
        const rec = { kind, at: performance.now(), bytes: ev.data.length, handled: 0, painted: 0 }
        B.replies.push(rec)
        afterTask()
          .then((t) => {
            rec.handled = t
            return afterPaint()
          })
          .then((t) => {
            rec.painted = t
          })
      })
    }
  }

  const ROW = 'tr[data-session-id]'
  const visibleRows = () =>
    [...document.querySelectorAll(ROW)].filter((r) => {
      const b = r.getBoundingClientRect()
      return b.height > 0 && b.bottom > 0 && b.top < innerHeight
    }).length

  // Arms a measurement of the next click on [data-view=VIEW]: resolves once rows are in the page and
  // the frame showing them is painted. Times are from the click event (its own timestamp).
  B.armRows = (view) => {
    let clickAt = null
    const onClick = (e) => {
      if (e.target instanceof Element && e.target.closest('[data-view="' + view + '"]')) clickAt = e.timeStamp
    }
    document.addEventListener('click', onClick, { capture: true })
    B.pending = new Promise((resolve) => {
      const done = () => {
        if (clickAt === null || visibleRows() === 0) return false
        const rowsAt = performance.now()
        mo.disconnect()
        document.removeEventListener('click', onClick, { capture: true })
        const rows = visibleRows()
        afterPaint().then((paintedAt) => resolve({ clickAt, rowsAt, paintedAt, rows }))
        return true
      }
      const mo = new MutationObserver(() => void done())
      mo.observe(document.body, { childList: true, subtree: true })
    })
  }

  // After a measured click: the first history reply that arrived after it, once painted.
  B.historyReplyAfter = async (t) => {
    for (let i = 0; i < 500; i++) {
      const r = B.replies.find((x) => x.kind === 'history' && x.at >= t && x.painted > 0)
      if (r) return r
      await new Promise((ok) => setTimeout(ok, 10))
    }
    return null
  }

  B.longestTaskBetween = (from, to) =>
    B.longTasks.filter((t) => t.start + t.duration >= from && t.start <= to).reduce((m, t) => Math.max(m, t.duration), 0)
})()`

interface RowsShot {
  clickAt: number
  rowsAt: number
  paintedAt: number
  rows: number
}
interface Reply {
  kind: 'history' | 'changed'
  at: number
  bytes: number
  handled: number
  painted: number
}
interface LongTask {
  start: number
  duration: number
}
interface Frame {
  start: number
  duration: number
  blocking: number
  render: number
  layout: number
  scripts: { invoker: string; duration: number; forcedLayout: number; source: string }[]
}

/** Lets the page go quiet: two painted frames and a pause. */
async function quiet(page: Page, ms = 300): Promise<void> {
  await page.evaluate('globalThis.__bench.afterPaint().then(() => globalThis.__bench.afterPaint())')
  await sleep(ms)
}

/** Clicks the nav button of `view` and measures the first screen of rows (see armRows). */
async function clickForRows(page: Page, view: string): Promise<RowsShot> {
  await page.evaluate(`globalThis.__bench.armRows(${JSON.stringify(view)})`)
  await page.click(`[data-view="${view}"]`)
  return page.evaluate<RowsShot>('globalThis.__bench.pending')
}

// ---------------------------------------------------------------------------------------------------------
// 1. History

const RESOURCES: { type: ResourceType; name: string; target: string }[] = [
  { type: 'ssh', name: 'prod-db-01', target: 'prod-db-01:22' },
  { type: 'ssh', name: 'bastion.example.com', target: 'bastion.example.com:22' },
  { type: 'ssh', name: 'build-runner-3', target: '10.20.0.13:22' },
  { type: 'ssh', name: 'git.internal', target: 'git.internal:2222' },
  { type: 'ssh', name: 'staging-web', target: 'staging-web:22' },
  { type: 'ssh', name: 'k8s-node-07', target: '10.40.3.7:22' },
  { type: 'rdp', name: 'FINANCE-PC', target: 'finance-pc.corp.example:3389' },
  { type: 'rdp', name: 'ts01.corp.example', target: 'ts01.corp.example:3389' },
  { type: 'rdp', name: 'lab-win11', target: '192.168.56.20:3389' },
  { type: 'web', name: 'Grafana', target: 'https://grafana.example.com/' },
  { type: 'web', name: 'Jira', target: 'https://example.atlassian.net/' },
  { type: 'web', name: 'AWS Console', target: 'https://console.aws.amazon.com/' },
]
const PLACES = [
  { ip: '203.0.113.9', location: 'Frankfurt am Main, Germany' },
  { ip: '198.51.100.24', location: 'Ashburn, United States' },
  { ip: '192.0.2.77', location: 'Amsterdam, Netherlands' },
  { ip: '10.20.0.13', location: 'Private network' },
  { ip: '192.168.56.20', location: 'Private network' },
  { ip: '2001:db8::42', location: 'Tokyo, Japan' },
]
const CLIENTS: Record<ResourceType, { client: string; exe: string; port: number }> = {
  ssh: { client: 'ssh', exe: '/usr/bin/ssh', port: 22 },
  rdp: { client: 'xfreerdp', exe: '/usr/bin/xfreerdp', port: 3389 },
  web: { client: 'chromium', exe: '/usr/lib/chromium/chromium', port: 443 },
}
const ACTOR: Record<EndReason, string> = {
  user: 'app',
  bulk: 'app',
  'idle-timeout': 'policy',
  policy: 'policy',
  'network-lost': 'engine',
  'process-exit': 'engine',
  'app-restart': 'engine',
  'screen-lock': 'screen-lock',
  reported: 'app',
  remote: 'another-device',
}

/** 10 000 ended sessions over the last 60 days, through the store like the engine records them. */
function seedHistory(dbPath: string): void {
  const store = openStore({ path: dbPath })
  try {
    const random = prng(20_260_101)
    const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T
    store.upsertDevice({ id: 'bench-laptop', name: 'bench-laptop', os: 'Linux', model: 'bench' })
    const resources = RESOURCES.map((r) => ({ ...r, id: store.ensureResource(r.type, r.name, r.target).id }))
    const span = 60 * 86_400_000
    const t0 = Date.now() - span
    const batch = 1000
    for (let b = 0; b < HISTORY_ROWS / batch; b++) {
      const created: NewSession[] = []
      const updates: SessionUpdate[] = []
      let last = 0
      for (let i = 0; i < batch; i++) {
        const n = b * batch + i
        const r = pick(resources)
        const c = CLIENTS[r.type]
        const place = pick(PLACES)
        const start = Math.round(t0 + (n / HISTORY_ROWS) * (span - 86_400_000) + random() * 60_000)
        const durationMs = Math.round(10_000 + random() ** 3 * 8 * 3_600_000)
        const end = start + durationMs
        const reason = pick(END_REASONS)
        const flags: SessionFlag[] = []
        if (r.type === 'ssh' && random() < 0.15) flags.push('tunnel')
        if (r.type === 'ssh' && random() < 0.1) flags.push('jump')
        if (random() < 0.02) flags.push('new-location')
        const inBrowser = r.type === 'web' && random() < 0.5
        if (inBrowser) flags.push('in-browser')
        const id = (0xbe0000000000 + n).toString(16)
        created.push({
          id,
          key: `bench-history:${n}`,
          resourceId: r.id,
          deviceId: 'bench-laptop',
          startTime: start,
          lastActivity: start + Math.round(durationMs * random()),
          lastSeen: end,
          status: 'active',
          pid: 2000 + (n % 30_000),
          processStart: start - 50,
          exe: c.exe,
          client: c.client,
          host: r.type === 'web' ? new URL(r.target).host : (r.target.split(':')[0] ?? r.name),
          user: r.type === 'web' ? null : pick(['root', 'deploy', 'alice', 'ADMIN\\bob']),
          ipAddress: place.ip,
          remotePort: c.port,
          localAddress: '192.168.1.23',
          location: place.location,
          flags,
          endable: !inBrowser,
        })
        updates.push({ kind: 'end', id, at: end, reason, actor: ACTOR[reason] })
        last = Math.max(last, end)
      }
      store.applyTick(created, updates, last)
    }
  } finally {
    store.close()
  }
}

interface HistoryFigures {
  cold: number[]
  /** click → the page of rows arrived in the window (the rest of `cold` is mounting and rendering) */
  coldData: number[]
  warm: number[]
  warmRefresh: number[]
  longestTask: number
  rowsShown: number
  replyBytes: number
  errors: string[]
}

async function measureHistory(browser: Browser, bridge: Bridge): Promise<HistoryFigures> {
  const out: HistoryFigures = {
    cold: [],
    coldData: [],
    warm: [],
    warmRefresh: [],
    longestTask: 0,
    rowsShown: 0,
    replyBytes: 0,
    errors: [],
  }
  const record = async (
    page: Page,
    shot: RowsShot,
    first: number[],
    refresh: number[] | null,
    data: number[] | null,
  ): Promise<void> => {
    first.push(shot.paintedAt - shot.clickAt)
    const reply = await page.evaluate<Reply | null>(`globalThis.__bench.historyReplyAfter(${shot.clickAt})`)
    if (reply === null) throw new Error('the history view did not load a page after the click')
    refresh?.push(reply.painted - shot.clickAt)
    data?.push(reply.at - shot.clickAt)
    out.replyBytes = reply.bytes
    out.rowsShown = Math.max(out.rowsShown, shot.rows)
    const to = Math.max(shot.paintedAt, reply.painted)
    out.longestTask = Math.max(
      out.longestTask,
      await page.evaluate<number>(`globalThis.__bench.longestTaskBetween(${shot.clickAt}, ${to})`),
    )
  }
  // Cold: each in a fresh page, the view mounted for the first time.
  for (let i = 0; i < HISTORY_COLD_PAGES; i++) {
    const { page, errors } = await openApp(browser, bridge, { viewport: VIEWPORT, initScripts: [INSTRUMENT] })
    try {
      await page.waitForSelector('[data-view="history"]')
      await page.waitForSelector('[data-empty]') // the Sessions view has loaded (no open sessions)
      await quiet(page, 500)
      await record(page, await clickForRows(page, 'history'), out.cold, null, out.coldData)
      // Warm: away to Settings and back, in the last page only.
      if (i === HISTORY_COLD_PAGES - 1) {
        for (let k = 0; k < HISTORY_WARM_SWITCHES; k++) {
          await page.click('[data-view="settings"]')
          await page.waitForSelector('tr[data-session-id]', { state: 'detached' })
          await quiet(page, 400)
          await record(page, await clickForRows(page, 'history'), out.warm, out.warmRefresh, null)
        }
      }
      out.errors.push(...errors)
    } finally {
      await page.context().close()
    }
  }
  return out
}

// ---------------------------------------------------------------------------------------------------------
// 2. Live

/** An ssh -N -L session with a connection through it to `echoPort`: write() makes real traffic. */
interface Tunnel {
  client: ClientProc
  socket: net.Socket
}

async function startTunnel(sshd: Sshd, echoPort: number): Promise<Tunnel> {
  const local = await freePort()
  const client = await sshClient(
    sshd,
    ['-N', '-L', `127.0.0.1:${local}:127.0.0.1:${echoPort}`, 'warden-test'],
    {
      timeoutMs: 30_000,
    },
  )
  const socket = await waitFor(
    () =>
      new Promise<net.Socket | null>((resolve) => {
        const s = net.connect(local, '127.0.0.1')
        s.once('connect', () => {
          resolve(s)
        })
        s.once('error', () => {
          s.destroy()
          resolve(null)
        })
      }),
    10_000,
    `the tunnel on 127.0.0.1:${local}`,
    100,
  )
  socket.on('error', () => socket.destroy())
  socket.on('data', () => undefined) // the echo comes back through the tunnel: read it
  return { client, socket }
}

async function settle(engine: Engine, port: number, count: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    await engine.tick()
    if (engine.list().filter((s) => s.remotePort === port).length >= count) return
    await sleep(100)
  }
  throw new Error(`engine did not see ${count} sessions`)
}

interface LiveFigures {
  rows: number
  /** table rows in the DOM (the table is virtual: the rest are not rendered) */
  domRows: number
  longTasks: LongTask[]
  loadLongTasks: LongTask[]
  /** long animation frames before the table showed all rows (start-up and first draw) */
  loadFrames: Frame[]
  /** the scripts (assets/ file names) loaded by the time the table showed all rows */
  startJs: string[]
  longTaskObserver: boolean
  changed: number
  handled: number[]
  frames: Frame[]
  churn: { ended: number; started: number; poked: number }
  errors: string[]
}

interface CpuProfile {
  nodes: {
    id: number
    callFrame: { functionName: string; url: string; lineNumber: number }
    children?: number[]
  }[]
  samples?: number[]
  timeDeltas?: number[]
  startTime: number
  endTime: number
}

/** Self time and total time (self + callees) per function of a CPU profile, top 25 by total. */
function printProfile(profile: CpuProfile): void {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const parent = new Map<number, number>()
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
  const self = new Map<number, number>()
  const samples = profile.samples ?? []
  const deltas = profile.timeDeltas ?? []
  for (let i = 0; i < samples.length; i++) {
    const id = samples[i] ?? 0
    self.set(id, (self.get(id) ?? 0) + (deltas[i + 1] ?? 0) / 1000)
  }
  const key = (id: number): string => {
    const f = byId.get(id)?.callFrame
    if (!f) return '?'
    const file = f.url.split('/').pop() ?? ''
    return `${f.functionName || '(anonymous)'} ${file}:${f.lineNumber + 1}`
  }
  const selfBy = new Map<string, number>()
  const totalBy = new Map<string, number>()
  for (const [id, ms] of self) {
    selfBy.set(key(id), (selfBy.get(key(id)) ?? 0) + ms)
    // every distinct function on the stack gets the sample once
    const seen = new Set<string>()
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const k = key(at)
      if (seen.has(k)) continue
      seen.add(k)
      totalBy.set(k, (totalBy.get(k) ?? 0) + ms)
    }
  }
  const wall = (profile.endTime - profile.startTime) / 1000
  process.stderr.write(
    `\nCPU profile of the live phase (${round(wall)} ms of wall time), top by total time:\n`,
  )
  const top = [...totalBy].sort((a, b) => b[1] - a[1]).slice(0, 40)
  for (const [k, ms] of top)
    process.stderr.write(
      `  ${round(ms).toString().padStart(8)} ms total ${round(selfBy.get(k) ?? 0)
        .toString()
        .padStart(8)} ms self  ${k}\n`,
    )
  process.stderr.write('top by self time:\n')
  for (const [k, ms] of [...selfBy].sort((a, b) => b[1] - a[1]).slice(0, 25))
    process.stderr.write(`  ${round(ms).toString().padStart(8)} ms self  ${k}\n`)
}

/** The open sessions the Sessions view shows: the Active and Idle cards added up (NaN when not found). */
const SHOWN_COUNT = String.raw`(() => {
  const values = [...document.querySelectorAll('[data-stat] [data-value]')]
    .map((e) => e.textContent.trim())
    .filter((t) => /^\d+$/.test(t))
  return values.length < 2 ? NaN : values.reduce((s, t) => s + Number(t), 0)
})()`

async function measureLive(
  browser: Browser,
  bridge: Bridge,
  engine: Engine,
  sshd: Sshd,
  tunnels: Tunnel[],
): Promise<LiveFigures> {
  const { page, errors } = await openApp(browser, bridge, { viewport: VIEWPORT, initScripts: [INSTRUMENT] })
  try {
    await page.waitForSelector('tr[data-session-id]')
    // all of them in the table (the cards count what the table holds)
    let shown = Number.NaN
    for (let i = 0; i < 300; i++) {
      shown = await page.evaluate<number>(SHOWN_COUNT)
      if (shown >= LIVE_SESSIONS) break
      await sleep(100)
    }
    if (!(shown >= LIVE_SESSIONS)) log(`  (the cards show ${shown} sessions; measuring anyway)`)
    await quiet(page, 1000)
    const domRows = await page.evaluate<number>("document.querySelectorAll('tr[data-session-id]').length")
    // what the window loaded to show its first view: the scripts fetched by now
    const startJs = await page.evaluate<string[]>(LOADED_JS)
    const cdp = PROFILE === undefined ? null : await page.context().newCDPSession(page)
    if (cdp) {
      await cdp.send('Profiler.enable')
      await cdp.send('Profiler.setSamplingInterval', { interval: 100 })
      await cdp.send('Profiler.start')
    }
    const from = await page.evaluate<number>(`(() => {
      const B = globalThis.__bench
      B.changed = 0
      B.unsubscribe = globalThis.warden.onSessionsChanged(() => { B.changed++ })
      return performance.now()
    })()`)

    // Churn, once a second: end the oldest plain session and start a new one (created + ended),
    // and send traffic through two of the tunnels (idle → active, then idle again after 5 s).
    const churn = { ended: 0, started: 0, poked: 0 }
    const tunnelPids = new Set(tunnels.map((t) => t.client.pid))
    const pending: Promise<unknown>[] = []
    const deadline = performance.now() + LIVE_MEASURE_MS
    for (let second = 0; performance.now() < deadline; second++) {
      const tickAt = performance.now()
      const plain = engine
        .list()
        .filter((s) => s.remotePort === sshd.port && !tunnelPids.has(s.pid))
        .sort((a, b) => a.startTime.localeCompare(b.startTime))
      const oldest = plain[0]
      if (oldest)
        pending.push(
          engine.end(oldest.id, 'bench').then((r) => {
            if (r.ok) churn.ended++
          }),
        )
      pending.push(
        sshClient(sshd, ['-N', 'warden-test'], { timeoutMs: 30_000 }).then(() => {
          churn.started++
        }),
      )
      for (const t of [tunnels[(2 * second) % tunnels.length], tunnels[(2 * second + 1) % tunnels.length]])
        if (t && !t.socket.destroyed) {
          t.socket.write(`traffic ${second}\n`.repeat(64))
          churn.poked++
        }
      await sleep(Math.max(0, 1000 - (performance.now() - tickAt)))
    }
    await Promise.all(pending)
    const to = await page.evaluate<number>('performance.now()')
    if (cdp && PROFILE !== undefined) {
      const { profile } = await cdp.send('Profiler.stop')
      writeFileSync(PROFILE, JSON.stringify(profile))
      printProfile(profile)
    }
    const result = await page.evaluate<{
      longTasks: LongTask[]
      frames: Frame[]
      replies: Reply[]
      changed: number
      longTaskObserver: boolean
    }>(`(() => {
      const B = globalThis.__bench
      B.unsubscribe()
      return { longTasks: B.longTasks, frames: B.frames, replies: B.replies, changed: B.changed, longTaskObserver: B.longTaskObserver }
    })()`)
    const inWindow = (t: { start: number; duration: number }): boolean =>
      t.start + t.duration >= from && t.start <= to
    return {
      rows: shown,
      domRows,
      longTasks: result.longTasks.filter(inWindow),
      loadLongTasks: result.longTasks.filter((t) => t.start < from),
      loadFrames: result.frames.filter((t) => t.start < from),
      startJs,
      longTaskObserver: result.longTaskObserver,
      changed: result.changed,
      handled: result.replies
        .filter((r) => r.kind === 'changed' && r.at >= from && r.at <= to && r.handled > 0)
        .map((r) => r.handled - r.at),
      frames: result.frames.filter(inWindow),
      churn,
      errors,
    }
  } finally {
    await page.context().close()
  }
}

/** The three longest animation frames of `frames`, with the scripts that ran in them. */
function printWorstFrames(when: string, frames: Frame[]): void {
  const worst = [...frames].sort((a, b) => b.blocking - a.blocking).slice(0, 3)
  if (worst.length === 0) return
  process.stdout.write(`\nlongest animation frames ${when} (scripts in them):\n`)
  for (const f of worst)
    process.stdout.write(
      `  ${round(f.duration)} ms (blocking ${round(f.blocking)}, render ${round(f.render)}, style+layout ${round(f.layout)}): ${f.scripts.map((s) => `${s.invoker} ${round(s.duration)} ms [${s.source}]`).join('; ')}\n`,
    )
}

// ---------------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'warden-renderer-bench-'))
  let browser: Browser | null = null
  const engines: Engine[] = []
  const bridges: Bridge[] = []
  const sockets: net.Socket[] = []
  let echo: net.Server | null = null
  try {
    // Built into a folder of our own: out/renderer may be rebuilt meanwhile by the e2e tests.
    const rendererDir = PREBUILT ?? join(dir, 'renderer')
    if (PREBUILT === undefined) {
      log('building the renderer …')
      await build({
        ...rendererConfig,
        configFile: false,
        logLevel: 'warn',
        build: {
          ...rendererConfig.build,
          outDir: rendererDir,
          emptyOutDir: true,
          ...(PROFILE === undefined ? {} : { minify: false, sourcemap: true }),
        },
      })
    }
    browser = await launchChromium()

    // 1. history
    log(`seeding ${HISTORY_ROWS.toLocaleString('en')} ended sessions …`)
    const historyDb = join(dir, 'history.db')
    seedHistory(historyDb)
    const historyEngine = await createEngine({ dbPath: historyDb, actor: 'bench', scope: () => false })
    engines.push(historyEngine)
    const historyBridge = await startBridge({ engine: historyEngine, rendererDir })
    bridges.push(historyBridge)
    log(
      `measuring the history's first screen (${HISTORY_COLD_PAGES} fresh pages, ${HISTORY_WARM_SWITCHES} switches) …`,
    )
    const hist = await measureHistory(browser, historyBridge)

    // 2. live
    log(`starting sshd and ${LIVE_SESSIONS} ssh sessions …`)
    const sshd = await startSshd()
    echo = net.createServer((s) => {
      s.on('error', () => s.destroy())
      s.pipe(s)
    })
    const server = echo
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok))
    const echoAddress = server.address()
    if (echoAddress === null || typeof echoAddress === 'string') throw new Error('echo server: no port')
    const tunnels = await Promise.all(
      Array.from({ length: LIVE_TUNNELS }, () => startTunnel(sshd, echoAddress.port)),
    )
    for (const t of tunnels) sockets.push(t.socket)
    await sshBatch(sshd, LIVE_SESSIONS - LIVE_TUNNELS, 20)
    const scope = (d: Detected): boolean => d.remotePort === sshd.port
    const liveEngine = await createEngine({
      dbPath: join(dir, 'live.db'),
      actor: 'bench',
      scope,
      terminate: { graceMs: 3000 },
    })
    engines.push(liveEngine)
    liveEngine.setSetting('pollIntervalMs', 1000)
    liveEngine.setSetting('idleAfterSec', 5)
    await settle(liveEngine, sshd.port, LIVE_SESSIONS)
    liveEngine.start()
    const liveBridge = await startBridge({ engine: liveEngine, rendererDir })
    bridges.push(liveBridge)
    log(`measuring long tasks in the Sessions view for ${LIVE_MEASURE_MS / 1000} s of updates …`)
    const live = await measureLive(browser, liveBridge, liveEngine, sshd, tunnels)
    await liveEngine.stop()

    const longest = max(live.longTasks.map((t) => t.duration))
    const figures = {
      historyFirstScreenMs: round(median(hist.warm)),
      historyFirstScreenMaxMs: round(max(hist.warm)),
      historyRefreshMs: round(median(hist.warmRefresh)),
      historyRefreshMaxMs: round(max(hist.warmRefresh)),
      historyColdMs: round(median(hist.cold)),
      historyColdMaxMs: round(max(hist.cold)),
      historyColdDataMs: round(median(hist.coldData)),
      historyLongestTaskMs: round(hist.longestTask),
      historyRowsShown: hist.rowsShown,
      liveRows: live.rows,
      liveDomRows: live.domRows,
      liveLongTasks: live.longTasks.length,
      liveMaxLongTaskMs: round(longest),
      liveChangedEvents: live.changed,
      liveUpdateMs: round(median(live.handled)),
      liveUpdateMaxMs: round(max(live.handled)),
      liveLoadLongTasks: live.loadLongTasks.length,
      liveLoadMaxLongTaskMs: round(max(live.loadLongTasks.map((t) => t.duration))),
      pageErrors: hist.errors.length + live.errors.length,
      rendererJsBytes: rendererJsBytes(rendererDir),
      /** what the window loads to show the Sessions view: the entry and what it imports at start */
      rendererStartJsBytes: rendererJsBytes(rendererDir, (f) => live.startJs.includes(f)),
      /** asciinema-player's chunk, in rendererJsBytes, loaded only when a recording is opened */
      rendererPlayerJsBytes: rendererJsBytes(rendererDir, (f) => isPlayerChunk(rendererDir, f)),
      /** asciinema-player's terminal (.wasm), not JavaScript: fetched when a recording is opened */
      rendererWasmBytes: rendererWasmBytes(rendererDir),
    }
    if (JSON_OUT) {
      process.stdout.write(`${JSON.stringify(figures)}\n`)
    } else {
      const secs = LIVE_MEASURE_MS / 1000
      const rows: [string, string, string, string][] = [
        [
          'history: click → first screen, fresh page',
          `${figures.historyColdMs} ms`,
          `median of ${hist.cold.length}, max ${figures.historyColdMaxMs} ms; the page of rows arrived at ${figures.historyColdDataMs} ms`,
          '≤ 200 ms',
        ],
        [
          'history: click → first screen, back again',
          `${figures.historyFirstScreenMs} ms`,
          `median of ${hist.warm.length} switches from Settings, max ${figures.historyFirstScreenMaxMs} ms (kept-alive rows)`,
          '≤ 200 ms',
        ],
        [
          'history: click → reloaded page painted',
          `${figures.historyRefreshMs} ms`,
          `same switches, max ${figures.historyRefreshMaxMs} ms`,
          '≤ 200 ms',
        ],
        [
          'history: longest task while opening',
          `${figures.historyLongestTaskMs} ms`,
          `${HISTORY_ROWS.toLocaleString('en')} sessions stored; ${hist.rowsShown} rows on screen of a ${Math.round(hist.replyBytes / 1024)} KiB page (0: none over 50 ms)`,
          '',
        ],
        [
          `live: long tasks over ${secs} s`,
          `${figures.liveLongTasks}`,
          `${live.rows} sessions shown (${live.domRows} rows in the DOM), ${figures.liveChangedEvents} sessions:changed events, ${live.churn.ended} ended, ${live.churn.started} started, ${live.churn.poked} pokes`,
          'none over 50 ms',
        ],
        ['live: longest task', `${figures.liveMaxLongTaskMs} ms`, '0: no task over 50 ms', '≤ 50 ms'],
        [
          'live: one sessions:changed handled',
          `${figures.liveUpdateMs} ms`,
          `median, max ${figures.liveUpdateMaxMs} ms (parse, store, Vue patch of ${LIVE_SESSIONS} rows)`,
          '',
        ],
        [
          'live: long tasks while loading',
          `${figures.liveLoadLongTasks}`,
          `before the table showed all rows; longest ${figures.liveLoadMaxLongTaskMs} ms (not counted)`,
          '',
        ],
        [
          'renderer JavaScript, all chunks',
          `${round(figures.rendererJsBytes / 1024)} KB`,
          `of which asciinema-player ${round(figures.rendererPlayerJsBytes / 1024)} KB (loaded when a recording is opened)`,
          '≤ 800 KB',
        ],
        [
          'renderer WebAssembly',
          `${round(figures.rendererWasmBytes / 1024)} KB`,
          "asciinema-player's terminal, fetched when a recording is opened (not JavaScript)",
          '',
        ],
        [
          'renderer JavaScript loaded at start',
          `${round(figures.rendererStartJsBytes / 1024)} KB`,
          `${live.startJs.join(', ')}, by the time the Sessions view showed all rows`,
          '',
        ],
      ]
      const w = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i]?.length ?? 0)))
      process.stdout.write(
        `\nSession Warden renderer benchmark — Chromium ${browser.version()}, ${VIEWPORT.width}×${VIEWPORT.height}\n\n`,
      )
      for (const r of rows)
        process.stdout.write(
          `${r[0].padEnd(w[0] ?? 0)}  ${r[1].padStart(w[1] ?? 0)}  ${r[2].padEnd(w[2] ?? 0)}  ${r[3]}\n`,
        )
      if (!live.longTaskObserver)
        process.stdout.write('\n(warning: this Chromium reports no longtask entries)\n')
      if (live.longTasks.length > 0) printWorstFrames('while live', live.frames)
      if (live.loadLongTasks.length > 0) printWorstFrames('while loading', live.loadFrames)
    }
    if (PROFILE !== undefined) {
      // animation frames over 50 ms while live, by what started their longest script
      const by = new Map<string, number[]>()
      for (const f of live.frames) {
        const first = [...f.scripts].sort((a, b) => b.duration - a.duration)[0]
        const k = first?.invoker ?? '(rendering only)'
        by.set(k, [...(by.get(k) ?? []), f.duration])
      }
      process.stderr.write('\nlong animation frames while live, by invoker of their longest script:\n')
      for (const [k, d] of [...by].sort((a, b) => b[1].length - a[1].length))
        process.stderr.write(
          `  ${String(d.length).padStart(4)} × median ${round(median(d))} ms, max ${round(max(d))} ms  ${k}\n`,
        )
    }
    for (const e of [...hist.errors, ...live.errors]) log(`page error: ${e}`)
  } finally {
    for (const b of bridges) await b.close()
    for (const e of engines) await e.close()
    if (browser) await browser.close()
    for (const s of sockets) s.destroy()
    echo?.close()
    await stopAll()
    rmSync(dir, { recursive: true, force: true })
  }
}

await main()
