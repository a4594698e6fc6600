import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { defaultHistoryFile, History, HistoryCursor } from "../../repl/editor/history.js";

const tmp = () => path.join(fs.mkdtempSync(path.join(os.tmpdir(), "repl-history-")), "sub", "repl_history");

describe("history", () => {
  it("keeps a multi-line entry as one entry across sessions", () => {
    const file = tmp();
    const h = new History(file);
    h.add("const a = 1");
    h.add("function f() {\n  return 1\n}");
    h.add("function f() {\n  return 1\n}");
    const again = new History(file);
    expect(again.entries).toEqual(["const a = 1", "function f() {\n  return 1\n}"]);
  });

  it("lives in the XDG config directory, else ~/.config", () => {
    expect(defaultHistoryFile({ XDG_CONFIG_HOME: "/x" })).toBe("/x/flowbook/repl_history");
    expect(defaultHistoryFile({})).toBe(path.join(os.homedir(), ".config", "flowbook", "repl_history"));
  });

  it("walks older and newer, giving back the draft past the newest", () => {
    const h = new History();
    h.add("one");
    h.add("two");
    const c = new HistoryCursor(h);
    expect(c.older("draft")).toBe("two");
    expect(c.older("two")).toBe("one");
    expect(c.older("one")).toBeUndefined();
    expect(c.newer()).toBe("two");
    expect(c.newer()).toBe("draft");
    expect(c.newer()).toBeUndefined();
  });

  it("searches backwards from an index", () => {
    const h = new History();
    for (const e of ["p.run()", "show(counts)", "p.apply(x)"]) h.add(e);
    expect(h.search("p.")).toEqual({ index: 2, entry: "p.apply(x)" });
    expect(h.search("p.", 2)).toEqual({ index: 0, entry: "p.run()" });
    expect(h.search("nothing")).toBeUndefined();
  });
});
