import { describe, expect, it } from "vitest";
import { ProgressThrottle, type ThrottleClock } from "../../../src/display/progress/index.js";

/** A clock that moves only when told to, running what it scheduled in time order. */
class ManualClock implements ThrottleClock {
  time = 0;
  private timers: { at: number; fn: () => void; live: boolean }[] = [];
  now(): number {
    return this.time;
  }
  schedule(fn: () => void, ms: number): () => void {
    const t = { at: this.time + ms, fn, live: true };
    this.timers.push(t);
    return () => void (t.live = false);
  }
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      const due = this.timers.filter((t) => t.live && t.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      due.live = false;
      this.time = due.at;
      due.fn();
    }
    this.time = end;
  }
  get scheduled(): number {
    return this.timers.filter((t) => t.live).length;
  }
}

function setup(interval = 250) {
  const clock = new ManualClock();
  const sent: { value: number; at: number }[] = [];
  const throttle = new ProgressThrottle<number>((value) => sent.push({ value, at: clock.now() }), interval, clock);
  return { clock, sent, throttle };
}

describe("ProgressThrottle", () => {
  it("sends the first update at once and coalesces the rest of the interval into its newest", () => {
    const { clock, sent, throttle } = setup();
    throttle.update(1);
    for (let v = 2; v <= 10; v++) {
      clock.advance(20);
      throttle.update(v);
    }
    expect(sent).toEqual([{ value: 1, at: 0 }]);
    expect(throttle.pending).toBe(true);
    clock.advance(250);
    expect(sent).toEqual([{ value: 1, at: 0 }, { value: 10, at: 250 }]);
    expect(throttle.pending).toBe(false);
  });

  it("never sends more often than the interval under a steady stream", () => {
    const { clock, sent, throttle } = setup();
    for (let i = 0; i < 1000; i++) {
      throttle.update(i);
      clock.advance(7);
    }
    clock.advance(1000);
    for (let i = 1; i < sent.length; i++) expect(sent[i]!.at - sent[i - 1]!.at).toBeGreaterThanOrEqual(250);
    expect(sent.length).toBeGreaterThanOrEqual(Math.floor(7000 / 250));
    expect(sent.at(-1)!.value).toBe(999);
  });

  it("sends an update at once when the interval has passed since the last", () => {
    const { clock, sent, throttle } = setup();
    throttle.update(1);
    clock.advance(300);
    throttle.update(2);
    expect(sent.map((s) => s.value)).toEqual([1, 2]);
  });

  it("sends the final update at once, dropping the waiting one, so it is never lost or overwritten", () => {
    const { clock, sent, throttle } = setup();
    throttle.update(1);
    clock.advance(10);
    throttle.update(2);
    throttle.final(3);
    expect(sent).toEqual([{ value: 1, at: 0 }, { value: 3, at: 10 }]);
    expect(clock.scheduled).toBe(0);
    clock.advance(1000);
    expect(sent.map((s) => s.value)).toEqual([1, 3]);
  });

  it("throttles again after a final update (a cell's next run)", () => {
    const { clock, sent, throttle } = setup();
    throttle.final(1);
    throttle.update(2);
    expect(sent.map((s) => s.value)).toEqual([1]);
    clock.advance(250);
    expect(sent.map((s) => s.value)).toEqual([1, 2]);
  });

  it("flush sends what waits; dispose drops it", () => {
    const a = setup();
    a.throttle.update(1);
    a.throttle.update(2);
    a.throttle.flush();
    expect(a.sent.map((s) => s.value)).toEqual([1, 2]);
    const b = setup();
    b.throttle.update(1);
    b.throttle.update(2);
    b.throttle.dispose();
    b.clock.advance(1000);
    expect(b.sent.map((s) => s.value)).toEqual([1]);
  });

  it("works on the real clock (setTimeout)", async () => {
    const sent: number[] = [];
    const throttle = new ProgressThrottle<number>((v) => sent.push(v), 30);
    throttle.update(1);
    throttle.update(2);
    throttle.update(3);
    expect(sent).toEqual([1]);
    await new Promise((r) => setTimeout(r, 80));
    expect(sent).toEqual([1, 3]);
  });
});
