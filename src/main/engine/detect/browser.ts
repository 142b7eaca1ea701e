// Browser processes by program name. A browser's children (Chromium's zygote, renderers and the
// network service; Firefox's content processes; macOS "… Helper" apps) share its family.
import type { ProcessInfo } from '../probe/types'
import { normalizeProgram, programName } from './proc-name'

export type BrowserFamily = 'chromium' | 'chrome' | 'edge' | 'brave' | 'vivaldi' | 'opera' | 'firefox'

const BROWSERS = new Map<string, BrowserFamily>([
  ['chromium', 'chromium'],
  ['chromium-browser', 'chromium'],
  ['chrome', 'chrome'],
  ['google-chrome', 'chrome'],
  ['google-chrome-stable', 'chrome'],
  ['google chrome', 'chrome'], // macOS app binary
  ['msedge', 'edge'],
  ['microsoft-edge', 'edge'],
  ['microsoft edge', 'edge'],
  ['brave', 'brave'],
  ['brave-browser', 'brave'],
  ['brave browser', 'brave'],
  ['vivaldi', 'vivaldi'],
  ['vivaldi-bin', 'vivaldi'], // Linux: /opt/vivaldi/vivaldi-bin
  ['opera', 'opera'],
  ['firefox', 'firefox'],
  ['firefox-esr', 'firefox'],
  ['firefox-bin', 'firefox'],
])

/** macOS helper app binaries: "Google Chrome Helper", "Google Chrome Helper (Renderer)", … */
const HELPER = ' helper'

/** The browser family of a normalized program name, or null. */
export function browserFamilyOfProgram(program: string): BrowserFamily | null {
  const name = normalizeProgram(program)
  const direct = BROWSERS.get(name)
  if (direct !== undefined) return direct
  const h = name.indexOf(HELPER)
  if (h > 0) {
    const app = BROWSERS.get(name.slice(0, h))
    if (app !== undefined) return app
  }
  return null
}

/** The browser family of a process, or null. */
export function browserFamily(p: Pick<ProcessInfo, 'exe' | 'argv' | 'comm'>): BrowserFamily | null {
  return browserFamilyOfProgram(programName(p))
}

/** True when the process is a browser (or a browser's own child process). */
export function isBrowserProcess(p: Pick<ProcessInfo, 'exe' | 'argv' | 'comm'>): boolean {
  return browserFamily(p) !== null
}

/** Program names the browser prefilter accepts directly (helpers are matched by suffix). */
export const BROWSER_PROGRAMS: readonly string[] = [...BROWSERS.keys()]
