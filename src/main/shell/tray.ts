// The system tray: an icon that says whether sessions run and whether an idle warning is pending, and a
// menu that ends a session in two clicks. `trayView` is pure (what the menu shows); the controller
// turns it into a native menu and rebuilds it only when what it shows changed.
import { endAllWarning, type EndResult, type Session } from '@shared/model'
import { formatDuration } from '@shared/duration'
import type { Engine } from '@engine/engine'
import type { DesktopPorts, MenuItemSpec, TrayPort } from './ports'
import type { EngineEventSource, PendingWarnings } from './warnings'

export type TrayState = 'none' | 'active' | 'warning'

export type TrayAction =
  | { type: 'end'; id: string }
  | { type: 'end-all' }
  | { type: 'show'; id: string }
  | { type: 'open' }
  | { type: 'quit' }

export type TrayItem =
  | { type: 'separator' }
  | { type: 'normal'; label: string; enabled: boolean; action?: TrayAction; toolTip?: string }
  | { type: 'submenu'; label: string; submenu: TrayItem[] }

export interface TrayView {
  state: TrayState
  /** sessions whose recording is being written now (issue 12): the tooltip and the menu say so */
  recording: number
  tooltip: string
  items: TrayItem[]
}

/** sessions listed one by one; the rest are behind "Open Session Warden" */
export const TRAY_MAX_SESSIONS = 15

