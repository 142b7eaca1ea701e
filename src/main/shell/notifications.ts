// OS notifications: the idle warning before a session is cut (with Keep active and End now where the OS
// has notification buttons), a notice after an automatic disconnect, and one when a session goes over a
// limit. Clicking one opens the window on that session. Activity closes a pending warning. Recordings
// (issue 12): the size cap removing the oldest, and a recording stopped early while its session goes on;
// their texts are src/shared/recording.ts's, which `warden watch` prints too.
import { durationWords } from '@shared/duration'
import type { Session } from '@shared/model'
import { recordingStoppedText, recordingsTrimmedText, type Recording } from '@shared/recording'
import type { RecordingsTrimmed } from '@engine/recordings'
import type { ReviewHit } from '@shared/review'
import type { Engine, WarnInfo } from '@engine/engine'
import { Disposables } from './disposables'
import type { DesktopPorts, NotificationPort } from './ports'
import type { EngineEventSource, PendingWarning, PendingWarnings } from './warnings'

export function idleWarningText(
  s: Pick<Session, 'resourceName'>,
  info: WarnInfo,
): { title: string; body: string } {
  const idle = `Session ${s.resourceName} has been idle for ${durationWords(info.idleMs)}`
  return {
    title: 'Idle session',
    body:
      info.disconnectInMs === null
        ? `${idle}.`
        : `${idle}; it will be disconnected in ${durationWords(info.disconnectInMs)}.`,
  }
}

export function autoDisconnectText(s: Pick<Session, 'resourceName' | 'lastActivity' | 'endTime'>): {
  title: string
  body: string
} {
  const idleMs = Date.parse(s.endTime ?? '') - Date.parse(s.lastActivity)
  return {
    title: 'Session disconnected',
    body: Number.isFinite(idleMs)
      ? `Session ${s.resourceName} was disconnected after ${durationWords(idleMs)} idle.`
      : `Session ${s.resourceName} was disconnected because it was idle.`,
  }
}

/** A new session that needs review (anomaly review, issue 13): its strongest reason, and how many more. */
export function reviewText(
  s: Pick<Session, 'resourceName' | 'resourceType'>,
  hits: readonly Pick<ReviewHit, 'reason' | 'weight'>[],
): { title: string; body: string } {
  const [top, ...rest] = [...hits].sort((a, b) => b.weight - a.weight)
  const more = rest.length === 0 ? '' : ` (+${rest.length} more)`
  return {
    title: `Review ${s.resourceType.toUpperCase()} session ${s.resourceName}`,
    body: `${top?.reason ?? 'It looks unusual'}${more}. If you did not start it, report it.`,
  }
}

/** Notification buttons exist on macOS and Windows; on Linux the click opens the window instead. */
export function supportsActions(platform: NodeJS.Platform): boolean {
  return platform === 'darwin' || platform === 'win32'
}

export const WARNING_ACTIONS = ['Keep active', 'End now'] as const

export interface NotifierDeps {
  ports: Pick<DesktopPorts, 'platform' | 'notificationsSupported' | 'createNotification'>
  engine: EngineEventSource & Pick<Engine, 'getSettings' | 'keepActive' | 'end'>
  warnings: PendingWarnings
  openWindow: (sessionId?: string) => void
  icon?: string
  onError?: (e: unknown) => void
}

export interface Notifier {
  /** notifications on screen now, by session id (for tests) */
  readonly showing: ReadonlyMap<string, NotificationPort>
  /** a plain message (a tray action that failed) */
  notice(title: string, body: string, sessionId?: string): void
  dispose(): void
}

