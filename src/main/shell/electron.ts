// The real Electron bound to the shell's ports. tsc checks each binding against Electron's own types;
// this file (with src/main/index.ts) is the only code that needs the Electron binary to run.
import {
  app,
  BrowserWindow,
  desktopCapturer,
  dialog,
  ipcMain,
  Menu,
  nativeImage,
  Notification,
  powerMonitor,
  protocol,
  safeStorage,
  screen,
  session,
  shell,
  systemPreferences,
  Tray,
} from 'electron'
import type { DesktopPorts, MediaRecorderPort, ScreenCapturePort } from './ports'
import { WEB_PREFERENCES } from './security'

export function electronPorts(): DesktopPorts {
  return {
    platform: process.platform,
    app,
    ipc: ipcMain,
    powerMonitor,
    safeStorage,
    createWindow: (options) => new BrowserWindow(options),
    createTray: (image) => new Tray(nativeImage.createFromPath(image)),
    buildMenu: (template) => Menu.buildFromTemplate(template),
    notificationsSupported: () => Notification.isSupported(),
    createNotification: (options) => new Notification(options),
    openExternal: (url) => shell.openExternal(url),
    messageBox: async (spec) => (await dialog.showMessageBox(spec)).response,
    displays: () => screen.getAllDisplays().map((d) => d.workArea),
    screenCapture,
    protocol,
  }
}

// ---------------------------------------------------------------- window capture (issue 12)
// Thin on purpose: the decisions are in window-capture.ts, tested with a fake of this port. Not run on the
// machines this is built on (no Electron binary there).

const screenCapture: ScreenCapturePort = {
  screenAccess: () =>
    process.platform === 'darwin' ? systemPreferences.getMediaAccessStatus('screen') : 'granted',
  windowSources: async () =>
    (await desktopCapturer.getSources({ types: ['window'], thumbnailSize: { width: 0, height: 0 } })).map(
      (s) => ({ id: s.id, name: s.name }),
    ),
  record: recordInHiddenPage,
}

/**
 * A hidden page on a session of its own (in memory) that may use 'media' and nothing else, holding
 * getUserMedia on the window's desktop source and a MediaRecorder writing VP9 WebM in one-second chunks;
 * the main process collects the chunks with executeJavaScript, so the page needs no preload and no IPC.
 */
async function recordInHiddenPage(sourceId: string, fps: number): Promise<MediaRecorderPort> {
  const ses = session.fromPartition('warden-capture')
  ses.setPermissionRequestHandler((_c, permission, cb) => {
    cb(permission === 'media')
  })
  ses.setPermissionCheckHandler((_c, permission) => permission === 'media')
  const win = new BrowserWindow({
    show: false,
    webPreferences: { ...WEB_PREFERENCES, disableBlinkFeatures: 'Auxclick', session: ses },
  })
  await win.loadURL('about:blank')
  const js = <T>(code: string): Promise<T> => win.webContents.executeJavaScript(code) as Promise<T>
  const video = { chromeMediaSource: 'desktop', chromeMediaSourceId: sourceId, maxFrameRate: fps }
  await js(`(async () => {
    const stream = await navigator.mediaDevices.getUserMedia({ audio: false, video: { mandatory: ${JSON.stringify(video)} } })
    const r = new MediaRecorder(stream, { mimeType: 'video/webm;codecs=vp9' })
    const w = (globalThis.__w = { r, chunks: [], p: Promise.resolve() })
    w.ended = new Promise((res) => { stream.getVideoTracks()[0].onended = () => res('the window closed') })
    r.ondataavailable = (e) => { w.p = w.p.then(async () => { w.chunks.push(new Uint8Array(await e.data.arrayBuffer())) }) }
    r.start(1000)
  })()`)
  return {
    take: () => js<Uint8Array[]>('globalThis.__w.p.then(() => globalThis.__w.chunks.splice(0))'),
    ended: js<string>('globalThis.__w.ended').catch(() => 'the capture page closed'),
    stop: async () => {
      const last = await js<Uint8Array[]>(
        'new Promise((res) => { const w = globalThis.__w; w.r.onstop = () => w.p.then(() => res(w.chunks.splice(0))); w.r.stop() })',
      )
      win.destroy()
      return last
    },
  }
}
