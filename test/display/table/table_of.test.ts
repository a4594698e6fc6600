import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { rowsOf, tableOf } from "../../../src/display/table/index.js";
import { PaneInfo } from "../../../src/sdk/values/pane.js";
import { WindowedValue } from "../../../src/sdk/values/windowed_value.js";
import { GlobalWindow, IntervalWindow } from "../../../src/sdk/values/windows.js";

const global = (...values: unknown[]) => values.map((v) => WindowedValue.valueInGlobalWindow(v));
const names = (t: ReturnType<typeof tableOf>) => t.columns.map((c) => c.name);
const texts = (t: ReturnType<typeof tableOf>) => t.rows.map((r) => r.map((c) => c?.text));

describe("tableOf", () => {
  it("shows KVs as key and value columns, numbers typed and right-aligned", () => {
    const t = tableOf(global({ key: "the", value: 12 }, { key: "a", value: 3 }), { name: "counts" });
    expect(names(t)).toEqual(["key", "value"]);
    expect(texts(t)).toEqual([["the", "12"], ["a", "3"]]);
    expect(t.columns.map((c) => [c.type, c.numeric])).toEqual([["string", false], ["integer", true]]);
    expect(t.name).toBe("counts");
  });

  it("spreads a KV's record values into value.f columns (the field paths rowsOf's rows have)", () => {
    const els = global({ key: "x", value: { sum: 3, mean: 1.5 } }, { key: "y", value: { sum: 4, max: 9 } });
    const t = tableOf(els);
    expect(names(t)).toEqual(["key", "value.sum", "value.mean", "value.max"]);
    expect(texts(t)).toEqual([["x", "3", "1.5", undefined], ["y", "4", undefined, "9"]]);
    expect(rowsOf(els)[1]).toEqual({ key: "y", value: { sum: 4, max: 9 } });
  });

  it("keeps one value column when the KVs' values are not all records", () => {
    const t = tableOf(global({ key: "x", value: { a: 1 } }, { key: "y", value: [1, 2] }));
    expect(names(t)).toEqual(["key", "value"]);
    expect(texts(t)).toEqual([["x", "{a: 1}"], ["y", "[1, 2]"]]);
    expect(t.columns[1]!.type).toBe("any");
  });

  it("shows records as the union of their fields, in first-seen order", () => {
    const t = tableOf(global({ b: 1, a: "x" }, { c: true, a: "y" }));
    expect(names(t)).toEqual(["b", "a", "c"]);
    expect(texts(t)).toEqual([["1", "x", undefined], [undefined, "y", "true"]]);
    expect(t.columns.map((c) => c.type)).toEqual(["integer", "string", "boolean"]);
  });

  it("shows primitives and mixed values in one value column", () => {
    expect(texts(tableOf(global(1, 2.5)))).toEqual([["1"], ["2.5"]]);
    expect(tableOf(global(1, 2.5)).columns[0]).toEqual({ name: "value", type: "number", numeric: true });
    const mixed = tableOf(global("s", { a: 1 }, null, 10n));
    expect(names(mixed)).toEqual(["value"]);
    expect(texts(mixed)).toEqual([["s"], ["{a: 1}"], ["null"], ["10n"]]);
  });

  it("shows nested values compactly and cuts long ones with …", () => {
    const t = tableOf(global({ n: { a: 1, b: [2, 3], s: "q", d: new Date(0), m: new Map([["k", 1]]) } }));
    expect(t.rows[0]![0]!.text).toBe('{a: 1, b: [2, 3], s: "q", d: 1970-01-01T00:00:00.000Z, m: Map(1) {"k" => 1}}');
    const long = tableOf(global({ n: { list: Array.from({ length: 1000 }, (_, i) => i) } }), { maxCellChars: 30 });
    expect(long.rows[0]![0]!.text).toHaveLength(30);
    expect(long.rows[0]![0]!.text).toMatch(/^\{list: \[0, 1, 2, .*…$/);
    const deep = tableOf(global({ n: { a: { b: { c: { d: 1 } } } } }));
    expect(deep.rows[0]![0]!.text).toBe("{a: {b: {c: {…}}}}");
  });

  it("never lets a cell span lines", () => {
    const t = tableOf(global("one\ntwo\tthree"));
    expect(t.rows[0]![0]!.text).toBe("one\\ntwo\\tthree");
  });

  it("adds timestamp, window and pane columns on request", () => {
    const start = Date.UTC(2024, 0, 1);
    const els = [
      WindowedValue.of({ key: "a", value: 1 }, start + 5, [new IntervalWindow(start, start + 60_000)], PaneInfo.of(true, false, "EARLY", 0, -1)),
      WindowedValue.of({ key: "b", value: 2 }, start + 6, [GlobalWindow.INSTANCE], PaneInfo.ON_TIME_AND_ONLY_FIRING),
    ];
    const t = tableOf(els, { timestamps: true, windows: true, panes: true });
    expect(names(t)).toEqual(["key", "value", "timestamp", "window", "pane"]);
    expect(texts(t)).toEqual([
      ["a", "1", "2024-01-01T00:00:00.005Z", "[2024-01-01T00:00:00.000Z, 2024-01-01T00:01:00.000Z)", "EARLY first #0"],
      ["b", "2", "2024-01-01T00:00:00.006Z", "GlobalWindow", "ON_TIME first last #0"],
    ]);
    expect(t.columns[2]!.type).toBe("datetime");
    expect(names(tableOf(els))).toEqual(["key", "value"]);
  });

  it("shows Beam's timestamp bounds as −∞ and +∞, and a batch element's pane as NO_FIRING", () => {
    const t = tableOf(global("x"), { timestamps: true, panes: true });
    expect(texts(t)).toEqual([["x", "−∞", "NO_FIRING"]]);
    expect(t.columns[1]!.type).toBe("string");
  });

  it("names its own columns apart from a field called timestamp", () => {
    const t = tableOf(global({ timestamp: 1, v: 2 }), { timestamps: true });
    expect(names(t)).toEqual(["timestamp", "v", "_timestamp"]);
    expect(Object.keys(rowsOf(global({ timestamp: 1, v: 2 }), { timestamps: true })[0]!)).toEqual(["timestamp", "v", "_timestamp"]);
  });

  it("reads values made in another realm (the cells' sandbox)", () => {
    const values = runInNewContext(`[{ when: new Date(0), tags: new Set(["a"]), kv: [1, 2] }, { when: new Date(1000) }]`) as unknown[];
    const t = tableOf(global(...values));
    expect(names(t)).toEqual(["when", "tags", "kv"]);
    expect(t.columns.map((c) => c.type)).toEqual(["datetime", "array", "array"]);
    expect(texts(t)[0]).toEqual(["1970-01-01T00:00:00.000Z", 'Set(1) {"a"}', "[1, 2]"]);
    const kvs = runInNewContext(`[{ key: "k", value: { n: 1 } }]`) as unknown[];
    expect(names(tableOf(global(...kvs)))).toEqual(["key", "value.n"]);
  });

  it("keeps truncation counts for the title", () => {
    const t = tableOf(global(1, 2), { truncated: true, totalAtLeast: 57 });
    expect(t.truncated).toBe(true);
    expect(t.totalAtLeast).toBe(57);
  });
});

describe("rowsOf", () => {
  it("gives raw values: KVs as { key, value }, records as their fields, others as { value }", () => {
    const d = new Date(5);
    expect(rowsOf(global({ key: "a", value: 2 }))).toEqual([{ key: "a", value: 2 }]);
    const rows = rowsOf(global({ x: 1, when: d }));
    expect(rows).toEqual([{ x: 1, when: d }]);
    expect(rows[0]!.when).toBe(d);
    expect(rowsOf(global(3, "s"))).toEqual([{ value: 3 }, { value: "s" }]);
  });

  it("adds the timestamp as epoch ms, the window as { start, end } and the pane when asked", () => {
    const els = [WindowedValue.of({ key: "a", value: 1 }, 1234, [new IntervalWindow(1000, 2000)], PaneInfo.ON_TIME_AND_ONLY_FIRING)];
    expect(rowsOf(els, { timestamps: true, windows: true, panes: true })).toEqual([
      { key: "a", value: 1, timestamp: 1234, window: { start: 1000, end: 2000 }, pane: "ON_TIME first last #0" },
    ]);
    expect(rowsOf(els)).toEqual([{ key: "a", value: 1 }]);
  });

  it("does not alias the element's own object", () => {
    const rec = { x: 1 };
    const rows = rowsOf([WindowedValue.valueInGlobalWindow(rec)], { timestamps: true });
    expect(rows[0]).not.toBe(rec);
    expect(rec).toEqual({ x: 1 });
  });
});
