import os from 'node:os'
import path from 'node:path'

export const PRODUCT_NAME = 'Session Warden'
export const DB_FILE = 'warden.db'

/**
 * Where the database lives. WARDEN_DB wins; otherwise the folder Electron's app.getPath('userData')
 * gives for our productName, so the desktop app and the CLI (plain Node, no Electron) find one file.
 * Pure: computes the path only (openStore creates the folder).
 */
export function defaultDbPath(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  home: string = os.homedir(),
): string {
  const override = env['WARDEN_DB']
  if (override !== undefined && override.trim() !== '') return override
  if (platform === 'win32') {
    // Same fallback as Electron when APPDATA is unset.
    const appData = nonEmpty(env['APPDATA']) ?? path.win32.join(home, 'AppData', 'Roaming')
    return path.win32.join(appData, PRODUCT_NAME, DB_FILE)
  }
  if (platform === 'darwin') {
    return path.posix.join(home, 'Library', 'Application Support', PRODUCT_NAME, DB_FILE)
  }
  // Chromium's GetXDGDirectory takes any non-empty XDG_CONFIG_HOME as is: do the same to find the same file.
  const configHome = nonEmpty(env['XDG_CONFIG_HOME']) ?? path.posix.join(home, '.config')
  return path.posix.join(configHome, PRODUCT_NAME, DB_FILE)
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v === '' ? undefined : v
}
