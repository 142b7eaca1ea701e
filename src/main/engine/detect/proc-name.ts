// Program names of processes: the only per-process string work detect does before it
// prefilters by name. No regular expressions here: this runs over every process every second.
import type { ProcessInfo } from '../probe/types'

/** The last path component, for '/' and '\' separated paths. */
export function baseName(path: string): string {
  const slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'))
  return slash >= 0 ? path.slice(slash + 1) : path
}

/** Lower-cased base name without a trailing ".exe". */
export function normalizeProgram(name: string): string {
  let s = baseName(name).toLowerCase()
  if (s.endsWith('.exe')) s = s.slice(0, -4)
  return s
}

const DELETED = ' (deleted)'

/**
 * The program a command line's argv[0] names. Handles proctitles ("ssh: /tmp/cm [mux]",
 * "sshd: alice@pts/0" → "ssh" / "sshd") and the single-string command lines Chromium's children
 * rewrite themselves to ("/usr/lib/chromium/chromium --type=utility …" → "/usr/lib/chromium/chromium").
 */
export function argv0Program(argv0: string): string {
  const colon = argv0.indexOf(': ')
  if (colon > 0) {
    const head = argv0.slice(0, colon)
    if (!head.includes('/') && !head.includes('\\') && !head.includes(' ')) return head
  }
  const dash = argv0.indexOf(' -')
  return dash > 0 ? argv0.slice(0, dash) : argv0
}

/**
 * The normalized program name of a process: basename of exe when known (it cannot be spoofed by
 * the process), else of argv[0], else comm. Lower case, ".exe" stripped.
 */
const names = new WeakMap<object, string>()

export function programName(p: Pick<ProcessInfo, 'exe' | 'argv' | 'comm'>): string {
  // a probe hands out the same record while a process is unchanged: name it once
  let name = names.get(p)
  if (name === undefined) {
    name = computeProgramName(p)
    names.set(p, name)
  }
  return name
}

function computeProgramName(p: Pick<ProcessInfo, 'exe' | 'argv' | 'comm'>): string {
  let exe = p.exe
  if (exe.endsWith(DELETED)) exe = exe.slice(0, -DELETED.length)
  if (exe !== '') return normalizeProgram(exe)
  const a0 = p.argv[0]
  if (a0 !== undefined && a0 !== '') return normalizeProgram(argv0Program(a0))
  return normalizeProgram(p.comm)
}

/**
 * argv with proctitle padding removed: Linux proctitles leave trailing empty strings
 * ("ssh: /root/.ssh/cm-root@host:22 [mux]", "", "", …).
 */
export function trimArgv(argv: readonly string[]): readonly string[] {
  let n = argv.length
  while (n > 0 && argv[n - 1] === '') n--
  return n === argv.length ? argv : argv.slice(0, n)
}

const MUX_PREFIX = 'ssh: '
const MUX_SUFFIX = ' [mux]'

/**
 * The control path of a background ControlMaster ("ssh: /root/.ssh/cm-root@host:22 [mux]"),
 * or null when the command line is not such a proctitle.
 */
export function muxMasterPath(argv: readonly string[]): string | null {
  const args = trimArgv(argv)
  const title = args.length === 1 ? (args[0] ?? '') : args.join(' ')
  if (!title.startsWith(MUX_PREFIX) || !title.endsWith(MUX_SUFFIX)) return null
  const path = title.slice(MUX_PREFIX.length, title.length - MUX_SUFFIX.length).trim()
  return path === '' ? null : path
}
