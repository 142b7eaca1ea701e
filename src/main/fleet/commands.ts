import type { JsMsg } from '@nats-io/jetstream'
import type { EndResult } from '@shared/model'
import { backoffDelay, type FleetLink, type FleetTiming } from './connection'
import {
  COMMAND_STREAM,
  commandConsumer,
  commandSubject,
  resultSubject,
  signEndCommand,
  verifyEndCommand,
  type CommandResult,
} from './protocol'
import type { ReplayGuard } from './replay'

/** The engine as a command's target: it ends through its own identity checks (terminate.ts). */
export interface CommandTarget {
  end(id: string, actor: string, reason: 'remote'): Promise<EndResult>
}

/** A refusal, as the log and the 'refused' listeners hear it. */
export interface Refusal {
  id: string | null
  from: string | null
  reason: string
}

/**
 * This device's durable consumer on its own command subject: commands sent while it was away wait
 * in the stream and arrive when it returns. Each is authenticated (protocol.ts), checked against
 * replays (replay.ts), carried out by the engine with reason 'remote' and the sender's name, and
 * answered on the sender's result subject. Refused commands change nothing and are logged.
 */
export class CommandListener {
  private stopped = false
  private current: { stop(): void } | null = null

  constructor(
    private readonly p: {
      deviceId: string
      key: Buffer
      target: CommandTarget
      guard: ReplayGuard
      timing: FleetTiming
      log: (line: string) => void
      onRefused?: (r: Refusal) => void
      now?: () => number
    },
  ) {}

  /** Consumes until stop(); a lost consumer (server restart) is taken up again with back-off. */
  async run(link: FleetLink): Promise<void> {
    let attempt = 0
    while (!this.stopped) {
      try {
        const consumer = await link.js.consumers.get(COMMAND_STREAM, commandConsumer(this.p.deviceId))
        const msgs = await consumer.consume({ max_messages: 16 })
        this.current = msgs
        attempt = 0
        for await (const m of msgs) await this.carryOut(link, m)
      } catch (e) {
        if (this.over(link)) return
        this.p.log(`fleet: command consumer: ${e instanceof Error ? e.message : String(e)}`)
      }
      if (this.over(link)) return
      await new Promise((r) => setTimeout(r, backoffDelay(attempt++, this.p.timing)))
    }
  }

  /** stop() was called, or the connection closed (read through a method: stop() runs meanwhile) */
  private over(link: FleetLink): boolean {
    return this.stopped || link.nc.isClosed()
  }

  stop(): void {
    this.stopped = true
    this.current?.stop()
  }

  private async carryOut(link: FleetLink, m: JsMsg): Promise<void> {
    const now = (this.p.now ?? Date.now)()
    let raw: unknown = null
    try {
      raw = JSON.parse(m.string())
    } catch {
      // refused below as malformed
    }
    const verdict = verifyEndCommand(this.p.key, raw, this.p.deviceId, now)
    const from = fieldOf(raw, 'from')
    if (!verdict.ok) {
      this.refuse(link, { id: verdict.id ?? fieldOf(raw, 'id'), from, reason: verdict.reason }, raw)
      m.ack()
      return
    }
    const c = verdict.command
    if (!this.p.guard.claim(c.id, c.expires, now)) {
      this.refuse(link, { id: c.id, from, reason: 'replayed (this command id was already carried out)' }, raw)
      m.ack()
      return
    }
    let r: EndResult
    try {
      r = await this.p.target.end(c.sessionId, c.fromName, 'remote')
    } catch (e) {
      r = { id: c.sessionId, ok: false, result: 'failed', error: e instanceof Error ? e.message : String(e) }
    }
    this.p.log(`fleet: ${c.fromName} ended ${c.sessionId} here: ${r.result}${r.error ? ` (${r.error})` : ''}`)
    answer(link, c.from, { id: c.id, target: c.target, sessionId: c.sessionId, ...pick(r) })
    m.ack()
  }

  private refuse(link: FleetLink, r: Refusal, raw: unknown): void {
    this.p.log(`fleet: refused command ${r.id ?? '(no id)'} from ${r.from ?? '(unknown)'}: ${r.reason}`)
    this.p.onRefused?.(r)
    // the claimed sender hears why (nothing it says is trusted, and nothing was changed)
    if (r.from && r.id)
      answer(link, r.from, {
        id: r.id,
        target: this.p.deviceId,
        sessionId: fieldOf(raw, 'sessionId') ?? '',
        ok: false,
        result: 'refused',
        error: r.reason,
      })
  }
}

function pick(r: EndResult): Pick<CommandResult, 'ok' | 'result' | 'error'> {
  return { ok: r.ok, result: r.result, ...(r.error ? { error: r.error } : {}) }
}

function answer(link: FleetLink, to: string, result: CommandResult): void {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(to)) return
  try {
    link.nc.publish(resultSubject(to), JSON.stringify(result))
  } catch {
    // a result is a courtesy: the change itself reaches the fleet through the bucket
  }
}

function fieldOf(raw: unknown, k: string): string | null {
  if (!raw || typeof raw !== 'object') return null
  const v = (raw as Record<string, unknown>)[k]
  return typeof v === 'string' ? v : null
}

/** What asking another device to end a session came to. */
export type RemoteEnd =
  | { status: 'answered'; result: CommandResult }
  /** no answer within the wait: the device is away; it acts on return if before `expires` */
  | { status: 'queued'; id: string; expires: string }

/** Signs and sends an end command, then waits up to waitMs for the target's answer. */
export async function sendEnd(
  link: FleetLink,
  key: Buffer,
  p: { from: string; fromName: string; target: string; sessionId: string; ttlMs?: number; waitMs?: number },
): Promise<RemoteEnd> {
  const cmd = signEndCommand(key, { ...p, now: Date.now() })
  const sub = link.nc.subscribe(resultSubject(p.from))
  try {
    const answered = (async (): Promise<CommandResult | null> => {
      for await (const m of sub) {
        const r = m.json<CommandResult>()
        if (r.id === cmd.id) return r
      }
      return null
    })()
    await link.js.publish(commandSubject(p.target), JSON.stringify(cmd), { msgID: cmd.id })
    const timer = setTimeout(() => sub.unsubscribe(), p.waitMs ?? 5000)
    const r = await answered
    clearTimeout(timer)
    if (r) return { status: 'answered', result: r }
    return { status: 'queued', id: cmd.id, expires: new Date(cmd.expires).toISOString() }
  } finally {
    sub.unsubscribe()
  }
}
