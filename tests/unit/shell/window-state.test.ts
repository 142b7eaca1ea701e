import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Rect } from '../../../src/main/shell/ports'
import { MIN_SIZE } from '../../../src/main/shell/security'
import {
  fitToDisplays,
  loadWindowState,
  saveWindowState,
  type WindowState,
} from '../../../src/main/shell/window-state'

const PRIMARY: Rect = { x: 0, y: 0, width: 1920, height: 1080 }
const RIGHT: Rect = { x: 1920, y: 0, width: 1280, height: 1024 }
const LEFT: Rect = { x: -1920, y: 0, width: 1920, height: 1080 }
const ABOVE: Rect = { x: 0, y: -1080, width: 1920, height: 1080 }

function state(r: Rect, maximized = false): WindowState {
  return { ...r, maximized }
}

describe('loadWindowState / saveWindowState on a real file', () => {
  let dir: string
  let file: string
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'warden-winstate-'))
    file = join(dir, 'window-state.json')
  })
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true })
  })

  it('what is saved loads back, and no temporary file is left', () => {
    const s: WindowState = { x: -1500, y: 37, width: 1280, height: 800, maximized: true }
    saveWindowState(file, s)
    expect(loadWindowState(file)).toStrictEqual(s)
    expect(readdirSync(dir)).toEqual(['window-state.json'])
    expect(JSON.parse(readFileSync(file, 'utf8'))).toStrictEqual(s)
  })

  it('a second save replaces the first', () => {
    saveWindowState(file, state({ x: 1, y: 2, width: 1000, height: 700 }))
    saveWindowState(file, state({ x: 5, y: 6, width: 1100, height: 750 }, true))
    expect(loadWindowState(file)).toStrictEqual({ x: 5, y: 6, width: 1100, height: 750, maximized: true })
    expect(readdirSync(dir)).toEqual(['window-state.json'])
  })

  it('saving into a folder that does not exist throws (the caller logs it)', () => {
    expect(() => saveWindowState(join(dir, 'gone', 'w.json'), state(PRIMARY))).toThrow()
  })

  it('a missing file gives null', () => {
    expect(loadWindowState(file)).toBeNull()
  })

  it('a folder where the file should be gives null', () => {
    mkdirSync(file)
    expect(loadWindowState(file)).toBeNull()
  })

  it.each([
    ['empty', ''],
    ['truncated', '{"x":10,"y":20,"wid'],
    ['not JSON', 'x=10 y=20'],
    ['null', 'null'],
    ['an array', '[10,20,1280,800,false]'],
    ['a number', '42'],
  ])('corrupt JSON (%s) gives null', (_, text) => {
    writeFileSync(file, text)
    expect(loadWindowState(file)).toBeNull()
  })

  const good = { x: 10, y: 20, width: 1280, height: 800, maximized: false }
  it.each<[string, Record<string, unknown>]>([
    ['x as a string', { ...good, x: '10' }],
    ['width as a string', { ...good, width: '1280' }],
    ['maximized as a string', { ...good, maximized: 'false' }],
    ['maximized as 0', { ...good, maximized: 0 }],
    ['y null', { ...good, y: null }],
    ['height missing', { x: 10, y: 20, width: 1280, maximized: false }],
    ['maximized missing', { x: 10, y: 20, width: 1280, height: 800 }],
    ['a fractional x', { ...good, x: 10.5 }],
    ['a fractional width', { ...good, width: 1280.25 }],
  ])('wrong types (%s) give null', (_, value) => {
    writeFileSync(file, JSON.stringify(value))
    expect(loadWindowState(file)).toBeNull()
  })

  it.each<[string, Record<string, unknown>]>([
    ['width 0', { ...good, width: 0 }],
    ['negative width', { ...good, width: -1280 }],
    ['negative height', { ...good, height: -1 }],
    ['huge width', { ...good, width: 100_001 }],
    ['x far right', { ...good, x: 100_001 }],
    ['x far left', { ...good, x: -100_001 }],
    ['y far down', { ...good, y: 1e9 }],
    ['x beyond any integer', { ...good, x: 1e308 }],
  ])('out-of-range numbers (%s) give null', (_, value) => {
    writeFileSync(file, JSON.stringify(value))
    expect(loadWindowState(file)).toBeNull()
  })

  it('the limits themselves load (negative control for the range checks)', () => {
    const edge = { x: -100_000, y: 100_000, width: 1, height: 100_000, maximized: false }
    writeFileSync(file, JSON.stringify(edge))
    expect(loadWindowState(file)).toStrictEqual(edge)
  })

  it('extra keys (a newer version) are dropped, the rest loads', () => {
    writeFileSync(file, JSON.stringify({ ...good, display: 2 }))
    expect(loadWindowState(file)).toStrictEqual(good)
  })
})

