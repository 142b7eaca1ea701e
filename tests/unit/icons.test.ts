// The icons in resources/ (made by scripts/make-icons.ts): real PNG, ICO and ICNS structure, read byte by
// byte, and the tray states told apart by their decoded pixels. Nothing is rasterized here.
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { inflateSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('../../', import.meta.url))
const resources = join(root, 'resources')
const read = (rel: string): Buffer => readFileSync(join(resources, rel))

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c >>> 0
})

function crc32(buf: Buffer): number {
  let c = 0xffffffff
  for (const byte of buf) c = (CRC_TABLE[(c ^ byte) & 0xff] ?? 0) ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}

interface Png {
  width: number
  height: number
  bitDepth: number
  colourType: number
  idat: Buffer
}

/** Walks the chunks: signature, IHDR first, every CRC right, IEND last. */
function parsePng(buf: Buffer): Png {
  expect(buf.subarray(0, 8).equals(PNG_SIGNATURE), 'PNG signature').toBe(true)
  const types: string[] = []
  const idat: Buffer[] = []
  let ihdr: Buffer | undefined
  let at = 8
  while (at < buf.length) {
    const length = buf.readUInt32BE(at)
    const type = buf.toString('latin1', at + 4, at + 8)
    const data = buf.subarray(at + 8, at + 8 + length)
    expect(data.length, `${type} chunk inside the file`).toBe(length)
    expect(buf.readUInt32BE(at + 8 + length), `${type} CRC`).toBe(
      crc32(buf.subarray(at + 4, at + 8 + length)),
    )
    types.push(type)
    if (type === 'IHDR') ihdr = data
    if (type === 'IDAT') idat.push(data)
    at += 12 + length
  }
  expect(at).toBe(buf.length)
  expect(types[0]).toBe('IHDR')
  expect(types.at(-1)).toBe('IEND')
  if (ihdr === undefined) throw new Error('no IHDR')
  return {
    width: ihdr.readUInt32BE(0),
    height: ihdr.readUInt32BE(4),
    bitDepth: ihdr.readUInt8(8),
    colourType: ihdr.readUInt8(9),
    idat: Buffer.concat(idat),
  }
}

function expectPng(buf: Buffer, size: number): Png {
  const png = parsePng(buf)
  expect([png.width, png.height]).toEqual([size, size])
  return png
}

/** 8-bit RGBA pixels of a non-interlaced PNG: inflate the IDAT stream and undo each row's filter. */
function decodeRgba(png: Png): { width: number; pixel: (x: number, y: number) => number[]; data: Buffer } {
  expect(png.bitDepth).toBe(8)
  expect(png.colourType).toBe(6)
  const bpp = 4
  const stride = png.width * bpp
  const raw = inflateSync(png.idat)
  expect(raw.length).toBe((stride + 1) * png.height)
  const out = Buffer.alloc(stride * png.height)
  const at = (i: number): number => (i >= 0 ? out.readUInt8(i) : 0)
  for (let y = 0; y < png.height; y++) {
    const filter = raw.readUInt8(y * (stride + 1))
    for (let x = 0; x < stride; x++) {
      const i = y * stride + x
      const value = raw.readUInt8(y * (stride + 1) + 1 + x)
      const a = x >= bpp ? at(i - bpp) : 0
      const b = y > 0 ? at(i - stride) : 0
      const c = x >= bpp && y > 0 ? at(i - stride - bpp) : 0
      let predicted: number
      if (filter === 0) predicted = 0
      else if (filter === 1) predicted = a
      else if (filter === 2) predicted = b
      else if (filter === 3) predicted = (a + b) >> 1
      else if (filter === 4) {
        const p = a + b - c
        const pa = Math.abs(p - a)
        const pb = Math.abs(p - b)
        const pc = Math.abs(p - c)
        predicted = pa <= pb && pa <= pc ? a : pb <= pc ? b : c
      } else throw new Error(`bad PNG filter ${filter}`)
      out.writeUInt8((value + predicted) & 0xff, i)
    }
  }
  const pixel = (x: number, y: number): number[] => [
    ...out.subarray((y * png.width + x) * 4, (y * png.width + x) * 4 + 4),
  ]
  return { width: png.width, pixel, data: out }
}

