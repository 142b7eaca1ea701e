// The real Electron bound to the shell's ports. tsc checks each binding against Electron's own types;
// this file (with src/main/index.ts) is the only code that needs the Electron binary to run.
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  Menu,
  nativeImage,
  Notification,
  powerMonitor,
  safeStorage,
  screen,
  shell,
  Tray,
} from 'electron'
import type { DesktopPorts } from './ports'

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
  }
}
