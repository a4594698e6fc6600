/**
 * The live area under the scrollback as lines of text: live displays, the running
 * input's status, the editor (or a cell's question, or the history search), the completion
 * menu, a hint. Always fewer rows than the screen: Ink clears the whole scrollback when its
 * live output reaches the screen's height, so a long input scrolls inside its window.
 */
import type { Painter } from "../render/ansi.js";
import { truncate, visibleWidth, wrapRows } from "../render/ansi.js";
import { highlightLines } from "../render/highlight.js";
import { visibleItems } from "../editor/completion_menu.js";
import { CONTINUATION, PROMPT, type ReplState } from "../controller.js";
import { textOf } from "../editor/buffer.js";
import { STEP_PROMPT, stepArea } from "./step_area.js";

const SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏";
const MENU_ROWS = 8;

export function liveArea(s: ReplState, size: { columns: number; rows: number }, paint: Painter): string[] {
  const width = Math.max(10, size.columns - 1);
  const budget = Math.max(3, size.rows - 2);
  const top: string[] = [];
  for (const block of s.live) for (const line of block.split("\n")) top.push(truncate(line, width));
  if (s.running && s.mode === "running") {
    const secs = ((Date.now() - s.running.since) / 1000).toFixed(1);
    top.push(
      s.running.interrupted
        ? paint("yellow", `${SPINNER[s.tick % SPINNER.length]} interrupting… ${secs} s`)
        : paint("gray", `${SPINNER[s.tick % SPINNER.length]} running ${secs} s · Ctrl-C interrupts`),
    );
  }
  if (s.step) top.push(...stepArea(s.step, width, budget - 1 - top.length - (s.hint ? 1 : 0), paint));
  const bottom: string[] = [];
  if (s.search) {
    const first = (s.search.match ?? "").split("\n")[0] ?? "";
    const label = s.search.failed ? "failing reverse-i-search" : "reverse-i-search";
    bottom.push(truncate(`(${label})\`${s.search.query}': ${first}`, width));
  }
  if (s.menu) {
    const { first, items } = visibleItems(s.menu, MENU_ROWS);
    const w = Math.min(40, Math.max(...s.menu.items.map((i) => visibleWidth(i.text))));
    items.forEach((item, i) => {
      const row = ` ${truncate(item.text, w).padEnd(w)}  ${item.type}`.padEnd(w + 14);
      bottom.push(first + i === s.menu!.selected ? paint("inverse", truncate(row, width)) : truncate(row, width));
    });
    if (s.menu.items.length > MENU_ROWS) bottom.push(paint("gray", ` ${Math.max(0, s.menu.selected) + 1}/${s.menu.items.length}`));
  }
  if (s.hint) bottom.push(paint("gray", truncate(s.hint, width)));

  const editorBudget = Math.max(1, budget - top.length - bottom.length);
  const editor = editorLines(s, width, paint, editorBudget);
  const lines = [...top, ...editor, ...bottom];
  // Live displays give way first when the screen is small.
  return lines.length > budget ? lines.slice(lines.length - budget) : lines;
}

/** The editor's rows with their prompts, scrolled so the cursor's row shows. */
function editorLines(s: ReplState, width: number, paint: Painter, maxRows: number): string[] {
  if (s.mode === "search") return [];
  const hideEmpty = s.mode === "running" && textOf(s.buffer) === "";
  if (hideEmpty) return [];
  if (s.question) {
    const shown = s.question.password ? "•".repeat(textOf(s.buffer).length) : textOf(s.buffer);
    return wrapRows(s.question.text + shown + paint("inverse", " "), width);
  }
  const colored = highlightLines(textOf(s.buffer), paint, { row: s.buffer.row, col: s.buffer.col });
  // Each line cut into rows here, never by the terminal: the live area's height is then
  // known to the row (what a resize must erase, see mount.ts).
  const first0 = s.mode === "step" ? STEP_PROMPT : PROMPT;
  const prompts = colored.map((l, i) => wrapRows(paint(i === 0 ? (s.mode === "step" ? "magenta" : "green") : "gray", i === 0 ? first0 : CONTINUATION) + l, width));
  let first = 0;
  let last = prompts.length - 1;
  const total = () => prompts.slice(first, last + 1).reduce((n, rows) => n + rows.length, 0) + (first > 0 ? 1 : 0) + (last < prompts.length - 1 ? 1 : 0);
  while (total() > maxRows && first < last) {
    if (s.buffer.row - first > last - s.buffer.row) first++;
    else last--;
  }
  const out = prompts.slice(first, last + 1).flat();
  if (first > 0) out.unshift(paint("gray", `  ↑ ${first} more line${first === 1 ? "" : "s"}`));
  if (last < prompts.length - 1) out.push(paint("gray", `  ↓ ${prompts.length - 1 - last} more line${prompts.length - 1 - last === 1 ? "" : "s"}`));
  return out;
}
