import { rmSync } from 'node:fs'
import { dirname } from 'node:path'
import type { Clock } from './clock'
import { EngineError } from './errors'
import { findBrowser, launchBrowser, profileDirFor, type LaunchOptions } from './launch'
import type { Probe, Snapshot } from './probe/types'
import type { ResourceRow, SessionRow, Store } from './store/types'
import { delay, type EngineTiming } from './timing'

export interface WebLauncherDeps {
  store: Store
  probe: Pick<Probe, 'readProcess'>
  clock: Clock
  timing: Pick<EngineTiming, 'launchCheckMs'>
  /** starts the browser and resolves with its pid (tests replace it) */
  launch?: (o: LaunchOptions) => Promise<number>
  reportError(e: unknown): void
}

/** Dedicated browser windows for web resources: their launch, their pids, their profiles. */
export class WebLauncher {
  constructor(private readonly deps: WebLauncherDeps) {}

  /**
   * Opens a web resource in a dedicated browser window with its own profile. That session can be
   * ended for real (and its cookies wiped), unlike one in the user's everyday browser. A browser
   * that exits at once (no display, a window of this profile already open) is a failed launch.
   */
  async launch(
    r: ResourceRow,
    opts: { browser?: string; extraArgs?: readonly string[] } = {},
  ): Promise<{ pid: number }> {
    if (r.type !== 'web') throw new EngineError('BAD_RESOURCE', `${r.name} is not a web resource`)
    const browser = opts.browser ?? findBrowser()
    if (!browser)
      throw new EngineError(
        'LAUNCH_FAILED',
        'no Chromium-family browser found (set WARDEN_BROWSER to its path)',
      )
    let pid: number
    try {
      pid = await (this.deps.launch ?? launchBrowser)({
        browser,
        url: r.target,
        profileDir: this.profileDir(r.id),
        extraArgs: opts.extraArgs ?? [],
      })
    } catch (e) {
      throw new EngineError(
        'LAUNCH_FAILED',
        `could not start ${browser}: ${e instanceof Error ? e.message : String(e)}`,
      )
    }
    const info = await this.deps.probe.readProcess(pid)
    if (!info || !(await this.stillRuns(pid, info.startTime)))
      throw new EngineError(
        'LAUNCH_FAILED',
        `${browser} exited right after it started (no display, or a window of this resource already open?)`,
      )
    this.deps.store.addLaunch({
      pid,
      processStart: info.startTime,
      resourceId: r.id,
      at: this.deps.clock.now(),
    })
    return { pid }
  }

  /** Whether the process still runs after launchCheckMs, checked every 100 ms meanwhile. */
  private async stillRuns(pid: number, startTime: number): Promise<boolean> {
    const total = this.deps.timing.launchCheckMs
    const step = Math.min(100, total)
    for (let waited = 0; waited < total; waited += step) {
      await delay(step)
      const p = await this.deps.probe.readProcess(pid)
      if (!p || p.startTime !== startTime) return false
    }
    return true
  }

  /** Launched browsers still running, pid → resource id; the records of those gone are dropped. */
  live(snap: Snapshot): Map<number, number> {
    const out = new Map<number, number>()
    for (const l of this.deps.store.launches()) {
      const p = snap.processes.get(l.pid)
      if (p && p.startTime === l.processStart) out.set(l.pid, l.resourceId)
      else this.deps.store.removeLaunch(l.pid, l.processStart)
    }
    return out
  }

  /** A launched window's profile (cookies, storage) does not outlive its session. */
  wipeProfile(row: SessionRow): void {
    const r = this.deps.store.listResources({ type: 'web' }).find((x) => x.id === row.resourceId)
    if (!r) return
    try {
      rmSync(this.profileDir(r.id), { recursive: true, force: true, maxRetries: 3 })
    } catch (e) {
      this.deps.reportError(e)
    }
  }

  private profileDir(resourceId: number): string {
    return profileDirFor(dirname(this.deps.store.path), resourceId)
  }
}
