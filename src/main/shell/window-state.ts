// The window's size and place, remembered between runs in a small JSON file next to the app's data.
// A file that is missing, corrupt or describes a place on a display that is no longer attached gives
// the default size instead.
import { readFileSync, renameSync, writeFileSync } from 'node:fs'
import { z } from 'zod'
import type { Rect } from './ports'
import { MIN_SIZE } from './security'

const stateSchema = z.object({
  x: z.number().int().min(-100_000).max(100_000),
  y: z.number().int().min(-100_000).max(100_000),
  width: z.number().int().min(1).max(100_000),
  height: z.number().int().min(1).max(100_000),
  maximized: z.boolean(),
})
export type WindowState = z.infer<typeof stateSchema>

export function loadWindowState(file: string): WindowState | null {
  try {
    const r = stateSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')))
    return r.success ? r.data : null
  } catch {
    return null
  }
}

export function saveWindowState(file: string, state: WindowState): void {
  const tmp = `${file}.${process.pid}.tmp`
  writeFileSync(tmp, JSON.stringify(state))
  renameSync(tmp, file)
}

/** how much of the title bar must be on a display for the place to count as visible */
const VISIBLE = { width: 120, height: 40 }

/**
 * The saved bounds if enough of the window lands on an attached display (its size capped to that
 * display and raised to the minimum); null to use the default size, centred.
 */
export function fitToDisplays(saved: WindowState | null, displays: readonly Rect[]): Rect | null {
  if (!saved) return null
  for (const d of displays) {
    const overlapW = Math.min(saved.x + saved.width, d.x + d.width) - Math.max(saved.x, d.x)
    const overlapH = Math.min(saved.y + saved.height, d.y + d.height) - Math.max(saved.y, d.y)
    if (overlapW >= VISIBLE.width && overlapH >= VISIBLE.height && saved.y >= d.y - 10) {
      return {
        x: saved.x,
        y: saved.y,
        width: Math.max(MIN_SIZE.width, Math.min(saved.width, d.width)),
        height: Math.max(MIN_SIZE.height, Math.min(saved.height, d.height)),
      }
    }
  }
  return null
}