const TYPE_LABEL: Record<Session['resourceType'], string> = { ssh: 'SSH', rdp: 'RDP', web: 'Web' }

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`
}

/** What the tray shows for these open sessions at `now`. */
export function trayView(sessions: readonly Session[], warned: ReadonlySet<string>, now: number): TrayView {
  const open = sessions.filter((s) => s.status !== 'disconnected')
  const active = open.filter((s) => s.status === 'active').length
  const idle = open.length - active
  const pending = open.filter((s) => warned.has(s.id))
  const state: TrayState = pending.length > 0 ? 'warning' : open.length > 0 ? 'active' : 'none'
  const counts = open.length === 0 ? 'No remote sessions' : `${active} active · ${idle} idle`
  const recorded = open.filter(isRecording)
  const recordingText =
    recorded.length > 0 ? `recording ${recorded.map((s) => s.resourceName).join(', ')}` : null
  const tooltip = [
    `Session Warden: ${counts}`,
    pending.length > 0 ? `idle warning for ${pending.map((s) => s.resourceName).join(', ')}` : null,
    recordingText,
  ]
    .filter((t) => t !== null)
    .join('; ')

  const items: TrayItem[] = [{ type: 'normal', label: counts, enabled: false }]
  if (recorded.length > 0)
    items.push({ type: 'normal', label: `● Recording ${plural(recorded.length, 'session')}`, enabled: false })
  if (open.length > 0) items.push({ type: 'separator' })
  // newest first, as the window's default order
  const listed = [...open]
    .sort((a, b) => Date.parse(b.startTime) - Date.parse(a.startTime) || a.id.localeCompare(b.id))
    .slice(0, TRAY_MAX_SESSIONS)
  for (const s of listed) {
    const duration = formatDuration(now - Date.parse(s.startTime))
    const marks = [
      s.status === 'idle' ? 'idle' : null,
      warned.has(s.id) ? 'warning' : null,
      isRecording(s) ? 'recording' : null,
    ].filter((m) => m !== null)
    const label = `${TYPE_LABEL[s.resourceType]} · ${s.resourceName} · ${duration}${
      marks.length > 0 ? ` (${marks.join(', ')})` : ''
    }`
    const where = s.user ? `${s.user}@${s.host}` : s.host
    items.push({
      type: 'submenu',
      label,
      submenu: [
        { type: 'normal', label: `${where} · ${s.ipAddress} · ${s.location}`, enabled: false },
        {
          type: 'normal',
          label: 'Show in Session Warden',
          enabled: true,
          action: { type: 'show', id: s.id },
        },
        s.endable
          ? { type: 'normal', label: 'End session', enabled: true, action: { type: 'end', id: s.id } }
          : {
              type: 'normal',
              label: 'End session (open in your browser: close its tab)',
              enabled: false,
            },
      ],
    })
  }
  if (open.length > listed.length)
    items.push({
      type: 'normal',
      label: `${plural(open.length - listed.length, 'more session')}…`,
      enabled: true,
      action: { type: 'open' },
    })
  items.push({ type: 'separator' })
  const endable = open.filter((s) => s.endable).length
  items.push({
    type: 'normal',
    label: 'End all sessions…',
    enabled: endable > 0,
    action: { type: 'end-all' },
  })
  items.push({ type: 'normal', label: 'Open Session Warden', enabled: true, action: { type: 'open' } })
  items.push({ type: 'separator' })
  items.push({ type: 'normal', label: 'Quit Session Warden', enabled: true, action: { type: 'quit' } })
  return { state, recording: recorded.length, tooltip, items }
}

/** a recording of the session is being written now (src/shared/recording.ts) */
function isRecording(s: Session): boolean {
  return s.recording?.status === 'recording'
}

/** The End all confirmation, in the window's words. */
export function endAllMessage(count: number): { message: string; detail: string; confirm: string } {
  return {
    message: count === 1 ? 'End 1 session?' : `End all ${count} sessions?`,
    detail: `${endAllWarning(count)} Are you sure you want to continue?`,
    confirm: `End ${plural(count, 'session')}`,
  }
}

/** One line for a session that could not be ended, or null when every one ended. */
export function endFailureText(
  results: readonly EndResult[],
  names: ReadonlyMap<string, string>,
): string | null {
  const failed = results.filter((r) => !r.ok)
  if (failed.length === 0) return null
  return failed
    .map((r) => `${names.get(r.id) ?? r.id}: ${r.error ?? r.result}`)
    .join('\n')
    .slice(0, 1000)
}

export interface TrayDeps {
  ports: Pick<DesktopPorts, 'createTray' | 'buildMenu' | 'messageBox'>
  /** the image file for a state */
  icon: (state: TrayState) => string
  engine: EngineEventSource & Pick<Engine, 'list' | 'end' | 'endMany'>
  warnings: PendingWarnings
  /** shows the window, on one session when given */
  openWindow: (sessionId?: string) => void
  quit: () => void
  /** a session could not be ended: tell the user */
  report: (title: string, text: string) => void
  now?: () => number
  /** how often the durations in the menu are brought up to date (ms) */
  refreshEveryMs?: number
}

export interface TrayController {
  /** what the menu shows now (for tests and the log) */
  readonly view: TrayView
  refresh(): void
  /** runs a menu action as a click would (the menu items call this) */
  run(action: TrayAction): Promise<void>
  dispose(): void
}

export function createTray(deps: TrayDeps): TrayController {
  const now = deps.now ?? Date.now
  const tray: TrayPort = deps.ports.createTray(deps.icon('none'))
  let shownState: TrayState = 'none'
  let shownKey = ''
  let view = trayView([], new Set(), now())
  let disposed = false

  const toSpec = (items: TrayItem[]): MenuItemSpec[] =>
    items.map((it): MenuItemSpec => {
      if (it.type === 'separator') return { type: 'separator' }
      if (it.type === 'submenu') return { type: 'submenu', label: it.label, submenu: toSpec(it.submenu) }
      const action = it.action
      return {
        type: 'normal',
        label: it.label,
        enabled: it.enabled,
        ...(action && it.enabled ? { click: () => void controller.run(action) } : {}),
      }
    })

  // the open sessions as the engine last announced them ('changed' after every change): the menu is
  // redrawn from these, so neither the duration timer nor a warning reads the database again
  let sessions: readonly Session[] = deps.engine.list()
  const onChanged = (latest: Session[]): void => {
    sessions = latest
    refresh()
  }

  const refresh = (): void => {
    if (disposed) return
    view = trayView(sessions, deps.warnings.ids(), now())
    const key = JSON.stringify(view)
    if (key === shownKey) return
    shownKey = key
    if (view.state !== shownState) {
      tray.setImage(deps.icon(view.state))
      shownState = view.state
    }
    tray.setToolTip(view.tooltip)
    tray.setContextMenu(deps.ports.buildMenu(toSpec(view.items)))
  }

  const endAll = async (): Promise<void> => {
    const targets = deps.engine.list().filter((s) => s.status !== 'disconnected' && s.endable)
    if (targets.length === 0) return
    const text = endAllMessage(targets.length)
    const button = await deps.ports.messageBox({
      type: 'warning',
      title: 'End All Sessions',
      message: text.message,
      detail: text.detail,
      buttons: ['Cancel', text.confirm],
      defaultId: 0,
      cancelId: 0,
    })
    if (button !== 1) return
    // exactly the sessions the dialog counted
    const results = await deps.engine.endMany(
      targets.map((s) => s.id),
      'tray',
    )
    const failure = endFailureText(results, new Map(targets.map((s) => [s.id, s.resourceName])))
    if (failure !== null) deps.report('Some sessions could not be ended', failure)
  }

  const controller: TrayController = {
    get view() {
      return view
    },
    refresh,
    async run(action) {
      try {
        switch (action.type) {
          case 'open':
            deps.openWindow()
            return
          case 'show':
            deps.openWindow(action.id)
            return
          case 'quit':
            deps.quit()
            return
          case 'end': {
            const name = deps.engine.list().find((s) => s.id === action.id)?.resourceName ?? action.id
            const r = await deps.engine.end(action.id, 'tray')
            if (!r.ok) deps.report(`Could not end ${name}`, r.error ?? r.result)
            return
          }
          case 'end-all':
            await endAll()
            return
        }
      } catch (e) {
        deps.report('Session Warden', e instanceof Error ? e.message : String(e))
      }
    },
    dispose() {
      if (disposed) return
      disposed = true
      clearInterval(timer)
      deps.engine.off('changed', onChanged)
      deps.warnings.off('added', refresh)
      deps.warnings.off('cleared', refresh)
      tray.removeListener('click', onClick)
      tray.destroy()
    },
  }

  const onClick = (): void => deps.openWindow()
  tray.on('click', onClick)
  deps.engine.on('changed', onChanged)
  deps.warnings.on('added', refresh)
  deps.warnings.on('cleared', refresh)
  // durations in the menu move on by the minute
  const timer = setInterval(refresh, deps.refreshEveryMs ?? 30_000)
  timer.unref()
  refresh()
  return controller
}
