// Launch at login. macOS and Windows have it built in (app.setLoginItemSettings); on Linux it is an
// XDG autostart entry (~/.config/autostart/session-warden.desktop) that this writes and removes.
// The app starts hidden in the tray when launched this way (--hidden).
import { mkdirSync, renameSync, rmSync, writeFileSync, existsSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'
import type { AppPort } from './ports'

export const HIDDEN_ARG = '--hidden'
export const AUTOSTART_FILE = 'session-warden.desktop'

/**
 * Quotes one argument for a desktop entry's Exec key (XDG Desktop Entry spec, "The Exec key"): `%` is
 * doubled (else it reads as a field code), and an argument with anything but plain characters is
 * double-quoted with `"`, `` ` ``, `$` and `\` escaped.
 */
export function quoteExecArg(arg: string): string {
  const a = arg.replace(/%/g, '%%')
  if (/^[A-Za-z0-9_./:=@+-]+$/.test(a)) return a
  return `"${a.replace(/(["`$\\])/g, '\\$1')}"`
}

/** The general string escapes of a desktop entry value, applied on top of the Exec quoting. */
function escapeValue(s: string): string {
  return s.replace(/[\\\n\t\r]/g, (c) =>
    c === '\\' ? '\\\\' : c === '\n' ? '\\n' : c === '\t' ? '\\t' : '\\r',
  )
}

export function autostartEntry(command: readonly string[]): string {
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Name=Session Warden',
    'Comment=See and end every remote session running from this computer',
    `Exec=${escapeValue([...command, HIDDEN_ARG].map(quoteExecArg).join(' '))}`,
    'Icon=session-warden',
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n')
}

export function autostartDir(env: NodeJS.ProcessEnv = process.env): string {
  const config =
    env.XDG_CONFIG_HOME && env.XDG_CONFIG_HOME.startsWith('/')
      ? env.XDG_CONFIG_HOME
      : join(homedir(), '.config')
  return join(config, 'autostart')
}

export interface LoginItem {
  set(enabled: boolean): void
  isEnabled(): boolean
}

/** Linux: the autostart file. `command` starts this app (the AppImage, or electron + the app folder). */
export function linuxLoginItem(dir: string, command: readonly string[]): LoginItem {
  const file = join(dir, AUTOSTART_FILE)
  return {
    set(enabled) {
      if (!enabled) {
        rmSync(file, { force: true })
        return
      }
      mkdirSync(dir, { recursive: true })
      const tmp = `${file}.${process.pid}.tmp`
      writeFileSync(tmp, autostartEntry(command), { mode: 0o644 })
      renameSync(tmp, file)
    },
    isEnabled: () => existsSync(file),
  }
}

export function systemLoginItem(
  app: Pick<AppPort, 'setLoginItemSettings' | 'getLoginItemSettings'>,
): LoginItem {
  return {
    set(enabled) {
      app.setLoginItemSettings({ openAtLogin: enabled, openAsHidden: true, args: [HIDDEN_ARG] })
    },
    // Electron matches the login item by its args: ask with the same ones it was registered with
    isEnabled: () => app.getLoginItemSettings({ args: [HIDDEN_ARG] }).openAtLogin,
  }
}

/** The command that starts this app: the AppImage when run from one, else the executable (+ app path in development). */
export function launchCommand(opts: {
  execPath: string
  isPackaged: boolean
  appPath?: string
  env?: NodeJS.ProcessEnv
}): string[] {
  const appImage = (opts.env ?? process.env).APPIMAGE
  if (appImage) return [appImage]
  if (opts.isPackaged || opts.appPath === undefined) return [opts.execPath]
  return [opts.execPath, opts.appPath]
}
