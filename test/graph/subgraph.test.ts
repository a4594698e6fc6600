/**
 * ancestorsGraph: a sample runs only what computes its PCollection. graphFingerprint: what
 * determines a PCollection's contents, and nothing else.
 */
import { existsSync, mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ancestorsGraph, graphFingerprint } from "../../src/graph/subgraph.js";
import { Urns, type PipelineGraph } from "../../src/graph/types.js";
import {
  Count, Create, DoFn, DoubleCoder, Duration, FixedWindows, GroupByKey, KV, MapElements, ParDo, Pipeline, PTransform,
  Sum, TestPipeline, TextIO, TimestampedValue, TupleTag, View, Window, WithKeys, type PCollection, type ProcessContext,
} from "../../src/index.js";
import { executableLeaves } from "../../src/runners/harness/executable_transforms.js";
import { translate } from "../../src/runners/flink/translators/translate.js";
import { resolveRunner } from "../../src/sdk/runner.js";
import type { WindowedValue } from "../../src/sdk/values/windowed_value.js";
import { canonical } from "../../src/sdk/testing/canonical.js";
import { allCases } from "../conformance/cases/index.js";
import { failure } from "../support/runs.js";

const LOCAL = { runner: "direct", inProcess: true };

/** What a graph must satisfy for both runners: every reference resolves, the hierarchy is consistent. */
function expectValid(g: PipelineGraph): void {
  const ids = new Set(Object.keys(g.transforms));
  for (const t of Object.values(g.transforms)) {
    for (const pc of [...Object.values(t.inputs), ...Object.values(t.outputs), ...Object.values(t.sideInputs ?? {}).map((s) => s.pcollection)]) {
      expect(g.pcollections[pc], `${t.fullName} refers to ${pc}`).toBeDefined();
    }
    for (const c of t.subtransforms) expect(g.transforms[c]?.parent, `${c} in ${t.fullName}`).toBe(t.id);
    if (t.parent) expect(g.transforms[t.parent]!.subtransforms).toContain(t.id);
    if (t.urn === Urns.COMPOSITE || t.subtransforms.length) expect(t.subtransforms.length, `${t.fullName} kept with no part`).toBeGreaterThan(0);
  }
  for (const pc of Object.values(g.pcollections)) {
    expect(ids.has(pc.producer), `producer of ${pc.name}`).toBe(true);
    expect(g.windowingStrategies[pc.windowingStrategy]).toBeDefined();
  }
  expect(new Set(g.rootTransforms)).toEqual(new Set(Object.values(g.transforms).filter((t) => !t.parent).map((t) => t.id)));
}

async function runCollect(graph: PipelineGraph, ids: string[], options: Record<string, unknown> = LOCAL): Promise<Record<string, WindowedValue<unknown>[]>> {
  const result = resolveRunner("direct").run({ graph, options, collect: Object.fromEntries(ids.map((id) => [id, 1_000_000])) });
  await result.waitUntilFinish();
  return Object.fromEntries(ids.map((id) => [id, result.collected(id)!.elements]));
}

/** Elements as comparable text, order aside: value, timestamp and windows (panes may differ between plans). */
function bag(elements: WindowedValue<unknown>[]): string[] {
  return elements.map((e) => canonical([e.value, e.timestamp, e.windows])).sort();
}

const transformNames = (g: PipelineGraph) => Object.values(g.transforms).map((t) => t.fullName).sort();

