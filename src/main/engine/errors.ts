import { SESSION_ID_RE, type EngineErrorCode } from '@shared/model'

export type { EngineErrorCode }

/** An error meant for the user: a clear one-line message and a code; nothing was changed. */
export class EngineError extends Error {
  constructor(
    readonly code: EngineErrorCode,
    message: string,
  ) {
    super(message)
    this.name = 'EngineError'
  }
}

export function checkSessionId(id: unknown): string {
  if (typeof id !== 'string' || !SESSION_ID_RE.test(id))
    throw new EngineError('BAD_ID', `invalid session id ${JSON.stringify(id)} (expected 12 hex characters)`)
  return id
}
