// The only file that touches window.warden. Everything else imports `api` from here.
import type { WardenApi } from '@shared/contract'

function resolveApi(): WardenApi {
  const api = window.warden
  if (!api) throw new Error('Session Warden must be opened as the desktop app (window.warden is missing).')
  return api
}

export const api: WardenApi = resolveApi()

export { WardenError } from '@shared/channels'

/** One readable line for any error a call can throw. */
export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e)
}
