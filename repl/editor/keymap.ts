/**
 * Which key does what, in one table: the REPL's controller asks `actionOf(key)` and never
 * looks at raw keys. Emacs-style line keys, as bash, Node's and Deno's REPLs have them.
 */
import type { Key } from "../terminal/keys.js";

export type Action =
  | { type: "insert"; text: string }
  | { type: "paste"; text: string }
  | { type: KeyAction };

export type KeyAction =
        | "submit" | "newline" | "complete" | "dedent" | "interrupt" | "eof" | "search" | "doc"
        | "up" | "down" | "left" | "right" | "home" | "end" | "backspace" | "delete"
        | "killEnd" | "killStart" | "deleteWord" | "wordLeft" | "wordRight" | "clearScreen" | "escape"
        | "bufferStart" | "bufferEnd";

/** The keys, as `.help` lists them. */
export const KEY_HELP: ReadonlyArray<[string, string]> = [
  ["Enter", "run the input when it is complete, else a new line"],
  ["Alt-Enter, Ctrl-J", "new line"],
  ["↑ ↓", "move in the block; at its first/last line, history"],
  ["Ctrl-R", "search the history (again: older match)"],
  ["Tab", "complete (a menu when several match)"],
  ["F1, Ctrl-Q", "type and doc of the name under the cursor"],
  ["Ctrl-C", "interrupt the running input, or clear the input"],
  ["Ctrl-D", "exit (on an empty input)"],
  ["Ctrl-A/E, Home/End", "start/end of line"],
  ["Ctrl-K/U/W", "delete to end / to start / word before"],
  ["Ctrl-L", "clear the screen"],
];

const CTRL: Record<string, KeyAction> = {
  a: "home", e: "end", b: "left", f: "right", p: "up", n: "down", h: "backspace",
  k: "killEnd", u: "killStart", w: "deleteWord", c: "interrupt", d: "eof", r: "search",
  q: "doc", l: "clearScreen", j: "newline", g: "escape",
};
const NAMED: Record<string, KeyAction> = {
  up: "up", down: "down", left: "left", right: "right", home: "home", end: "end",
  backspace: "backspace", delete: "delete", escape: "escape", f1: "doc", tab: "complete",
  pageup: "bufferStart", pagedown: "bufferEnd",
};

export function actionOf(key: Key): Action | undefined {
  if (key.kind === "text") return { type: "insert", text: key.text };
  if (key.kind === "paste") return { type: "paste", text: key.text };
  const { name, ctrl, meta, shift } = key;
  if (name === "enter") return { type: meta || shift || ctrl ? "newline" : "submit" };
  if (name === "tab") return { type: shift ? "dedent" : "complete" };
  if (ctrl && (name === "left" || name === "right")) return { type: name === "left" ? "wordLeft" : "wordRight" };
  if (meta && !ctrl) {
    if (name === "b" || name === "left") return { type: "wordLeft" };
    if (name === "f" || name === "right") return { type: "wordRight" };
    if (name === "backspace") return { type: "deleteWord" };
    if (name === "<") return { type: "bufferStart" };
    if (name === ">") return { type: "bufferEnd" };
  }
  if (ctrl && !meta && CTRL[name]) return { type: CTRL[name]! };
  if (!ctrl && !meta && NAMED[name]) return { type: NAMED[name]! };
  if (!ctrl && !meta && name.length === 1) return { type: "insert", text: name };
  return undefined;
}
