/**
 * Live samples on the local runner (RunRequest.live, PipelineResult.onLiveSample): every
 * element of a live PCollection reaches the listener in batches, with its timestamp, windows
 * and pane, all before waitUntilFinish resolves; nothing is kept for collected(); a live
 * PCollection also collected, or read downstream, still gets every element.
 */
import { describe, expect, it } from "vitest";
import {
  Create, FixedWindows, GroupByKey, KV, MapElements, Pipeline, TestStream, Window, type PipelineOptions,
} from "../../../src/index.js";
import { TimestampedValue } from "../../../src/sdk/values/windowed_value.js";
import { TIMESTAMP_MIN } from "../../../src/sdk/values/time.js";
import { livePanesPipeline } from "../../support/live_panes.js";
import { resolveRunner, type LiveSampleBatch } from "../../../src/sdk/runner.js";
import { ancestorsGraph } from "../../../src/graph/subgraph.js";

describe("live samples on the local runner", () => {
  for (const options of [{ parallelism: 2, inProcess: false }, { inProcess: true }] as PipelineOptions[]) {
    it(`hands every pane of a grouping to the listener, before the run ends (${JSON.stringify(options)})`, async () => {
      const p = Pipeline.create(options);
      const input = Array.from({ length: 60 }, (_, i) => TimestampedValue.of(KV.of(`k${i % 3}`, i), i * 1000));
      const grouped = p
        .apply(Create.timestamped(input))
        .apply(Window.into(FixedWindows.of(20_000)))
        .apply(GroupByKey.create())
        .apply("Sum", MapElements.via((kv: KV<string, number[]>) => KV.of(kv.key, kv.value.reduce((a, b) => a + b, 0))));
      const graph = p.toJSON();
      const id = p.currentPCollectionId(grouped.id);
      const r = resolveRunner("direct").run({ graph: ancestorsGraph(graph, [id]), options, live: [id] });
      const batches: LiveSampleBatch[] = [];
      r.onLiveSample!(id, (b) => batches.push(b));
      expect(await r.waitUntilFinish()).toBe("DONE");
      const got = batches.flatMap((b) => b.elements);
      expect(batches.every((b) => b.pcollection === id && b.elements.length > 0)).toBe(true);
      // 3 keys × 3 windows of 20 s: one ON_TIME pane each, in its window, at the window's end.
      expect(got).toHaveLength(9);
      const byKeyWindow = new Map(got.map((e) => [`${(e.value as KV<string, number>).key} ${e.windows[0]!.maxTimestamp()}`, e]));
      expect(byKeyWindow.size).toBe(9);
      const k1w0 = byKeyWindow.get(`k1 ${19_999}`)!;
      expect((k1w0.value as KV<string, number>).value).toBe([1, 4, 7, 10, 13, 16, 19].reduce((a, b) => a + b, 0));
      expect(k1w0.pane.timing).toBe("ON_TIME");
      expect(k1w0.pane.index).toBe(0);
      expect(k1w0.timestamp).toBe(19_999);
      // Handed over, not kept.
      expect(r.collected(id)).toBeUndefined();
    });
  }

  it("replays batches produced before the first listener, and gives collect its sample too", async () => {
    const p = Pipeline.create({ inProcess: true });
    const doubled = p.apply(Create.of(1, 2, 3, 4, 5)).apply("Double", MapElements.via((x: number) => x * 2));
    const id = p.currentPCollectionId(doubled.id);
    const r = resolveRunner("direct").run({ graph: ancestorsGraph(p.toJSON(), [id]), options: { inProcess: true }, live: [id], collect: { [id]: 10 } });
    expect(await r.waitUntilFinish()).toBe("DONE");
    const late: number[] = [];
    r.onLiveSample!(id, (b) => late.push(...b.elements.map((e) => e.value as number)));
    expect(late.sort((a, b) => a - b)).toEqual([2, 4, 6, 8, 10]);
    expect(r.collected(id)!.elements.map((e) => e.value).sort((a, b) => (a as number) - (b as number))).toEqual([2, 4, 6, 8, 10]);
    // A PCollection not named live gets nothing.
    const none: unknown[] = [];
    r.onLiveSample!("nope", (b) => none.push(b));
    expect(none).toEqual([]);
  });

  it("hands over a TestStream's EARLY, ON_TIME and LATE panes as the unbounded run fires them", async () => {
    const MIN = 60_000;
    const p = Pipeline.create({ parallelism: 2, inProcess: false });
    const sums = livePanesPipeline(p);
    expect(sums.isBounded).toBe(false);
    const id = p.currentPCollectionId(sums.id);
    const r = resolveRunner("direct").run({ graph: ancestorsGraph(p.toJSON(), [id]), options: { parallelism: 2, inProcess: false }, live: [id] });
    const batches: LiveSampleBatch[] = [];
    r.onLiveSample!(id, (b) => batches.push(b));
    expect(await r.waitUntilFinish()).toBe("DONE");
    const panes = batches.flatMap((b) => b.elements).map((e) => `${(e.value as KV<string, number>).value} ${e.pane.timing} #${e.pane.index}`);
    // An early pane per TestStream event (accumulating: 1+2, then +3), the on-time pane at the window's end, a late pane for the late element.
    expect(panes).toEqual(["3 EARLY #0", "6 EARLY #1", "6 ON_TIME #2", "10 LATE #3"]);
    // Each batch carries its stage's output watermark: −∞ before the first advance, then the TestStream's.
    expect(batches.map((b) => (b.watermark! <= TIMESTAMP_MIN ? "−∞" : b.watermark))).toEqual(["−∞", MIN, 6 * MIN, 6 * MIN]);
    // More than one batch: panes come as they fire, not at the end.
    expect(batches.length).toBeGreaterThan(1);
  });
});
