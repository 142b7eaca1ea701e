import type { OptionSpecs } from './args'
import { GLOBAL_OPTIONS, isGroup, type Command, type CommandEntry } from './command'

// Help is printed from the command definitions (src/cli/commands), so it cannot drift from them.

const WIDTH = 36

/** "  left   right", or left alone on its line when it is too wide for the column. */
function row(left: string, right: string, width = WIDTH): string[] {
  if (right === '') return [`  ${left}`]
  if (left.length >= width) return [`  ${left}`, `  ${' '.repeat(width)}  ${right}`]
  return [`  ${left.padEnd(width)}  ${right}`]
}

function optionRows(options: OptionSpecs): string[] {
  const flags = Object.entries(options).map(
    ([name, o]) =>
      [`${o.short ? `-${o.short}, ` : ''}--${name}${o.value ? ` ${o.value}` : ''}`, o.help] as const,
  )
  const width = Math.max(12, ...flags.map(([f]) => f.length + 1))
  return flags.flatMap(([flag, help]) => row(flag, help, width))
}

/** The summary beside the first usage line, or under the last when a line is too wide. */
function usageRows(c: Command): string[] {
  if (c.usage.every((u) => u.length < WIDTH))
    return c.usage.flatMap((u, i) => row(u, i === 0 ? c.summary : ''))
  return [...c.usage.map((u) => `  ${u}`), `  ${' '.repeat(WIDTH)}  ${c.summary}`]
}

function tail(): string[] {
  return [
    '',
    'Options for every command:',
    ...optionRows(GLOBAL_OPTIONS),
    '',
    'Durations: 45s, 10m, 1h 30m, 2d; 0 or never for never; a plain number is seconds.',
    'The database is shared with the desktop app: --db PATH or WARDEN_DB overrides its location.',
    'Exit status: 0 done, 1 failed, 2 bad usage or unknown id (with a one-line reason on stderr).',
  ]
}

export function globalHelp(commands: readonly CommandEntry[]): string {
  const rows = commands.flatMap((c) => (isGroup(c) ? c.subcommands.flatMap(usageRows) : usageRows(c)))
  return [
    'Usage: warden [--db PATH] COMMAND [ARGS]',
    '',
    'Commands:',
    ...rows,
    ...row('help [COMMAND]', "this help, or one command's (also: warden COMMAND --help)"),
    ...tail(),
  ].join('\n')
}

function commandBlock(c: Command): string[] {
  const options = optionRows(c.options)
  return [
    ...c.usage.map((u, i) => `${i === 0 ? 'Usage: ' : '       '}warden ${u}`),
    '',
    `${c.summary.charAt(0).toUpperCase()}${c.summary.slice(1)}.`,
    ...(options.length > 0 ? ['', 'Options:', ...options] : []),
    ...(c.notes && c.notes.length > 0 ? ['', ...c.notes] : []),
  ]
}

/** Help for one command, or for every subcommand of a group. */
export function commandHelp(c: CommandEntry | Command): string {
  const blocks = isGroup(c) ? c.subcommands.map(commandBlock) : [commandBlock(c)]
  return [...blocks.flatMap((b, i) => (i === 0 ? b : ['', ...b])), ...tail()].join('\n')
}
