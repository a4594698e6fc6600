/**
 * A run's progress (`application/vnd.flowbook.progress+json`, src/display/progress) drawn
 * again for this terminal on every tick: the display layer's own line at our width and
 * time (so the spinner turns and the time counts between updates), colored.
 */
import { isSettled, renderProgress as progressBundle, type ProgressState } from "../../src/display/progress/index.js";
import type { Painter } from "./ansi.js";

function isProgressState(x: unknown): x is ProgressState {
  return typeof x === "object" && x !== null && Array.isArray((x as ProgressState).runs);
}

export function renderProgress(state: unknown, width: number, paint: Painter, now = Date.now()): string | undefined {
  if (!isProgressState(state)) return undefined;
  const text = progressBundle(state, { width, now })["text/plain"];
  if (typeof text !== "string") return undefined;
  return text
    .split("\n")
    .map((line) =>
      line
        .replace(/^✓/, paint("green", "✓"))
        .replace(/^✗/, paint("red", "✗"))
        .replace(/^([⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏])/, (m) => paint("cyan", m))
        .replace(/(█+)(░*)|(░+)/, (m, full?: string, empty?: string, only?: string) => (only ? paint("gray", only) : paint("cyan", full ?? "") + paint("gray", empty ?? ""))),
    )
    .join("\n");
}

/** True when every run in the state has finished: the display's final form, for the scrollback. */
export function progressEnded(state: unknown): boolean {
  return isProgressState(state) && isSettled(state);
}
