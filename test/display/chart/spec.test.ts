// chartSpec: every shorthand to a full Vega-Lite v5 spec, rows inline and bounded (the cut
// said in the chart), user specs kept, and bad input refused with what is wrong.
import { describe, expect, it } from "vitest";
import { createRequire } from "node:module";
import { CHART_ROW_LIMIT, ChartSpecError, chartSpec, renderChart, type ChartRequest } from "../../../src/display/chart/index.js";
import { AGGREGATE_OPS, CHANNELS, COMPOSITE_MARKS, MARKS, SCALE_TYPES, TYPES, isTimeUnit } from "../../../src/display/chart/vega_lite_vocabulary.js";

type Json = Record<string, any>;
const SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json";
const kv = (n: number) => Array.from({ length: n }, (_, i) => ({ key: `k${i}`, value: (i * 7919) % 1000 }));
const spec = (r: ChartRequest) => chartSpec(r) as Json;
const refused = (r: ChartRequest) => {
  try {
    chartSpec(r);
  } catch (e) {
    expect(e).toBeInstanceOf(ChartSpecError);
    return (e as Error).message;
  }
  throw new Error(`expected ${JSON.stringify(r.spec)} to be refused`);
};

describe("chartSpec shorthands", () => {
  it("bar: top N by y, sorted descending, with the v5 schema and the rows inline", () => {
    const rows = kv(50);
    const s = spec({ spec: { bar: { x: "key", y: "value" }, top: 20 }, rows });
    expect(s.$schema).toBe(SCHEMA);
    expect(s.mark).toBe("bar");
    const top = [...rows].sort((a, b) => b.value - a.value).slice(0, 20);
    expect(new Set(s.data.values.map((r: Json) => r.key))).toEqual(new Set(top.map((r) => r.key)));
    expect(s.encoding.x).toMatchObject({ field: "key", type: "nominal", sort: { op: "sum", field: "value", order: "descending" } });
    expect(s.encoding.y).toMatchObject({ field: "value", type: "quantitative" });
    expect(s.title).toMatchObject({ text: "top 20 of 50 rows" });
  });

  it("bar: a key repeated across rows is ranked by its total", () => {
    const rows = [{ k: "a", v: 5 }, { k: "b", v: 8 }, { k: "a", v: 4 }, { k: "c", v: 1 }];
    const s = spec({ spec: { bar: { x: "k", y: "v" }, top: 1 }, rows });
    expect(s.data.values).toEqual([{ k: "a", v: 5 }, { k: "a", v: 4 }]);
  });

  it("bar without y counts rows per x; { x: number, y: category } draws horizontal bars", () => {
    const words = ["to", "be", "or", "not", "to", "be"].map((word) => ({ word }));
    const counted = spec({ spec: { bar: { x: "word" }, top: 2 }, rows: words });
    expect(counted.encoding.y).toEqual({ aggregate: "count", type: "quantitative", title: "count" });
    expect(new Set(counted.data.values.map((r: Json) => r.word))).toEqual(new Set(["to", "be"]));
    const horizontal = spec({ spec: { bar: { x: "value", y: "key" } }, rows: kv(3) });
    expect(horizontal.encoding.x).toMatchObject({ field: "value", type: "quantitative" });
    expect(horizontal.encoding.y).toMatchObject({ field: "key", type: "nominal" });
  });

  it("line: timestamp, and epoch-millisecond x values, are times in UTC; small numbers are not", () => {
    const t0 = Date.UTC(2026, 0, 1);
    const named = spec({ spec: { line: { x: "timestamp", y: "value" } }, rows: [{ timestamp: 5, value: 1 }] });
    expect(named.encoding.x).toMatchObject({ field: "timestamp", type: "temporal", scale: { type: "utc" } });
    const epoch = spec({ spec: { line: { x: "t", y: "v" } }, rows: [{ t: t0, v: 1 }, { t: t0 + 60_000, v: 2 }] });
    expect(epoch.encoding.x).toMatchObject({ field: "t", type: "temporal" });
    const plain = spec({ spec: { line: { x: "t", y: "v" } }, rows: [{ t: 1, v: 1 }, { t: 2, v: 2 }] });
    expect(plain.encoding.x).toMatchObject({ field: "t", type: "quantitative" });
    // Epoch millis are times only in event-time charts: a bar's numeric key stays a category or number.
    const bar = spec({ spec: { bar: { x: "t", y: "v" } }, rows: [{ t: t0, v: 1 }] });
    expect(bar.encoding.x.type).not.toBe("temporal");
  });

  it("line: Date values travel as epoch milliseconds", () => {
    const s = spec({ spec: { line: { x: "when", y: "v" } }, rows: [{ when: new Date(Date.UTC(2026, 0, 1)), v: 1 }] });
    expect(s.data.values).toEqual([{ when: Date.UTC(2026, 0, 1), v: 1 }]);
    expect(s.encoding.x.type).toBe("temporal");
  });

  it("histogram: binned x, counted y, maxbins from bins", () => {
    const rows = Array.from({ length: 100 }, (_, i) => ({ score: i / 3 }));
    const s = spec({ spec: { histogram: "score", bins: 30 }, rows });
    expect(s.mark).toBe("bar");
    expect(s.encoding.x).toMatchObject({ field: "score", type: "quantitative", bin: { maxbins: 30 } });
    expect(s.encoding.x.bin.minstep).toBeUndefined(); // fractions: no whole-number bins
    expect(s.encoding.y).toMatchObject({ aggregate: "count" });
  });

  it("point with color, area, and the options title, width, height, color", () => {
    const rows = [{ a: 1, b: 2, g: "x" }, { a: 2, b: 3, g: "y" }];
    const p = spec({ spec: { point: { x: "a", y: "b", color: "g" }, title: "Scatter", width: 400, height: 200 }, rows });
    expect(p.mark).toMatchObject({ type: "point" });
    expect(p.encoding.color).toMatchObject({ field: "g", type: "nominal" });
    expect(p).toMatchObject({ title: "Scatter", width: 400, height: 200 });
    const a = spec({ spec: { area: { x: "a", y: "b" }, color: "tomato" }, rows });
    expect(a.mark).toBe("area");
    expect(a.encoding.color).toEqual({ value: "tomato" });
    const byField = spec({ spec: { area: { x: "a", y: "b" }, color: "g" }, rows });
    expect(byField.encoding.color).toMatchObject({ field: "g" });
    expect(p.width).toBe(400);
    expect(spec({ spec: { area: { x: "a", y: "b" } }, rows })).toMatchObject({ width: 600, height: 300 });
  });
});

