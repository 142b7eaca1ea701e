// What every shared rule returns: the checked value, or one line a person can read. The engine
// turns a refusal into its EngineError, the store into its StoreError, the window shows it as is.
// Pure TypeScript + zod: no Node, DOM or Electron API.
import { z } from 'zod'

export type Checked<T> = { ok: true; value: T } | { ok: false; error: string }

/** Describes a zod failure in one line a person can read. */
export function describeZodError(e: z.ZodError): string {
  return e.issues.map((i) => (i.path.length > 0 ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ')
}

/** Parses with a schema; a failure comes back as its reason. */
export function checkWith<S extends z.ZodType>(schema: S, value: unknown): Checked<z.output<S>> {
  const r = schema.safeParse(value)
  return r.success ? { ok: true, value: r.data } : { ok: false, error: describeZodError(r.error) }
}

/** zod's own generic text for an issue ("Invalid input: expected boolean, received string"). */
function genericText(issue: z.core.$ZodRawIssue): string {
  const m = z.config().localeError?.(issue)
  return (typeof m === 'string' ? m : m?.message) ?? 'Invalid input'
}

/**
 * Parses a call's arguments at the IPC door. A refusal is the line the window shows beside the form
 * that sent it (Electron's contextBridge passes an error's message only): a reason the rule's author
 * wrote ("the address must start with http:// or https://", "idleAfterSec must be …") comes as written,
 * the words the CLI and the engine use; zod's generic text, which only a caller's bug meets, comes with
 * the argument's path and the line names the call. zod applies a schema's own message before this
 * parse's (zod v4 "Customizing errors": error precedence), which is what tells the two apart.
 */
export function checkArgs<S extends z.ZodType>(call: string, schema: S, args: unknown): Checked<z.output<S>> {
  const seen = { generic: false }
  const r = schema.safeParse(args, {
    error: (issue) => {
      seen.generic = true
      const path = (issue.path ?? []).map(String).join('.')
      return path === '' ? genericText(issue) : `${path}: ${genericText(issue)}`
    },
  })
  if (r.success) return { ok: true, value: r.data }
  // the messages first: zod asks for the generic ones when they are read
  const reasons = r.error.issues.map((i) => i.message).join('; ')
  return { ok: false, error: seen.generic ? `${call}: ${reasons}` : reasons }
}
