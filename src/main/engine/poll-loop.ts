/**
 * The scan loop: one tick, then a timer for the next. A generation counter retires a loop from
 * before a stop/start (or suspend/resume): its pending tick finishes, then it ends itself.
 */
export class PollLoop {
  private timer: NodeJS.Timeout | null = null
  private stopped = false
  private gen = 0
  private looping = false
  private suspended = false

  constructor(
    private readonly tick: () => Promise<unknown>,
    /** the wait before the next tick (read after every tick: the setting may change) */
    private readonly intervalMs: () => number,
    private readonly onError: (e: unknown) => void,
  ) {}

  /** Runs ticks until stop(). Errors are reported, never thrown. */
  start(): void {
    this.stopped = false
    this.looping = true
    this.suspended = false
    this.clearTimer()
    const gen = ++this.gen
    const loop = async (): Promise<void> => {
      try {
        await this.tick()
      } catch (e) {
        this.onError(e)
      }
      if (this.stopped || gen !== this.gen) return
      let interval = 1000
      try {
        interval = this.intervalMs()
      } catch (e) {
        this.onError(e)
      }
      this.timer = setTimeout(() => void loop(), interval)
    }
    void loop()
  }

  stop(): void {
    this.stopped = true
    this.looping = false
    this.clearTimer()
  }

  /** The computer is about to sleep: no ticks until resume(). */
  suspend(): void {
    if (!this.looping || this.suspended) return
    this.suspended = true
    this.stopped = true
    this.gen++
    this.clearTimer()
  }

  /** Restarts a suspended loop at once (a timer that slept too is not waited out). */
  resume(): void {
    if (this.suspended) this.start()
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
  }
}
