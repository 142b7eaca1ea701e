import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'

/** Chromium-family browsers that accept --app and --user-data-dir, in order of preference. */
const CANDIDATES: Record<string, string[]> = {
  linux: [
    '/usr/bin/chromium',
    '/usr/bin/chromium-browser',
    '/usr/bin/google-chrome',
    '/usr/bin/google-chrome-stable',
    '/usr/bin/microsoft-edge',
    '/usr/bin/brave-browser',
    '/snap/bin/chromium',
  ],
  darwin: [
    '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
    '/Applications/Chromium.app/Contents/MacOS/Chromium',
    '/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge',
    '/Applications/Brave Browser.app/Contents/MacOS/Brave Browser',
  ],
  win32: [
    'C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe',
    'C:\\Program Files (x86)\\Google\\Chrome\\Application\\chrome.exe',
    'C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe',
    'C:\\Program Files\\Microsoft\\Edge\\Application\\msedge.exe',
  ],
}

/** WARDEN_BROWSER wins; otherwise the first Chromium-family browser installed. */
export function findBrowser(env = process.env, platform = process.platform): string | null {
  if (env.WARDEN_BROWSER) return existsSync(env.WARDEN_BROWSER) ? env.WARDEN_BROWSER : null
  return (CANDIDATES[platform] ?? []).find((p) => existsSync(p)) ?? null
}

export interface LaunchOptions {
  browser: string
  url: string
  /** a profile folder of its own: its cookies are wiped when the session ends */
  profileDir: string
  /** extra flags (e.g. --headless for tests, --no-sandbox when running as root) */
  extraArgs?: readonly string[]
}

/**
 * Starts a dedicated browser window for a web resource: its own profile, so Session Warden can
 * end it for real (and wipe its cookies) without touching the user's everyday browser.
 */
export function launchBrowser(o: LaunchOptions): Promise<number> {
  const args = [
    `--user-data-dir=${o.profileDir}`,
    '--no-first-run',
    '--no-default-browser-check',
    ...(o.extraArgs ?? []),
    `--app=${o.url}`,
  ]
  return new Promise((resolve, reject) => {
    const child = spawn(o.browser, args, { stdio: 'ignore', detached: true })
    child.once('error', reject)
    child.once('spawn', () => {
      child.unref()
      if (child.pid === undefined) reject(new Error(`could not start ${o.browser}`))
      else resolve(child.pid)
    })
  })
}

export function profileDirFor(dataDir: string, resourceId: number): string {
  return join(dataDir, 'web-profiles', String(resourceId))
}
