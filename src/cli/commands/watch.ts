import type { Session } from '@shared/model'
import { recordingStoppedText, recordingsTrimmedText } from '@shared/recording'
import type { Engine } from '@engine/index'
import { defineCommand, type CliIO } from '../command'
import { sessionsTable } from '../format'
import { watchFleet } from './fleet'

export const watchCommand = defineCommand({
  name: 'watch',
  summary: 'keep scanning; idle warnings and auto-disconnect apply; publishes to the fleet when joined',
  usage: ['watch [--json]'],
  options: { json: { type: 'boolean', help: 'one JSON object per line and change, nothing else' } },
  args: [0, 0],
  async run({ io, values, open }) {
    const json = values.json === true
    const engine = await open()
    if (!json) {
      // what is open now first; then one line per change
      await engine.tick()
      const now = engine.list()
      if (now.length > 0) io.out(sessionsTable(now))
      io.out('Watching sessions (Ctrl-C to stop)…')
    }
    subscribe(engine, io, json)
    const fleet = watchFleet(engine, io)
    engine.start()
    await stopped(io.stop)
    await fleet.close()
    await engine.stop()
    return 0
  },
})

function subscribe(engine: Engine, io: CliIO, json: boolean): void {
  const line = (event: string, s: Session, extra: Record<string, unknown> = {}): void => {
    if (json) io.out(JSON.stringify({ event, at: new Date().toISOString(), session: s, ...extra }))
    else
      io.out(
        `${new Date().toLocaleTimeString()}  ${event.padEnd(8)} ${s.id}  ${s.resourceType.toUpperCase()} ${s.resourceName}  ${s.status}${s.endReason ? ` (${s.endReason})` : ''}`,
      )
  }
  engine.on('created', (s) => line('created', s))
  engine.on('status', (s) => line('status', s))
  engine.on('warned', (s, w) => line('warned', s, { idleMs: w.idleMs, disconnectInMs: w.disconnectInMs }))
  engine.on('limit', (s, l) => line('limit', s, l))
  engine.on('ended', (s) => line('ended', s))
  // the recordings' notices: the same text as the desktop app's notification (src/shared/recording.ts)
  const notice = (
    event: string,
    body: string,
    extra: { session?: Session } & Record<string, unknown>,
  ): void => {
    if (json) io.out(JSON.stringify({ event, at: new Date().toISOString(), message: body, ...extra }))
    else
      io.out(
        `${new Date().toLocaleTimeString()}  ${event.padEnd(8)} ${extra.session ? `${extra.session.id}  ` : ''}${body}`,
      )
  }
  engine.on('recordingsTrimmed', (t) =>
    notice('trimmed', recordingsTrimmedText(t).body, {
      removed: t.removed.map((r) => r.id),
      maxMb: t.maxMb,
      totalBytes: t.totalBytes,
    }),
  )
  engine.on('recordingStopped', (s, r) =>
    notice('rec-stop', recordingStoppedText(s, r).body, { session: s, recording: r }),
  )
  engine.on('reopened', (n) => io.err(`warden: ${n.message}`))
  engine.on('error', (e) => io.err(`warden: scan failed: ${e.message}`))
}

/** Resolves when `stop` aborts (SIGINT, SIGTERM, or stdout closed); never without a signal. */
export function stopped(stop: AbortSignal | undefined): Promise<void> {
  return new Promise<void>((resolve) => {
    if (!stop) return
    if (stop.aborted) resolve()
    else stop.addEventListener('abort', () => resolve(), { once: true })
  })
}