describe("chartSpec rows", () => {
  it("cuts rows to CHART_ROW_LIMIT and says so in the subtitle", () => {
    const rows = kv(12_345);
    const exact = spec({ spec: { point: { x: "value", y: "value" }, title: "All" }, rows });
    expect(exact.data.values).toHaveLength(CHART_ROW_LIMIT);
    expect(exact.data.values[0]).toEqual(rows[0]);
    expect(exact.title).toEqual({ text: "All", subtitle: "5 000 of 12 345 rows" });
    const atLeast = spec({ spec: { point: { x: "value", y: "value" } }, rows: rows.slice(0, 5000), truncated: true, totalRows: 12_345 });
    expect(atLeast.title.text).toBe("5 000 of at least 12 345 rows");
    const unknown = spec({ spec: { point: { x: "value", y: "value" } }, rows: kv(10), truncated: true });
    expect(unknown.title.text).toBe("10 rows; more exist");
    const whole = spec({ spec: { point: { x: "value", y: "value" } }, rows: kv(10) });
    expect(whole.title).toBeUndefined();
  });

  it("a top N ranks every row given, and says when those were not all", () => {
    const rows = kv(12_345);
    const s = spec({ spec: { bar: { x: "key", y: "value" }, top: 3 }, rows, truncated: true, totalRows: 20_000 });
    expect(s.data.values.map((r: Json) => r.value)).toEqual([999, 999, 999].slice(0, s.data.values.length));
    expect(s.title.text).toBe("top 3 among 12 345 of at least 20 000 rows");
  });

  it("keeps a user's Vega-Lite spec, filling in our rows when it has no data", () => {
    const user = { mark: { type: "tick" }, encoding: { x: { field: "value", type: "quantitative" } }, title: { text: "Ticks", subtitle: "mine" } };
    const s = spec({ spec: user, rows: kv(3) });
    expect(s).toMatchObject({ $schema: SCHEMA, mark: { type: "tick" }, encoding: user.encoding, data: { values: kv(3) } });
    expect(s.title).toEqual({ text: "Ticks", subtitle: "mine" });
    const own = spec({ spec: { ...user, data: { values: [{ q: 1 }] }, encoding: { x: { field: "q", type: "quantitative" } } }, rows: kv(3) });
    expect(own.data).toEqual({ values: [{ q: 1 }] });
    const cut = spec({ spec: { ...user, title: "Ticks" }, rows: kv(6000), truncated: true, totalRows: 9000 });
    expect(cut.title).toEqual({ text: "Ticks", subtitle: "5 000 of at least 9 000 rows" });
    expect(cut.data.values).toHaveLength(5000);
    expect(user).not.toHaveProperty("data"); // the caller's spec is not changed
    const named = spec({ spec: { ...user, data: { name: "table" } }, rows: kv(2) });
    expect(named.data).toEqual({ name: "table", values: kv(2) });
  });

  it("is a pure function of the request", () => {
    const r: ChartRequest = { spec: { bar: { x: "key", y: "value" }, top: 5 }, rows: kv(100) };
    expect(chartSpec(r)).toEqual(chartSpec(r));
    expect(JSON.parse(JSON.stringify(chartSpec(r)))).toEqual(chartSpec(r));
  });
});

