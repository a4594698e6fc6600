/**
 * Where a live display is: running (how long, how many elements, against its bounds) or
 * stopped, and why — the line every live display ends with, in text, HTML and a chart's
 * subtitle alike.
 */
import { formatCount } from "../chart/format.js";

/** Why a live display stopped the run it started. */
export type LiveStopReason = "duration" | "count" | "ended" | "interrupted" | "failed";

export interface LiveStatus {
  /** The bounds: at most this long, at most this many elements. */
  durationMs: number;
  n: number;
  /** Since the run started. */
  elapsedMs: number;
  elements: number;
  stopped?: { reason: LiveStopReason; error?: string };
}

/** The media type whose value says whether a live display may still change: `{ state, reason? }` (the REPL keeps it in its live area while running). */
export const LIVE_MIME = "application/vnd.flowbook.live+json";

export function liveState(status: LiveStatus): { state: "running" | "stopped"; reason?: LiveStopReason } {
  return status.stopped ? { state: "stopped", reason: status.stopped.reason } : { state: "running" };
}

export function formatSeconds(ms: number): string {
  const s = ms / 1000;
  return Number.isInteger(s) ? `${s} s` : `${s.toFixed(1)} s`;
}

function elementsText(n: number): string {
  return n === 1 ? "1 element" : `${formatCount(n)} elements`;
}

/** "stopped: duration reached (10 s) · 23 elements in 10.0 s", or while running "live · 3.2 s of 10 s · 7 of 20 elements". */
export function statusLine(status: LiveStatus): string {
  const { stopped } = status;
  const took = `${elementsText(status.elements)} in ${(status.elapsedMs / 1000).toFixed(1)} s`;
  if (!stopped) {
    return `live · ${(status.elapsedMs / 1000).toFixed(1)} s of ${formatSeconds(status.durationMs)} · ${formatCount(status.elements)} of ${elementsText(status.n)} · stops at whichever comes first`;
  }
  switch (stopped.reason) {
    case "duration":
      return `stopped: duration reached (${formatSeconds(status.durationMs)}) · ${took}`;
    case "count":
      return `stopped: n reached (${elementsText(status.n)}) · ${took}`;
    case "ended":
      return `stopped: the source ended · ${took}`;
    case "interrupted":
      return `stopped: interrupted · ${took}`;
    case "failed":
      return `stopped: the run failed${stopped.error ? `: ${firstLines(stopped.error)}` : ""} · ${took}`;
  }
}

/** An error's message on one line: its first two lines (the transform and element, then the error), at most 200 characters. */
function firstLines(message: string): string {
  const lines = message.split("\n").map((l) => l.trim()).filter(Boolean).slice(0, 2).join(" ");
  return lines.length > 200 ? `${lines.slice(0, 199)}…` : lines;
}