describe("ancestorsGraph", () => {
  it("leaves sinks out: sampling the Map before a TextIO.write writes no file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "flowbook-subgraph-"));
    const p = Pipeline.create(LOCAL);
    const doubled = p.apply(Create.of(1, 2, 3)).apply("Double", MapElements.via((x: number) => x * 2));
    doubled.apply(MapElements.via((x: number) => `${x}`)).apply(TextIO.write().to(join(dir, "out")));
    const g = ancestorsGraph(p.toJSON(), [doubled.id]);
    expectValid(g);
    expect(transformNames(g)).toEqual(["Create.Values", "Double"]);
    const got = await runCollect(g, [doubled.id]);
    expect(got[doubled.id]!.map((e) => e.value).sort()).toEqual([2, 4, 6]);
    expect(readdirSync(dir)).toEqual([]);
    // The full graph does write there: the test would see a file.
    await resolveRunner("direct").run({ graph: p.toJSON(), options: LOCAL }).waitUntilFinish();
    expect(readdirSync(dir).length).toBeGreaterThan(0);
  });

  it("does not run an unrelated branch (here, one that fails)", async () => {
    const p = Pipeline.create(LOCAL);
    const nums = p.apply(Create.of(1, 2, 3));
    nums.apply("Boom", MapElements.via((x: number): number => {
      throw new Error(`boom ${x}`);
    }));
    const fine = nums.apply("Fine", MapElements.via((x: number) => x + 1));
    const g = ancestorsGraph(p.toJSON(), [fine.id]);
    expectValid(g);
    expect(transformNames(g)).not.toContain("Boom");
    expect(bag((await runCollect(g, [fine.id]))[fine.id]!)).toEqual(bag((await runCollect(ancestorsGraph(p.toJSON(), [fine.id]), [fine.id]))[fine.id]!));
    expect((await runCollect(g, [fine.id]))[fine.id]!.map((e) => e.value).sort()).toEqual([2, 3, 4]);
    const full = resolveRunner("direct").run({ graph: p.toJSON(), options: LOCAL, collect: { [fine.id]: 10 } });
    expect((await failure(full)).message).toMatch(/Boom[\s\S]*boom/);
  });

  it("keeps side inputs' producers, and a multi-output ParDo whole", async () => {
    const p = Pipeline.create(LOCAL);
    const offset = p.apply("Offset", Create.of(100)).apply(View.asSingleton<number>());
    p.apply("Unrelated", Create.of("x"));
    const odd = new TupleTag<number>();
    const even = new TupleTag<number>();
    const split = p.apply("Nums", Create.of(1, 2, 3, 4)).apply(
      "Split",
      ParDo.of((x: number, c: ProcessContext<number, number>) => {
        if (x % 2) c.output(x + c.sideInput(offset));
        else c.sideOutput(even, x);
      }).withSideInputs(offset).withOutputTags(odd, [even]),
    );
    const evens = split.get(even);
    const g = ancestorsGraph(p.toJSON(), [evens.id]);
    expectValid(g);
    expect(transformNames(g)).toEqual(["Nums", "Offset", "Split"]);
    expect(Object.keys(g.pcollections)).toContain(split.get(odd).id);
    const got = await runCollect(g, [evens.id, split.get(odd).id]);
    expect(got[evens.id]!.map((e) => e.value).sort()).toEqual([2, 4]);
    expect(got[split.get(odd).id]!.map((e) => e.value).sort()).toEqual([101, 103]);
  });

  it("keeps a lifted Combine.perKey whole (same result as a full run), and cuts it open to sample a part", async () => {
    const p = Pipeline.create(LOCAL);
    const words = p.apply(Create.of("a", "b", "a", "c", "a"));
    const counts = words.apply(Count.perElement());
    counts.apply("Format", MapElements.via((kv: KV<string, number>) => `${kv.key}:${kv.value}`));
    const full = p.toJSON();
    const g = ancestorsGraph(full, [counts.id]);
    expectValid(g);
    const combine = Object.values(g.transforms).find((t) => t.fullName === "Count.PerElement/Combine.perKey")!;
    expect(combine.urn).toBe(Urns.COMBINE_PER_KEY);
    // The local runner still executes it whole (combiner lifting).
    expect(executableLeaves(g).map((t) => t.fullName)).toContain("Count.PerElement/Combine.perKey");
    expect(bag((await runCollect(g, [counts.id]))[counts.id]!)).toEqual(bag((await runCollect(full, [counts.id]))[counts.id]!));

    // The GroupByKey inside: the combine is no longer whole, so it runs by parts.
    const grouped = Object.values(full.pcollections).find((pc) => pc.name === "Count.PerElement/Combine.perKey/GroupByKey.out")!;
    const inner = ancestorsGraph(full, [grouped.id]);
    expectValid(inner);
    const cut = Object.values(inner.transforms).find((t) => t.fullName === "Count.PerElement/Combine.perKey")!;
    expect(cut.urn).toBe(Urns.COMPOSITE);
    expect(cut.payload).toBeUndefined();
    const kvs = (await runCollect(inner, [grouped.id]))[grouped.id]!.map((e) => e.value as KV<string, number[]>);
    expect(kvs.map((kv) => `${kv.key}:${kv.value.length}`).sort()).toEqual(["a:3", "b:1", "c:1"]);

    // The Flink translation: lifted whole (a combine operator) when whole, by parts (a plain group_by_key) when cut open.
    const kinds = (graph: PipelineGraph, id: string) => translate(graph, {}, { collect: { [id]: 10 } }).plan.operators.map((o) => o.kind);
    expect(kinds(g, counts.id)).toContain("combine");
    expect(kinds(inner, grouped.id)).not.toContain("combine");
    expect(kinds(inner, grouped.id)).toContain("group_by_key");
  });

  it("keeps user composites and windowing: the same result as a full run", async () => {
    class SumByParity extends PTransform<PCollection<number>, PCollection<KV<string, number>>> {
      expand(input: PCollection<number>) {
        return input
          .apply(Window.into(FixedWindows.of(Duration.seconds(60))))
          .apply(WithKeys.of((x: number) => (x % 2 ? "odd" : "even")))
          .apply(Sum.integersPerKey<string>());
      }
    }
    const p = Pipeline.create(LOCAL);
    const sums = p
      .apply(Create.timestamped(...[1, 2, 3, 61, 62].map((s) => TimestampedValue.of(s, s * 1000))))
      .apply("SumByParity", new SumByParity());
    const grouped = p.apply("Other", Create.of(KV.of("k", 1))).apply(GroupByKey.create());
    const full = p.toJSON();
    const g = ancestorsGraph(full, [sums.id]);
    expectValid(g);
    expect(Object.values(g.pcollections).map((pc) => pc.id)).not.toContain(grouped.id);
    expect(g.transforms[Object.values(g.transforms).find((t) => t.fullName === "SumByParity")!.id]!.subtransforms.length).toBeGreaterThan(1);
    expect(bag((await runCollect(g, [sums.id]))[sums.id]!)).toEqual(bag((await runCollect(full, [sums.id]))[sums.id]!));
  });

  it("samples every PCollection of every conformance case with the elements a full run collects", async () => {
    let compared = 0;
    for (const c of allCases) {
      if (c.fails || c.skip?.direct) continue;
      const p = TestPipeline.create({ ...LOCAL, ...c.options });
      c.build(p);
      const full = JSON.parse(JSON.stringify(p.toJSON())) as PipelineGraph;
      const options = { ...LOCAL, ...c.options };
      // What a full run can bring back: the outputs of what the local runner executes (a lifted combine's parts are not).
      const produced = executableLeaves(full).flatMap((t) => Object.values(t.outputs));
      const expected = await runCollect(full, produced, options);
      // A random sample's PCollections (or any two full runs disagree on) are compared by their size only.
      const again = await runCollect(full, produced, options);
      for (const id of Object.keys(full.pcollections)) {
        const g = ancestorsGraph(full, [id]);
        expectValid(g);
        const got = (await runCollect(g, [id], options))[id]!;
        const what = `${c.name}: ${full.pcollections[id]!.name}`;
        if (!produced.includes(id)) continue;
        const random = transformNames(g).some((n) => /Sample/.test(n)) || bag(expected[id]!).join() !== bag(again[id]!).join();
        if (random) expect(got.length, what).toBe(expected[id]!.length);
        else {
          expect(bag(got), what).toEqual(bag(expected[id]!));
          compared++;
        }
      }
    }
    expect(compared).toBeGreaterThan(100);
  }, 600_000);

  it("refuses an unknown PCollection", () => {
    const p = Pipeline.create(LOCAL);
    p.apply(Create.of(1));
    expect(() => ancestorsGraph(p.toJSON(), ["pc999"])).toThrow(/no PCollection 'pc999'/);
  });
});

