// The negative control every timeout behaviour gets: with idle after 5 s, the warning at 5 s and the
// disconnect after T, a quiet session is warned and ended while one with traffic every T/10 survives
// 3T. Shared by the real-sshd tests, with and without a busy desktop's background churn.
import { expect } from 'vitest'
import type { Engine } from '@engine/engine'
import type { Session } from '@shared/model'
import { isAlive, type InteractiveSsh } from './peers'

export const CONTROL_T = 6

/** Short thresholds: idle and warned at 5 s, ended at T. */
export function setControlPolicy(e: Engine): void {
  e.setSetting('pollIntervalMs', 250)
  e.setSetting('idleAfterSec', 5)
  e.setSetting('warnAfterSec', 5)
  e.setSetting('disconnectAfterSec', CONTROL_T)
}

/**
 * Runs the loop for 3T while `busy` sends a line every T/10 (the traffic itself is paced; the checks
 * look at what the engine recorded meanwhile), then checks that only `quiet` was warned and ended.
 */
export async function runIdleControl(
  e: Engine,
  ids: Record<number, string>,
  quiet: InteractiveSsh,
  busy: InteractiveSsh,
): Promise<void> {
  const warned: string[] = []
  const ended: Session[] = []
  e.on('warned', (s) => warned.push(s.id))
  e.on('ended', (s) => ended.push(s))
  e.start()
  const t0 = Date.now()
  while (Date.now() - t0 < 3 * CONTROL_T * 1000) {
    await busy.poke()
    await new Promise((r) => setTimeout(r, (CONTROL_T * 1000) / 10))
  }
  await e.stop()
  expect(warned).toContain(ids[quiet.pid])
  expect(warned).not.toContain(ids[busy.pid])
  expect(ended.map((s) => [s.id, s.endReason])).toEqual([[ids[quiet.pid], 'idle-timeout']])
  await quiet.exited
  expect(isAlive(quiet.pid)).toBe(false)
  expect(isAlive(busy.pid)).toBe(true)
  expect(e.get(ids[busy.pid] ?? '').status).toBe('active')
}
