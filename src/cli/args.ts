import { parseArgs, type ParseArgsConfig } from 'node:util'

/** A usage error: exit code 2 and a one-line reason. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'UsageError'
  }
}

/** One option of a command, as `warden help` shows it. */
export interface OptionSpec {
  type: 'boolean' | 'string'
  /** what the value stands for in help, e.g. "PATH" (string options) */
  value?: string
  help: string
  short?: string
  /** '' is a value of its own (e.g. --display-name '' clears the name) rather than a forgotten one */
  emptyOk?: boolean
}
export type OptionSpecs = Record<string, OptionSpec>

/** The values parseLine returns for a set of options: a boolean or one string each. */
export type OptionValues<O extends OptionSpecs> = {
  [K in keyof O]?: O[K]['type'] extends 'boolean' ? boolean : string
}

// A negative number ("-4") is a value, not an option: parseArgs would call it an unknown short
// option. It stands in as text no argument can contain (argv strings end at NUL) while parsing.
const NEGATIVE = /^-\d+(\.\d+)?$/
const MARK = '\0'

/**
 * node:util parseArgs in strict mode, with one-line reasons: an unknown option, a missing or empty
 * value, a value given to a flag, and an option given twice are all UsageErrors.
 */
export function parseLine<O extends OptionSpecs>(
  argv: readonly string[],
  options: O,
): { values: OptionValues<O>; positionals: string[] } {
  const config: ParseArgsConfig['options'] = {}
  for (const [name, o] of Object.entries(options))
    config[name] = { type: o.type, multiple: true, ...(o.short ? { short: o.short } : {}) }
  let parsed: { values: Record<string, (string | boolean)[] | undefined>; positionals: string[] }
  try {
    parsed = parseArgs({
      args: argv.map((a) => (NEGATIVE.test(a) ? MARK + a : a)),
      options: config,
      strict: true,
      allowPositionals: true,
    }) as typeof parsed
  } catch (e) {
    throw new UsageError(parseErrorReason(e))
  }
  const values: Record<string, string | boolean> = {}
  for (const [name, all] of Object.entries(parsed.values)) {
    if (!all) continue
    if (all.length > 1) throw new UsageError(`--${name} given twice`)
    const v = all[0] as string | boolean
    if (v === '' && options[name]?.emptyOk !== true) throw new UsageError(`--${name} needs a value`)
    values[name] = typeof v === 'string' ? unmark(v) : v
  }
  return { values: values as OptionValues<O>, positionals: parsed.positionals.map(unmark) }
}

function unmark(a: string): string {
  return a.startsWith(MARK) ? a.slice(1) : a
}

/** parseArgs' messages run to three lines; the CLI promises one. */
function parseErrorReason(e: unknown): string {
  const code = e instanceof Error && 'code' in e ? e.code : null
  const message = e instanceof Error ? e.message : String(e)
  const name = /'(-[^' ]+)/.exec(message)?.[1] ?? ''
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return `unknown option ${name}`
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE')
    return /does not take/.test(message) ? `${name} takes no value` : `${name} needs a value`
  return message.split('\n')[0] ?? message
}
