import { describe, expect, it } from "vitest";
import { Mime } from "../../../src/display/mime.js";
import { renderTable, renderTableText, tableFromDataResource, tableOf } from "../../../src/display/table/index.js";
import { fitColumns } from "../../../src/display/table/text_table.js";
import { displayWidth } from "../../../src/display/table/text_width.js";
import { WindowedValue } from "../../../src/sdk/values/windowed_value.js";

const global = (...values: unknown[]) => values.map((v) => WindowedValue.valueInGlobalWindow(v));
const text = (b: Record<string, unknown>) => b[Mime.text] as string;
const html = (b: Record<string, unknown>) => b[Mime.html] as string;

const wide = global(
  { user: "ann", city: "Zürich", note: "a rather long free-text note that goes on for a while", score: 1.25, tags: ["x", "y", "z"] },
  { user: "bob", city: "東京", note: "short", score: 1234567.5, tags: [] },
  { user: "a-very-long-user-name-indeed", score: -3 },
);

describe("renderTable text/plain", () => {
  it("aligns columns under a title, numbers on the right", () => {
    const out = text(renderTable(tableOf(global({ key: "the", value: 12 }, { key: "lengthy", value: 3 }), { name: "counts" }), { width: 80 }));
    expect(out.split("\n")).toEqual([
      "counts · 2 elements",
      "key      value",
      "───────  ─────",
      "the         12",
      "lengthy      3",
    ]);
  });

  it("fits every line to the width, at any width, cutting with … and never wrapping", () => {
    const table = tableOf(wide, { name: "people", timestamps: true, windows: true, panes: true, truncated: true, totalAtLeast: 1000 });
    for (const width of [200, 120, 80, 60, 40, 25, 12, 6, 1]) {
      const lines = text(renderTable(table, { width })).split("\n");
      expect(lines).toHaveLength(7);
      expect(lines.at(-1)).toBe("…");
      for (const line of lines) expect(displayWidth(line), `width ${width}: ${line}`).toBeLessThanOrEqual(width);
    }
    const narrow = text(renderTable(table, { width: 60 }));
    expect(narrow).toContain("…");
    // At 200 columns nothing needs cutting but the wide note still fits whole.
    expect(text(renderTable(table, { width: 200 }))).toContain("a rather long free-text note that goes on for a while");
  });

  it("counts wide characters as two columns", () => {
    const lines = text(renderTable(tableOf(global({ city: "東京", n: 1 }, { city: "Rome", n: 22 })), { width: 40 })).split("\n");
    // The numbers are right-aligned, so both rows end at the same screen column.
    expect(lines.slice(1).map(displayWidth)).toEqual([8, 8, 8, 8]);
    expect(lines[3]).toBe("東京   1");
  });

  it("shrinks the widest columns first and drops columns only when minimums do not fit", () => {
    expect(fitColumns([3, 50, 4], 40)).toEqual({ widths: [3, 29, 4], ellipsis: false });
    expect(fitColumns([30, 30], 40)).toEqual({ widths: [19, 19], ellipsis: false });
    const { widths, ellipsis } = fitColumns([10, 10, 10, 10, 10, 10, 10, 10], 30);
    expect(ellipsis).toBe(true);
    expect(widths.reduce((a, b) => a + b, 0) + 2 * (widths.length - 1) + 3).toBeLessThanOrEqual(30);
  });

  it("says 'n of at least N' when truncated, 'n of N' when the total is known", () => {
    const b = renderTable(tableOf(global(1, 2, 3), { name: "nums", truncated: true, totalAtLeast: 57 }));
    expect(text(b).split("\n")[0]).toBe("nums · 3 of at least 57");
    expect(html(b)).toContain("3 of at least 57");
    // A truncated sample whose total is unknown still says there are more than shown.
    expect(text(renderTable(tableOf(global(1, 2), { truncated: true }))).split("\n")[0]).toBe("2 of at least 3");
    expect(text(renderTable(tableOf(global(1, 2), { truncated: true, total: 10 }))).split("\n")[0]).toBe("2 of 10");
    expect(text(renderTable(tableOf(global(1), { name: "one" })))).toMatch(/^one · 1 element\n/);
    expect(text(renderTable(tableOf([], { name: "none" })))).toBe("none · no elements");
  });
});

describe("renderTable text/html", () => {
  it("escapes what the values contain", () => {
    const b = renderTable(tableOf(global({ key: "<script>alert('x')</script>", value: "a & b" }), { name: "<b>n</b>" }));
    const h = html(b);
    expect(h).not.toContain("<script>");
    expect(h).not.toContain("<b>n</b>");
    expect(h).toContain("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;");
    expect(h).toContain("a &amp; b");
    expect(h).toContain("&lt;b&gt;n&lt;/b&gt;");
  });

  it("has one header cell per column and one row per element, numbers right-aligned", () => {
    const h = html(renderTable(tableOf(global({ key: "a", value: 1 }, { key: "b", value: 2 }))));
    expect(h.match(/<th[ >]/g)).toHaveLength(2);
    expect(h.match(/<tr>/g)).toHaveLength(3);
    expect(h).toMatch(/<td style="text-align:right[^"]*">2<\/td>/);
  });
});

describe("renderTable application/vnd.dataresource+json", () => {
  it("declares each column's Table Schema type and carries JSON values", () => {
    const d = new Date(Date.UTC(2024, 0, 1));
    const b = renderTable(tableOf(global({ s: "x", i: 1, f: 1.5, ok: true, when: d, list: [1], obj: { a: 1 }, big: 12n }, { s: "y", i: 2, f: 2, ok: false })));
    const r = b[Mime.dataResource] as { schema: { fields: { name: string; type: string }[] }; data: Record<string, unknown>[] };
    expect(r.schema.fields).toEqual([
      { name: "s", type: "string" },
      { name: "i", type: "integer" },
      { name: "f", type: "number" },
      { name: "ok", type: "boolean" },
      { name: "when", type: "datetime" },
      { name: "list", type: "array" },
      { name: "obj", type: "object" },
      { name: "big", type: "integer" },
    ]);
    expect(r.data[0]).toEqual({ s: "x", i: 1, f: 1.5, ok: true, when: "2024-01-01T00:00:00.000Z", list: [1], obj: { a: 1 }, big: 12 });
    expect(r.data[1]).toEqual({ s: "y", i: 2, f: 2, ok: false, when: null, list: null, obj: null, big: null });
    // What a front end sends must survive JSON.
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
  });
});

describe("tableFromDataResource", () => {
  it("draws a bundle's table again at another width with the same text", () => {
    const table = tableOf(wide, { name: "people", truncated: true, totalAtLeast: 1000 });
    const bundle = renderTable(table, { width: 120 });
    const again = tableFromDataResource(JSON.parse(JSON.stringify(bundle[Mime.dataResource])));
    expect(again).toBeDefined();
    const at120 = renderTableText(again!, 120);
    // Same title, header and numbers as the original text (the "…" row is the original's own).
    expect(at120.split("\n").slice(0, 6)).toEqual(text(bundle).split("\n").slice(0, 6));
    for (const line of renderTableText(again!, 40).split("\n")) expect(displayWidth(line)).toBeLessThanOrEqual(40);
  });

  it("refuses what is not a data resource", () => {
    expect(tableFromDataResource({ rows: [] })).toBeUndefined();
    expect(tableFromDataResource("x")).toBeUndefined();
    expect(tableFromDataResource({ data: [{ a: 1 }] })!.columns).toEqual([{ name: "a", type: "any", numeric: false }]);
  });
});
