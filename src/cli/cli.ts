import { parseArgs, type ParseArgsConfig } from 'node:util'
import { createEngine, EngineError, type Engine } from '@engine/index'
import type { EngineErrorCode } from '@shared/model'
import { parseLine, UsageError, type OptionSpecs } from './args'
import { GLOBAL_OPTIONS, isGroup, type CliIO, type Command } from './command'
import { COMMANDS } from './commands'
import { commandHelp, globalHelp } from './help'

export type { CliIO } from './command'

/** Engine refusals that mean the line was wrong (exit 2), not that the work failed (exit 1). */
const USAGE_CODES: ReadonlySet<EngineErrorCode> = new Set([
  'BAD_ID',
  'UNKNOWN_SESSION',
  'UNKNOWN_RESOURCE',
  'BAD_SETTING',
  'BAD_RESOURCE',
  'BAD_QUERY',
  'UNKNOWN_RECORDING',
  'BAD_DESTINATION',
])

// Every option any command declares, so that in `warden --type ssh history` "ssh" is read as the
// value it is while the command word is looked for.
const ANY_OPTION = Object.fromEntries(
  [GLOBAL_OPTIONS, ...COMMANDS.flatMap((c) => (isGroup(c) ? c.subcommands : [c])).map((c) => c.options)]
    .flatMap((o: OptionSpecs) => Object.entries(o))
    .map(([name, o]) => [name, { type: o.type, ...(o.short ? { short: o.short } : {}) }]),
) as ParseArgsConfig['options']

/** Runs one CLI command; returns the exit code. Never throws. */
export async function runCli(argv: readonly string[], io: CliIO): Promise<number> {
  // set by open(); closed whatever happened
  const held: { engine: Engine | null } = { engine: null }
  let code: number
  try {
    code = await dispatch(argv, io, held)
  } catch (e) {
    code = reportError(e, io)
  }
  if (held.engine) {
    try {
      await held.engine.close()
    } catch (e) {
      code = Math.max(code, reportError(e, io))
    }
  }
  return code
}

/**
 * Finds the command word (and a group's subcommand word) among the positionals, then parses the
 * rest strictly with that command's options plus the global ones, which may stand anywhere.
 */
async function dispatch(
  argv: readonly string[],
  io: CliIO,
  held: { engine: Engine | null },
): Promise<number> {
  const { tokens } = parseArgs({
    args: [...argv],
    options: ANY_OPTION,
    strict: false,
    allowPositionals: true,
    tokens: true,
  })
  const words = tokens.flatMap((t) => (t.kind === 'positional' ? [t.index] : []))
  const wantsHelp = tokens.some((t) => t.kind === 'option' && t.name === 'help')
  const first = words[0]
  if (first === undefined) {
    parseLine(argv, GLOBAL_OPTIONS) // a bad --db is named, not answered with the usage
    if (wantsHelp) io.out(globalHelp(COMMANDS))
    else io.err(globalHelp(COMMANDS))
    return wantsHelp ? 0 : 2
  }
  if (argv[first] === 'help') {
    io.out(helpFor(words.slice(1).map((i) => argv[i] as string)))
    return 0
  }
  const { command, used } = resolve(argv, words)
  if (command.rawArgs) return dispatchRaw(command, argv, used, io, held)
  if (wantsHelp) {
    io.out(commandHelp(command))
    return 0
  }
  const { values, positionals } = parseLine(
    argv.filter((_, i) => !used.includes(i)),
    { ...GLOBAL_OPTIONS, ...command.options },
  )
  checkCount(command, positionals)
  const dbPath = values.db ?? io.env.WARDEN_DB
  const open = async (): Promise<Engine> => (held.engine ??= await openEngine(io, dbPath))
  return command.run({ io, values, positionals, open })
}

/** A command whose words are another program's: only what stands before its name is warden's. */
async function dispatchRaw(
  command: Command,
  argv: readonly string[],
  used: readonly number[],
  io: CliIO,
  held: { engine: Engine | null },
): Promise<number> {
  const { values } = parseLine(argv.slice(0, Math.min(...used)), GLOBAL_OPTIONS)
  const rest = argv.slice(Math.max(...used) + 1)
  if (values.help || (rest.length === 1 && (rest[0] === '--help' || rest[0] === '-h'))) {
    io.out(commandHelp(command))
    return 0
  }
  checkCount(command, rest)
  const dbPath = values.db ?? io.env.WARDEN_DB
  const open = async (): Promise<Engine> => (held.engine ??= await openEngine(io, dbPath))
  return command.run({ io, values, positionals: rest, open })
}

/** The command the words at `words` name, and the argv indexes those words used. */
function resolve(argv: readonly string[], words: readonly number[]): { command: Command; used: number[] } {
  const [first, second] = words as [number, number | undefined]
  const entry = COMMANDS.find((c) => c.name === argv[first])
  if (!entry) throw new UsageError(`unknown command "${argv[first] ?? ''}" (try: warden --help)`)
  if (!isGroup(entry)) return { command: entry, used: [first] }
  const word = second === undefined ? undefined : argv[second]
  const sub = entry.subcommands.find((s) => s.name === word)
  if (!sub || second === undefined) {
    const names = entry.subcommands.map((s) => s.name).join(', ')
    throw new UsageError(
      word === undefined
        ? `${entry.name} needs one of: ${names} (try: warden help ${entry.name})`
        : `unknown command "${entry.name} ${word}" (try: warden help ${entry.name})`,
    )
  }
  return { command: sub, used: [first, second] }
}

/** `warden help`, `warden help CMD`, `warden help CMD SUB`. */
function helpFor(words: readonly string[]): string {
  const [name, sub] = words
  if (name === undefined) return globalHelp(COMMANDS)
  const entry = COMMANDS.find((c) => c.name === name)
  if (!entry) throw new UsageError(`unknown command "${name}" (try: warden --help)`)
  const found = isGroup(entry) && sub !== undefined ? entry.subcommands.find((s) => s.name === sub) : entry
  if (!found) throw new UsageError(`unknown command "${name} ${sub ?? ''}" (try: warden help ${name})`)
  return commandHelp(found)
}

function checkCount(command: Command, positionals: readonly string[]): void {
  const [least, most] = command.args
  const usage = command.usage.map((u) => `warden ${u}`).join(' | ')
  if (positionals.length > most)
    throw new UsageError(`unexpected "${positionals[most] ?? ''}" (usage: ${usage})`)
  if (positionals.length < least) throw new UsageError(`missing arguments (usage: ${usage})`)
}

async function openEngine(io: CliIO, dbPath: string | undefined): Promise<Engine> {
  const engine = await createEngine({ actor: 'cli', ...io.engine, ...(dbPath ? { dbPath } : {}) })
  const info = engine.storeInfo
  if (info.recoveredFrom)
    io.err(
      `warning: the database ${info.path} was corrupt; it was moved to ${info.recoveredFrom} and a new one was started`,
    )
  return engine
}

/** One line on stderr whatever failed (a store that cannot open, a browser that died …). */
function reportError(e: unknown, io: CliIO): number {
  const message = e instanceof Error ? e.message || e.name : String(e)
  io.err(`warden: ${message.split('\n')[0] ?? message}`)
  if (e instanceof UsageError) return 2
  return e instanceof EngineError && USAGE_CODES.has(e.code) ? 2 : 1
}
