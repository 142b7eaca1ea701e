// The computer's state as Electron's powerMonitor reports it, handed to the engine: input idle time
// (for "count me away"), sleep and wake (deadlines from the stored wall-clock times), screen lock.
import type { EndResult } from '@shared/model'
import type { Engine, SystemIdleSource } from '@engine/engine'
import type { PowerMonitorPort } from './ports'

/** Seconds since the last keyboard or mouse input; null if the OS would not say. */
export function systemIdleSource(power: Pick<PowerMonitorPort, 'getSystemIdleTime'>): SystemIdleSource {
  return {
    idleSeconds() {
      try {
        const s = power.getSystemIdleTime()
        return Number.isFinite(s) && s >= 0 ? s : null
      } catch {
        return null
      }
    },
  }
}

export interface PowerBindingOptions {
  /** sessions ended because the screen locked (lockAction 'end') */
  onLockEnded?: (results: EndResult[]) => void
  onError?: (e: unknown) => void
}

/** Wires sleep, wake, lock and unlock to the engine. Returns the function that unwires them. */
export function bindPowerEvents(
  power: PowerMonitorPort,
  engine: Pick<Engine, 'suspend' | 'resume' | 'screenLocked' | 'screenUnlocked'>,
  opts: PowerBindingOptions = {},
): () => void {
  const onSuspend = (): void => engine.suspend()
  const onResume = (): void => engine.resume()
  const onLock = (): void => {
    engine
      .screenLocked()
      .then((results) => {
        if (results.length > 0) opts.onLockEnded?.(results)
      })
      .catch((e: unknown) => opts.onError?.(e))
  }
  const onUnlock = (): void => engine.screenUnlocked()
  power.on('suspend', onSuspend)
  power.on('resume', onResume)
  power.on('lock-screen', onLock)
  power.on('unlock-screen', onUnlock)
  // only our own listeners: whatever else listens to powerMonitor keeps listening
  return () => {
    power.removeListener('suspend', onSuspend)
    power.removeListener('resume', onResume)
    power.removeListener('lock-screen', onLock)
    power.removeListener('unlock-screen', onUnlock)
  }
}
