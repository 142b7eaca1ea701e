import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { homedir, tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import {
  AUTOSTART_FILE,
  HIDDEN_ARG,
  autostartDir,
  autostartEntry,
  launchCommand,
  linuxLoginItem,
  quoteExecArg,
  systemLoginItem,
} from '../../../src/main/shell/login-item'
import { FakeApp } from '../../support/fake-electron'

// A reader of desktop entries written from the XDG Desktop Entry Specification 1.5, independent of the
// code under test: "Possible value types" (the string escapes \s \n \t \r \\), "The Exec key" (quoting,
// reserved characters, %% for a literal percent sign). It is strict: anything the spec leaves undefined
// (an unknown escape, a reserved character outside quotes, a field code) is an error here.

/** the string escapes of a value, undone: the spec's first layer */
function unescapeValue(value: string): string {
  const map: Record<string, string> = { s: ' ', n: '\n', t: '\t', r: '\r', '\\': '\\' }
  let out = ''
  for (let i = 0; i < value.length; i++) {
    const c = value.charAt(i)
    if (c !== '\\') {
      out += c
      continue
    }
    const next = map[value.charAt(i + 1)]
    if (next === undefined)
      throw new Error(`invalid escape \\${value.charAt(i + 1)} in ${JSON.stringify(value)}`)
    out += next
    i++
  }
  return out
}

const RESERVED = new Set(Array.from(' \t\n"\'\\><~|&;$*?#()`'))
const QUOTED_ESCAPES = new Set(['"', '`', '$', '\\'])

/** % field codes after unquoting: only %% (a literal %) may appear in this app's command */
function expandFieldCodes(arg: string): string {
  return arg.replace(/%(.?)/g, (_, code: string) => {
    if (code === '%') return '%'
    throw new Error(`field code %${code} in ${JSON.stringify(arg)}`)
  })
}

/** the command line of an Exec value (after unescapeValue): its arguments, unquoted */
function splitExec(exec: string): string[] {
  const args: string[] = []
  let i = 0
  while (i < exec.length) {
    if (exec.charAt(i) === ' ') {
      i++
      continue
    }
    let arg = ''
    if (exec.charAt(i) === '"') {
      i++
      for (;;) {
        if (i >= exec.length) throw new Error(`unterminated quote in ${JSON.stringify(exec)}`)
        const c = exec.charAt(i)
        if (c === '"') {
          i++
          break
        }
        if (c === '\\') {
          const n = exec.charAt(i + 1)
          if (!QUOTED_ESCAPES.has(n)) throw new Error(`undefined \\${n} in quotes in ${JSON.stringify(exec)}`)
          arg += n
          i += 2
          continue
        }
        arg += c
        i++
      }
      if (i < exec.length && exec.charAt(i) !== ' ')
        throw new Error(`text right after a closing quote in ${JSON.stringify(exec)}`)
    } else {
      while (i < exec.length && exec.charAt(i) !== ' ') {
        const c = exec.charAt(i)
        if (RESERVED.has(c))
          throw new Error(`unquoted reserved ${JSON.stringify(c)} in ${JSON.stringify(exec)}`)
        arg += c
        i++
      }
    }
    args.push(expandFieldCodes(arg))
  }
  return args
}

/** the [Desktop Entry] group of a file: every line must be the group header or key=value */
function parseEntry(text: string): Map<string, string> {
  expect(text.endsWith('\n')).toBe(true)
  const lines = text.slice(0, -1).split('\n')
  expect(lines[0]).toBe('[Desktop Entry]')
  const keys = new Map<string, string>()
  for (const line of lines.slice(1)) {
    const m = /^([A-Za-z0-9-]+)=(.*)$/.exec(line)
    if (!m) throw new Error(`not a key=value line: ${JSON.stringify(line)}`)
    const [, key = '', value = ''] = m
    if (keys.has(key)) throw new Error(`duplicate key ${key}`)
    keys.set(key, value)
  }
  return keys
}

/** the program and arguments a launcher following the spec would run for this entry */
function execArgv(text: string): string[] {
  const exec = parseEntry(text).get('Exec')
  if (exec === undefined) throw new Error('no Exec key')
  return splitExec(unescapeValue(exec))
}

/** the raw Exec line of an entry, as written in the file */
function execLine(text: string): string {
  const line = text.split('\n').find((l) => l.startsWith('Exec='))
  if (line === undefined) throw new Error('no Exec line')
  return line
}

/** characters that exercise every layer: plain, reserved, escapes of both layers, %, non-ASCII */
const nastyChar = fc.constantFrom(
  'a',
  'Z',
  '0',
  '/',
  '.',
  '-',
  ' ',
  '"',
  "'",
  '\\',
  '$',
  '`',
  '%',
  '\t',
  '\n',
  '\r',
  ';',
  '&',
  '|',
  '*',
  '#',
  '~',
  '(',
  '=',
  'é',
  '空',
)
const nastyArg = fc.string({ unit: nastyChar, maxLength: 12 })

describe('quoteExecArg (the Exec key quoting rule)', () => {
  it('leaves plain paths and options unquoted', () => {
    expect(quoteExecArg('/opt/Session-Warden/session-warden')).toBe('/opt/Session-Warden/session-warden')
    expect(quoteExecArg('--hidden')).toBe('--hidden')
    expect(quoteExecArg('/home/u/Apps/Warden_0.1.0+x86_64.AppImage')).toBe(
      '/home/u/Apps/Warden_0.1.0+x86_64.AppImage',
    )
  })

  it('quotes an argument with a space in whole', () => {
    expect(quoteExecArg('/home/u/My Apps/warden.AppImage')).toBe('"/home/u/My Apps/warden.AppImage"')
  })

  it('escapes a double quote, backtick, dollar sign and backslash inside the quotes with a backslash', () => {
    expect(quoteExecArg('say "hi"')).toBe('"say \\"hi\\""')
    expect(quoteExecArg('a`b')).toBe('"a\\`b"')
    expect(quoteExecArg('$HOME')).toBe('"\\$HOME"')
    expect(quoteExecArg('C:\\x')).toBe('"C:\\\\x"')
    expect(quoteExecArg('\\')).toBe('"\\\\"')
  })

  it('quotes every reserved character of the spec and an empty argument', () => {
    for (const c of RESERVED) {
      const q = quoteExecArg(`a${c}b`)
      expect(q.startsWith('"') && q.endsWith('"'), JSON.stringify(c)).toBe(true)
    }
    expect(quoteExecArg('')).toBe('""')
  })

  it('a single quote is literal inside double quotes: not escaped', () => {
    expect(quoteExecArg("it's")).toBe('"it\'s"')
  })

  it('a literal percent sign is written %% (else it reads as a field code)', () => {
    expect(splitExec(quoteExecArg('/home/u/100%/warden'))).toEqual(['/home/u/100%/warden'])
    expect(splitExec(quoteExecArg('%u'))).toEqual(['%u'])
  })

  it('any argument reads back as itself through the Exec rules', () => {
    fc.assert(
      fc.property(nastyArg, (arg) => {
        expect(splitExec(quoteExecArg(arg))).toEqual([arg])
      }),
      { numRuns: 2000 },
    )
  })
})

describe('autostartEntry', () => {
  it('is a [Desktop Entry] with the expected keys and the command plus --hidden', () => {
    const text = autostartEntry(['/opt/Session Warden/session-warden'])
    expect(text).toBe(
      [
        '[Desktop Entry]',
        'Type=Application',
        'Name=Session Warden',
        'Comment=See and end every remote session running from this computer',
        'Exec="/opt/Session Warden/session-warden" --hidden',
        'Icon=session-warden',
        'Terminal=false',
        'X-GNOME-Autostart-enabled=true',
        '',
      ].join('\n'),
    )
    const keys = parseEntry(text)
    expect([...keys.keys()]).toEqual([
      'Type',
      'Name',
      'Comment',
      'Exec',
      'Icon',
      'Terminal',
      'X-GNOME-Autostart-enabled',
    ])
    expect(execArgv(text)).toEqual(['/opt/Session Warden/session-warden', HIDDEN_ARG])
  })

  it('development: electron, then the app folder, then --hidden', () => {
    const text = autostartEntry(['/src/warden/node_modules/electron/dist/electron', '/src/warden'])
    expect(execLine(text)).toBe('Exec=/src/warden/node_modules/electron/dist/electron /src/warden --hidden')
    expect(execArgv(text)).toEqual([
      '/src/warden/node_modules/electron/dist/electron',
      '/src/warden',
      '--hidden',
    ])
  })

  // The spec: the string escapes are undone before the Exec quoting, so "to unambiguously represent a
  // literal backslash character in a quoted argument ... requires the use of four successive backslash
  // characters", and "a literal dollar sign in a quoted argument ... is unambiguously represented with
  // ("\\$")".
  it('writes a literal dollar sign in a quoted argument as \\\\$ (the spec’s own example)', () => {
    expect(execLine(autostartEntry(['/opt/a$b/warden']))).toBe('Exec="/opt/a\\\\$b/warden" --hidden')
  })

  it('writes a literal backslash in a quoted argument as four backslashes (the spec’s own example)', () => {
    expect(execLine(autostartEntry(['/opt/a\\b/warden']))).toBe('Exec="/opt/a\\\\\\\\b/warden" --hidden')
  })

  it('a double quote and a backtick in a path read back exactly', () => {
    expect(execArgv(autostartEntry(['/opt/"q"/w']))).toEqual(['/opt/"q"/w', '--hidden'])
    expect(execArgv(autostartEntry(['/opt/`b`/w']))).toEqual(['/opt/`b`/w', '--hidden'])
  })

  it('a percent sign in a path reads back as itself, not as a field code', () => {
    expect(execArgv(autostartEntry(['/home/u/100%/warden.AppImage']))).toEqual([
      '/home/u/100%/warden.AppImage',
      '--hidden',
    ])
  })

  it('a newline in a path cannot end the Exec line and add keys of its own', () => {
    const text = autostartEntry(['/tmp/x\nExec=/bin/evil'])
    expect(text.split('\n')).toHaveLength(9)
    expect(execArgv(text)).toEqual(['/tmp/x\nExec=/bin/evil', '--hidden'])
  })

  it('any command reads back exactly, followed by --hidden, in a file of one line per key', () => {
    fc.assert(
      fc.property(fc.array(nastyArg, { minLength: 1, maxLength: 3 }), (command) => {
        const text = autostartEntry(command)
        expect(text.split('\n')).toHaveLength(9)
        expect(execArgv(text)).toEqual([...command, HIDDEN_ARG])
      }),
      { numRuns: 2000 },
    )
  })
})

describe('autostartDir', () => {
  beforeEach(() => {
    vi.stubEnv('HOME', '/home/tester')
  })
  afterEach(() => {
    vi.unstubAllEnvs()
  })

  it('uses an absolute XDG_CONFIG_HOME', () => {
    expect(autostartDir({ XDG_CONFIG_HOME: '/srv/conf' })).toBe('/srv/conf/autostart')
  })

  it('ignores a relative XDG_CONFIG_HOME (the Base Directory spec says to) and uses ~/.config', () => {
    expect(homedir()).toBe('/home/tester')
    expect(autostartDir({ XDG_CONFIG_HOME: 'conf' })).toBe('/home/tester/.config/autostart')
    expect(autostartDir({ XDG_CONFIG_HOME: './conf' })).toBe('/home/tester/.config/autostart')
  })

  it('uses ~/.config when XDG_CONFIG_HOME is unset or empty', () => {
    expect(autostartDir({})).toBe('/home/tester/.config/autostart')
    expect(autostartDir({ XDG_CONFIG_HOME: '' })).toBe('/home/tester/.config/autostart')
  })

  it('reads process.env by default', () => {
    vi.stubEnv('XDG_CONFIG_HOME', '/from/process')
    expect(autostartDir()).toBe('/from/process/autostart')
  })
})

describe('linuxLoginItem on a real directory', () => {
  let root: string
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'warden-login-'))
  })
  afterEach(() => {
    rmSync(root, { recursive: true, force: true })
  })

  it('set(true) writes the entry (creating the folders), set(false) removes it', () => {
    const dir = join(root, 'config', 'autostart')
    const command = ['/home/u/My Apps/warden.AppImage']
    const item = linuxLoginItem(dir, command)
    expect(item.isEnabled()).toBe(false)

    item.set(true)
    const file = join(dir, AUTOSTART_FILE)
    expect(item.isEnabled()).toBe(true)
    expect(readdirSync(dir)).toEqual([AUTOSTART_FILE]) // no .tmp left behind
    const text = readFileSync(file, 'utf8')
    expect(text).toBe(autostartEntry(command))
    expect(execLine(text)).toBe('Exec="/home/u/My Apps/warden.AppImage" --hidden')
    expect(statSync(file).mode & 0o022).toBe(0) // never group- or world-writable, whatever the umask

    item.set(false)
    expect(item.isEnabled()).toBe(false)
    expect(readdirSync(dir)).toEqual([])
  })

  it('the file is created with mode 0644 (seen with umask 0, so the umask cannot hide the mode asked for)', () => {
    const dir = join(root, 'autostart')
    const before = process.umask(0)
    try {
      linuxLoginItem(dir, ['/opt/warden']).set(true)
    } finally {
      process.umask(before)
    }
    expect(statSync(join(dir, AUTOSTART_FILE)).mode & 0o777).toBe(0o644)
  })

  it('set(true) again replaces an older entry (another command) in place', () => {
    const dir = join(root, 'autostart')
    linuxLoginItem(dir, ['/old/warden']).set(true)
    const item = linuxLoginItem(dir, ['/new/warden'])
    expect(item.isEnabled()).toBe(true)
    item.set(true)
    expect(execArgv(readFileSync(join(dir, AUTOSTART_FILE), 'utf8'))).toEqual(['/new/warden', '--hidden'])
    expect(readdirSync(dir)).toEqual([AUTOSTART_FILE])
  })

  it('set(false) when there is no entry (nor folder) is fine', () => {
    const dir = join(root, 'missing', 'autostart')
    const item = linuxLoginItem(dir, ['/opt/warden'])
    expect(() => item.set(false)).not.toThrow()
    expect(item.isEnabled()).toBe(false)
  })

  it('set(false) leaves other autostart entries alone', () => {
    const dir = join(root, 'autostart')
    const item = linuxLoginItem(dir, ['/opt/warden'])
    item.set(true)
    writeFileSync(join(dir, 'other.desktop'), '[Desktop Entry]\n')
    item.set(false)
    expect(readdirSync(dir)).toEqual(['other.desktop'])
  })

  it('set(true) throws when the folder cannot be made (the caller reverts the setting)', () => {
    const blocker = join(root, 'not-a-dir')
    writeFileSync(blocker, '')
    const item = linuxLoginItem(join(blocker, 'autostart'), ['/opt/warden'])
    expect(() => item.set(true)).toThrow()
    expect(item.isEnabled()).toBe(false)
  })
})

