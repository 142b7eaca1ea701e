/** A usage error: exit code 2 and a one-line reason. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'UsageError'
  }
}

export interface ParsedArgs {
  positional: string[]
  flags: Map<string, string | true>
}

/**
 * Parses `--flag`, `--key value` and `--key=value`. Only the flags a command declares are
 * accepted: an unknown flag, a missing value or a repeated flag is a UsageError.
 */
export function parseArgs(
  argv: readonly string[],
  booleans: readonly string[],
  valued: readonly string[],
): ParsedArgs {
  const positional: string[] = []
  const flags = new Map<string, string | true>()
  let onlyPositional = false
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string
    if (onlyPositional || !a.startsWith('--') || a === '-') {
      if (!onlyPositional && a.startsWith('-') && a.length > 1 && !/^-\d/.test(a))
        throw new UsageError(`unknown option ${a}`)
      positional.push(a)
      continue
    }
    if (a === '--') {
      onlyPositional = true
      continue
    }
    const eq = a.indexOf('=')
    const name = eq >= 0 ? a.slice(2, eq) : a.slice(2)
    if (flags.has(name)) throw new UsageError(`--${name} given twice`)
    if (booleans.includes(name)) {
      if (eq >= 0) throw new UsageError(`--${name} takes no value`)
      flags.set(name, true)
    } else if (valued.includes(name)) {
      const value = eq >= 0 ? a.slice(eq + 1) : argv[++i]
      if (value === undefined || (eq < 0 && value.startsWith('--')))
        throw new UsageError(`--${name} needs a value`)
      flags.set(name, value)
    } else {
      throw new UsageError(`unknown option --${name}`)
    }
  }
  return { positional, flags }
}

export function flagString(p: ParsedArgs, name: string): string | undefined {
  const v = p.flags.get(name)
  return typeof v === 'string' ? v : undefined
}

export function flagBool(p: ParsedArgs, name: string): boolean {
  return p.flags.get(name) === true
}

/** Accepts 2026-11-27, 2026-11-27T10:00, full ISO, or a relative "7d" / "12h" / "30m". */
export function parseSince(text: string, now: number): number {
  const rel = /^(\d+)([dhm])$/.exec(text)
  if (rel) {
    const n = Number(rel[1])
    const unit = rel[2] === 'd' ? 86_400_000 : rel[2] === 'h' ? 3_600_000 : 60_000
    return now - n * unit
  }
  if (!/^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(text))
    throw new UsageError(`--since: "${text}" is not a date (use 2026-11-27, an ISO time, or 7d / 12h / 30m)`)
  const t = Date.parse(text)
  if (Number.isNaN(t)) throw new UsageError(`--since: "${text}" is not a valid date`)
  return t
}

export function parseSeconds(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined
  if (!/^\d+$/.test(text)) throw new UsageError(`--${name}: expected whole seconds, got "${text}"`)
  return Number(text)
}
