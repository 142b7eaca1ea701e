// Size limits the window needs without the zod schemas that enforce them (./history, ./resource, which
// re-export these): the window imports this module alone, so zod stays out of its JavaScript at start
// (issue 15). Pure TypeScript: no zod, Node, DOM or Electron API.

/** Rows per history page: the default, and the most one query may ask for (export pages through). */
export const HISTORY_LIMIT = { min: 1, default: 50, max: 500 } as const

/** The longest resource name or display name, in characters. */
export const NAME_MAX = 200
/** The longest resource target (a host or a web address), in characters. */
export const TARGET_MAX = 2048
