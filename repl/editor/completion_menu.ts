/**
 * Tab completion's menu, as a pure value: the matches the session's language service gave,
 * the one selected, and the range of text a choice replaces.
 */
import { replaceRange, type Buffer } from "./buffer.js";

export interface CompletionMenu {
  readonly items: ReadonlyArray<{ text: string; type: string }>;
  readonly selected: number;
  /** The text range (offsets) a choice replaces: the word being completed. */
  readonly start: number;
  readonly end: number;
}

export interface Completions {
  matches: string[];
  cursorStart: number;
  cursorEnd: number;
  items?: Array<{ text: string; type: string }>;
}

export type CompletionStep =
  | { kind: "none" }
  /** One match, or a longer common prefix: the buffer with it filled in. */
  | { kind: "insert"; buffer: Buffer }
  | { kind: "menu"; menu: CompletionMenu; buffer: Buffer };

/** What Tab does with these completions: fill in the single match or the common prefix, or open the menu. */
export function completionStep(buffer: Buffer, c: Completions): CompletionStep {
  const matches = [...new Set(c.matches)];
  if (!matches.length) return { kind: "none" };
  const typed = textOfRange(buffer, c.cursorStart, c.cursorEnd);
  if (matches.length === 1) return { kind: "insert", buffer: replaceRange(buffer, c.cursorStart, c.cursorEnd, matches[0]!) };
  const prefix = commonPrefix(matches);
  const types = new Map((c.items ?? []).map((i) => [i.text, i.type]));
  const items = matches.map((text) => ({ text, type: types.get(text) ?? "" }));
  const filled = prefix.length > typed.length ? replaceRange(buffer, c.cursorStart, c.cursorEnd, prefix) : buffer;
  const end = c.cursorStart + Math.max(prefix.length, typed.length);
  return { kind: "menu", buffer: filled, menu: { items, selected: -1, start: c.cursorStart, end: prefix.length > typed.length ? c.cursorStart + prefix.length : end } };
}

export function moveSelection(menu: CompletionMenu, by: number): CompletionMenu {
  const n = menu.items.length;
  const from = menu.selected < 0 ? (by > 0 ? -1 : 0) : menu.selected;
  return { ...menu, selected: (((from + by) % n) + n) % n };
}

/** The buffer with the selected item in place of the word. */
export function choose(buffer: Buffer, menu: CompletionMenu): Buffer {
  const item = menu.items[Math.max(0, menu.selected)]!;
  return replaceRange(buffer, menu.start, menu.end, item.text);
}

/** The menu's visible rows (at most `height`, scrolled to the selection). */
export function visibleItems(menu: CompletionMenu, height: number): { first: number; items: CompletionMenu["items"] } {
  const sel = Math.max(0, menu.selected);
  const first = Math.min(Math.max(0, sel - height + 1), Math.max(0, menu.items.length - height));
  return { first, items: menu.items.slice(first, first + height) };
}

export function commonPrefix(words: readonly string[]): string {
  let p = words[0] ?? "";
  for (const w of words) while (!w.startsWith(p)) p = p.slice(0, -1);
  return p;
}

function textOfRange(b: Buffer, start: number, end: number): string {
  return b.lines.join("\n").slice(start, end);
}
