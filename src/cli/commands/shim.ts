import os from 'node:os'
import path from 'node:path'
import { UsageError } from '../args'
import { defineCommand, JSON_OPTION, printJson, type CliIO, type CommandGroup } from '../command'
import { installShim, removeShim, ShimError, shimStatus } from '../../main/recording/shim'

/** HOME from the environment (tests use a temp one), else the account's. */
function homeOf(io: CliIO): string {
  const home = io.env.HOME
  return home && path.isAbsolute(home) ? home : os.homedir()
}

/**
 * How the shim runs warden again: this Node (or Electron in Node mode) and this entry script, by
 * absolute path, so the shim works whatever PATH the shell has.
 */
function wardenCommand(): string[] {
  const script = process.argv[1]
  if (!script) throw new UsageError('cannot tell how warden was started (no script path)')
  return [process.execPath, path.resolve(script)]
}

function guarded(io: CliIO, work: () => string[]): number {
  try {
    for (const line of work()) io.out(line)
    return 0
  } catch (e) {
    if (e instanceof ShimError) {
      io.err(`warden: ${e.message}`)
      return 1
    }
    throw e
  }
}

const install = defineCommand({
  name: 'install',
  summary: 'send every ssh typed in a shell through `warden ssh` (reversible)',
  usage: ['shim install [--alias]'],
  notes: [
    'Writes ~/.local/bin/ssh (a small sh script that runs `warden ssh "$@"`), or with --alias an',
    "alias block in ~/.bashrc / ~/.zshrc. A file that is not Session Warden's is never overwritten.",
    '`warden ssh` then finds the real ssh further on PATH and records only when the policy says so.',
  ],
  options: { alias: { type: 'boolean', help: 'an alias in ~/.bashrc / ~/.zshrc instead of a script' } },
  args: [0, 0],
  run({ io, values }) {
    return Promise.resolve(
      guarded(io, () =>
        installShim({
          home: homeOf(io),
          warden: wardenCommand(),
          alias: values.alias === true,
          shell: io.env.SHELL,
        }),
      ),
    )
  },
})

const remove = defineCommand({
  name: 'remove',
  summary: 'undo `warden shim install` (the script and any alias block)',
  usage: ['shim remove'],
  options: {},
  args: [0, 0],
  run({ io }) {
    return Promise.resolve(guarded(io, () => removeShim({ home: homeOf(io) })))
  },
})

const status = defineCommand({
  name: 'status',
  summary: 'show whether the shim or the alias is installed and which ssh runs',
  usage: ['shim status [--json]'],
  options: { ...JSON_OPTION },
  args: [0, 0],
  run({ io, values }) {
    const s = shimStatus({ home: homeOf(io), env: io.env })
    if (values.json) printJson(io, s)
    else {
      io.out(`script   ${s.file.path}: ${s.file.state}`)
      io.out(`alias    ${s.aliases.length > 0 ? s.aliases.join(', ') : 'none'}`)
      io.out(`on PATH  ${s.onPath ?? 'no ssh'}`)
      io.out(`real ssh ${s.realSsh ?? 'none found'}`)
      if (s.file.state === 'installed' && s.onPath !== s.file.path)
        io.out('note: another ssh comes first on PATH, so the script is not used; put ~/.local/bin first')
    }
    return Promise.resolve(0)
  },
})

export const shimCommand: CommandGroup = {
  name: 'shim',
  summary: 'install or remove the ssh shim that records every ssh (opt-in)',
  subcommands: [install, remove, status],
}
