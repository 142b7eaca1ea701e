// The unusual-parent rule: who started the client. Terminals, IDEs, file managers, shells and Session
// Warden itself are usual; cron, a script in a temp folder or an unknown binary are not (issue 13).
import path from 'node:path'
import { RULE_WEIGHTS, type ReviewHit } from '@shared/review'
import type { ProcessInfo } from '../probe/types'
import { isInstalledPath, isTempPath } from './binary'

export interface Ancestor {
  pid: number
  exe: string
  argv: string[]
  comm: string
}

const MAX_DEPTH = 32

/** The client's parents, nearest first, up to (not including) pid 1 or a pid the snapshot lacks. */
export function ancestryOf(processes: ReadonlyMap<number, ProcessInfo>, pid: number): Ancestor[] {
  const out: Ancestor[] = []
  let p = processes.get(processes.get(pid)?.ppid ?? 0)
  while (p && p.pid > 1 && out.length < MAX_DEPTH && !out.some((a) => a.pid === p?.pid)) {
    out.push({ pid: p.pid, exe: p.exe, argv: p.argv.slice(0, 32), comm: p.comm })
    p = processes.get(p.ppid)
  }
  return out
}

const word = (set: string): ReadonlySet<string> => new Set(set.split(/\s+/).filter(Boolean))
/** A launcher a person uses: reaching one ends the walk (usual). Names as the OS shows them, lower case. */
const LAUNCHERS = word(`
  gnome-terminal-server gnome-terminal kgx ptyxis konsole xterm uxterm kitty alacritty wezterm wezterm-gui
  tilix terminator xfce4-terminal lxterminal mate-terminal qterminal foot st urxvt rxvt terminal iterm2
  windowsterminal openconsole conhost tmux screen zellij warp
  code code-oss codium cursor idea pycharm clion goland webstorm rider phpstorm emacs vim nvim gvim
  sublime_text zed xcode
  nautilus dolphin thunar nemo pcmanfm pcmanfm-qt caja finder explorer
  remmina sshd login`)
/** Shells and script interpreters: usual themselves, but the script they run counts. */
const SHELLS = word(`bash sh dash zsh fish ksh mksh tcsh csh nu pwsh powershell cmd
  python python3 perl ruby node`)
/** Schedulers: a client started by one ran without a person at the keyboard. */
const SCHEDULERS = word('cron crond anacron atd fcron cronie busybox-crond')

/** Service managers: init, systemd (the system's and `systemd --user`), launchd. Every process descends from one. */
const MANAGERS = word('systemd init launchd')

/** A launcher a person uses (a terminal, IDE, file manager, sshd, tmux): who started a client. */
export function isLauncher(a: Pick<Ancestor, 'exe' | 'comm'>): boolean {
  return LAUNCHERS.has(nameOf(a))
}

/** init, systemd (--user or the system's), launchd: above everything, so naming one says nothing. */
export function isServiceManager(a: Pick<Ancestor, 'exe' | 'comm'>): boolean {
  return MANAGERS.has(nameOf(a))
}

function nameOf(a: Pick<Ancestor, 'exe' | 'comm'>): string {
  const base = a.exe === '' ? a.comm : path.basename(a.exe.replace(/\\/g, '/'))
  return base.toLowerCase().replace(/\.exe$/, '')
}

/** The first argument of an interpreter that names a file (a script), if any. */
function scriptOf(a: Ancestor): string | null {
  for (const arg of a.argv.slice(1)) {
    if (arg === '-c' || arg === '-e') return null
    if (arg.startsWith('-')) continue
    return arg
  }
  return null
}

/** One ancestor in words for the chain: "bash /tmp/x.sh (pid 41)". */
export function describeAncestor(a: Ancestor): string {
  const cmd = a.argv.length > 0 ? a.argv.slice(0, 3).join(' ') : a.comm
  return `${cmd.length > 80 ? `${cmd.slice(0, 77)}...` : cmd} (pid ${a.pid})`
}

function finding(
  a: Ancestor,
  selfPid: number,
  platform: NodeJS.Platform,
): { key: string; what: string } | 'usual' | null {
  const name = nameOf(a)
  if (a.pid === selfPid || LAUNCHERS.has(name)) return 'usual'
  if (SCHEDULERS.has(name) || SCHEDULERS.has(a.comm.toLowerCase()))
    return { key: `parent:${a.exe || a.comm}`, what: `started by the scheduler ${name}` }
  if (a.exe !== '' && isTempPath(a.exe))
    return { key: `parent:${a.exe}`, what: `started by ${a.exe}, a program in a temp folder` }
  if (SHELLS.has(name)) {
    const script = scriptOf(a)
    if (script !== null && isTempPath(script))
      return { key: `parent:${script}`, what: `started by the script ${script} in a temp folder` }
    return null
  }
  if (a.exe !== '' && !isInstalledPath(a.exe, platform))
    return { key: `parent:${a.exe}`, what: `started by ${a.exe}, a program the system did not install` }
  // an installed program that is not a shell started it (a launcher we do not know by name)
  return 'usual'
}

/**
 * The unusual-parent hit, walking up from the client's parent through shells and interpreters
 * (they only pass a command on) to the first program that decided to start it: a launcher, Session
 * Warden or another installed program is usual; a scheduler, a temp-folder program or script, or a
 * program the system did not install is a hit, shown with the chain up to it.
 */
export function parentHits(
  client: string,
  chain: readonly Ancestor[],
  selfPid: number,
  platform: NodeJS.Platform = process.platform,
): ReviewHit[] {
  for (const a of chain) {
    const f = finding(a, selfPid, platform)
    if (f === 'usual') return []
    if (f === null) continue
    const shown = [client, ...chain.slice(0, chain.indexOf(a) + 1).map(describeAncestor)].join(' ← ')
    return [
      {
        rule: 'unusual-parent',
        key: f.key,
        weight: RULE_WEIGHTS['unusual-parent'],
        reason: `The ${client} client was ${f.what}: ${shown}`,
      },
    ]
  }
  return []
}
