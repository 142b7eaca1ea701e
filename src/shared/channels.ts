// The names of the IPC contract and what crosses the wire, without the argument schemas: the sandboxed
// preload builds `window.warden` from this module alone, so it ships channel names, not zod.
// src/shared/contract.ts takes its keys from here (a call or an event exists in both or in neither:
// its `satisfies` clauses check that, tests/unit/shell/preload.test.ts checks the values).
// Pure TypeScript: no zod, Node, DOM or Electron API.
import type { EngineErrorCode } from './model'

/** Every call the window makes: its function name on `window.warden` → its IPC channel. */
export const invokeChannels = {
  listSessions: 'sessions:list',
  refreshSessions: 'sessions:refresh',
  endSession: 'sessions:end',
  keepSessionActive: 'sessions:keepActive',
  endSessions: 'sessions:endAll',
  queryHistory: 'history:query',
  getSettings: 'settings:get',
  setSetting: 'settings:set',
  listResources: 'resources:list',
  addWebResource: 'resources:add',
  updateResourcePolicy: 'resources:update',
  removeResource: 'resources:remove',
  openWebResource: 'resources:open',
  getDevice: 'device:get',
  pageReady: 'window:ready',
  listRecordings: 'recordings:list',
  readRecording: 'recordings:read',
  verifyRecording: 'recordings:verify',
  listReview: 'review:list',
  markExpected: 'review:accept',
  reportSession: 'review:report',
  listAllowed: 'review:allowed',
  removeAllowed: 'review:forget',
  getSessionDetails: 'sessions:details',
  fleetStatus: 'fleet:status',
  listFleetSessions: 'fleet:list',
  endFleetSessions: 'fleet:end',
  joinFleet: 'fleet:join',
  leaveFleet: 'fleet:leave',
  setFleetLocation: 'fleet:setLocation',
  queryFleetHistory: 'fleet:history',
  setResourceDisplayName: 'resources:displayName',
} as const

/** Every event the main process pushes: its subscribe function on `window.warden` → its channel. */
export const eventChannels = {
  onSessionsChanged: 'sessions:changed',
  onIdleWarning: 'session:idleWarning',
  onSessionEnded: 'session:ended',
  onShowSession: 'window:showSession',
  onReviewChanged: 'review:changed',
} as const

export type InvokeName = keyof typeof invokeChannels
export type EventName = keyof typeof eventChannels

// ------------------------------------------------------------------ the wire

/** Error codes a call can fail with: the engine's, plus the IPC layer's own. */
export type ApiErrorCode = EngineErrorCode | 'BAD_ARGS' | 'FORBIDDEN' | 'INTERNAL'

/** Every reply crosses the wire in this envelope, so the caller gets a real Error with its code. */
export type Envelope<T = unknown> =
  { ok: true; value: T } | { ok: false; error: { code: ApiErrorCode; message: string } }

/** The error a rejected call throws in the renderer: name 'WardenError', the code kept. */
export class WardenError extends Error {
  override readonly name = 'WardenError'
  constructor(
    readonly code: ApiErrorCode,
    message: string,
  ) {
    super(message)
  }
}
