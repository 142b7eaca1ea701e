import type { CreateEngineOptions, Engine } from '@engine/index'
import type { OptionSpecs, OptionValues } from './args'

export interface CliIO {
  out(line: string): void
  err(line: string): void
  /** asks a yes/no question on the terminal; null when there is no terminal to ask on */
  confirm: ((question: string) => Promise<boolean>) | null
  env: NodeJS.ProcessEnv
  /** aborts `watch` (SIGINT/SIGTERM, or stdout closed, in the real CLI) */
  stop?: AbortSignal
  /** engine options for tests (a fake clock, a short grace period …) */
  engine?: CreateEngineOptions
}

export interface CommandContext<O extends OptionSpecs> {
  io: CliIO
  values: OptionValues<O>
  positionals: string[]
  /** opens the database and the engine; the dispatcher closes them whatever happens */
  open: () => Promise<Engine>
}

/** One command (or one subcommand of a group): what `warden help` shows and what runs. */
export interface Command<O extends OptionSpecs = OptionSpecs> {
  name: string
  summary: string
  /** usage lines without the leading "warden ", e.g. "end ID [--yes]" */
  usage: readonly string[]
  /** lines shown after the options in `warden help NAME` */
  notes?: readonly string[]
  options: O
  /** how many arguments may follow the name: [least, most] */
  args: readonly [number, number]
  /**
   * The words after the command name are another program's, handed over untouched as positionals
   * (`warden ssh`: ssh's own options). Warden's global options go before the name; `--help` alone
   * after it shows the command's help.
   */
  rawArgs?: boolean
  run(ctx: CommandContext<O>): Promise<number>
}

/** A command whose first argument names a subcommand: `settings get`, `resources add` … */
export interface CommandGroup {
  name: string
  summary: string
  subcommands: readonly Command[]
}

export type CommandEntry = Command | CommandGroup

export function isGroup(c: CommandEntry): c is CommandGroup {
  return 'subcommands' in c
}

/** Keeps each command's option names and value types tied to its run function. */
export function defineCommand<O extends OptionSpecs>(c: Command<O>): Command {
  return c
}

/** Options every command takes, wherever they stand on the line. */
export const GLOBAL_OPTIONS = {
  db: {
    type: 'string',
    value: 'PATH',
    help: 'the database (default: WARDEN_DB, else warden.db in the app-data folder)',
  },
  help: { type: 'boolean', short: 'h', help: 'show help for the command' },
} as const satisfies OptionSpecs

/** --json, as the listing commands take it. */
export const JSON_OPTION = {
  json: { type: 'boolean', help: 'print JSON instead of a table' },
} as const satisfies OptionSpecs

export function printJson(io: CliIO, v: unknown): void {
  io.out(JSON.stringify(v, null, 2))
}
