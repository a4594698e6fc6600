import { describe, expect, it } from "vitest";
import { fromText, textOf } from "../../repl/editor/buffer.js";
import { choose, completionStep, moveSelection, visibleItems } from "../../repl/editor/completion_menu.js";

describe("completion", () => {
  it("fills in a single match", () => {
    const step = completionStep(fromText("Pipe"), { matches: ["Pipeline"], cursorStart: 0, cursorEnd: 4 });
    expect(step.kind === "insert" && textOf(step.buffer)).toBe("Pipeline");
  });

  it("fills in the common prefix and opens a menu; choosing replaces the word", () => {
    const step = completionStep(fromText("Count.p"), { matches: ["perElement", "perKey"], cursorStart: 6, cursorEnd: 7 });
    if (step.kind !== "menu") throw new Error(step.kind);
    expect(textOf(step.buffer)).toBe("Count.per");
    const menu = moveSelection(moveSelection(step.menu, 1), 1);
    expect(menu.selected).toBe(1);
    expect(textOf(choose(step.buffer, menu))).toBe("Count.perKey");
    expect(moveSelection(menu, 1).selected).toBe(0);
  });

  it("scrolls the menu to the selection", () => {
    const items = Array.from({ length: 20 }, (_, i) => ({ text: `m${i}`, type: "" }));
    const v = visibleItems({ items, selected: 15, start: 0, end: 0 }, 8);
    expect(v.first).toBe(8);
    expect(v.items.map((i) => i.text)).toContain("m15");
  });
});
