// What the desktop shell sets up, undone in one place: each piece registers how to undo itself as it is
// set up, and dispose() undoes them newest first (the reverse of setting up, so nothing is torn down
// while something set up after it still uses it). One failing disposer never stops the others: every
// one runs, and the failures are reported together at the end.

/** Undoes one thing; may be async (stopping the engine, closing the database). */
export type Disposer = () => void | Promise<void>

/**
 * An event source whose listener can be removed again: Node's EventEmitter and Electron's objects.
 * Checked against the event the caller names, so a misspelt event does not compile.
 */
export interface ListenerHost<E extends string, L> {
  on(event: E, listener: L): unknown
  removeListener(event: E, listener: L): unknown
}

function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e)
}

export class Disposables {
  private readonly stack: Disposer[] = []
  private done: Promise<void> | null = null

  /**
   * @param reportLate told about a failure of a disposer added after dispose() (run at once, so
   *   nothing outlives the store); failures during dispose() reject its promise instead
   */
  constructor(private readonly reportLate: (e: unknown) => void = () => undefined) {}

  /** whether dispose() was called */
  get disposed(): boolean {
    return this.done !== null
  }

  /** Registers how to undo something just set up. After dispose() it is undone at once. */
  add(disposer: Disposer): void {
    if (this.done === null) {
      this.stack.push(disposer)
      return
    }
    try {
      Promise.resolve(disposer()).catch(this.reportLate)
    } catch (e) {
      this.reportLate(e)
    }
  }

  /** Adds `listener` to `host` and registers its removal (only this listener: others stay). */
  addListener<E extends string, L>(host: ListenerHost<NoInfer<E>, NoInfer<L>>, event: E, listener: L): void {
    host.on(event, listener)
    this.add(() => {
      host.removeListener(event, listener)
    })
  }

  /**
   * Runs every disposer, newest first; an async one is awaited before the next. Sync disposers all run
   * before this returns. Rejects with an AggregateError naming every failure once all have run. Calling
   * it again returns the same promise.
   */
  dispose(): Promise<void> {
    this.done ??= this.run()
    return this.done
  }

  private async run(): Promise<void> {
    const errors: unknown[] = []
    for (let next = this.stack.pop(); next !== undefined; next = this.stack.pop()) {
      try {
        const result = next()
        if (result !== undefined) await result
      } catch (e) {
        errors.push(e)
      }
    }
    if (errors.length > 0)
      throw new AggregateError(
        errors,
        `${errors.length} disposer${errors.length === 1 ? '' : 's'} failed: ${errors.map(describe).join('; ')}`,
      )
  }
}