export function createNotifier(deps: NotifierDeps): Notifier {
  // Electron drops a notification's handlers when nothing references it: keep every one until closed.
  const showing = new Map<string, NotificationPort>()
  const others = new Set<NotificationPort>()
  /** the listeners each notification got, removed once it has closed */
  const listening = new Map<NotificationPort, Disposables>()
  const actions = supportsActions(deps.ports.platform)
  const report = (e: unknown): void => deps.onError?.(e)

  const enabled = (): boolean => {
    try {
      return deps.engine.getSettings().notifications && deps.ports.notificationsSupported()
    } catch (e) {
      report(e)
      return false
    }
  }

  const show = (
    title: string,
    body: string,
    sessionId: string | undefined,
    opts: { warning?: boolean } = {},
  ): { n: NotificationPort; scope: Disposables } => {
    const n = deps.ports.createNotification({
      title,
      body,
      ...(deps.icon === undefined ? {} : { icon: deps.icon }),
      ...(opts.warning
        ? {
            urgency: 'critical' as const,
            timeoutType: 'never' as const,
            ...(actions
              ? { actions: WARNING_ACTIONS.map((text) => ({ type: 'button' as const, text })) }
              : {}),
          }
        : {}),
    })
    const scope = new Disposables(report)
    listening.set(n, scope)
    scope.addListener(n, 'click', () => deps.openWindow(sessionId))
    return { n, scope }
  }

  const release = (n: NotificationPort): void => {
    listening.get(n)?.dispose().catch(report)
    listening.delete(n)
  }

  const onAdded = (w: PendingWarning): void => {
    if (!enabled()) return
    showing.get(w.session.id)?.close()
    const id = w.session.id
    const text = idleWarningText(w.session, w.info)
    const { n, scope } = show(text.title, text.body, id, { warning: true })
    scope.addListener(n, 'action', (details: { actionIndex?: number }, index: number) => {
      const i = typeof details.actionIndex === 'number' ? details.actionIndex : index
      const run = i === 0 ? deps.engine.keepActive(id, 'notification') : deps.engine.end(id, 'notification')
      run.catch(report)
    })
    scope.addListener(n, 'close', () => {
      if (showing.get(id) === n) showing.delete(id)
      release(n)
    })
    showing.set(id, n)
    n.show()
  }

  const onCleared = (id: string): void => {
    const n = showing.get(id)
    if (!n) return
    showing.delete(id)
    n.close()
  }

  const notice = (title: string, body: string, sessionId?: string): void => {
    if (!enabled()) return
    const { n, scope } = show(title, body, sessionId)
    others.add(n)
    scope.addListener(n, 'close', () => {
      others.delete(n)
      release(n)
    })
    n.show()
  }

  const onEnded = (s: Session): void => {
    if (s.endReason !== 'idle-timeout') return
    const text = autoDisconnectText(s)
    notice(text.title, text.body, s.id)
  }

  const onLimit = (s: Session, l: { limit: number; action: 'notify' | 'end-newest' }): void => {
    const type = s.resourceType.toUpperCase()
    notice(
      'Session limit',
      l.action === 'end-newest'
        ? `${s.resourceName} went over the limit of ${l.limit} ${type} sessions and is being ended.`
        : `${s.resourceName} is over the limit of ${l.limit} ${type} sessions.`,
      s.id,
    )
  }

  // the engine already keeps to one notice per rule and key per 24 h (anomaly/reviewer.ts)
  const onReview = (s: Session, hits: ReviewHit[]): void => {
    const text = reviewText(s, hits)
    notice(text.title, text.body, s.id)
  }

  const onTrimmed = (t: RecordingsTrimmed): void => {
    const text = recordingsTrimmedText(t)
    notice(text.title, text.body)
  }

  const onRecordingStopped = (s: Session, r: Recording): void => {
    const text = recordingStoppedText(s, r)
    notice(text.title, text.body, s.id)
  }

  deps.warnings.on('added', onAdded)
  deps.engine.on('review', onReview)
  deps.engine.on('recordingsTrimmed', onTrimmed)
  deps.engine.on('recordingStopped', onRecordingStopped)
  deps.warnings.on('cleared', onCleared)
  deps.engine.on('ended', onEnded)
  deps.engine.on('limit', onLimit)

  return {
    showing,
    notice,
    dispose() {
      deps.warnings.off('added', onAdded)
      deps.warnings.off('cleared', onCleared)
      deps.engine.off('ended', onEnded)
      deps.engine.off('limit', onLimit)
      deps.engine.off('review', onReview)
      deps.engine.off('recordingsTrimmed', onTrimmed)
      deps.engine.off('recordingStopped', onRecordingStopped)
      for (const n of [...showing.values(), ...others]) n.close()
      showing.clear()
      others.clear()
      // an OS that did not report the close: its listeners go all the same
      for (const n of [...listening.keys()]) release(n)
    },
  }
}
