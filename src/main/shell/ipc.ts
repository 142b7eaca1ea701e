// The one IPC helper. Every contract call is registered here and nowhere else: the sender must be our
// window's top frame showing our page, then `dispatch` parses the arguments with the contract's schema,
// runs the handler and replies in an envelope. ESLint bans ipcMain/ipcRenderer outside this file, the
// Electron binding (electron.ts) and the preload.
import {
  events,
  invokes,
  type Envelope,
  type EventName,
  type InvokeName,
  type PayloadOf,
} from '@shared/contract'
import { dispatch, type Handlers } from '../api/handlers'
import { isAppUrl } from './security'
import type { IpcInvokeEventPort, IpcMainPort, WebContentsPort } from './ports'

export interface TrustedWindow {
  /** the window's web contents, or null while it does not exist */
  contents(): WebContentsPort | null
  /** our page's address */
  readonly appUrl: string
}

/** Whether an IPC call comes from our window's top frame showing our own page. */
export function isTrustedSender(event: IpcInvokeEventPort, win: TrustedWindow): boolean {
  const contents = win.contents()
  if (contents === null || contents.isDestroyed()) return false
  if (event.sender.id !== contents.id) return false
  const frame = event.senderFrame
  if (frame === null) return false
  if (frame.parent !== null) return false
  return isAppUrl(frame.url, win.appUrl)
}

const FORBIDDEN: Envelope<never> = {
  ok: false,
  error: { code: 'FORBIDDEN', message: 'this call did not come from the Session Warden window' },
}

/** The channels this helper registers, in contract order. */
export const INVOKE_CHANNELS: readonly string[] = (Object.keys(invokes) as InvokeName[]).map(
  (name) => invokes[name].channel,
)

/**
 * Registers every contract call on `ipc`. Each handler: sender check, then `dispatch` (schema parse,
 * engine call, envelope). Never throws back into Electron. Returns the function that removes them.
 */
export function registerIpc(ipc: IpcMainPort, handlers: Handlers, win: TrustedWindow): () => void {
  for (const channel of INVOKE_CHANNELS) {
    ipc.handle(channel, async (event, ...args) => {
      if (!isTrustedSender(event, win)) return FORBIDDEN
      return dispatch(handlers, channel, args)
    })
  }
  return () => {
    for (const channel of INVOKE_CHANNELS) ipc.removeHandler(channel)
  }
}

/** Sends a contract event to the window, if it exists; a closed window is not an error. */
export function sendEvent<E extends EventName>(win: TrustedWindow, name: E, payload: PayloadOf<E>): void {
  const contents = win.contents()
  if (contents === null || contents.isDestroyed()) return
  contents.send(events[name].channel, payload)
}