// --- fingerprints --------------------------------------------------------------------------

class AddFn extends DoFn<number, number> {
  constructor(private readonly by: number) {
    super();
  }
  processElement(c: ProcessContext<number, number>) {
    c.output(c.element() + this.by);
  }
}

/** The same pipeline, optionally with other transforms applied first (so every id shifts). */
function build(opts: { shift?: number; factor?: number; values?: number[]; body?: "plus" | "minus"; downstream?: boolean; by?: number } = {}) {
  const p = Pipeline.create(LOCAL);
  for (let i = 0; i < (opts.shift ?? 0); i++) p.apply(`Noise${i}`, Create.of("n")).apply(`NoiseMap${i}`, MapElements.via((s: string) => s));
  const factor = opts.factor ?? 3;
  const side = p.apply("Side", Create.of(1)).apply(View.asSingleton<number>());
  const scaled = p
    .apply("Nums", Create.of(...(opts.values ?? [1, 2, 3])))
    .apply("Scale", opts.body === "minus" ? MapElements.via((x: number) => x - factor) : MapElements.via((x: number) => x * factor))
    .apply("Add", ParDo.of(new AddFn(opts.by ?? 1)))
    .apply("WithSide", ParDo.of((x: number, c: ProcessContext<number, number>) => c.output(x + c.sideInput(side))).withSideInputs(side));
  const counts = scaled.apply(Count.perElement());
  if (opts.downstream) counts.apply("Later", MapElements.via((kv: KV<number, number>) => `${kv.value}`)).apply(TextIO.write().to("/nonexistent/never"));
  return { p, scaled, counts };
}

