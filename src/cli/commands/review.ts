import { UsageError } from '../args'
import { defineCommand, JSON_OPTION, printJson, type CommandGroup } from '../command'
import { table } from '../format'

// Anomaly review (issue 13; docs/architecture.md "Anomaly review"): the engine decides, these print.

const list = defineCommand({
  name: 'list',
  summary: 'sessions that need review, with the reasons and the score',
  usage: ['review list [--json]'],
  options: JSON_OPTION,
  args: [0, 0],
  async run({ io, values, open }) {
    const engine = await open()
    await engine.tick()
    const items = await engine.review.list()
    if (values.json) {
      printJson(
        io,
        items.map((i) => ({
          id: i.id,
          reasons: i.reasons,
          score: i.score,
          resource: i.resourceName,
          open: i.open,
        })),
      )
      return 0
    }
    if (items.length === 0) {
      io.out('No sessions need review.')
      return 0
    }
    for (const i of items) {
      io.out(
        `${i.id}  ${i.resourceType.toUpperCase()} ${i.resourceName}  score ${i.score}${i.open ? '' : '  (ended)'}`,
      )
      for (const r of i.reasons) io.out(`  - ${r}`)
    }
    return 0
  },
})

const accept = defineCommand({
  name: 'accept',
  summary: 'Mark as expected: the reasons of this session are allowed from now on',
  usage: ['review accept ID'],
  options: {},
  args: [1, 1],
  async run({ io, positionals, open }) {
    const engine = await open()
    await engine.tick()
    await engine.review.list()
    const item = engine.review.accept(positionals[0] as string, 'cli')
    io.out(`marked as expected: ${item.id} (${item.resourceName}); allowed from now on:`)
    for (const h of item.hits) io.out(`  ${h.rule}  ${h.key}`)
    return 0
  },
})

const allowed = defineCommand({
  name: 'allowed',
  summary: 'the allow-list (what Mark as expected added)',
  usage: ['review allowed [--json]'],
  options: JSON_OPTION,
  args: [0, 0],
  async run({ io, values, open }) {
    const rows = (await open()).review.allowList()
    if (values.json) printJson(io, rows)
    else if (rows.length === 0) io.out('The allow-list is empty.')
    else
      io.out(
        table(
          ['RULE', 'KEY', 'ADDED', 'FIRST FLAGGED FOR'],
          rows.map((r) => [r.rule, r.key, r.addedAt, r.note]),
        ),
      )
    return 0
  },
})

const forget = defineCommand({
  name: 'forget',
  summary: 'remove one entry from the allow-list',
  usage: ['review forget RULE KEY'],
  options: {},
  args: [2, 2],
  async run({ io, positionals, open }) {
    const [rule, key] = positionals as [string, string]
    if (rule === '' || key === '') throw new UsageError('usage: warden review forget RULE KEY')
    ;(await open()).review.disallow(rule, key)
    io.out(`removed from the allow-list: ${rule} ${key}`)
    return 0
  },
})

export const reviewCommand: CommandGroup = {
  name: 'review',
  summary: 'sessions flagged for review: list them, mark one as expected, the allow-list',
  subcommands: [list, accept, allowed, forget],
}