describe("chart errors", () => {
  const rows = kv(2);

  it("names a field no row has, with the fields that exist", () => {
    expect(refused({ spec: { bar: { x: "key", y: "cnt" } }, rows })).toBe('chart: no field "cnt" in the rows; fields: key, value');
    expect(refused({ spec: { histogram: "size" }, rows })).toBe('chart: no field "size" in the rows; fields: key, value');
    expect(refused({ spec: { mark: "bar", encoding: { x: { field: "cnt", type: "quantitative" } } }, rows })).toBe('chart: no field "cnt" in the rows; fields: key, value');
    expect(refused({ spec: { point: { x: "key", y: "value", color: "kind" } }, rows })).toContain('no field "kind"');
    // A field a transform makes is a field.
    expect(() => chartSpec({ spec: { mark: "bar", transform: [{ calculate: "datum.value * 2", as: "twice" }], encoding: { x: { field: "twice", type: "quantitative" } } }, rows })).not.toThrow();
  });

  it("names unknown marks, channels, types, aggregates, time units and scale types, with what exists", () => {
    const enc = (x: Json) => ({ mark: "bar", encoding: { x: { field: "value", type: "quantitative", ...x } } });
    expect(refused({ spec: { mark: "bars", encoding: {} }, rows })).toMatch(/^chart: unknown mark "bars"; marks: arc, area, bar, /);
    expect(refused({ spec: { mark: "bar", encoding: { z: { field: "key", type: "nominal" } } }, rows })).toMatch(/^chart: unknown encoding channel "z"; channels: x, y, /);
    expect(refused({ spec: enc({ type: "quant" }), rows })).toMatch(/encoding\.x\.type "quant" is not a Vega-Lite type; types: quantitative/);
    expect(refused({ spec: enc({ aggregate: "avg" }), rows })).toMatch(/encoding\.x\.aggregate "avg" is not a Vega-Lite aggregate; .*mean/);
    expect(refused({ spec: enc({ timeUnit: "fortnight" }), rows })).toMatch(/timeUnit "fortnight" is not a Vega-Lite time unit/);
    expect(refused({ spec: enc({ scale: { type: "spiral" } }), rows })).toMatch(/scale\.type "spiral" is not a Vega-Lite scale type/);
    expect(refused({ spec: { layer: [{ mark: "bars" }] }, rows })).toMatch(/unknown mark "bars"/);
  });

  it("refuses shorthands it cannot read, saying what it takes", () => {
    expect(refused({ spec: { bars: { x: "key" } }, rows })).toMatch(/^chart: give a shorthand \(\{ bar: … \}.*got keys: bars/);
    expect(refused({ spec: { bar: { x: "key", y: "value" }, tops: 3 }, rows })).toMatch(/unknown shorthand option "tops"; options: top, bins/);
    expect(refused({ spec: { bar: { x: "key", y: "value", z: "key" } }, rows })).toMatch(/bar has no channel "z"; channels: x, y, color/);
    expect(refused({ spec: { bar: { x: "key" }, top: 0 }, rows })).toMatch(/"top" must be a positive integer; got 0/);
    expect(refused({ spec: { line: { x: "key" } }, rows })).toMatch(/line needs y \(a field name\); fields: key, value/);
    expect(refused({ spec: { line: { x: "key", y: "value" }, top: 3 }, rows })).toMatch(/"top" applies to bar charts/);
    expect(refused({ spec: { histogram: "key" }, rows })).toMatch(/a histogram counts numbers; "key" holds "k0"/);
    expect(refused({ spec: { bar: { x: "key" }, line: { x: "key" } }, rows })).toMatch(/one mark; got bar and line/);
  });

  it("passes on what vega-lite and vega reject, quoting them", async () => {
    const bad = async (s: Json) => {
      const e = await renderChart({ spec: s, rows }).then(() => undefined, (err: unknown) => err as Error);
      expect(e).toBeInstanceOf(ChartSpecError);
      return e!.message;
    };
    // An expression vega-lite cannot parse.
    expect(await bad({ mark: "bar", transform: [{ calculate: "datum.value +* 2", as: "v" }], encoding: { x: { field: "v", type: "quantitative" } } })).toMatch(/^chart: Vega-Lite rejected the spec: .*\*/);
    // A parameter that does not exist, which vega's parser finds.
    expect(await bad({ mark: "bar", transform: [{ filter: { param: "nope" } }], encoding: { x: { field: "value", type: "quantitative" } } })).toMatch(/^chart: Vega rejected the compiled spec: .*"nope"/);
    // A warning that means part of the spec was dropped.
    expect(await bad({ mark: "bar", encoding: { x: { field: "key", type: "nominal" }, theta: { field: "value", type: "quantitative" } } })).toMatch(/^chart: Vega-Lite rejected the spec: theta dropped as it is incompatible with "bar"/);
  });
});

describe("the Vega-Lite words checked", () => {
  const schema = createRequire(import.meta.url)("vega-lite/build/vega-lite-schema.json") as { definitions: Record<string, Json> };
  const defs = schema.definitions;
  const enumOf = (name: string): string[] => defs[name].enum ?? (defs[name].const ? [defs[name].const] : defs[name].anyOf.flatMap((r: Json) => enumOf(r.$ref.split("/").pop())));

  it("are vega-lite's own (from its JSON schema)", () => {
    expect([...MARKS].sort()).toEqual(enumOf("Mark").sort());
    expect([...COMPOSITE_MARKS].sort()).toEqual(enumOf("CompositeMark").sort());
    expect([...CHANNELS].sort()).toEqual(Object.keys(defs.FacetedEncoding.properties).sort());
    expect([...TYPES].sort()).toEqual(enumOf("Type").sort());
    expect([...AGGREGATE_OPS].sort()).toEqual(enumOf("AggregateOp").sort());
    expect([...SCALE_TYPES].sort()).toEqual(enumOf("ScaleType").sort());
    const units = [...enumOf("TimeUnit"), ...enumOf("BinnedTimeUnit")];
    expect(units.length).toBeGreaterThan(100);
    for (const u of units) expect(isTimeUnit(u), u).toBe(true);
    for (const u of ["fortnight", "", "utc", "monthyear", "hour"]) expect(isTimeUnit(u), u).toBe(false);
  });
});
