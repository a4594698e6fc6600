/**
 * An element's timestamp, windows and pane as table cells. Read by shape, not class (the
 * elements may come from the sandbox's copy of the SDK): an interval window is anything
 * with numeric `start` and `end`.
 */
import type { PaneInfo } from "../../sdk/values/pane.js";
import { END_OF_GLOBAL_WINDOW, TIMESTAMP_MAX, TIMESTAMP_MIN, type Instant } from "../../sdk/values/time.js";

/**
 * ISO time, as Beam shows timestamps; Beam's bounds (outside what a Date can show) as
 * −∞, +∞ and "+∞−1d" for the end of the global window (where batch GroupByKey puts its
 * outputs); any other instant no Date can show as its epoch milliseconds.
 */
export function formatInstant(t: Instant): string {
  if (t <= TIMESTAMP_MIN) return "−∞";
  if (t >= TIMESTAMP_MAX) return "+∞";
  if (t === END_OF_GLOBAL_WINDOW) return "+∞−1d";
  const d = new Date(t);
  return Number.isNaN(d.getTime()) ? String(t) : d.toISOString();
}

/** True when the instant shows as an ISO date (not a bound, not out of a Date's range). */
export function isCalendarInstant(t: Instant): boolean {
  return t > TIMESTAMP_MIN && t < TIMESTAMP_MAX && t !== END_OF_GLOBAL_WINDOW && !Number.isNaN(new Date(t).getTime());
}

interface IntervalLike {
  start: number;
  end: number;
}

function isInterval(w: unknown): w is IntervalLike {
  return typeof w === "object" && w !== null && typeof (w as IntervalLike).start === "number" && typeof (w as IntervalLike).end === "number";
}

/** `[start, end)` or `GlobalWindow`. */
export function formatWindow(w: unknown): string {
  if (isInterval(w)) return `[${formatInstant(w.start)}, ${formatInstant(w.end)})`;
  const s = typeof w === "object" && w !== null ? String(w) : "";
  return s && s !== "[object Object]" ? s : "GlobalWindow";
}

export function formatWindows(ws: readonly unknown[]): string {
  return ws.map(formatWindow).join(" ");
}

/** A window as a JSON value for charts: `{ start, end }` in epoch ms, or "GlobalWindow". */
export function windowJson(w: unknown): unknown {
  return isInterval(w) ? { start: w.start, end: w.end } : formatWindow(w);
}

/**
 * `ON_TIME first last #0`: the timing, which firing (first, last), and its index;
 * `NO_FIRING` for elements no GroupByKey produced (Beam's name for that pane).
 */
export function formatPane(p: PaneInfo): string {
  if (p.timing === "UNKNOWN" && p.isFirst && p.isLast && p.index === 0) return "NO_FIRING";
  return [p.timing, p.isFirst ? "first" : "", p.isLast ? "last" : "", `#${p.index}`].filter(Boolean).join(" ");
}
