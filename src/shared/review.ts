// Anomaly review (issue 13): the security contact's zod schema, for the settings (./settings). Everything
// else (the rules, weights, threshold, review items, parseSecurityContact) is in ./review-base, without
// zod, and re-exported here. Pure TypeScript + zod: no Node, DOM or Electron API.
import { z } from 'zod'
import { CONTACT_MAX, parseSecurityContact } from './review-base'

export * from './review-base'

/** The setting `securityContact` (parseSecurityContact's rule; at most CONTACT_MAX characters). */
export const securityContactSchema = z
  .string()
  .max(CONTACT_MAX)
  .refine((s) => parseSecurityContact(s).ok, {
    error: 'a mailto: address and/or an https:// webhook, without credentials',
  })
