import { describe, expect, it } from "vitest";
import { KeyParser } from "../../repl/terminal/keys.js";

describe("KeyParser", () => {
  it("reads text, Enter, control letters and Backspace", () => {
    const keys = new KeyParser().feed("ab\r\x03\x7f\x12");
    expect(keys).toEqual([
      { kind: "text", text: "ab" },
      { kind: "key", name: "enter" },
      { kind: "key", name: "c", ctrl: true },
      { kind: "key", name: "backspace" },
      { kind: "key", name: "r", ctrl: true },
    ]);
  });

  it("tells Alt-Enter, Ctrl-J and Shift-Enter (CSI u) from Enter", () => {
    const p = new KeyParser();
    expect(p.feed("\x1b\r")).toEqual([{ kind: "key", name: "enter", meta: true }]);
    expect(p.feed("\n")).toEqual([{ kind: "key", name: "j", ctrl: true }]);
    expect(p.feed("\x1b[13;2u")).toEqual([{ kind: "key", name: "enter", shift: true }]);
  });

  it("names arrows, F1 in its three spellings, and modifiers", () => {
    const p = new KeyParser();
    expect(p.feed("\x1b[A\x1bOB\x1b[1;5D")).toEqual([
      { kind: "key", name: "up" },
      { kind: "key", name: "down" },
      { kind: "key", name: "left", ctrl: true },
    ]);
    expect(p.feed("\x1bOP\x1b[11~\x1b[[A").map((k) => (k.kind === "key" ? k.name : k.kind))).toContain("f1");
    expect(p.feed("\x1b[Z")).toEqual([{ kind: "key", name: "tab", shift: true }]);
  });

  it("keeps a bracketed paste whole, newlines and all, even split across chunks", () => {
    const p = new KeyParser();
    expect(p.feed("x\x1b[200~const a = 1;\r")).toEqual([{ kind: "text", text: "x" }]);
    expect(p.feed("const b = 2;\x1b[20")).toEqual([]);
    expect(p.feed("1~\r")).toEqual([
      { kind: "paste", text: "const a = 1;\nconst b = 2;" },
      { kind: "key", name: "enter" },
    ]);
  });

  it("waits for the rest of an escape sequence cut at a chunk's end", () => {
    const p = new KeyParser();
    expect(p.feed("\x1b[1;5")).toEqual([]);
    expect(p.feed("C")).toEqual([{ kind: "key", name: "right", ctrl: true }]);
    expect(p.feed("\x1b")).toEqual([{ kind: "key", name: "escape" }]);
  });
});
