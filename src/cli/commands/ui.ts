import { openBrowser } from '../../main/ui-server/open-browser'
import { startUiServer, UiServeError } from '../../main/ui-server/server'
import { UsageError } from '../args'
import { defineCommand } from '../command'
import { fleetMembership } from './fleet'
import { stopped } from './watch'

// `warden ui`: the window in the user's own browser, for machines without the desktop app. The engine runs
// its loop meanwhile, as under `warden watch`, so idle warnings and auto-disconnect apply.
export const uiCommand = defineCommand({
  name: 'ui',
  summary: 'serve the Sessions window to your browser on 127.0.0.1 (no desktop app needed)',
  usage: ['ui [--port N] [--no-open]'],
  options: {
    port: { type: 'string', value: 'N', help: 'the loopback port (default: a free one)' },
    'no-open': { type: 'boolean', help: 'only print the address; do not open a browser' },
  },
  notes: [
    'Listens on loopback only: 127.0.0.1, and ::1 on the same port where the host has it. The printed address',
    'carries a random key (#token=…): only a page opened with it can talk to the engine. Anyone who can',
    'read it can end your sessions: do not share it.',
    'Ctrl-C stops it.',
  ],
  args: [0, 0],
  async run({ io, values, open }) {
    const port = parsePort(values.port)
    const engine = await open()
    // the window's Settings → Fleet joins and leaves through the membership (a 0600 file, as the CLI)
    const fleet = fleetMembership(engine, io)
    let server
    try {
      server = await startUiServer({ engine, port, fleet })
    } catch (e) {
      if (!(e instanceof UiServeError)) throw e
      io.err(`warden: ${e.message}`)
      return e.code === 'NOT_BUILT' ? 1 : 2
    }
    await engine.tick()
    engine.start()
    // a device that joined publishes and takes commands while served, as under `warden watch`
    fleet.start()
    io.out(`Session Warden is served at ${server.url}`)
    const where = server.addresses.map((a) => (a.includes(':') ? `[${a}]` : a)).join(' and ')
    io.out(`(${where} only; the #token part is the key: keep it to yourself. Ctrl-C to stop.)`)
    if (values['no-open'] !== true) {
      const failed = await openBrowser(server.url)
      if (failed !== null) io.err(`warden: could not open a browser (${failed}): open the address above`)
    }
    await stopped(io.stop)
    await server.close()
    await fleet.close()
    await engine.stop()
    return 0
  },
})

function parsePort(text: string | undefined): number {
  if (text === undefined) return 0
  const n = Number(text)
  if (!/^\d+$/.test(text) || n < 1 || n > 65535)
    throw new UsageError(`--port must be a whole number from 1 to 65535, not "${text}"`)
  return n
}
