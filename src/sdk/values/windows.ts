import { END_OF_GLOBAL_WINDOW, type Instant } from "./time.js";

/** A window an element belongs to; every element carries one or more. */
export abstract class BoundedWindow {
  abstract maxTimestamp(): Instant;
  abstract equals(other: BoundedWindow): boolean;
  abstract toString(): string;
}

export class GlobalWindow extends BoundedWindow {
  static readonly INSTANCE = new GlobalWindow();
  private constructor() { super(); }
  maxTimestamp(): Instant { return END_OF_GLOBAL_WINDOW; }
  equals(other: BoundedWindow): boolean { return other instanceof GlobalWindow; }
  toString(): string { return "GlobalWindow"; }
}

/** [start, end): the window of Fixed, Sliding and Session windowing. */
export class IntervalWindow extends BoundedWindow {
  constructor(readonly start: Instant, readonly end: Instant) { super(); }
  maxTimestamp(): Instant { return this.end - 1; }
  equals(other: BoundedWindow): boolean {
    return other instanceof IntervalWindow && other.start === this.start && other.end === this.end;
  }
  intersects(other: IntervalWindow): boolean { return this.start < other.end && other.start < this.end; }
  span(other: IntervalWindow): IntervalWindow {
    return new IntervalWindow(Math.min(this.start, other.start), Math.max(this.end, other.end));
  }
  toString(): string {
    return `[${showInstant(this.start)}, ${showInstant(this.end)})`;
  }
}

/** ISO time where a Date can show it, else the number (Beam's bounds are out of Date's range). */
export function showInstant(t: Instant): string {
  const d = new Date(t);
  return Number.isNaN(d.getTime()) ? String(t) : d.toISOString();
}
