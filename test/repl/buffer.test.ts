import { describe, expect, it } from "vitest";
import * as B from "../../repl/editor/buffer.js";

describe("the editor's buffer", () => {
  it("inserts a block of lines and keeps the cursor after it", () => {
    const b = B.insert(B.fromText("ab"), "1\n2\n3");
    expect(b.lines).toEqual(["ab1", "2", "3"]);
    expect([b.row, b.col]).toEqual([2, 1]);
    expect(B.offsetOf(b)).toBe(B.textOf(b).length);
  });

  it("moves within the block, clamping the column to shorter lines", () => {
    let b = B.fromText("function f() {\n  x\n}");
    b = B.up(B.up(B.end(b)));
    expect([b.row, b.col]).toEqual([0, 1]);
    b = B.down(B.end(b));
    expect([b.row, b.col]).toEqual([1, 3]);
    expect(B.isFirstRow(B.up(b))).toBe(true);
  });

  it("joins lines on Backspace at a line's start and Delete at its end", () => {
    const b = B.atOffset("ab\ncd", 3);
    expect(B.textOf(B.backspace(b))).toBe("abcd");
    expect(B.textOf(B.deleteForward(B.atOffset("ab\ncd", 2)))).toBe("abcd");
  });

  it("deletes an indent level at once inside leading spaces", () => {
    const b = B.backspace(B.fromText("    "));
    expect(b.lines[0]).toBe("  ");
  });

  it("replaces a range (a completion) and puts the cursor after it", () => {
    const b = B.replaceRange(B.fromText("Count.per"), 6, 9, "perElement");
    expect(B.textOf(b)).toBe("Count.perElement");
    expect(B.offsetOf(b)).toBe(16);
  });

  it("kills words and line ends as readline does", () => {
    expect(B.textOf(B.deleteWordBefore(B.fromText("const words")))).toBe("const ");
    expect(B.textOf(B.killToEnd(B.atOffset("abc", 1)))).toBe("a");
    expect(B.textOf(B.killToStart(B.atOffset("abc", 1)))).toBe("bc");
  });
});
