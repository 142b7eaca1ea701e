import { UsageError } from '../args'
import { defineCommand, printJson } from '../command'

export const REPORT_WARNING =
  'This ends the session if it is still running, writes an evidence bundle (the session, its events, the client ' +
  'program and who started it, the remote address and this device) and hands it to the security contact.'

export const reportCommand = defineCommand({
  name: 'report',
  summary: 'Report suspicious session: end it, write the evidence bundle, tell the security contact',
  usage: ['report ID [--note TEXT] [--yes] [--json]'],
  notes: [
    REPORT_WARNING,
    'The security contact is the setting securityContact (a mailto: address and/or an https webhook).',
  ],
  options: {
    note: { type: 'string', value: 'TEXT', help: 'a note for the security contact, kept in the bundle' },
    yes: { type: 'boolean', help: 'do not ask (needed when there is no terminal to ask on)' },
    json: { type: 'boolean', help: 'print { bundle, sha256, ended, sent } as JSON' },
  },
  args: [1, 1],
  async run({ io, values, positionals, open }) {
    const id = positionals[0] as string
    const note = values.note
    if (note !== undefined && note.length > 2000) throw new UsageError('--note is at most 2000 characters')
    const engine = await open()
    const s = engine.get(id)
    if (!values.yes) {
      if (!io.confirm) throw new UsageError('not a terminal: add --yes to confirm')
      if (
        !(await io.confirm(
          `Report ${s.id} (${s.resourceType.toUpperCase()} ${s.resourceName}, ${s.ipAddress})? ${REPORT_WARNING} [y/N] `,
        ))
      ) {
        io.err('cancelled; nothing was reported')
        return 1
      }
    }
    const r = await engine.review.report(id, { actor: 'cli', ...(note === undefined ? {} : { note }) })
    if (values.json) {
      printJson(io, r)
    } else {
      io.out(`${r.ended ? 'ended and reported' : 'reported'}: ${s.id} (${s.resourceName})`)
      io.out(`bundle: ${r.bundle}`)
      io.out(`sha256: ${r.sha256}`)
      if (r.sent.length === 0)
        io.out('no security contact is set (securityContact): hand the bundle over yourself')
      for (const d of r.sent) io.out(`${d.ok ? 'sent' : 'NOT sent'} (${d.to}): ${d.detail}`)
    }
    return r.sent.every((d) => d.ok) ? 0 : 1
  },
})