const fp = (pc: PCollection<unknown>) => graphFingerprint(pc.pipeline.toJSON(), pc.id);

describe("graphFingerprint", () => {
  it("is stable: serialized again, round-tripped through JSON and Pipeline.fromJSON", () => {
    const { p, counts } = build();
    const a = graphFingerprint(p.toJSON(), counts.id);
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(graphFingerprint(p.toJSON(), counts.id)).toBe(a);
    expect(graphFingerprint(JSON.parse(JSON.stringify(p.toJSON())), counts.id)).toBe(a);
    expect(graphFingerprint(Pipeline.fromJSON(JSON.parse(JSON.stringify(p.toJSON()))).toJSON(), counts.id)).toBe(a);
  });

  it("ignores what is downstream or unrelated, and ids that are only numbering", () => {
    const base = build();
    const later = build({ downstream: true });
    const shifted = build({ shift: 3 });
    expect(later.counts.id).toBe(base.counts.id);
    expect(shifted.counts.id).not.toBe(base.counts.id);
    expect(fp(later.counts)).toBe(fp(base.counts));
    expect(fp(shifted.counts)).toBe(fp(base.counts));
    expect(fp(shifted.scaled)).toBe(fp(base.scaled));
    // Two PCollections of one pipeline differ.
    expect(fp(base.scaled)).not.toBe(fp(base.counts));
  });

  it("changes when anything upstream changes: code, a captured value, data, a DoFn's field", () => {
    const base = fp(build().counts);
    expect(fp(build({ body: "minus" }).counts)).not.toBe(base);
    expect(fp(build({ factor: 4 }).counts)).not.toBe(base);
    expect(fp(build({ values: [1, 2, 4] }).counts)).not.toBe(base);
    expect(fp(build({ by: 2 }).counts)).not.toBe(base);
    // …and a change downstream of a PCollection leaves it alone: Count.perElement does not change `scaled`.
    expect(fp(build({ factor: 4 }).scaled)).not.toBe(fp(build().scaled));
  });

  it("changes with the coder and the windowing", () => {
    const make = (windowed: boolean, coder?: boolean) => {
      const p = Pipeline.create(LOCAL);
      let pc = p.apply("Nums", Create.of(1, 2, 3));
      if (windowed) pc = pc.apply(Window.into(FixedWindows.of(Duration.seconds(10))));
      const out = pc.apply("Id", MapElements.via((x: number) => x));
      if (coder) out.setCoder(DoubleCoder.of());
      return fp(out);
    };
    expect(make(true)).not.toBe(make(false));
    expect(make(false, true)).not.toBe(make(false));
  });

  it("a sampled graph has the same fingerprint for its PCollection as the full one", () => {
    const { p, counts } = build({ downstream: true });
    expect(graphFingerprint(ancestorsGraph(p.toJSON(), [counts.id]), counts.id)).toBe(graphFingerprint(p.toJSON(), counts.id));
    expect(existsSync("/nonexistent/never")).toBe(false);
  });
});
