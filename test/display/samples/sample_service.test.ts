/**
 * The session's cache of computed PCollections: runs are counted through `start`, so "a
 * second show starts no run" is checked, not assumed.
 */
import { describe, expect, it } from "vitest";
import { decodeSample, type UnencodedSample } from "../../../src/display/samples/encoded_sample.js";
import { SampleService } from "../../../src/display/samples/sample_service.js";
import type { PipelineGraph } from "../../../src/graph/types.js";
import { Create, MapElements, Pipeline, TextIO, type PCollection } from "../../../src/index.js";
import { MetricResults } from "../../../src/sdk/metrics/metric_results.js";
import { resolveRunner, type PipelineResult, type RunRequest } from "../../../src/sdk/runner.js";
import { lineFinder } from "../../support/runs.js";

const LOCAL = { runner: "direct", inProcess: true };
const lineOf = lineFinder(import.meta.url);

/** A service whose runs are the local runner's, counted and kept for inspection. */
function counted(maxBytes?: number) {
  const requests: RunRequest[] = [];
  const service = new SampleService({
    maxBytes,
    start: (request, runner) => {
      requests.push(request);
      return resolveRunner(runner).run(request);
    },
  });
  return { service, requests };
}

function request(pc: PCollection<unknown>, n = 20) {
  const graph = pc.pipeline.toJSON();
  return { graphJson: JSON.stringify(graph), pcollectionId: pc.id, n, optionsJson: JSON.stringify(graph.options) };
}

function values(pc: PCollection<unknown>, encoded: Parameters<typeof decodeSample>[2]): unknown[] {
  return decodeSample(pc.pipeline.toJSON(), pc.id, encoded).elements.map((e) => e.value);
}

/** Cell 1 and cell 2 of a notebook: numbers, then their squares; `upstream` edits cell 1. */
function notebook(upstream: number[] = [1, 2, 3, 4, 5]) {
  const p = Pipeline.create(LOCAL);
  const nums = p.apply("Nums", Create.of(...upstream));
  const squares = nums.apply("Square", MapElements.via((x: number) => x * x));
  return { p, nums, squares };
}

