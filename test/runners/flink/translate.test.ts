/**
 * The Flink translation: plans for WordCount and for each transform kind — operators
 * named after their transforms' full names, ship strategies, fused user-code chains,
 * combiner lifting (native vs user code), windows, side inputs, refusals.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  AfterPane, AfterWatermark, AvroIO, ClosingBehavior, CoGroupByKey, Combine, Count, Create, Duration, Filter, FixedWindows, FlatMapElements, Flatten, GroupByKey,
  KV, KeyedPCollectionTuple, KvCoder, MapElements, Mean, ParDo, PCollectionList, Pipeline, PTransform, Sessions, StringUtf8Coder, Sum,
  OnTimeBehavior, TextIO, TupleTag, View, Window, type PCollection, type ProcessContext,
} from "../../../src/index.js";
import type { FlinkOperator, FlinkPlan } from "../../../src/runners/flink/flink_plan.js";
import { FlinkTranslationError, translate, type Translation } from "../../../src/runners/flink/translators/translate.js";
import { TRANSLATORS } from "../../../src/runners/flink/translators/registry.js";
import { AverageFn } from "../../conformance/cases/grouping.js";

const BRIDGE_SOURCES = join(import.meta.dirname, "../../../flink/bridge/src/main/java");

function planOf(build: (p: Pipeline) => void, collect?: (p: Pipeline) => Record<string, number>): Translation {
  const p = Pipeline.create({ name: "test" });
  build(p);
  return translate(p.toJSON(), { parallelism: 2 }, { collect: collect?.(p) });
}

const byName = (plan: FlinkPlan, name: string): FlinkOperator => {
  const op = plan.operators.find((o) => o.name === name) ?? plan.operators.find((o) => o.transforms.includes(name));
  if (!op) throw new Error(`no operator for ${name}; have ${plan.operators.map((o) => `${o.id} ${o.kind} ${o.name}`).join("; ")}`);
  return op;
};
const kinds = (plan: FlinkPlan) => plan.operators.map((o) => o.kind);

/** Every input comes from an earlier operator, and from one of its outputs. */
function expectTopological(plan: FlinkPlan): void {
  const seen = new Map<string, FlinkOperator>();
  for (const op of plan.operators) {
    for (const i of op.inputs) {
      const from = seen.get(i.from);
      expect(from, `${op.id} reads ${i.from}, which is not earlier`).toBeDefined();
      expect(from!.outputs).toContain(i.output ?? "main");
    }
    seen.set(op.id, op);
  }
}

class CountWords extends PTransform<PCollection<string>, PCollection<KV<string, number>>> {
  expand(lines: PCollection<string>) {
    return lines
      .apply("ExtractWords", FlatMapElements.via((l: string) => l.split(" ")))
      .setCoder(StringUtf8Coder.of())
      .apply(Count.perElement());
  }
}

