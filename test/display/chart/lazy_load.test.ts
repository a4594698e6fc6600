// Loading the chart module must not load vega, vega-lite or resvg (heavy); drawing a chart does.
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";

const script = `
import { createRequire } from "node:module";
const cache = createRequire(import.meta.url).cache;
const loaded = () => Object.keys(cache).filter((f) => /node_modules[\\\\/](vega|vega-lite|@resvg)[\\\\/]/.test(f)).map((f) => f.split("node_modules/")[1].split("/")[0]);
const chart = await import("./src/display/chart/index.ts");
const before = [...new Set(loaded())];
await chart.renderChart({ spec: { bar: { x: "k", y: "v" } }, rows: [{ k: "a", v: 1 }] }, {});
const after = [...new Set(loaded())];
console.log(JSON.stringify({ before, after }));
`;

describe("chart module loading", () => {
  it("imports vega and vega-lite only when a chart is drawn", () => {
    const out = execFileSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { cwd: process.cwd(), encoding: "utf8" });
    const { before, after } = JSON.parse(out.trim().split("\n").at(-1)!);
    expect(before).toEqual([]);
    expect(after).toEqual(expect.arrayContaining(["vega", "vega-lite", "@resvg"]));
  });
});
