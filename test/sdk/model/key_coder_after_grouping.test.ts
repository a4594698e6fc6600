/**
 * Issue 12, point 2: a key coder set on a PCollection *after* a GroupByKey (or Combine.perKey,
 * CoGroupByKey) was applied to it must meet the same deterministic-key check as one set before:
 * refused by setCoder, naming the grouping transform and the coder, and again at run() over
 * the whole graph (a graph read back from JSON with a non-deterministic key coder).
 */
import { describe, expect, it } from "vitest";
import {
  CoGroupByKey, Combine, Create, GroupByKey, JsonCoder, KV, KeyedPCollectionTuple, KvCoder, Pipeline, StringUtf8Coder,
  Sum, TransformApplicationError, VarLongCoder,
} from "../../../src/index.js";
import type { PipelineGraph } from "../../../src/graph/types.js";
import { lineFinder, thrown } from "../../support/runs.js";

const lineOf = lineFinder(import.meta.url);

const objectKeys = () => [KV.of({ a: 1, b: 2 }, 1), KV.of({ b: 2, a: 1 }, 2)];

describe("setCoder after a grouping transform was applied", () => {
  it("refuses a non-deterministic key coder, naming the GroupByKey, where it was applied, and the coder", () => {
    const p = Pipeline.create({ inProcess: true });
    const kvs = p.apply("Objects", Create.of(...objectKeys()));
    kvs.apply("GroupThem", GroupByKey.create()); // GROUPED-HERE
    const err = thrown(() => kvs.setCoder(KvCoder.of(JsonCoder.of(), VarLongCoder.of()) as never));
    expect(err).toBeInstanceOf(TransformApplicationError);
    expect(err.message).toContain("setCoder(KvCoder(JsonCoder, VarLongCoder)) on Objects.out");
    expect(err.message).toContain("GroupThem");
    expect(err.message).toContain(`key_coder_after_grouping.test.ts:${lineOf("GROUPED-HERE")}`);
    expect(err.message).toMatch(/JsonCoder is not deterministic/);
    // Refused: the coder did not change, and the pipeline groups the two equal keys as one.
    expect(String(kvs.getCoder())).toBe("KvCoder(GeneralObjectCoder, VarLongCoder)");
  });

  it("a deterministic key coder set afterwards is accepted", () => {
    const p = Pipeline.create({ inProcess: true });
    const kvs = p.apply("Strings", Create.of(KV.of("a", 1)));
    kvs.apply(GroupByKey.create());
    expect(() => kvs.setCoder(KvCoder.of(StringUtf8Coder.of(), VarLongCoder.of()) as never)).not.toThrow();
  });

  it("refuses it for Combine.perKey (named as the user applied it) and CoGroupByKey", () => {
    const p = Pipeline.create({ inProcess: true });
    const kvs = p.apply("Objects", Create.of(...objectKeys()));
    kvs.apply("Total", Sum.integersPerKey());
    expect(thrown(() => kvs.setCoder(KvCoder.of(JsonCoder.of(), VarLongCoder.of()) as never)).message).toMatch(/'Total'.*groups Objects\.out by key/);

    const q = Pipeline.create({ inProcess: true });
    const left = q.apply("Left", Create.of(...objectKeys()));
    const right = q.apply("Right", Create.of(KV.of({ a: 1, b: 2 }, "x")));
    KeyedPCollectionTuple.of("l", left).and("r", right).apply("Join", CoGroupByKey.create());
    expect(thrown(() => right.setCoder(KvCoder.of(JsonCoder.of(), StringUtf8Coder.of()) as never)).message).toMatch(/'Join'.*groups Right\.out by key/);
    const r2 = q.apply("Other", Create.of(KV.of({ a: 1 }, 3)));
    r2.apply("Combined", Combine.perKey((xs: number[]) => xs.reduce((a, b) => a + b, 0)));
    expect(() => r2.setCoder(KvCoder.of(JsonCoder.of(), VarLongCoder.of()) as never)).toThrow(/'Combined'/);
  });

  it("run() checks the whole graph: a graph with a non-deterministic key coder under a GroupByKey is refused, naming it", async () => {
    const p = Pipeline.create({ inProcess: true });
    p.apply("Objects", Create.of(...objectKeys())).apply("GroupThem", GroupByKey.create());
    const g = JSON.parse(JSON.stringify(p.toJSON())) as PipelineGraph;
    const gbk = Object.values(g.transforms).find((t) => t.fullName === "GroupThem")!;
    const input = g.pcollections[gbk.inputs.main!]!;
    input.coder = KvCoder.of(JsonCoder.of(), VarLongCoder.of()).toSpec();
    const q = Pipeline.fromJSON(g, { inProcess: true });
    const err = thrown(() => q.run());
    expect(err).toBeInstanceOf(TransformApplicationError);
    expect(err.message).toMatch(/^GroupThem cannot group Objects\.out: its key coder JsonCoder is not deterministic/);
  });

  it("before the fix the two equal keys came out as two groups; now they are one (the inferred coder)", async () => {
    const p = Pipeline.create({ inProcess: true });
    const kvs = p.apply("Objects", Create.of(...objectKeys()));
    const grouped = kvs.apply("GroupThem", GroupByKey.create());
    try {
      kvs.setCoder(KvCoder.of(JsonCoder.of(), VarLongCoder.of()) as never);
    } catch {
      /* refused */
    }
    const { collect } = await import("../../../src/index.js");
    const out = await collect(grouped);
    expect(out).toHaveLength(1);
  });
});