describe('systemLoginItem (macOS, Windows)', () => {
  it('asks the OS to open the app at login, hidden, with --hidden; and to stop', () => {
    const app = new FakeApp('/nonexistent')
    const item = systemLoginItem(app)
    expect(item.isEnabled()).toBe(false)
    item.set(true)
    expect(app.loginItem).toEqual({ openAtLogin: true, openAsHidden: true, args: ['--hidden'] })
    expect(item.isEnabled()).toBe(true)
    item.set(false)
    expect(app.loginItem.openAtLogin).toBe(false)
    expect(item.isEnabled()).toBe(false)
  })

  it('isEnabled reads the OS each time (the user may have turned it off there)', () => {
    const app = new FakeApp('/nonexistent')
    const item = systemLoginItem(app)
    item.set(true)
    app.loginItem.openAtLogin = false
    expect(item.isEnabled()).toBe(false)
  })

  it('Windows: isEnabled asks about the same args it registered (Electron compares them)', () => {
    // Electron on Windows: getLoginItemSettings({ args }) reports openAtLogin only for a run key with
    // exactly these args; "defaults to an empty array" (electron.d.ts, getLoginItemSettings).
    class WindowsApp {
      registered: string[] | null = null
      setLoginItemSettings(s: { openAtLogin: boolean; openAsHidden?: boolean; args?: string[] }): void {
        this.registered = s.openAtLogin ? (s.args ?? []) : null
      }
      getLoginItemSettings(options?: { args?: string[] }): { openAtLogin: boolean } {
        const args = options?.args ?? []
        return {
          openAtLogin: this.registered !== null && JSON.stringify(this.registered) === JSON.stringify(args),
        }
      }
    }
    const app = new WindowsApp()
    const item = systemLoginItem(app)
    item.set(true)
    expect(app.registered).toEqual(['--hidden'])
    expect(item.isEnabled()).toBe(true)
    item.set(false)
    expect(item.isEnabled()).toBe(false)
  })
})