describe("Flink translation", () => {
  it("WordCount: a source, one fused user-code operator pre-counting, a native merge, a formatter, a sink", () => {
    const { plan } = planOf((p) => {
      p.apply("ReadLines", TextIO.read().from("/data/*.txt"))
        .apply("CountWords", new CountWords())
        .apply("Format", MapElements.via((kv: KV<string, number>) => `${kv.key}: ${kv.value}`))
        .apply("WriteCounts", TextIO.write().to("/out/wordcounts"));
    });
    expect(plan.format).toBe("flowbook.flinkplan/v1");
    expect(plan.jobName).toBe("test");
    expect(plan.runtimeMode).toBe("BATCH");
    expect(kinds(plan)).toEqual(["source:text", "usercode", "combine", "usercode", "sink:text"]);
    const [read, extract, count, format, write] = plan.operators as [FlinkOperator, FlinkOperator, FlinkOperator, FlinkOperator, FlinkOperator];
    expect(read.name).toBe("ReadLines");
    expect(read.payload).toEqual({ filePatterns: ["/data/*.txt"], emptyMatch: "disallow" });
    // ExtractWords, Count.perElement's Init and the pre-count run in one Node round trip:
    // one record per distinct word leaves Node, not one per word.
    expect(extract.transforms).toEqual(["CountWords/ExtractWords", "CountWords/Count.PerElement/Init", "CountWords/Count.PerElement/Combine.perKey"]);
    expect(extract.name).toBe("CountWords/ExtractWords + CountWords/Count.PerElement/Init + CountWords/Count.PerElement/Combine.perKey");
    expect(extract.inputs).toEqual([{ from: read.id, ship: "forward" }]);
    expect(plan.stages[(extract.payload as { stage: string }).stage]!.ops.map((o) => o.kind)).toEqual(["pardo", "pardo", "precombine"]);
    // Count is lifted and merged natively: the partial counts (varints) are summed per string key.
    expect(count.name).toBe("CountWords/Count.PerElement/Combine.perKey");
    expect(count.inputs).toEqual([{ from: extract.id, ship: "hash", output: "main" }].map(({ output: _o, ...i }) => i));
    expect(count.payload).toMatchObject({
      mode: "native", fn: "sum", keyed: true,
      keyCoder: { urn: "beam:coder:string_utf8:v1" }, inputCoder: { urn: "beam:coder:varint:v1" },
      windowing: { windowFn: { type: "global" } },
    });
    expect(format.transforms).toEqual(["Format"]);
    expect(format.inputs[0]).toEqual({ from: count.id, ship: "forward" });
    expect(write.payload).toMatchObject({ prefix: "/out/wordcounts", suffix: "", numShards: 0, compression: "none" });
    expect(write.outputs).toEqual([]);
    // Which operators run user code: exactly the usercode ones, each with a stage.
    for (const op of plan.operators) {
      if (op.kind === "usercode") expect(plan.stages[(op.payload as { stage: string }).stage]).toBeDefined();
    }
    expectTopological(plan);
  });

  it("the registry has one translator per kind", () => {
    expect([...TRANSLATORS.keys()].sort()).toEqual([
      "beam:transform:combine_grouped_values:v1", "beam:transform:combine_per_key:v1", "beam:transform:flatten:v1",
      "beam:transform:group_by_key:v1", "beam:transform:pardo:v1", "beam:transform:teststream:v1", "beam:transform:window_into:v1",
      "flowbook:transform:avroio_read:v1", "flowbook:transform:avroio_write:v1", "flowbook:transform:console_write:v1", "flowbook:transform:create:v1", "flowbook:transform:generate_sequence:v1",
      "flowbook:transform:textio_read:v1", "flowbook:transform:textio_write:v1",
    ]);
    for (const t of TRANSLATORS.values()) {
      expect(t.becomes).toMatch(/\w/);
      // A TS translator names the Java class that runs what it produces.
      expect(t.javaClass).toMatch(/^dev\.flowbook\.flink\.[\w.]+\.[A-Z]\w+$/);
      expect(existsSync(join(BRIDGE_SOURCES, ...t.javaClass.split(".")) + ".java"), t.javaClass).toBe(true);
    }
  });

  it("Create: a bounded source of whole records, small inputs at small parallelism", () => {
    const { plan } = planOf((p) => {
      p.apply("Nums", Create.of(1, 2, 3)).apply("Twice", MapElements.via((x: number) => 2 * x));
    });
    const create = byName(plan, "Nums");
    expect(create.kind).toBe("source:create");
    expect(create.parallelism).toBe(1);
    const els = (create.payload as { elements: string[] }).elements.map((b) => Buffer.from(b, "base64").toString("hex"));
    // TIMESTAMP_MIN, one (global) window, NO_FIRING, varint 1
    expect(els[0]).toBe("7fdf3b645a1cac09" + "00000001" + "0f" + "01");
    // The ParDo after it inherits its parallelism (a forward edge).
    expect(byName(plan, "Twice").parallelism).toBe(1);
  });

  it("ParDo chains and trees fuse into one user-code operator; extra outputs are side outputs", () => {
    const { plan } = planOf((p) => {
      const words = p.apply("Read", TextIO.read().from("/in/*.txt"));
      const upper = words.apply("Upper", MapElements.via((s: string) => s.toUpperCase()));
      const long = upper.apply("Long", Filter.by((s: string) => s.length > 3));
      const big = new TupleTag<string>("big");
      const small = new TupleTag<string>("small");
      const split = long.apply("Split", ParDo.of((s: string, c: ProcessContext<string, string>) => (s.length > 5 ? c.output(big, s) : c.output(s))).withOutputTags(small, [big]));
      split.get(small).apply("WriteSmall", TextIO.write().to("/out/small"));
      split.get(big).apply("WriteBig", TextIO.write().to("/out/big"));
      upper.apply("WriteUpper", TextIO.write().to("/out/upper"));
    });
    expect(kinds(plan)).toEqual(["source:text", "usercode", "sink:text", "sink:text", "sink:text"]);
    const fused = byName(plan, "Upper");
    expect(fused.transforms).toEqual(["Upper", "Long", "Split"]);
    expect(fused.outputs).toHaveLength(3);
    const from = (name: string) => byName(plan, name).inputs[0]!;
    expect(new Set([from("WriteSmall").output ?? "main", from("WriteBig").output ?? "main", from("WriteUpper").output ?? "main"]).size).toBe(3);
    for (const n of ["WriteSmall", "WriteBig", "WriteUpper"]) expect(from(n).from).toBe(fused.id);
    const stage = plan.stages[(fused.payload as { stage: string }).stage]!;
    expect(stage.ops.map((o) => o.kind)).toEqual(["pardo", "pardo", "pardo"]);
    expect(stage.outputs).toHaveLength(3);
  });

  it("side inputs are broadcast inputs; a side input computed from the stage's own output starts a new stage", () => {
    const { plan } = planOf((p) => {
      const nums = p.apply("Nums", Create.of(1, 2, 3));
      const factor = p.apply("Factor", Create.of(10)).apply(View.asSingleton<number>());
      const scaled = nums.apply("Scale", ParDo.of((n: number, c: ProcessContext<number, number>) => c.output(n * c.sideInput(factor))).withSideInputs(factor));
      const total = scaled.apply(View.asIterable<number>());
      scaled.apply("Share", ParDo.of((n: number, c: ProcessContext<number, string>) => c.output(`${n}/${[...c.sideInput(total)].length}`)).withSideInputs(total));
    });
    const scale = byName(plan, "Scale");
    expect(scale.inputs[1]).toEqual({ from: byName(plan, "Factor").id, ship: "broadcast" });
    expect(scale.payload).toMatchObject({ sideInputs: [{ tag: expect.any(String) }] });
    const share = byName(plan, "Share");
    expect(share.id).not.toBe(scale.id);
    expect(share.inputs.map((i) => i.ship)).toEqual(["forward", "broadcast"]);
    expect(share.inputs.every((i) => i.from === scale.id)).toBe(true);
    expectTopological(plan);
  });

  it("GroupByKey: keyBy on the encoded key; keys Java cannot walk travel length-prefixed", () => {
    const { plan } = planOf((p) => {
      p.apply("KVs", Create.of(KV.of("a", 1), KV.of("b", 2))).apply("Group", GroupByKey.create<string, number>());
      p.apply("Objs", Create.of(1, 2))
        .apply("Key", MapElements.via((n: number) => KV.of({ n }, n)))
        .apply("GroupObjs", GroupByKey.create<{ n: number }, number>());
    });
    const g = byName(plan, "Group");
    expect(g.kind).toBe("group_by_key");
    expect(g.inputs[0]!.ship).toBe("hash");
    expect(g.payload).toEqual({ keyCoder: { urn: "beam:coder:string_utf8:v1" }, windowing: { windowFn: { type: "global" } } });
    const go = byName(plan, "GroupObjs");
    expect((go.payload as { keyCoder: unknown }).keyCoder).toEqual({ urn: "beam:coder:length_prefix:v1", components: [{ urn: "flowbook:coder:general:v1" }] });
    // The worker producing the KVs is told to check they are KVs (its coder does not say so).
    const stage = plan.stages[(byName(plan, "Key").payload as { stage: string }).stage]!;
    expect(Object.values(stage.outputChecks ?? {})).toEqual([{ kind: "kv", transform: "GroupObjs" }]);
  });

  it("a native count after a source counts in Java alone", () => {
    const { plan } = planOf((p) => {
      p.apply("Words", Create.of("a", "b", "a")).apply("Count", Count.perElement());
    });
    // Init is user code (a ParDo) so it pre-counts in Node; a Count.perKey straight after a source does not.
    const { plan: direct } = planOf((p) => {
      p.apply("KVs", Create.of(KV.of("a", 1), KV.of("b", 2))).apply("CountKeys", Count.perKey<string, number>());
    });
    expect(byName(plan, "Count/Combine.perKey").payload).toMatchObject({ mode: "native", fn: "sum" });
    expect(kinds(direct)).toEqual(["source:create", "combine"]);
    expect(byName(direct, "CountKeys").payload).toMatchObject({ mode: "native", fn: "count", inputCoder: { urn: "beam:coder:varint:v1" } });
  });

  it("Combine.perKey: native for known combiners over known coders, user code otherwise, lifted either way", () => {
    const { plan } = planOf((p) => {
      const kvs = p.apply("KVs", Create.of(KV.of("a", 1), KV.of("b", 2)));
      kvs.apply("Sum", Sum.integersPerKey<string>());
      kvs.apply("Mean", Mean.perKey<string>());
      kvs.apply("Avg", Combine.perKey(new AverageFn())).apply("Show", MapElements.via((kv: KV<string, number>) => `${kv.key}=${kv.value}`));
    });
    const sum = byName(plan, "Sum");
    expect(sum.kind).toBe("combine");
    expect(sum.payload).toMatchObject({ mode: "native", fn: "sum", inputCoder: { urn: "beam:coder:varint:v1" } });
    expect(byName(plan, "Mean").payload).toMatchObject({ mode: "native", fn: "mean" });
    // User code: pre-combine (in a stage reading the Create) → group_by_key of accumulators → merge, with Show fused after it.
    const avgOps = plan.operators.filter((o) => o.transforms.includes("Avg"));
    expect(avgOps.map((o) => o.kind)).toEqual(["usercode", "group_by_key", "usercode"]);
    const [pre, shuffle, merge] = avgOps as [FlinkOperator, FlinkOperator, FlinkOperator];
    expect(shuffle.inputs).toEqual([{ from: pre.id, ship: "hash" }]);
    expect(merge.transforms).toEqual(["Avg", "Show"]);
    expect(plan.stages[(pre.payload as { stage: string }).stage]!.ops.map((o) => o.kind)).toEqual(["precombine"]);
    expect(plan.stages[(merge.payload as { stage: string }).stage]!.ops.map((o) => o.kind)).toEqual(["combine_merge", "pardo"]);
  });

  it("a pre-combine joins the user-code stage that produces its input", () => {
    const { plan } = planOf((p) => {
      p.apply("Words", Create.of("a", "b"))
        .apply("Key", MapElements.via((w: string) => KV.of(w, w.length)))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), StringUtf8Coder.of()) as never)
        .apply("Avg", Combine.perKey(new AverageFn()));
    });
    expect(kinds(plan)).toEqual(["source:create", "usercode", "group_by_key", "usercode"]);
    expect(plan.operators[1]!.transforms).toEqual(["Key", "Avg"]);
  });

  it("windows: native assignment after a source, fused after user code; sessions are not lifted", () => {
    const { plan } = planOf((p) => {
      const events = p.apply("Events", Create.of(KV.of("a", 1)));
      events.apply("Fixed", Window.into(FixedWindows.of(Duration.seconds(10)))).apply("CountFixed", Count.perKey());
      events.apply("Touch", MapElements.via((kv: KV<string, number>) => kv))
        .apply("Sessions", Window.into(Sessions.withGapDuration(Duration.seconds(5))))
        .apply("SumSessions", Sum.integersPerKey<string>());
    });
    const fixed = byName(plan, "Fixed");
    expect(fixed.kind).toBe("window:assign");
    expect(fixed.payload).toEqual({ windowing: { windowFn: { type: "global" } }, windowFn: { type: "fixed", sizeMs: 10000, offsetMs: 0 } });
    expect(byName(plan, "CountFixed").payload).toMatchObject({ mode: "native", windowing: { windowFn: { type: "fixed", sizeMs: 10000, offsetMs: 0 } } });
    const touch = byName(plan, "Touch");
    expect(touch.transforms).toEqual(["Touch", "Sessions"]);
    const sums = plan.operators.filter((o) => o.transforms.some((t) => t.startsWith("SumSessions")));
    expect(sums.map((o) => o.kind)).toEqual(["group_by_key", "usercode"]);
    expect(sums[0]!.payload).toMatchObject({ windowing: { windowFn: { type: "sessions", gapMs: 5000 } } });
    expect(sums[1]!.transforms).toEqual(["SumSessions/Combine.GroupedValues"]);
  });

  it("closing and on-time behaviours go in the grouping's windowing only when not Beam's defaults", () => {
    const { plan } = planOf((p) => {
      const kvs = p.apply(Create.of(KV.of("a", 1)));
      kvs.apply("Always", Window.into<KV<string, number>>(FixedWindows.of(Duration.seconds(10))).withAllowedLateness(Duration.seconds(5), ClosingBehavior.FIRE_ALWAYS))
        .apply("GroupAlways", GroupByKey.create<string, number>());
      kvs.apply("IfNonEmpty", Window.into<KV<string, number>>(FixedWindows.of(Duration.seconds(10))).withOnTimeBehavior(OnTimeBehavior.FIRE_IF_NON_EMPTY))
        .apply("GroupIfNonEmpty", GroupByKey.create<string, number>());
      kvs.apply("Defaults", Window.into<KV<string, number>>(FixedWindows.of(Duration.seconds(10))).withAllowedLateness(Duration.seconds(5), ClosingBehavior.FIRE_IF_NON_EMPTY).withOnTimeBehavior(OnTimeBehavior.FIRE_ALWAYS))
        .apply("GroupDefaults", GroupByKey.create<string, number>());
    });
    const fixed = { type: "fixed", sizeMs: 10000, offsetMs: 0 };
    expect(byName(plan, "GroupAlways").payload).toMatchObject({
      windowing: { windowFn: fixed, trigger: { kind: "default" }, allowedLatenessMs: 5000, accumulationMode: "DISCARDING", closingBehavior: "FIRE_ALWAYS" },
    });
    expect((byName(plan, "GroupAlways").payload as { windowing: object }).windowing).not.toHaveProperty("onTimeBehavior");
    expect((byName(plan, "GroupIfNonEmpty").payload as { windowing: object }).windowing).toEqual({ windowFn: fixed, onTimeBehavior: "FIRE_IF_NON_EMPTY" });
    const defaults = (byName(plan, "GroupDefaults").payload as { windowing: object }).windowing;
    expect(defaults).not.toHaveProperty("closingBehavior");
    expect(defaults).not.toHaveProperty("onTimeBehavior");
  });

  it("Flatten is a union; an input with another coder is re-encoded first", () => {
    const { plan } = planOf((p) => {
      const a = p.apply("A", Create.of("x"));
      const b = p.apply("B", Create.of("y")).apply("Same", MapElements.via((s: string) => s));
      PCollectionList.of(a).and(b).apply("Both", Flatten.pCollections());
    });
    const both = byName(plan, "Both");
    expect(both.kind).toBe("flatten");
    expect(both.inputs).toHaveLength(2);
    // A (StringUtf8) is the output's coder; Same (general) is recoded in its own stage.
    const same = byName(plan, "Same");
    expect(same.transforms).toEqual(["Same", "Both"]);
    expect(plan.stages[(same.payload as { stage: string }).stage]!.ops.map((o) => o.kind)).toEqual(["pardo", "recode"]);
  });

  it("CoGroupByKey: tagged union ParDos, a flatten and a group_by_key", () => {
    const { plan } = planOf((p) => {
      const e = p.apply("Emails", Create.of(KV.of("amy", "a@x")));
      const ph = p.apply("Phones", Create.of(KV.of("amy", "111")));
      KeyedPCollectionTuple.of(new TupleTag<string>("e"), e).and(new TupleTag<string>("p"), ph).apply("Join", CoGroupByKey.create<string>());
    });
    expect(kinds(plan)).toEqual(["source:create", "source:create", "usercode", "usercode", "flatten", "group_by_key", "usercode"]);
    expect(byName(plan, "Join/GBK").payload).toMatchObject({ keyCoder: { urn: "beam:coder:string_utf8:v1" } });
    expectTopological(plan);
  });

  it("AvroIO: source:avro and sink:avro, the elements re-encoded with the write's AvroCoder in the stage before the sink", () => {
    const schema = { type: "record", name: "U", fields: [{ name: "n", type: "string" }] } as const;
    const { plan } = planOf((p) => {
      p.apply("ReadUsers", AvroIO.read(schema).from("/in/*.avro"))
        .apply("Rename", MapElements.via((u: { n: string }) => ({ n: u.n + "!" })))
        .apply("WriteUsers", AvroIO.write(schema).to("/out/users").withNumShards(3).withCodec("null"));
    });
    expect(plan.operators.map((o) => `${o.kind}${o.parallelism ? `×${o.parallelism}` : ""}`)).toEqual(["source:avro", "usercode×2", "sink:avro×3"]);
    const [read, stage, write] = plan.operators;
    expect(read!.payload).toEqual({ filePatterns: ["/in/*.avro"], emptyMatch: "disallow", schema });
    // Rename's plain objects become AvroCoder records in Rename's own worker (one Node round trip).
    const ops = plan.stages[(stage!.payload as { stage: string }).stage]!.ops;
    expect(ops.map((o) => o.kind)).toEqual(["pardo", "recode"]);
    expect(write!.inputs).toEqual([{ from: stage!.id, ship: "forward" }]);
    expect(write!.payload).toMatchObject({
      prefix: "/out/users", suffix: "", numShards: 3, shardTemplate: "-SSSSS-of-NNNNN", schema, codec: "null", deflateLevel: 6,
      windowing: { windowFn: { type: "global" } },
    });
    expectTopological(plan);

    // Records that already are AvroCoder records of the schema go to the sink as they are.
    const direct = planOf((p) => {
      p.apply("ReadUsers", AvroIO.read(schema).from("/in/*.avro")).apply("WriteUsers", AvroIO.write(schema).to("/out/users"));
    }).plan;
    expect(kinds(direct)).toEqual(["source:avro", "sink:avro"]);
    expect(direct.operators[1]!.payload).toMatchObject({ numShards: 0, codec: "deflate" });
  });

  it("collect: a collect operator of parallelism 1 per sampled PCollection", () => {
    let pc: PCollection<number> | undefined;
    const t = planOf(
      (p) => {
        pc = p.apply("Nums", Create.of(1, 2)).apply("Inc", MapElements.via((x: number) => x + 1));
      },
      () => ({ [(pc as unknown as { id: string }).id]: 10 }),
    );
    const id = (pc as unknown as { id: string }).id;
    const op = t.plan.operators.find((o) => o.id === t.collectOperators[id])!;
    expect(op).toMatchObject({ kind: "collect", parallelism: 1, payload: { limit: 10 } });
    expect(op.inputs[0]).toMatchObject({ from: byName(t.plan, "Inc").id, ship: "rebalance" });
  });

  it("refuses what it cannot translate faithfully, naming the transform and what is missing", () => {
    const refused = (build: (p: Pipeline) => void) => {
      try {
        planOf(build);
      } catch (e) {
        expect(e).toBeInstanceOf(FlinkTranslationError);
        return (e as Error).message;
      }
      throw new Error("not refused");
    };
    expect(refused((p) => p.apply(Create.of("a")).apply("WithHeader", TextIO.write().to("/out/x").withHeader("h"))))
      .toMatch(/cannot translate 'WithHeader'.*header/);
    expect(refused((p) => p.apply(Create.of(1)).apply("Nums", TextIO.write().to("/out/n"))))
      .toMatch(/cannot translate 'Nums'.*writes strings.*varint/);
    expect(refused((p) => p.apply("Zz", TextIO.read().from("/in/*.zz"))))
      .toMatch(/cannot translate 'Zz'.*\.zz/);
    // A trigger firing more than one pane per window over bounded input: the local runner
    // honours it, the bridge's batch grouping would not, so it is refused rather than different.
    const early = (p: Pipeline) =>
      p.apply(Create.of(KV.of("a", 1)))
        .apply(Window.into<KV<string, number>>(FixedWindows.of(Duration.seconds(10))).triggering(AfterWatermark.pastEndOfWindow().withEarlyFirings(AfterPane.elementCountAtLeast(2))))
        .apply("Early", GroupByKey.create<string, number>());
    expect(refused(early)).toMatch(/cannot translate 'Early'.*fires each window once.*AfterPane\.elementCountAtLeast\(2\)/);
    // Once per window (the default, AfterWatermark alone) translates.
    planOf((p) => p.apply(Create.of(KV.of("a", 1))).apply(Window.into<KV<string, number>>(FixedWindows.of(Duration.seconds(10))).triggering(AfterWatermark.pastEndOfWindow())).apply(GroupByKey.create<string, number>()));
  });
});
