/**
 * The model as the graph shows it: composites and unique full names, errors at the place a
 * transform is applied, key coders refused when a GroupByKey is applied, coder inference,
 * and the JSON form of the graph round-tripping and running.
 */
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  Combine, Count, Create, DoFn, DoubleCoder, Duration, FixedWindows, Flatten, GroupByKey, JsonCoder, KV, KvCoder, MapElements,
  PAssert, PCollection, PCollectionList, PTransform, ParDo, Partition, Pipeline, StringUtf8Coder, Sum, TestPipeline,
  TransformApplicationError, VarLongCoder, View, Window, type ProcessContext,
} from "../../../src/index.js";
import type { PipelineGraph } from "../../../src/graph/types.js";
import { lineFinder } from "../../support/runs.js";

const thisFile = fileURLToPath(import.meta.url);
const lineOf = lineFinder(import.meta.url);

class ExtractWordsFn extends DoFn<string, string> {
  processElement(c: ProcessContext<string, string>) {
    for (const w of c.element().split(/[^a-zA-Z']+/)) if (w) c.output(w);
  }
}

class CountWords extends PTransform<PCollection<string>, PCollection<KV<string, number>>> {
  expand(lines: PCollection<string>) {
    return lines.apply("ExtractWords", ParDo.of(new ExtractWordsFn())).apply(Count.perElement());
  }
}

/** A composite that applies two steps under the same name: an error naming the nested name. */
class Clumsy extends PTransform<PCollection<string>, PCollection<string>> {
  expand(input: PCollection<string>) {
    return input.apply("Step", MapElements.via((s: string) => s)).apply("Step", MapElements.via((s: string) => s));
  }
}

/** A composite that applies the same unnamed transform twice. */
class TwiceUnnamed extends PTransform<PCollection<string>, PCollection<string>> {
  expand(input: PCollection<string>) {
    return input.apply(MapElements.via((s: string) => s)).apply(MapElements.via((s: string) => s));
  }
}

const fullNames = (g: PipelineGraph) => Object.values(g.transforms).map((t) => t.fullName).sort();
const byName = (g: PipelineGraph, name: string) => Object.values(g.transforms).find((t) => t.fullName === name);

describe("composite transforms and unique full names", () => {
  it("a user PTransform's expand() nests its parts, and built-in composites nest theirs", () => {
    const p = Pipeline.create();
    p.apply("Lines", Create.of("a b", "b")).apply("CountWords", new CountWords());
    const g = p.toJSON();
    expect(fullNames(g)).toEqual([
      "CountWords",
      "CountWords/Count.PerElement",
      "CountWords/Count.PerElement/Combine.perKey",
      "CountWords/Count.PerElement/Combine.perKey/Combine.GroupedValues",
      "CountWords/Count.PerElement/Combine.perKey/GroupByKey",
      "CountWords/Count.PerElement/Init",
      "CountWords/ExtractWords",
      "Lines",
    ]);
    // The tree: parents list their children in order, children name their parent.
    const cw = byName(g, "CountWords")!;
    expect(cw.subtransforms.map((id) => g.transforms[id]!.fullName)).toEqual(["CountWords/ExtractWords", "CountWords/Count.PerElement"]);
    const perKey = byName(g, "CountWords/Count.PerElement/Combine.perKey")!;
    expect(g.transforms[perKey.parent!]!.fullName).toBe("CountWords/Count.PerElement");
    expect(perKey.subtransforms.map((id) => g.transforms[id]!.name)).toEqual(["GroupByKey", "Combine.GroupedValues"]);
    expect(g.rootTransforms.map((id) => g.transforms[id]!.fullName)).toEqual(["Lines", "CountWords"]);
    // Kinds: the composite the user wrote, a liftable Combine.perKey, primitives below.
    expect(cw.urn).toBe("flowbook:transform:composite:v1");
    expect(perKey.urn).toBe("beam:transform:combine_per_key:v1");
    expect(byName(g, "CountWords/ExtractWords")!.urn).toBe("beam:transform:pardo:v1");
    expect(byName(g, "CountWords/Count.PerElement/Combine.perKey/GroupByKey")!.urn).toBe("beam:transform:group_by_key:v1");
    // A composite's output is its last part's output.
    expect(Object.values(cw.outputs)).toEqual(Object.values(byName(g, "CountWords/Count.PerElement/Combine.perKey/Combine.GroupedValues")!.outputs));
    expect(Object.values(cw.inputs)).toEqual(Object.values(byName(g, "Lines")!.outputs));
  });

  it("a second transform with the same explicit name is an error naming it and where it was applied", () => {
    const p = Pipeline.create();
    const lines = p.apply("Lines", Create.of("a"));
    lines.apply("CountWords", new CountWords());
    const before = fullNames(p.toJSON());
    let err: unknown;
    try {
      lines.apply("CountWords", new CountWords());
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(TransformApplicationError);
    expect((err as Error).message).toContain("a transform named 'CountWords' already exists in this pipeline");
    expect((err as Error).message).toContain(thisFile);
    // The failed apply left nothing behind.
    expect(fullNames(p.toJSON())).toEqual(before);
    // The same name under another parent is fine; the same name twice in one composite is not.
    lines.apply("Other", new CountWords());
    expect(fullNames(p.toJSON())).toContain("Other/Count.PerElement/Combine.perKey");
    expect(() => lines.apply("Clumsy", new Clumsy())).toThrow(/a transform named 'Clumsy\/Step' already exists/);
    expect(fullNames(p.toJSON()).filter((n) => n.startsWith("Clumsy"))).toEqual([]);
  });

  it("unnamed duplicates: numbered at the top level (Count.PerElement2, ...), an error inside a composite", () => {
    const p = Pipeline.create();
    const words = p.apply(Create.of("a"));
    words.apply(Count.perElement());
    words.apply(Count.perElement());
    words.apply(Count.perElement());
    const g = p.toJSON();
    expect(g.rootTransforms.map((id) => g.transforms[id]!.fullName)).toEqual(["Create.Values", "Count.PerElement", "Count.PerElement2", "Count.PerElement3"]);
    expect(fullNames(g)).toContain("Count.PerElement2/Combine.perKey/GroupByKey");
    expect(fullNames(g)).toContain("Count.PerElement3/Init");
    expect(new Set(fullNames(g)).size).toBe(Object.keys(g.transforms).length);
    expect(() => words.apply("Twice", new TwiceUnnamed())).toThrow(/a transform named 'Twice\/Map' already exists/);
  });

  it("names must be non-empty and free of '/'; apply() takes only PTransforms; inputs must belong to the pipeline", () => {
    const p = Pipeline.create();
    const words = p.apply(Create.of("a"));
    expect(() => words.apply("", Count.perElement())).toThrow(/must be non-empty/);
    expect(() => words.apply("A/B", Count.perElement())).toThrow(/must not contain '\/'/);
    expect(() => words.apply((() => 1) as never)).toThrow(/expects a PTransform, got a function[\s\S]*MapElements\.via/);
    expect(() => words.apply((() => 1) as never)).toThrow(thisFile);
    const other = Pipeline.create().apply(Create.of("b"));
    expect(() => other.apply("Foreign", Count.perElement())).not.toThrow();
    expect(() => p.apply("X", Count.perElement() as never)).toThrow(TransformApplicationError);
    const foreignView = other.apply(View.asIterable<string>());
    expect(() => words.apply(ParDo.of((s: string, c: ProcessContext<string, string>) => c.output(s)).withSideInputs(foreignView))).toThrow(/belongs to another pipeline/);
  });

  it("Flatten refuses a PCollection of another pipeline", () => {
    const p = Pipeline.create();
    const words = p.apply(Create.of("a"));
    const other = Pipeline.create().apply(Create.of("b"));
    expect(() => PCollectionList.of(words).and(other).apply(Flatten.pCollections())).toThrow(/another pipeline/);
  });
});

describe("bad arguments are reported where the transform is applied", () => {
  // The message itself names this file: a notebook or terminal shows the message, not the stack.
  it("ParDo.of(42)", () => {
    const words = Pipeline.create().apply(Create.of("a"));
    expect(() => words.apply(ParDo.of(42 as never))).toThrow(/ParDo\.of needs a DoFn or a function/);
    expect(() => words.apply(ParDo.of(42 as never))).toThrow(thisFile);
  });

  it("ParDo.of(ADoFnClass) instead of an instance", () => {
    const words = Pipeline.create().apply(Create.of("a"));
    expect(() => words.apply(ParDo.of(ExtractWordsFn as never))).toThrow(/use ParDo\.of\(new ExtractWordsFn\(\)\)/);
    expect(() => words.apply(ParDo.of(ExtractWordsFn as never))).toThrow(thisFile);
  });

  it("Partition.of(0, fn)", () => {
    const nums = Pipeline.create().apply(Create.of(1));
    expect(() => nums.apply(Partition.of(0, () => 0))).toThrow(/Partition\.of needs a positive number of partitions, got 0/);
    expect(() => nums.apply(Partition.of(0, () => 0))).toThrow(thisFile);
  });

  it('Window.into("x")', () => {
    const nums = Pipeline.create().apply(Create.of(1));
    expect(() => nums.apply(Window.into("x" as never))).toThrow(/Window\.into needs a WindowFn/);
    expect(() => nums.apply(Window.into("x" as never))).toThrow(thisFile);
  });

  it("MapElements.via(not a function)", () => {
    const nums = Pipeline.create().apply(Create.of(1));
    expect(() => nums.apply(MapElements.via("x" as never))).toThrow(/needs a function, got string/);
    expect(() => nums.apply(MapElements.via("x" as never))).toThrow(thisFile);
  });

  it("errors raised inside expand() name the transform and the line that applied it", () => {
    const p = Pipeline.create();
    const windowed = p.apply(Create.of(1, 2)).apply(Window.into(FixedWindows.of(Duration.seconds(1))));
    expect(() => windowed.apply("Total", Sum.integersGlobally())).toThrow(/Total[\s\S]*not windowed by GlobalWindows[\s\S]*withoutDefaults\(\)/);
    let msg = "";
    try {
      windowed.apply("Total", Sum.integersGlobally()); // APPLY-TOTAL
    } catch (e) {
      msg = (e as Error).message;
    }
    expect(msg).toContain(`${thisFile}:${lineOf("APPLY-TOTAL")}:`);
    const global = p.apply("Other", Create.of(3));
    expect(() => PCollectionList.of(windowed).and(global).apply(Flatten.pCollections())).toThrow(/Flatten needs inputs with the same windowing/);
  });
});

describe("GroupByKey refuses a non-deterministic key coder when applied", () => {
  it("DoubleCoder keys: names the transform, the PCollection and the coder", () => {
    const p = Pipeline.create();
    const kvs = p.apply("Doubles", Create.of(KV.of(1.5, "a"))).setCoder(KvCoder.of(DoubleCoder.of(), StringUtf8Coder.of()) as never);
    let err: unknown;
    try {
      kvs.apply("GroupDoubles", GroupByKey.create());
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(TransformApplicationError);
    expect((err as Error).message).toMatch(/^GroupDoubles cannot group Doubles\.out: its key coder DoubleCoder is not deterministic/);
    expect((err as Error).message).toContain("0 and -0");
    // Refused at apply: nothing was added.
    expect(fullNames(p.toJSON())).toEqual(["Doubles"]);
  });

  it("JsonCoder keys, also inside Combine.perKey and Count.perElement (the nested GroupByKey is named)", () => {
    const p = Pipeline.create();
    const kvs = p.apply("Objects", Create.of(KV.of({ a: 1 }, 1))).setCoder(KvCoder.of(JsonCoder.of(), VarLongCoder.of()) as never);
    expect(() => kvs.apply("G", GroupByKey.create())).toThrow(/^G cannot group Objects\.out: its key coder JsonCoder is not deterministic \(JsonCoder is not deterministic: JSON\.stringify writes object keys in insertion order/);
    expect(() => kvs.apply("Sum", Sum.integersPerKey())).toThrow(/Sum\/GroupByKey cannot group Objects\.out: its key coder JsonCoder/);
    const objects = p.apply("Elements", Create.of({ a: 1 })).setCoder(JsonCoder.of() as never);
    expect(() => objects.apply("CountThem", Count.perElement())).toThrow(/CountThem\/Combine\.perKey\/GroupByKey cannot group CountThem\/Init\.out: its key coder JsonCoder/);
  });

  it("inferred keys are deterministic: number keys that are not all integers fall back to GeneralObjectCoder", () => {
    const p = Pipeline.create();
    const kvs = p.apply(Create.of(KV.of(1.5, "a"), KV.of(2, "b")));
    expect(String(kvs.getCoder())).toBe("KvCoder(GeneralObjectCoder, StringUtf8Coder)");
    expect(() => kvs.apply(GroupByKey.create())).not.toThrow();
  });
});

describe("coders inferred from Create values", () => {
  it("pick the specific coder where all values share an obvious type, GeneralObjectCoder otherwise", () => {
    const p = Pipeline.create();
    const coderOf = (name: string, values: unknown[]) => p.apply(name, Create.of(...values)).getCoder().toSpec();
    expect(coderOf("Strings", ["a", "b"])).toEqual({ urn: "beam:coder:string_utf8:v1" });
    expect(coderOf("Ints", [1, -2, 2 ** 53 - 1])).toEqual({ urn: "beam:coder:varint:v1" });
    expect(coderOf("Doubles", [1, 0.5])).toEqual({ urn: "beam:coder:double:v1" });
    expect(coderOf("Bools", [true, false])).toEqual({ urn: "beam:coder:bool:v1" });
    expect(coderOf("Bytes", [new Uint8Array([1])])).toEqual({ urn: "beam:coder:bytes:v1" });
    expect(coderOf("KVs", [KV.of("a", 1), KV.of("b", 2)])).toEqual({ urn: "beam:coder:kv:v1", components: [{ urn: "beam:coder:string_utf8:v1" }, { urn: "beam:coder:varint:v1" }] });
    expect(coderOf("Mixed", ["a", 1])).toEqual({ urn: "flowbook:coder:general:v1" });
    expect(coderOf("Objects", [{ a: 1 }])).toEqual({ urn: "flowbook:coder:general:v1" });
    expect(coderOf("Empty", [])).toEqual({ urn: "flowbook:coder:general:v1" });
    // The graph carries them.
    const g = p.toJSON();
    const pcOf = (name: string) => Object.values(g.pcollections).find((pc) => pc.name === `${name}.out`)!;
    expect(pcOf("Ints").coder).toEqual({ urn: "beam:coder:varint:v1" });
    // An explicit coder wins over inference, and Create.withCoder sets it at the source.
    expect(p.apply("Explicit", Create.of(1, 2).withCoder(DoubleCoder.of())).getCoder().toSpec()).toEqual({ urn: "beam:coder:double:v1" });
  });

  it("flow through the library transforms: GroupByKey and Combine keep the key coder", () => {
    const p = Pipeline.create();
    const kvs = p.apply(Create.of(KV.of("a", 1)));
    expect(String(kvs.apply(GroupByKey.create()).getCoder())).toBe("KvCoder(StringUtf8Coder, IterableCoder(VarLongCoder))");
    expect(String(kvs.apply(Sum.integersPerKey()).getCoder())).toMatch(/^KvCoder\(StringUtf8Coder, /);
    expect(String(p.apply("W", Create.of("x")).apply(Count.perElement()).getCoder())).toBe("KvCoder(StringUtf8Coder, VarLongCoder)");
  });
});

describe("the graph's JSON form", () => {
  const build = (p: Pipeline) => {
    const lines = p.apply("Lines", Create.of("the cat", "the dog", "a cat"));
    const counts = lines.apply("CountWords", new CountWords());
    const total = counts.apply("Values", MapElements.via((kv: KV<string, number>) => kv.value)).apply("Total", Combine.globally((xs: number[]) => xs.reduce((a, b) => a + b, 0)));
    PAssert.that(counts).containsInAnyOrder(KV.of("the", 2), KV.of("cat", 2), KV.of("dog", 1), KV.of("a", 1));
    PAssert.that(total).containsInAnyOrder(6);
  };

  it("round-trips: toJSON of the rebuilt pipeline equals the original, and again after a second round trip", () => {
    const p = TestPipeline.create();
    build(p);
    const j1 = JSON.parse(JSON.stringify(p.toJSON()));
    const p2 = Pipeline.fromJSON(JSON.parse(JSON.stringify(j1)));
    const j2 = JSON.parse(JSON.stringify(p2.toJSON()));
    const j3 = JSON.parse(JSON.stringify(Pipeline.fromJSON(j2).toJSON()));
    expect(j3).toEqual(j2);
    // Everything but the options survives the first trip unchanged (see the next test for the options).
    expect({ ...j2, options: {} }).toEqual({ ...j1, options: {} });
    expect(Object.keys(j1.transforms).length).toBeGreaterThan(10);
    expect(Object.values(j1.transforms).some((t: any) => t.urn === "beam:transform:pardo:v1" && t.payload?.doFn)).toBe(true);
  });

  it("the first round trip is exact too: the graph's options do not gain the pipeline's name", () => {
    const p = TestPipeline.create();
    build(p);
    const j1 = JSON.parse(JSON.stringify(p.toJSON()));
    const j2 = JSON.parse(JSON.stringify(Pipeline.fromJSON(JSON.parse(JSON.stringify(j1))).toJSON()));
    expect(j2.options).toEqual(j1.options);
  });

  it("the round-tripped pipeline runs, its PAsserts included (and still fail when they should)", async () => {
    const p = TestPipeline.create({ parallelism: 2 });
    build(p);
    const rt = Pipeline.fromJSON(JSON.parse(JSON.stringify(p.toJSON())));
    expect(await rt.run().waitUntilFinish()).toBe("DONE");

    const bad = TestPipeline.create({ parallelism: 2 });
    PAssert.that(bad.apply("Nums", Create.of(1, 2))).containsInAnyOrder(1, 2, 3);
    const badRt = Pipeline.fromJSON(JSON.parse(JSON.stringify(bad.toJSON())));
    await expect(badRt.run().waitUntilFinish()).rejects.toThrow(/Nums\.out: expected 3 element\(s\)[\s\S]*Missing: \[3\]/);
  });

  it("refuses what is not a flowbook graph", () => {
    expect(() => Pipeline.fromJSON({ format: "something-else" } as never)).toThrow(/not a flowbook pipeline graph/);
  });
});
