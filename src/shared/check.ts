// What every shared rule returns: the checked value, or one line a person can read. The engine
// turns a refusal into its EngineError, the store into its StoreError, the window shows it as is.
// Pure TypeScript + zod: no Node, DOM or Electron API.
import type { z } from 'zod'

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