/** every pixel, as [r, g, b, a] */
function pixels(img: ReturnType<typeof decodeRgba>): number[][] {
  const all: number[][] = []
  for (let y = 0; y < img.width; y++) for (let x = 0; x < img.width; x++) all.push(img.pixel(x, y))
  return all
}

const near = (px: number[], hex: string, tolerance = 8): boolean =>
  [1, 3, 5].every((o, i) => Math.abs((px[i] ?? -1) - parseInt(hex.slice(o, o + 2), 16)) <= tolerance)

const APP_SET = [16, 32, 48, 64, 128, 256, 512]
const TRAY_STATES = ['none', 'active', 'warning', 'noneTemplate'] as const
const GREEN = '#16a34a'
const AMBER = '#f59e0b'

describe('app icon', () => {
  it('keeps the renderer icon design as resources/icon.svg', () => {
    const svg = read('icon.svg').toString('utf8').trim()
    expect(svg).toBe(readFileSync(join(root, 'src/renderer/public/icon.svg'), 'utf8').trim())
  })

  it('has a 1024 px icon.png and the Linux icon set, all RGBA', () => {
    expect(expectPng(read('icon.png'), 1024).colourType).toBe(6)
    for (const size of APP_SET) {
      const png = expectPng(read(`icons/${size}x${size}.png`), size)
      expect(png.colourType).toBe(6)
    }
  })

  it('draws a blue square with a white glyph and transparent rounded corners', () => {
    const img = decodeRgba(parsePng(read('icons/256x256.png')))
    expect(img.pixel(0, 0)[3]).toBe(0)
    expect(near(img.pixel(128, 20), '#2563eb')).toBe(true)
    // the shield's left edge
    expect(near(img.pixel(64, 100), '#ffffff')).toBe(true)
  })

  it('packs PNGs of 16–256 px into icon.ico', () => {
    const ico = read('icon.ico')
    expect(ico.readUInt16LE(0)).toBe(0)
    expect(ico.readUInt16LE(2)).toBe(1)
    const count = ico.readUInt16LE(4)
    expect(count).toBe(7)
    const sizes: number[] = []
    let end = 6 + 16 * count
    for (let i = 0; i < count; i++) {
      const at = 6 + 16 * i
      const width = ico.readUInt8(at) || 256
      const height = ico.readUInt8(at + 1) || 256
      expect(width).toBe(height)
      expect(ico.readUInt8(at + 3)).toBe(0)
      expect(ico.readUInt16LE(at + 4)).toBe(1)
      expect(ico.readUInt16LE(at + 6)).toBe(32)
      const length = ico.readUInt32LE(at + 8)
      const offset = ico.readUInt32LE(at + 12)
      expect(offset).toBeGreaterThanOrEqual(6 + 16 * count)
      expect(offset + length).toBeLessThanOrEqual(ico.length)
      expectPng(ico.subarray(offset, offset + length), width)
      sizes.push(width)
      end = Math.max(end, offset + length)
    }
    expect(sizes).toEqual([16, 24, 32, 48, 64, 128, 256])
    expect(end).toBe(ico.length)
  })

  it('packs PNGs of 16–1024 px into icon.icns', () => {
    const icns = read('icon.icns')
    expect(icns.toString('latin1', 0, 4)).toBe('icns')
    expect(icns.readUInt32BE(4)).toBe(icns.length)
    const found = new Map<string, number>()
    let at = 8
    while (at < icns.length) {
      const type = icns.toString('latin1', at, at + 4)
      const length = icns.readUInt32BE(at + 4)
      expect(length).toBeGreaterThan(8)
      expect(at + length).toBeLessThanOrEqual(icns.length)
      found.set(type, parsePng(icns.subarray(at + 8, at + length)).width)
      expectPng(icns.subarray(at + 8, at + length), found.get(type) ?? 0)
      at += length
    }
    expect(at).toBe(icns.length)
    expect(Object.fromEntries(found)).toEqual({
      icp4: 16,
      icp5: 32,
      ic07: 128,
      ic08: 256,
      ic09: 512,
      ic10: 1024,
    })
  })
})