describe('launchCommand', () => {
  afterEach(() => {
    vi.unstubAllEnvs()
  })

  it('the AppImage wins when run from one, packaged or not', () => {
    const env = { APPIMAGE: '/home/u/Apps/Session Warden.AppImage' }
    expect(launchCommand({ execPath: '/tmp/.mount_x/warden', isPackaged: true, env })).toEqual([
      '/home/u/Apps/Session Warden.AppImage',
    ])
    expect(launchCommand({ execPath: '/e', isPackaged: false, appPath: '/src', env })).toEqual([
      '/home/u/Apps/Session Warden.AppImage',
    ])
  })

  it('packaged: the executable alone (an app path is ignored)', () => {
    expect(launchCommand({ execPath: '/opt/warden/warden', isPackaged: true, env: {} })).toEqual([
      '/opt/warden/warden',
    ])
    expect(
      launchCommand({ execPath: '/opt/warden/warden', isPackaged: true, appPath: '/opt/x', env: {} }),
    ).toEqual(['/opt/warden/warden'])
  })

  it('development: electron and the app folder', () => {
    expect(
      launchCommand({
        execPath: '/src/node_modules/electron/dist/electron',
        isPackaged: false,
        appPath: '/src',
        env: {},
      }),
    ).toEqual(['/src/node_modules/electron/dist/electron', '/src'])
    expect(launchCommand({ execPath: '/e', isPackaged: false, env: {} })).toEqual(['/e'])
  })

  it('an empty APPIMAGE does not count', () => {
    expect(launchCommand({ execPath: '/opt/w', isPackaged: true, env: { APPIMAGE: '' } })).toEqual(['/opt/w'])
  })

  it('reads process.env by default; a given env replaces it', () => {
    vi.stubEnv('APPIMAGE', '/from/process.AppImage')
    expect(launchCommand({ execPath: '/opt/w', isPackaged: true })).toEqual(['/from/process.AppImage'])
    expect(launchCommand({ execPath: '/opt/w', isPackaged: true, env: {} })).toEqual(['/opt/w'])
  })
})
