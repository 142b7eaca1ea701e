// What a resource's name and target may be, once: for IPC (the window adds web resources), the CLI
// (resources add), the engine and the store (which also records hosts seen in live sessions).
// Pure TypeScript + zod: no Node, DOM or Electron API.
import { z } from 'zod'
import { NAME_MAX, TARGET_MAX } from './limits'
import { RESOURCE_TYPES } from './model'
import { policyPatchSchema } from './settings'

export { NAME_MAX, TARGET_MAX } from './limits'
// Names and targets are printed by the CLI: no control characters (terminal escapes) in them.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/

/** Trimmed, so "prod" and "prod " are one resource. */
export const resourceNameSchema = z
  .string('a name must be text')
  .trim()
  .min(1, 'a name is required')
  .max(NAME_MAX, `a name is at most ${NAME_MAX} characters`)
  .refine((n) => !CONTROL.test(n), 'a name must not contain control characters')

/**
 * A resource's display name: what the window, History, the tray and the CLI show instead of its name
 * (which stays the key sessions are matched by). Empty clears it (null).
 */
export const displayNameSchema = z
  .string('a display name must be text')
  .trim()
  .max(NAME_MAX, `a display name is at most ${NAME_MAX} characters`)
  .refine((n) => !CONTROL.test(n), 'a display name must not contain control characters')
  .transform((n) => (n === '' ? null : n))

/** One word, printable: a host as a command line names it, or a web address. */
const word = (what: string) =>
  z
    .string(`${what} must be text`)
    .trim()
    .min(1, `${what} is required`)
    .max(TARGET_MAX, `${what} is at most ${TARGET_MAX} characters`)
    .refine((t) => !CONTROL.test(t) && !/\s/.test(t), `${what} must not contain spaces or control characters`)

/** A host (ssh, rdp). */
const hostTargetSchema = word('a target')

/** Why a web address is refused, or null. */
function webAddressProblem(t: string): string | null {
  if (!/^https?:\/\/[^\s/]/i.test(t)) return 'the address must start with http:// or https://'
  let url: URL
  try {
    url = new URL(t)
  } catch {
    return 'the address is not a valid URL'
  }
  if (url.hostname === '') return 'the address must name a host'
  // It would be stored, listed and printed in clear, and handed to the browser on every open.
  if (url.username !== '' || url.password !== '')
    return 'remove the user name and password from the address (the browser asks for them when needed)'
  return null
}

/** A web address: http(s), a host, no credentials in it. */
export const webAddressSchema = word('an address').superRefine((t, ctx) => {
  const problem = webAddressProblem(t)
  if (problem !== null) ctx.addIssue({ code: 'custom', message: problem })
})

/** What the window sends to add a web resource. */
export const newWebResourceSchema = z.object({ name: resourceNameSchema, target: webAddressSchema }).strict()

/** A resource to add (the CLI, the engine, the store): its type decides what its target may be. */
export const newResourceSchema = z
  .object({
    type: z.enum(RESOURCE_TYPES, `the type must be one of ${RESOURCE_TYPES.join(', ')}`),
    name: resourceNameSchema,
    target: z.string('a target must be text'),
    ...policyPatchSchema.shape,
  })
  .strict()
  .transform((r, ctx) => {
    const target = (r.type === 'web' ? webAddressSchema : hostTargetSchema).safeParse(r.target)
    if (target.success) return { ...r, target: target.data }
    for (const issue of target.error.issues)
      ctx.addIssue({ code: 'custom', message: issue.message, path: ['target'] })
    return z.NEVER
  })
export type NewResource = z.output<typeof newResourceSchema>
