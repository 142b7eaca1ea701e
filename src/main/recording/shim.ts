// The opt-in shim that sends every `ssh` typed in a shell through `warden ssh` (issue 12): either a
// small sh script at ~/.local/bin/ssh (found before /usr/bin/ssh when ~/.local/bin comes first on
// PATH, as Debian's and Fedora's default ~/.profile arrange) or an alias block in ~/.bashrc /
// ~/.zshrc. Both are reversible: `remove` deletes exactly what `install` wrote, and a file that is
// not ours (no marker) is never overwritten or deleted. HOME comes from the caller's environment.
import fs from 'node:fs'
import path from 'node:path'
import { findRealSsh, isShim, SHIM_MARKER, sshOnPath } from './real-ssh'

export const ALIAS_BEGIN = '# >>> session-warden ssh alias >>>'
export const ALIAS_END = '# <<< session-warden ssh alias <<<'
const RC_FILES = ['.bashrc', '.zshrc'] as const

export class ShimError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ShimError'
  }
}

export interface ShimOptions {
  home: string
  /** the command that runs warden, e.g. [process.execPath, '/opt/warden/bin/warden.js'] */
  warden: readonly string[]
  /** the user's shell ($SHELL): its rc file gets the alias even when it does not exist yet */
  shell?: string | undefined
}

export interface ShimStatus {
  /** ~/.local/bin/ssh: ours, someone else's, or not there */
  file: { path: string; state: 'installed' | 'foreign' | 'absent' }
  /** rc files holding our alias block */
  aliases: string[]
  /** what `ssh` runs from a shell with this PATH (the shim, or the real ssh) */
  onPath: string | null
  /** the ssh `warden ssh` runs */
  realSsh: string | null
}

/** POSIX shell single quoting: 'it'\''s' */
export function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`
}

export function shimPath(home: string): string {
  return path.join(home, '.local', 'bin', 'ssh')
}

export function shimScript(warden: readonly string[]): string {
  return [
    '#!/bin/sh',
    `${SHIM_MARKER} (written by \`warden shim install\`; \`warden shim remove\` deletes it)`,
    `exec ${warden.map(shellQuote).join(' ')} ssh "$@"`,
    '',
  ].join('\n')
}

export function aliasBlock(warden: readonly string[]): string {
  const command = `${warden.map(shellQuote).join(' ')} ssh`
  return [ALIAS_BEGIN, `alias ssh=${shellQuote(command)}`, ALIAS_END, ''].join('\n')
}

function readOrNull(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8')
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw e
  }
}

function exists(file: string): boolean {
  try {
    fs.lstatSync(file)
    return true
  } catch {
    return false
  }
}

/** The alias block's lines in an rc file: [begin, end] line indexes, null when absent. */
function findBlock(file: string, text: string): [number, number] | null {
  const lines = text.split('\n')
  const begin = lines.indexOf(ALIAS_BEGIN)
  const end = lines.indexOf(ALIAS_END)
  if (begin === -1 && end === -1) return null
  if (begin === -1 || end < begin)
    throw new ShimError(
      `${file} has a broken Session Warden alias block; fix it by hand (nothing was changed)`,
    )
  return [begin, end]
}

function rcTargets(opts: ShimOptions): string[] {
  const own = opts.shell ? `.${path.basename(opts.shell)}rc` : null
  return RC_FILES.filter((rc) => rc === own || exists(path.join(opts.home, rc))).map((rc) =>
    path.join(opts.home, rc),
  )
}

/** Installs the script (default) or the alias; returns what it did, one line per file. */
export function installShim(opts: ShimOptions & { alias: boolean }): string[] {
  return opts.alias ? installAlias(opts) : [installFile(opts)]
}

function installFile(opts: ShimOptions): string {
  const file = shimPath(opts.home)
  const script = shimScript(opts.warden)
  if (exists(file) && !isShim(file))
    throw new ShimError(`${file} exists and is not Session Warden's shim; it was left alone`)
  if (readOrNull(file) === script) return `${file}: already installed`
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o755 })
  // write beside it and rename: a shell running `ssh` meanwhile sees the old file or the new one
  const tmp = `${file}.warden-${process.pid}`
  fs.writeFileSync(tmp, script, { mode: 0o755 })
  fs.renameSync(tmp, file)
  return `${file}: installed`
}

function installAlias(opts: ShimOptions): string[] {
  const targets = rcTargets(opts)
  if (targets.length === 0)
    throw new ShimError(
      `no ~/.bashrc or ~/.zshrc in ${opts.home}, and $SHELL names neither; nothing was changed`,
    )
  const block = aliasBlock(opts.warden)
  // check every file before changing any, so a refusal changes nothing
  const plans = targets.map((file) => {
    const text = readOrNull(file) ?? ''
    return { file, text, found: findBlock(file, text) }
  })
  return plans.map(({ file, text, found }) => {
    const lines = text.split('\n')
    if (found) {
      const current = lines.slice(found[0], found[1] + 1).join('\n') + '\n'
      if (current === block) return `${file}: already installed`
      lines.splice(found[0], found[1] - found[0] + 1, ...block.slice(0, -1).split('\n'))
      fs.writeFileSync(file, lines.join('\n'))
      return `${file}: alias updated`
    }
    const sep = text === '' || text.endsWith('\n') ? '' : '\n'
    fs.appendFileSync(file, sep + block, { mode: 0o644 })
    return `${file}: alias added`
  })
}

/** Removes the script (only if ours) and every alias block; returns what it did. */
export function removeShim(opts: Pick<ShimOptions, 'home'>): string[] {
  const done: string[] = []
  const file = shimPath(opts.home)
  if (exists(file)) {
    if (isShim(file)) {
      fs.unlinkSync(file)
      done.push(`${file}: removed`)
    } else {
      done.push(`${file}: not Session Warden's shim; left alone`)
    }
  }
  for (const rc of RC_FILES) {
    const rcFile = path.join(opts.home, rc)
    const text = readOrNull(rcFile)
    const found = text === null ? null : findBlock(rcFile, text)
    if (text === null || !found) continue
    const lines = text.split('\n')
    lines.splice(found[0], found[1] - found[0] + 1)
    fs.writeFileSync(rcFile, lines.join('\n'))
    done.push(`${rcFile}: alias removed`)
  }
  return done.length > 0 ? done : ['nothing to remove']
}

export function shimStatus(opts: Pick<ShimOptions, 'home'> & { env: NodeJS.ProcessEnv }): ShimStatus {
  const file = shimPath(opts.home)
  const state = !exists(file) ? 'absent' : isShim(file) ? 'installed' : 'foreign'
  const aliases = RC_FILES.map((rc) => path.join(opts.home, rc)).filter((rc) => {
    const text = readOrNull(rc)
    return text !== null && text.split('\n').includes(ALIAS_BEGIN)
  })
  return {
    file: { path: file, state },
    aliases,
    onPath: sshOnPath(opts.env)[0] ?? null,
    realSsh: findRealSsh(opts.env),
  }
}
