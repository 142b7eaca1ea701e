import type { EndReason, EndResult } from '@shared/model'
import type { Clock } from './clock'
import type { ProcessInfo } from './probe/types'
import type { SessionRow, SessionUpdate, Store } from './store/types'
import {
  descendantsOf,
  terminateTree,
  type ProcessIdentity,
  type TerminateOutcome,
  type TerminatePorts,
} from './terminate'
import type { EngineTiming } from './timing'

export interface TerminatorDeps {
  store: Store
  clock: Clock
  ports: TerminatePorts
  graceMs: number
  selfPid: number
  timing: Pick<EngineTiming, 'failedEndBackoffMs'>
  /** the processes last detected as part of a session (ControlMaster clients …), by key */
  members(key: string): readonly ProcessIdentity[]
  /** an end went through; `recorded`: this call recorded it (not another process first) */
  ended(row: SessionRow, recorded: boolean): void
  reportError(e: unknown): void
}

/**
 * Ends sessions and owns the ends in flight: one end per session at a time, a policy end that
 * failed is not retried before its back-off, and `settled()` waits for every end under way.
 */
export class Terminator {
  private readonly ending = new Set<string>()
  /** policy ends that failed, by id: when (retried only after the back-off, not every tick) */
  private readonly failedEnds = new Map<string, number>()
  private readonly inFlight = new Set<Promise<unknown>>()

  constructor(private readonly deps: TerminatorDeps) {}

  isEnding(id: string): boolean {
    return this.ending.has(id)
  }

  /** A policy end of this session failed lately: the policy leaves it alone for now. */
  backingOff(id: string, now: number): boolean {
    const at = this.failedEnds.get(id)
    return at !== undefined && now - at < this.deps.timing.failedEndBackoffMs
  }

  /** Resolves once no end is under way (ends started meanwhile included). */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight])
  }

  /**
   * @param table a process table read just before a bulk end: one read serves every session's
   * descendants instead of one full read per session
   */
  end(id: string, reason: EndReason, actor: string, table?: readonly ProcessInfo[]): Promise<EndResult> {
    const p = this.endOne(id, reason, actor, table)
    this.inFlight.add(p)
    void p.finally(() => this.inFlight.delete(p)).catch(() => undefined)
    return p
  }

  /** The policy's ends run beside the tick; a failure starts the back-off. */
  endForPolicy(toEnd: readonly { id: string; reason: EndReason }[]): void {
    for (const e of toEnd) {
      this.end(e.id, e.reason, 'policy').then(
        (r) => {
          if (!r.ok) this.failedEnds.set(e.id, this.deps.clock.now())
        },
        (err: unknown) => {
          this.failedEnds.set(e.id, this.deps.clock.now())
          this.deps.reportError(err)
        },
      )
    }
  }

  private async endOne(
    id: string,
    reason: EndReason,
    actor: string,
    table?: readonly ProcessInfo[],
  ): Promise<EndResult> {
    const row = this.deps.store.getSession(id)
    if (!row) return { id, ok: false, result: 'failed', error: `no session with id ${id}` }
    const refused = refusal(row)
    if (refused) return refused
    if (this.ending.has(id)) return { id, ok: false, result: 'failed', error: 'already being ended' }
    this.ending.add(id)
    try {
      this.deps.store.requestEnd(id, reason, actor, this.deps.clock.now())
      const outcome = await this.signal(row, table)
      return this.record(row, outcome, reason, actor)
    } finally {
      this.ending.delete(id)
    }
  }

  private async signal(row: SessionRow, table?: readonly ProcessInfo[]): Promise<TerminateOutcome> {
    const members = this.deps
      .members(row.key)
      .map((m) => ({ pid: m.pid, startTime: m.startTime, exe: m.exe }))
    const ports = table
      ? { ...this.deps.ports, descendants: (pid: number) => Promise.resolve(descendantsOf(table, pid)) }
      : this.deps.ports
    try {
      return await terminateTree(
        { pid: row.pid, startTime: row.processStart, exe: row.exe },
        members,
        ports,
        {
          graceMs: this.deps.graceMs,
          selfPid: this.deps.selfPid,
        },
      )
    } catch (e) {
      return { ok: false, result: 'error', error: e instanceof Error ? e.message : String(e) }
    }
  }

  private record(row: SessionRow, outcome: TerminateOutcome, reason: EndReason, actor: string): EndResult {
    const { store } = this.deps
    const id = row.id
    const at = this.deps.clock.now()
    if (!outcome.ok) {
      store.clearEndRequest(id)
      store.applyTick([], [{ kind: 'event', id, at, event: 'end-failed', detail: outcome.error, actor }], at)
      return { id, ok: false, result: 'failed', error: outcome.error }
    }
    // Gone before we signalled (exited, or its PID now belongs to another program): it ended on its own.
    const gone = outcome.result === 'already-gone'
    const end: SessionUpdate = gone
      ? { kind: 'end', id, at, reason: 'process-exit', actor: 'engine' }
      : { kind: 'end', id, at, reason, actor }
    const res = store.applyTick([], [end], at)
    this.deps.ended(row, res.ended.includes(id))
    return outcome.result === 'ended'
      ? { id, ok: true, result: 'ended', killed: outcome.killed }
      : { id, ok: true, result: 'already-gone' }
  }
}

/** Why a session cannot be ended now (ended already, or not ours to end), or null. */
function refusal(row: SessionRow): EndResult | null {
  const id = row.id
  if (row.status === 'disconnected') return { id, ok: true, result: 'already-ended' }
  if (!row.endable) {
    return {
      id,
      ok: false,
      result: 'not-endable',
      error: `${row.resourceName} is open in your own browser (${row.client}, pid ${row.pid}); Session Warden cannot end one site without closing the whole browser — close its tab yourself`,
    }
  }
  return null
}
