// Idle warnings that are pending: warned by the engine and not yet answered by activity, Keep active
// or the end of the session. The tray shows its warning icon while any is pending, and the
// notifications close their toast when one is answered.
import { EventEmitter } from 'node:events'
import type { Session } from '@shared/model'
import type { EngineEvents, WarnInfo } from '@engine/engine'

/** The engine's events as the shell listens to them. */
export interface EngineEventSource {
  on<K extends keyof EngineEvents>(event: K, listener: (...args: EngineEvents[K]) => void): unknown
  off<K extends keyof EngineEvents>(event: K, listener: (...args: EngineEvents[K]) => void): unknown
}

export interface PendingWarning {
  session: Session
  info: WarnInfo
}

interface PendingEvents {
  added: [PendingWarning]
  /** the warning was answered (the session is active again, or it ended): its id */
  cleared: [string]
}

export class PendingWarnings extends EventEmitter<PendingEvents> {
  private readonly pending = new Set<string>()

  ids(): ReadonlySet<string> {
    return new Set(this.pending)
  }

  warn(session: Session, info: WarnInfo): void {
    this.pending.add(session.id)
    this.emit('added', { session, info })
  }

  clear(id: string): void {
    if (this.pending.delete(id)) this.emit('cleared', id)
  }

  /** Follows the engine: a warning is added when it warns, cleared by activity or the end. */
  follow(engine: EngineEventSource): () => void {
    const onWarned = (s: Session, info: WarnInfo): void => this.warn(s, info)
    const onStatus = (s: Session): void => {
      if (s.status === 'active') this.clear(s.id)
    }
    const onEnded = (s: Session): void => this.clear(s.id)
    engine.on('warned', onWarned)
    engine.on('status', onStatus)
    engine.on('ended', onEnded)
    return () => {
      engine.off('warned', onWarned)
      engine.off('status', onStatus)
      engine.off('ended', onEnded)
    }
  }
}
