import { describe, expect, it } from 'vitest'
import {
  displayEnv,
  displayOf,
  parseEnviron,
  parseWmPid,
  parseXdotoolIds,
  parseXwininfo,
  parseXwininfoTree,
  windowsOf,
  type X11Tools,
} from '../../src/main/recording/x11-window'
import { captureArgs, classifyExit } from '../../src/main/recording/ffmpeg-capture'

// Outputs recorded from the real tools (x11-utils 7.7, xdotool 3.20160805) under Xvfb with ffplay's window.
const XWININFO_ID = `
xwininfo: Window id: 0x200008 "testsrc=size=320x240:rate=10"

  Absolute upper-left X:  480
  Absolute upper-left Y:  280
  Relative upper-left X:  480
  Relative upper-left Y:  280
  Width: 320
  Height: 240
  Depth: 24
  Visual: 0x482
  Visual Class: DirectColor
  Border width: 0
  Class: InputOutput
  Colormap: 0x200007 (not installed)
  Bit Gravity State: ForgetGravity
  Window Gravity State: NorthWestGravity
  Backing Store State: NotUseful
  Save Under State: no
  Map State: IsViewable
  Override Redirect State: no
  Corners:  +480+280  -480+280  -480-280  +480-280
  -geometry 320x240+480+280
`
// the same layout under a reparenting window manager (a frame without a name, the client inside)
const XWININFO_TREE = `
xwininfo: Window id: 0x50d (the root window) (has no name)

  Root window id: 0x50d (the root window) (has no name)
  Parent window id: 0x0 (none)
     2 children:
     0x1400003 (has no name): ()  1026x797+-1+0  +-1+0
        1 child:
        0x2a00007 "FreeRDP: 127.0.0.1": ("xfreerdp" "xfreerdp")  1024x768+1+28  +0+28
     0x200008 "testsrc=size=320x240:rate=10": ("ffplay" "ffplay")  320x240+480+280  +480+280
`

describe('parsing the X tools', () => {
  it('reads a window from xwininfo -id', () => {
    expect(parseXwininfo(XWININFO_ID)).toEqual({
      id: '0x200008',
      x: 480,
      y: 280,
      width: 320,
      height: 240,
      viewable: true,
      name: 'testsrc=size=320x240:rate=10',
    })
    expect(parseXwininfo(XWININFO_ID.replace('IsViewable', 'IsUnMapped'))?.viewable).toBe(false)
    expect(parseXwininfo('xwininfo: error: No such window with id 0x123456.')).toBeNull()
    expect(parseXwininfo(XWININFO_ID.replace('Width: 320', 'Width: wide'))).toBeNull()
  })

  it('lists every window of the tree, nested ones too, and not the root', () => {
    expect(parseXwininfoTree(XWININFO_TREE)).toEqual(['0x1400003', '0x2a00007', '0x200008'])
    expect(parseXwininfoTree('')).toEqual([])
  })

  it('reads _NET_WM_PID, and nothing from a window without it', () => {
    expect(parseWmPid('_NET_WM_PID(CARDINAL) = 25717\n')).toBe(25717)
    expect(parseWmPid('_NET_WM_PID:  not found.\n')).toBeNull()
    expect(parseWmPid('WM_NAME(STRING) = "_NET_WM_PID(CARDINAL) = 1"\n')).toBeNull()
  })

  it('turns xdotool decimal ids into x11grab hex ids', () => {
    expect(parseXdotoolIds('2097160\n44040199\n')).toEqual(['0x200008', '0x2a00007'])
    expect(parseXdotoolIds('')).toEqual([])
  })

  it('takes DISPLAY and XAUTHORITY from the client environment, else ours', async () => {
    expect(parseEnviron('HOME=/h\0DISPLAY=:3\0XAUTHORITY=/h/.Xauthority\0')).toEqual({
      display: ':3',
      xauthority: '/h/.Xauthority',
    })
    expect(parseEnviron('HOME=/h\0')).toBeNull()
    const tools = (environ: string | null): X11Tools => ({
      run: () => Promise.resolve(null),
      environ: () => Promise.resolve(environ),
    })
    expect(await displayOf(1, tools('DISPLAY=:9\0'), { DISPLAY: ':0' })).toEqual({
      display: ':9',
      xauthority: null,
    })
    expect(await displayOf(1, tools(null), { DISPLAY: ':0' })).toEqual({ display: ':0', xauthority: null })
    expect(await displayOf(1, tools(null), {})).toBeNull()
    expect(displayEnv({ display: ':9', xauthority: null }, { PATH: '/bin', SECRET: 'x' })).toEqual({
      PATH: '/bin',
      DISPLAY: ':9',
    })
  })
})

