/**
 * Coalesces a live display's updates so they go out at most once per interval (250 ms by
 * default): the first goes at once, later ones within the interval wait and only the
 * newest of them goes when it ends. A final update goes at once, replacing any waiting
 * one, so the finished state is never lost or late. The clock is injectable for tests;
 * the default uses setTimeout, which the cells' sandbox has too.
 */

export interface ThrottleClock {
  now(): number;
  /** Calls `fn` after `ms`; returns a function that cancels it. */
  schedule(fn: () => void, ms: number): () => void;
}

export const systemClock: ThrottleClock = {
  now: () => Date.now(),
  schedule(fn, ms) {
    const handle = setTimeout(fn, ms);
    return () => clearTimeout(handle);
  },
};

export const DEFAULT_PROGRESS_INTERVAL_MS = 250;

export class ProgressThrottle<T> {
  private lastEmitAt = -Infinity;
  private waiting: { value: T } | undefined;
  private cancelTimer: (() => void) | undefined;

  constructor(
    private readonly emit: (value: T) => void,
    private readonly intervalMs = DEFAULT_PROGRESS_INTERVAL_MS,
    private readonly clock: ThrottleClock = systemClock,
  ) {}

  /** Shows `value` now if the interval allows, else when it ends (unless a newer value comes first). */
  update(value: T): void {
    const wait = this.lastEmitAt + this.intervalMs - this.clock.now();
    if (wait <= 0 && !this.cancelTimer) {
      this.send(value);
      return;
    }
    this.waiting = { value };
    this.cancelTimer ??= this.clock.schedule(() => {
      this.cancelTimer = undefined;
      const w = this.waiting;
      this.waiting = undefined;
      if (w) this.send(w.value);
    }, Math.max(0, wait));
  }

  /** Shows `value` at once (a run's final state), dropping any update still waiting. */
  final(value: T): void {
    this.stopTimer();
    this.send(value);
  }

  /** Sends the waiting update now, if there is one (a cell ending while a run goes on). */
  flush(): void {
    const w = this.waiting;
    this.stopTimer();
    if (w) this.send(w.value);
  }

  /** Drops the waiting update and its timer. */
  dispose(): void {
    this.stopTimer();
  }

  /** True while an update waits for the interval to end. */
  get pending(): boolean {
    return this.waiting !== undefined;
  }

  private stopTimer(): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    this.waiting = undefined;
  }

  private send(value: T): void {
    this.lastEmitAt = this.clock.now();
    this.emit(value);
  }
}