describe('tray icons', () => {
  it('exists in every state at 16 px and @2x 32 px, with an alpha channel', () => {
    for (const state of TRAY_STATES) {
      expect(existsSync(join(resources, 'tray', `${state}.png`))).toBe(true)
      for (const [suffix, size] of [
        ['', 16],
        ['@2x', 32],
      ] as const) {
        const png = expectPng(read(`tray/${state}${suffix}.png`), size)
        expect(png.colourType).toBe(6)
        expect(png.bitDepth).toBe(8)
      }
    }
  })

  for (const [suffix, size] of [
    ['', 16],
    ['@2x', 32],
  ] as const) {
    describe(`at ${size} px`, () => {
      const load = (state: (typeof TRAY_STATES)[number]) =>
        decodeRgba(parsePng(read(`tray/${state}${suffix}.png`)))
      const mid = size / 2
      const scale = size / 16

      it('tells the three states apart by their pixels', () => {
        const [none, active, warning] = (['none', 'active', 'warning'] as const).map(load)
        if (none === undefined || active === undefined || warning === undefined)
          throw new Error('unreachable')
        expect(none.data.equals(active.data)).toBe(false)
        expect(none.data.equals(warning.data)).toBe(false)
        expect(active.data.equals(warning.data)).toBe(false)
        // transparent corners everywhere
        for (const img of [none, active, warning]) expect(img.pixel(0, 0)[3]).toBe(0)
        // none: a grey outline, hollow in the middle, no colour anywhere
        expect(none.pixel(mid, mid)[3]).toBe(0)
        const noneInk = pixels(none).filter((p) => (p[3] ?? 0) > 128)
        expect(noneInk.length).toBeGreaterThan(0)
        for (const [r = 0, g = 0, b = 0] of noneInk)
          expect(Math.max(r, g, b) - Math.min(r, g, b)).toBeLessThan(32)
        // active: solid green through the middle
        expect(active.pixel(mid, mid)[3]).toBe(255)
        expect(near(active.pixel(mid, mid), GREEN)).toBe(true)
        expect(near(active.pixel(4 * scale, 6 * scale), GREEN)).toBe(true)
        // warning: amber beside a dark exclamation bar and its dot
        expect(near(warning.pixel(4 * scale, 6 * scale), AMBER)).toBe(true)
        for (const y of [5, 8, 11]) {
          const [r = 255, g = 255, b = 255, a = 0] = warning.pixel(mid, y * scale)
          expect(a).toBe(255)
          expect(Math.max(r, g, b)).toBeLessThan(64)
        }
        expect(near(warning.pixel(mid, 9 * scale), AMBER)).toBe(true)
      })

      it('has a black-on-transparent macOS template', () => {
        const template = load('noneTemplate')
        const ink = pixels(template).filter((p) => (p[3] ?? 0) > 0)
        expect(ink.length).toBeGreaterThan(size)
        for (const [r, g, b] of ink) expect([r, g, b]).toEqual([0, 0, 0])
        expect(template.pixel(mid, mid)[3]).toBe(0)
        // same glyph as the grey outline: the same pixels are covered
        const none = load('none')
        const covered = (img: typeof none) => pixels(img).map((p) => (p[3] ?? 0) > 128)
        expect(covered(template)).toEqual(covered(none))
      })
    })
  }
})
