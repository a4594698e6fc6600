import { describe, expect, it } from "vitest";
import { paint, stripAnsi } from "../../repl/render/ansi.js";
import { highlightLines, tokenize } from "../../repl/render/highlight.js";

describe("highlighting", () => {
  it("tells keywords, strings, numbers, comments and API names", () => {
    const kinds = tokenize('const n = 42; // hi\nconst s = `a\nb` + "x" + Count').filter((t) => t.kind !== "plain");
    expect(kinds.map((t) => [t.kind, t.text])).toEqual([
      ["keyword", "const"],
      ["number", "42"],
      ["comment", "// hi"],
      ["keyword", "const"],
      ["string", "`a\nb`"],
      ["string", '"x"'],
      ["type", "Count"],
    ]);
  });

  it("colors per line without changing the text, a string spanning lines included", () => {
    const code = "const s = `a\nb`;\n/* c */ 1";
    const lines = highlightLines(code, paint(true));
    expect(lines.map(stripAnsi)).toEqual(code.split("\n"));
    expect(lines[1]).toContain("\x1b[32m"); // the template's second line is still a string
  });

  it("draws the cursor inverse, past a line's end as a space", () => {
    const lines = highlightLines("ab\ncd", paint(true), { row: 0, col: 2 });
    expect(lines[0]).toBe("ab\x1b[7m \x1b[27m");
    expect(highlightLines("ab", paint(true), { row: 0, col: 0 })[0]).toBe("\x1b[7ma\x1b[27mb");
  });
});

describe("rows", () => {
  it("cuts a colored line by visible columns, keeping its escapes", async () => {
    const { wrapRows, stripAnsi } = await import("../../repl/render/ansi.js");
    const line = "\x1b[32m› \x1b[39m" + "\x1b[35mconst\x1b[39m " + "x".repeat(20);
    const rows = wrapRows(line, 10);
    expect(rows.map(stripAnsi)).toEqual(["› const xx", "xxxxxxxxxx", "xxxxxxxx"]);
    expect(rows.join("")).toBe(line);
  });
});