/** The tools as a scripted X server: windows with an owner pid and their xwininfo text. */
function scripted(windows: Record<string, { pid: number; info: string }>, xdotool: boolean): X11Tools {
  return {
    environ: () => Promise.resolve(null),
    run: (file, args) => {
      if (file === 'xdotool') {
        if (!xdotool) return Promise.reject(new Error('xdotool is not installed'))
        const ids = Object.entries(windows).filter(([, w]) => String(w.pid) === args[2])
        return Promise.resolve(ids.length ? ids.map(([id]) => `${Number(id)}\n`).join('') : null)
      }
      if (file === 'xprop') {
        const w = windows[args[1] ?? '']
        return Promise.resolve(w ? `_NET_WM_PID(CARDINAL) = ${w.pid}\n` : '_NET_WM_PID:  not found.\n')
      }
      if (args[0] === '-root') return Promise.resolve(XWININFO_TREE)
      return Promise.resolve(windows[args[1] ?? '']?.info ?? null)
    },
  }
}

describe('windowsOf', () => {
  const info = (id: string, w: number, h: number, state = 'IsViewable'): string =>
    XWININFO_ID.replace('0x200008', id)
      .replace('Width: 320', `Width: ${w}`)
      .replace('Height: 240', `Height: ${h}`)
      .replace('IsViewable', state)
  const windows = {
    '0x200008': { pid: 7, info: info('0x200008', 320, 240) },
    '0x2a00007': { pid: 7, info: info('0x2a00007', 1024, 768) },
    '0x1400003': { pid: 8, info: info('0x1400003', 1026, 797) },
  }

  it.each([true, false])('finds the viewable windows of a pid, largest first (xdotool: %s)', async (x) => {
    const found = await windowsOf(7, { display: ':5', xauthority: null }, scripted(windows, x))
    expect(found.map((w) => w.id)).toEqual(['0x2a00007', '0x200008'])
  })

  it('leaves out unmapped windows, and finds none for another pid', async () => {
    const hidden = { ...windows, '0x2a00007': { pid: 7, info: info('0x2a00007', 1024, 768, 'IsUnMapped') } }
    const d = { display: ':5', xauthority: null }
    expect((await windowsOf(7, d, scripted(hidden, true))).map((w) => w.id)).toEqual(['0x200008'])
    expect(await windowsOf(99, d, scripted(windows, true))).toEqual([])
  })
})

describe('captureArgs', () => {
  const spec = {
    display: { display: ':5', xauthority: null },
    window: { id: '0x2a00007', width: 1025, height: 768 },
    path: '/r/rdp.webm',
  }

  it('grabs that window at 10 fps into realtime VP9 WebM, even-sized', () => {
    const args = captureArgs(spec)
    const after = (flag: string): string | undefined => args[args.indexOf(flag) + 1]
    expect(after('-f')).toBe('x11grab')
    expect(after('-window_id')).toBe('0x2a00007')
    expect(after('-i')).toBe(':5')
    expect(after('-framerate')).toBe('10')
    expect(after('-c:v')).toBe('libvpx-vp9')
    expect(after('-deadline')).toBe('realtime')
    expect(after('-lag-in-frames')).toBe('0')
    expect(after('-flush_packets')).toBe('1')
    expect(after('-vf')).toBe('crop=1024:768:0:0')
    expect(args.slice(-4)).toEqual(['-f', 'webm', '-y', '/r/rdp.webm'])
    expect(after('-draw_mouse')).toBe('1')
    expect(captureArgs({ ...spec, fps: 5, drawMouse: false })).toContain('5')
  })

  it('refuses a window id or a frame rate that is not one', () => {
    expect(() => captureArgs({ ...spec, window: { ...spec.window, id: '0x1; rm -rf /' } })).toThrow(
      /not an X11 window id/,
    )
    expect(() => captureArgs({ ...spec, fps: 0 })).toThrow(/frame rate/)
    expect(() => captureArgs({ ...spec, fps: 2.5 })).toThrow(/frame rate/)
  })
})

describe('classifyExit', () => {
  it('a stop we asked for is complete', () => {
    expect(classifyExit(0, null, '', 'stop')).toEqual({ status: 'complete', end: 'stopped', detail: null })
    expect(classifyExit(255, null, 'Exiting normally, received signal 15.', 'stop').status).toBe('complete')
  })

  it('the window closing ends it complete; any other exit of its own is a failure with the reason', () => {
    const gone = '[x11grab @ 0x55] Failed to query xcb pointer\n:77: Generic error in an external library\n'
    expect(classifyExit(0, null, gone, 'no')).toMatchObject({ status: 'complete', end: 'window-closed' })
    expect(classifyExit(null, 'SIGKILL', '', 'no')).toEqual({
      status: 'failed',
      end: 'died',
      detail: 'ffmpeg was killed (SIGKILL) during the capture',
    })
    expect(classifyExit(1, null, 'x\n:5: Input/output error\n', 'no').detail).toMatch(
      /exited with code 1 during the capture: :5: Input\/output error/,
    )
    expect(classifyExit(0, null, '', 'no').status).toBe('failed')
  })

  it('a full disk and a kill after the deadline are failures that say so', () => {
    const full = 'av_interleaved_write_frame(): No space left on device\n'
    expect(classifyExit(1, null, full, 'no')).toMatchObject({ status: 'failed', end: 'disk-full' })
    expect(classifyExit(null, 'SIGKILL', '', 'kill')).toMatchObject({ status: 'failed', end: 'killed' })
  })
})