describe('fitToDisplays', () => {
  it('nothing saved gives null (the default size, centred)', () => {
    expect(fitToDisplays(null, [PRIMARY])).toBeNull()
  })

  it('on the primary display: the saved bounds as they were', () => {
    expect(fitToDisplays(state({ x: 100, y: 80, width: 1280, height: 800 }), [PRIMARY])).toStrictEqual({
      x: 100,
      y: 80,
      width: 1280,
      height: 800,
    })
  })

  it('the result is a plain Rect: no maximized flag in it', () => {
    const r = fitToDisplays(state({ x: 0, y: 0, width: 1000, height: 700 }, true), [PRIMARY])
    expect(r).toStrictEqual({ x: 0, y: 0, width: 1000, height: 700 })
  })

  it('a window saved on a second monitor that is now detached gives null', () => {
    const onRight = state({ x: 2100, y: 100, width: 1000, height: 700 })
    expect(fitToDisplays(onRight, [PRIMARY])).toBeNull()
    // negative control: with the monitor attached it is kept where it was
    expect(fitToDisplays(onRight, [PRIMARY, RIGHT])).toStrictEqual({
      x: 2100,
      y: 100,
      width: 1000,
      height: 700,
    })
  })

  it('no displays at all gives null', () => {
    expect(fitToDisplays(state({ x: 0, y: 0, width: 1000, height: 700 }), [])).toBeNull()
  })

  it('partly off-screen with enough of the title bar visible is kept, as saved', () => {
    // 280 px of the window (and its title bar) still on the left edge of the display
    expect(fitToDisplays(state({ x: -1000, y: 100, width: 1280, height: 800 }), [PRIMARY])).toStrictEqual({
      x: -1000,
      y: 100,
      width: 1280,
      height: 800,
    })
    // 200 px on the right edge, and the bottom hanging below the display
    expect(fitToDisplays(state({ x: 1720, y: 600, width: 1000, height: 700 }), [PRIMARY])).toStrictEqual({
      x: 1720,
      y: 600,
      width: 1000,
      height: 700,
    })
  })

  it('only a sliver left on the display gives null', () => {
    // 50 px wide
    expect(fitToDisplays(state({ x: 1870, y: 100, width: 1000, height: 700 }), [PRIMARY])).toBeNull()
    // 20 px tall: the title bar is below the bottom of the display
    expect(fitToDisplays(state({ x: 100, y: 1060, width: 1000, height: 700 }), [PRIMARY])).toBeNull()
    // entirely off to the left
    expect(fitToDisplays(state({ x: -3000, y: 100, width: 1000, height: 700 }), [PRIMARY])).toBeNull()
  })

  it('the title bar above the top of the display gives null', () => {
    expect(fitToDisplays(state({ x: 100, y: -100, width: 1000, height: 700 }), [PRIMARY])).toBeNull()
    expect(fitToDisplays(state({ x: 100, y: -400, width: 1000, height: 1200 }), [PRIMARY])).toBeNull()
    // negative control: the same window right at the top edge is kept
    expect(fitToDisplays(state({ x: 100, y: 0, width: 1000, height: 700 }), [PRIMARY])).not.toBeNull()
  })

  it('the title bar under a top panel (the work area starts lower) gives null', () => {
    const workArea: Rect = { x: 0, y: 32, width: 1920, height: 1048 }
    expect(fitToDisplays(state({ x: 100, y: -50, width: 1000, height: 700 }), [workArea])).toBeNull()
    expect(fitToDisplays(state({ x: 100, y: 32, width: 1000, height: 700 }), [workArea])).toStrictEqual({
      x: 100,
      y: 32,
      width: 1000,
      height: 700,
    })
  })

  it('a size larger than the display is capped to it', () => {
    expect(fitToDisplays(state({ x: 0, y: 0, width: 3000, height: 2000 }), [PRIMARY])).toStrictEqual({
      x: 0,
      y: 0,
      width: 1920,
      height: 1080,
    })
  })

  it('capped to the display it is on, not the first one', () => {
    // on the smaller right-hand monitor, saved wider and taller than it
    expect(
      fitToDisplays(state({ x: 1920, y: 0, width: 1800, height: 1200 }), [PRIMARY, RIGHT]),
    ).toStrictEqual({ x: 1920, y: 0, width: 1280, height: 1024 })
  })

  it('a size smaller than the minimum is raised to it', () => {
    expect(MIN_SIZE).toEqual({ width: 900, height: 600 })
    expect(fitToDisplays(state({ x: 50, y: 50, width: 400, height: 300 }), [PRIMARY])).toStrictEqual({
      x: 50,
      y: 50,
      width: 900,
      height: 600,
    })
    // one side only
    expect(fitToDisplays(state({ x: 50, y: 50, width: 1200, height: 300 }), [PRIMARY])).toStrictEqual({
      x: 50,
      y: 50,
      width: 1200,
      height: 600,
    })
  })

  it('on a display smaller than the minimum the minimum wins (the window cannot be smaller)', () => {
    const small: Rect = { x: 0, y: 0, width: 800, height: 480 }
    expect(fitToDisplays(state({ x: 0, y: 0, width: 1280, height: 800 }), [small])).toStrictEqual({
      x: 0,
      y: 0,
      width: 900,
      height: 600,
    })
  })

  it('a monitor to the left (negative x): kept there while attached, null once detached', () => {
    const onLeft = state({ x: -1700, y: 200, width: 1280, height: 800 })
    expect(fitToDisplays(onLeft, [PRIMARY, LEFT])).toStrictEqual({
      x: -1700,
      y: 200,
      width: 1280,
      height: 800,
    })
    expect(fitToDisplays(onLeft, [PRIMARY])).toBeNull()
  })

  it('a window straddling the left monitor and the primary is kept', () => {
    const straddling = state({ x: -400, y: 100, width: 1280, height: 800 })
    expect(fitToDisplays(straddling, [PRIMARY, LEFT])).toStrictEqual({
      x: -400,
      y: 100,
      width: 1280,
      height: 800,
    })
  })

  it('a monitor above (negative y): kept there, capped to it; null once detached', () => {
    const onTop = state({ x: 300, y: -1000, width: 2400, height: 1500 })
    expect(fitToDisplays(onTop, [PRIMARY, ABOVE])).toStrictEqual({
      x: 300,
      y: -1000,
      width: 1920,
      height: 1080,
    })
    expect(fitToDisplays(onTop, [PRIMARY])).toBeNull()
  })

  it('a left monitor that does not start at y=0 (aligned lower): the title bar above it gives null', () => {
    const lowLeft: Rect = { x: -1280, y: 300, width: 1280, height: 1024 }
    expect(
      fitToDisplays(state({ x: -1200, y: 100, width: 1000, height: 700 }), [PRIMARY, lowLeft]),
    ).toBeNull()
    expect(
      fitToDisplays(state({ x: -1200, y: 400, width: 1000, height: 700 }), [PRIMARY, lowLeft]),
    ).toStrictEqual({ x: -1200, y: 400, width: 1000, height: 700 })
  })
})
