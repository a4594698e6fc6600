/**
 * Timers per key and window, in three time domains, ordered by time (then by the order they
 * were set). A timer fires once its domain's time has passed it (time > timestamp, as Beam's
 * InMemoryTimerInternals): an end-of-window timer at a window's max timestamp fires when the
 * input watermark reaches the window's end. Setting a timer that is already pending (same
 * window, domain and time) does nothing; deleting marks it dead in the heap.
 */
import type { KeyState, WindowState } from "./state.js";

export type TimeDomain = "EVENT_TIME" | "PROCESSING_TIME" | "SYNCHRONIZED_PROCESSING_TIME";

export interface TimerEntry {
  readonly time: number;
  readonly domain: TimeDomain;
  readonly key: KeyState;
  readonly state: WindowState;
  readonly seq: number;
  live: boolean;
}

/** A binary min-heap of timers of one domain. */
class TimerHeap {
  private readonly heap: TimerEntry[] = [];

  get size(): number {
    return this.heap.length;
  }

  push(e: TimerEntry): void {
    const h = this.heap;
    let i = h.length;
    h.push(e);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(e, h[p]!)) break;
      h[i] = h[p]!;
      i = p;
    }
    h[i] = e;
  }

  /** The earliest live timer, dropping dead ones on the way. */
  peek(): TimerEntry | undefined {
    while (this.heap.length > 0 && !this.heap[0]!.live) this.pop();
    return this.heap[0];
  }

  pop(): TimerEntry | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last !== undefined) {
      let i = 0;
      const n = h.length;
      for (;;) {
        let m = 2 * i + 1;
        if (m >= n) break;
        if (m + 1 < n && before(h[m + 1]!, h[m]!)) m++;
        if (!before(h[m]!, last)) break;
        h[i] = h[m]!;
        i = m;
      }
      h[i] = last;
    }
    return top;
  }
}

function before(a: TimerEntry, b: TimerEntry): boolean {
  return a.time < b.time || (a.time === b.time && a.seq < b.seq);
}

/** All pending timers of an operator, across keys and windows. */
export class Timers {
  private readonly heaps: Record<TimeDomain, TimerHeap> = {
    EVENT_TIME: new TimerHeap(),
    PROCESSING_TIME: new TimerHeap(),
    SYNCHRONIZED_PROCESSING_TIME: new TimerHeap(),
  };
  private seq = 0;

  set(key: KeyState, state: WindowState, time: number, domain: TimeDomain): void {
    const pending = state.timers;
    for (let i = 0; i < pending.length; i++) {
      const p = pending[i]!;
      if (p.time === time && p.domain === domain) return;
    }
    const e: TimerEntry = { time, domain, key, state, seq: this.seq++, live: true };
    pending.push(e);
    this.heaps[domain].push(e);
  }

  delete(state: WindowState, time: number, domain: TimeDomain): void {
    const pending = state.timers;
    for (let i = 0; i < pending.length; i++) {
      const p = pending[i]!;
      if (p.time === time && p.domain === domain) {
        p.live = false;
        pending.splice(i, 1);
        return;
      }
    }
  }

  /** Drops every pending timer of a window (its state is gone). */
  deleteAll(state: WindowState): void {
    for (const p of state.timers) p.live = false;
    state.timers = [];
  }

  /** Removes and returns the earliest timer of `domain` that is due at `now` (time < now). */
  nextDue(domain: TimeDomain, now: number): TimerEntry | undefined {
    const h = this.heaps[domain];
    const top = h.peek();
    if (top === undefined || !(top.time < now)) return undefined;
    h.pop();
    top.live = false;
    const pending = top.state.timers;
    const i = pending.indexOf(top);
    if (i >= 0) pending.splice(i, 1);
    return top;
  }

  /** The earliest pending timer's time in `domain`, if any. */
  next(domain: TimeDomain): number | undefined {
    return this.heaps[domain].peek()?.time;
  }
}
