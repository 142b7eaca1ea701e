/** A window of a known pid that draws a known picture: ffplay showing one of ffmpeg's lavfi test sources. */
import { windowsOf, type X11Window } from '../../../src/main/recording/x11-window'
import { waitFor } from './common'
import { failIfExited, newResource, release, spawnTracked } from './tracking'

export interface PatternWindow {
  pid: number
  window: X11Window
  /** the lavfi source it shows, e.g. 'smptebars=size=320x240:rate=10' */
  source: string
  stop: () => Promise<void>
}

/**
 * `ffplay -f lavfi -i <source>` on `display`: SDL sets _NET_WM_PID on its window, and a static source
 * (smptebars, rgbtestsrc) draws the same picture in every frame, so any frame of a capture can be compared
 * with the source's first frame.
 */
export async function startPatternWindow(display: string, source: string): Promise<PatternWindow> {
  const r = newResource('ffplay')
  try {
    const p = spawnTracked(
      r,
      '/usr/bin/ffplay',
      ['-hide_banner', '-loglevel', 'error', '-an', '-noborder', '-f', 'lavfi', '-i', source],
      { env: { ...process.env, DISPLAY: display, SDL_AUDIODRIVER: 'dummy' } },
    )
    const window = await waitFor(
      async () => {
        failIfExited(p, 'ffplay')
        const [w] = await windowsOf(p.pid, { display, xauthority: null })
        return w
      },
      10_000,
      `ffplay's window on ${display}`,
      100,
    )
    return { pid: p.pid, window, source, stop: () => release(r) }
  } catch (e) {
    await release(r)
    throw e
  }
}
