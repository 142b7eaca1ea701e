// The preload: `window.warden` built from the contract's names (src/shared/channels.ts: no zod, so the
// bundle stays ~2 KB), one function per call and one subscribe function per event (each returns its
// unsubscribe). The page never sees ipcRenderer, a channel name or a generic invoke. Runs sandboxed,
// so it is bundled into one CommonJS file.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron'
import { createWardenApi } from '@shared/api-client'
import type { Envelope } from '@shared/channels'

const api = createWardenApi({
  invoke: (channel, args) => ipcRenderer.invoke(channel, ...args) as Promise<Envelope>,
  subscribe(channel, listener) {
    const handler = (_event: IpcRendererEvent, payload: unknown): void => listener(payload)
    ipcRenderer.on(channel, handler)
    return () => {
      ipcRenderer.removeListener(channel, handler)
    }
  },
})

contextBridge.exposeInMainWorld('warden', api)