describe("SampleService", () => {
  it("a second sample of the same PCollection starts no run, even once the pipeline grew downstream", async () => {
    const { service, requests } = counted();
    const { squares } = notebook();
    const first = await service.sample(request(squares));
    expect(first.cached).toBe(false);
    expect((values(squares, first) as number[]).sort((a, b) => a - b)).toEqual([1, 4, 9, 16, 25]);
    expect(requests).toHaveLength(1);
    // The run was the sampled PCollection's ancestors only, asked for n elements.
    expect(Object.values(requests[0]!.graph.transforms).map((t) => t.fullName).sort()).toEqual(["Nums", "Square"]);
    expect(requests[0]!.collect).toEqual({ [squares.id]: 20 });

    const second = await service.sample(request(squares));
    expect(second).toEqual({ ...first, cached: true });
    // A later cell adds a transform and a sink downstream: squares' ancestors did not change.
    squares.apply("Later", MapElements.via((x: number) => `${x}`)).apply(TextIO.write().to("/nonexistent/out"));
    expect((await service.sample(request(squares))).cached).toBe(true);
    expect(service.stats()).toMatchObject({ runs: 1, hits: 2, entries: 1 });
    expect(requests).toHaveLength(1);
  });

  it("a larger n runs again only when the first sample was truncated; a smaller one is its prefix", async () => {
    const { service } = counted();
    const { squares } = notebook();
    const two = await service.sample(request(squares, 2));
    expect(two).toMatchObject({ count: 2, truncated: true, cached: false });
    expect(two.totalAtLeast).toBeGreaterThanOrEqual(3);
    const one = await service.sample(request(squares, 1));
    expect(one).toMatchObject({ count: 1, truncated: true, cached: true });
    expect(values(squares, one)).toEqual(values(squares, two).slice(0, 1));
    expect(service.stats().runs).toBe(1);

    const all = await service.sample(request(squares, 10));
    expect(all).toMatchObject({ count: 5, truncated: false, totalAtLeast: 5, cached: false });
    expect(service.stats().runs).toBe(2);
    // Complete: any n is served from it, and one entry holds the PCollection.
    expect(await service.sample(request(squares, 1000))).toMatchObject({ count: 5, truncated: false, cached: true });
    expect(await service.sample(request(squares, 3))).toMatchObject({ count: 3, truncated: true, totalAtLeast: 5, cached: true });
    expect(service.stats()).toMatchObject({ runs: 2, entries: 1 });
  });

  it("running an upstream cell again invalidates what depends on it, and only that", async () => {
    const { service } = counted();
    const before = notebook();
    const other = before.p.apply("Other", Create.of("x", "y"));
    await service.sample(request(before.squares));
    await service.sample(request(before.nums));
    await service.sample(request(other));
    expect(service.stats()).toMatchObject({ runs: 3, entries: 3 });

    // Cell 1 run again with other numbers: same names, other ancestors.
    const after = notebook([1, 2, 3]);
    after.p.apply("Other", Create.of("x", "y"));
    const otherAfter = Object.values(after.p.toJSON().pcollections).find((pc) => pc.name === "Other.out")!;
    // The first request after it drops both stale entries at once (squares' before it is asked for).
    const nums = await service.sample(request(after.nums));
    expect(nums.cached).toBe(false);
    expect(service.stats()).toMatchObject({ runs: 4, entries: 2 });
    const squares = await service.sample(request(after.squares));
    expect((values(after.squares, squares) as number[]).sort()).toEqual([1, 4, 9]);
    expect(service.stats()).toMatchObject({ runs: 5, entries: 3 });
    // The unrelated branch kept its entry.
    const graph = after.p.toJSON();
    const o = await service.sample({ graphJson: JSON.stringify(graph), pcollectionId: otherAfter.id, n: 20, optionsJson: JSON.stringify(graph.options) });
    expect(o.cached).toBe(true);
    expect(service.stats().runs).toBe(5);
  });

  it("keeps at most maxBytes, dropping the least recently used", async () => {
    const { p } = notebook();
    const big = (name: string) => p.apply(name, Create.of(...Array.from({ length: 200 }, (_, i) => `${name}-${i}-${"x".repeat(40)}`)));
    const a = big("A");
    const b = big("B");
    const c = big("C");
    const probe = counted();
    await probe.service.sample(request(a, 1000));
    const one = probe.service.stats().bytes;
    expect(one).toBeGreaterThan(200 * 40);

    const { service } = counted(Math.floor(one * 2.5));
    await service.sample(request(a, 1000));
    await service.sample(request(b, 1000));
    expect((await service.sample(request(a, 1000))).cached).toBe(true); // a is now the most recent
    await service.sample(request(c, 1000)); // evicts b
    expect(service.stats()).toMatchObject({ runs: 3, entries: 2 });
    expect(service.stats().bytes).toBeLessThanOrEqual(Math.floor(one * 2.5));
    expect((await service.sample(request(a, 1000))).cached).toBe(true);
    expect((await service.sample(request(c, 1000))).cached).toBe(true);
    expect((await service.sample(request(b, 1000))).cached).toBe(false);
    expect(service.stats().runs).toBe(4);

    // A sample larger than the whole bound is served, not kept.
    const tiny = counted(100);
    expect((await tiny.service.sample(request(a, 1000))).count).toBe(200);
    expect(tiny.service.stats()).toMatchObject({ entries: 0, bytes: 0 });
  });

  it("concurrent requests for the same PCollection share one run", async () => {
    const { service, requests } = counted();
    const { squares, nums } = notebook();
    const [x, y, z] = await Promise.all([service.sample(request(squares)), service.sample(request(squares)), service.sample(request(nums))]);
    expect(requests).toHaveLength(2);
    expect(values(squares, x)).toEqual(values(squares, y));
    expect(z.count).toBe(5);
    // A request wanting more than the shared run asks for runs its own afterwards.
    const three = squares.pipeline.apply("Three", Create.of(1, 2, 3));
    const [small, large] = await Promise.all([service.sample(request(three, 1)), service.sample(request(three, 3))]);
    expect([small.count, large.count]).toEqual([1, 3]);
    expect(requests.map((r) => Object.values(r.collect!)[0])).toEqual([20, 20, 1, 3]);
  });

  it("a failed run rejects with the run's own error (transform, element, user line) and caches nothing", async () => {
    const { service } = counted();
    const p = Pipeline.create(LOCAL);
    const bad = p.apply("Nums", Create.of(1, 2)).apply("Explode", MapElements.via((x: number): number => {
      if (x === 2) throw new Error("two is not allowed"); // EXPLODES
      return x;
    }));
    const [e1, e2] = await Promise.all([service.sample(request(bad)).catch((e: unknown) => e), service.sample(request(bad)).catch((e: unknown) => e)]);
    expect(e1).toBe(e2); // one run, one error
    const err = e1 as Error & { transform?: string; element?: string; userStack?: string };
    expect(err.transform).toBe("Explode");
    expect(err.element).toBe("2");
    expect(err.userStack).toContain(`sample_service.test.ts:${lineOf("// EXPLODES")}`);
    expect(service.stats()).toMatchObject({ runs: 1, entries: 0 });
    await expect(service.sample(request(bad))).rejects.toThrow(/two is not allowed/);
    expect(service.stats().runs).toBe(2);
  });

  it("serves a sample its coder cannot encode uncached, as the runner's objects", async () => {
    const { squares } = notebook();
    let runs = 0;
    const service = new SampleService({
      start: (): PipelineResult => {
        runs++;
        // A runner handing back what the PCollection's coder (varint) cannot encode.
        const elements = [{ value: "not a number", timestamp: 0, windows: [], pane: undefined }] as never;
        return {
          state: "DONE",
          waitUntilFinish: async () => "DONE",
          cancel: async () => "DONE",
          metrics: () => new MetricResults({ counters: [], distributions: [], gauges: [] }),
          collected: () => ({ elements, truncated: true }),
        };
      },
    });
    const s = (await service.sample(request(squares))) as UnencodedSample;
    expect(s).toMatchObject({ latin1: "", count: 1, truncated: true, totalAtLeast: 2, cached: false });
    expect(values(squares, s)).toEqual(["not a number"]);
    await service.sample(request(squares));
    expect(runs).toBe(2);
    expect(service.stats()).toMatchObject({ entries: 0, bytes: 0 });
  });

  it("keys by runner and cluster: the same PCollection on another runner is another entry", async () => {
    const seen: string[] = [];
    const service = new SampleService({
      start: (request, runner) => {
        seen.push(`${runner}@${String(request.options.flinkMaster ?? "")}`);
        return resolveRunner("direct").run({ ...request, options: LOCAL });
      },
    });
    const { squares } = notebook();
    const graph = squares.pipeline.toJSON() as PipelineGraph;
    const ask = (options: Record<string, unknown>) =>
      service.sample({ graphJson: JSON.stringify(graph), pcollectionId: squares.id, n: 20, optionsJson: JSON.stringify(options) });
    await ask({ runner: "direct" });
    await ask({ runner: "DirectRunner" });
    await ask({ runner: "flink", flinkMaster: "localhost:1" });
    await ask({ runner: "FlinkRunner", flinkMaster: "localhost:1" });
    await ask({ runner: "flink", flinkMaster: "localhost:2" });
    expect(seen).toEqual(["direct@", "flink@localhost:1", "flink@localhost:2"]);
  });
});
