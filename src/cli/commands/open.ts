import { defineCommand } from '../command'

export const openCommand = defineCommand({
  name: 'open',
  summary: 'open a web resource in its own browser window (endable)',
  usage: ['open NAME'],
  options: {},
  args: [1, 1],
  // The engine resolves NAME (a name before an id) and reports a browser that did not start or
  // exited at once as LAUNCH_FAILED, which the dispatcher prints with exit status 1.
  async run({ io, positionals, open }) {
    const name = positionals[0] as string
    const engine = await open()
    const { pid } = await engine.launchWeb(name)
    io.out(`opened ${name} in its own browser window (pid ${pid})`)
    return 0
  },
})
