// The X11 window(s) of a client process, found by the `_NET_WM_PID` property the EWMH asks every client to
// set on its top-level windows (https://specifications.freedesktop.org/wm-spec/latest/ar01s05.html): xfreerdp,
// Remmina and SDL programs (ffplay) all do. The X tools run through execFile, never a shell, with the
// client's own DISPLAY and XAUTHORITY (from /proc/PID/environ): the client may draw on another display than
// ours (the tests' Xvfb, an ssh -X session).
import { execFile } from 'node:child_process'
import { readFile } from 'node:fs/promises'

export interface X11Display {
  /** e.g. ':0', ':3' */
  display: string
  xauthority: string | null
}

export interface X11Window {
  /** the window id, as x11grab's -window_id takes it: `0x…` */
  id: string
  /** absolute position on the screen and size, in pixels */
  x: number
  y: number
  width: number
  height: number
  viewable: boolean
  name: string
}

export interface X11Tools {
  /**
   * runs a program (no shell) with this environment; resolves with stdout, or null when it exits non-zero
   * (xdotool finding nothing, a window that is gone); rejects when the program is not installed
   */
  run(file: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<string | null>
  /** NUL-separated KEY=VALUE text of /proc/PID/environ, or null when unreadable */
  environ(pid: number): Promise<string | null>
}

/** The real tools: execFile with a time limit (a wedged X server must not hold the recorder forever). */
export const systemX11Tools: X11Tools = {
  run: (file, args, env) =>
    new Promise((resolve, reject) => {
      execFile(file, [...args], { env, timeout: 5000, maxBuffer: 4 * 1024 * 1024 }, (err, stdout) => {
        if (err && (err as NodeJS.ErrnoException).code === 'ENOENT')
          reject(new Error(`${file} is not installed`))
        else resolve(err ? null : stdout)
      })
    }),
  environ: (pid) => readFile(`/proc/${pid}/environ`, 'latin1').catch(() => null),
}

/** DISPLAY and XAUTHORITY from a NUL-separated environment block; null without a DISPLAY. */
export function parseEnviron(text: string): X11Display | null {
  const env = new Map<string, string>()
  for (const entry of text.split('\0')) {
    const eq = entry.indexOf('=')
    if (eq > 0) env.set(entry.slice(0, eq), entry.slice(eq + 1))
  }
  const display = env.get('DISPLAY')
  return display ? { display, xauthority: env.get('XAUTHORITY') ?? null } : null
}

/** The display a process draws on: its own DISPLAY, else ours (a process whose environ we cannot read). */
export async function displayOf(
  pid: number,
  tools: X11Tools = systemX11Tools,
  ours: NodeJS.ProcessEnv = process.env,
): Promise<X11Display | null> {
  const text = await tools.environ(pid)
  const theirs = text === null ? null : parseEnviron(text)
  if (theirs) return theirs
  return ours.DISPLAY ? { display: ours.DISPLAY, xauthority: ours.XAUTHORITY ?? null } : null
}

/** The environment the X tools (and ffmpeg) run with to reach that display. */
export function displayEnv(d: X11Display, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: base.PATH ?? '/usr/bin:/bin', DISPLAY: d.display }
  if (d.xauthority) env.XAUTHORITY = d.xauthority
  else if (base.XAUTHORITY) env.XAUTHORITY = base.XAUTHORITY
  if (base.HOME) env.HOME = base.HOME
  return env
}

const WINDOW_ID = /^0x[0-9a-f]+$/i

/** Window ids as `xdotool search --pid` prints them: one decimal id a line. */
export function parseXdotoolIds(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => /^\d+$/.test(l))
    .map((l) => `0x${Number(l).toString(16)}`)
}

/**
 * Every window of `xwininfo -root -tree`, e.g.
 * `     0x200008 "testsrc": ("ffplay" "ffplay")  320x240+480+280  +480+280`; the root itself is left out.
 */
export function parseXwininfoTree(text: string): string[] {
  const ids: string[] = []
  for (const line of text.split('\n')) {
    const m = /^\s+(0x[0-9a-f]+) .*\s\d+x\d+[+-]-?\d+[+-]-?\d+\s/i.exec(line)
    if (m?.[1]) ids.push(m[1].toLowerCase())
  }
  return ids
}

/** `xprop -id W _NET_WM_PID` → `_NET_WM_PID(CARDINAL) = 25292`; null when the window has none. */
export function parseWmPid(text: string): number | null {
  const m = /^_NET_WM_PID\(CARDINAL\) = (\d+)\s*$/m.exec(text)
  return m?.[1] ? Number(m[1]) : null
}

/** `xwininfo -id W`: where the window is, how big, whether it is on screen; null for anything else. */
export function parseXwininfo(text: string): X11Window | null {
  const field = (label: string): string | undefined =>
    new RegExp(`^\\s*${label}:\\s*(.*)$`, 'm').exec(text)?.[1]?.trim()
  const head = /xwininfo: Window id: (0x[0-9a-f]+)(?: "(.*)")?/i.exec(text)
  const nums = ['Absolute upper-left X', 'Absolute upper-left Y', 'Width', 'Height'].map((l) =>
    Number(field(l)),
  )
  const state = field('Map State')
  if (!head?.[1] || nums.some((n) => !Number.isInteger(n)) || state === undefined) return null
  const [x = 0, y = 0, width = 0, height = 0] = nums
  return {
    id: head[1].toLowerCase(),
    x,
    y,
    width,
    height,
    viewable: state === 'IsViewable',
    name: head[2] ?? '',
  }
}

/** One window's geometry and state, or null when it no longer exists. */
export async function windowInfo(
  id: string,
  d: X11Display,
  tools: X11Tools = systemX11Tools,
): Promise<X11Window | null> {
  if (!WINDOW_ID.test(id)) throw new Error(`not an X11 window id: ${id}`)
  const out = await tools.run('xwininfo', ['-id', id], displayEnv(d))
  return out === null ? null : parseXwininfo(out)
}

/**
 * Candidate windows of `pid`: `xdotool search --pid` where xdotool is installed, else every window of the
 * tree; each is then checked by its own `_NET_WM_PID` (xdotool's answer too: a pid is re-used across
 * displays and the property is only what the client claims, so we read it ourselves).
 */
async function candidates(pid: number, d: X11Display, tools: X11Tools): Promise<string[]> {
  const env = displayEnv(d)
  let ids: string[]
  try {
    ids = parseXdotoolIds((await tools.run('xdotool', ['search', '--pid', String(pid)], env)) ?? '')
  } catch {
    ids = parseXwininfoTree((await tools.run('xwininfo', ['-root', '-tree'], env)) ?? '')
  }
  const owned: string[] = []
  for (const id of ids) {
    const prop = await tools.run('xprop', ['-id', id, '_NET_WM_PID'], env)
    if (prop !== null && parseWmPid(prop) === pid) owned.push(id)
  }
  return owned
}

/**
 * The on-screen windows of a process, largest first (a client's main window before its small helpers);
 * empty while it has none yet (an RDP client maps its window after the connection is up).
 */
export async function windowsOf(
  pid: number,
  d: X11Display,
  tools: X11Tools = systemX11Tools,
): Promise<X11Window[]> {
  const found: X11Window[] = []
  for (const id of await candidates(pid, d, tools)) {
    const w = await windowInfo(id, d, tools)
    if (w?.viewable && w.width > 1 && w.height > 1) found.push(w)
  }
  return found.sort((a, b) => b.width * b.height - a.width * a.height)
}
