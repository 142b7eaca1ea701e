import { isBrowserProcess, isSessionProgram } from './detect'
import { Device } from './device'
import { Engine, type EngineDeps } from './engine'
import { createGeoLocator } from './geo'
import { createProbe } from './probe'
import { defaultDbPath, openStore } from './store'

export { Engine } from './engine'
export type { EngineEvents, SystemIdleSource, TickReport, WarnInfo } from './engine'
export type { EngineTiming } from './timing'
export type { EndResult } from '@shared/model'
export { EngineError } from './errors'

export interface CreateEngineOptions extends Partial<Omit<EngineDeps, 'store' | 'device'>> {
  /** database file; default: WARDEN_DB or the per-user app-data folder */
  dbPath?: string
}

/** The one way the app and the CLI build an engine: store, probe, geo and device wired together. */
export async function createEngine(opts: CreateEngineOptions = {}): Promise<Engine> {
  const store = openStore({ path: opts.dbPath ?? defaultDbPath() })
  try {
    const source = new Device()
    const device = await source.load()
    return new Engine({
      interfaces: source,
      ...opts,
      store,
      device,
      probe:
        opts.probe ??
        createProbe(process.platform, { interesting: isSessionProgram, browser: isBrowserProcess }),
      geo: opts.geo ?? createGeoLocator(),
    })
  } catch (e) {
    store.close()
    throw e
  }
}
