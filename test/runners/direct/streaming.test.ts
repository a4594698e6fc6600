/**
 * Unbounded pipelines on the local runner (issue 14, points 1–2): an unbounded read runs
 * until its source ends or until cancel(); processing-time triggers fire on the real clock;
 * TestStream's builder refuses what Beam's refuses, and its graph payload is the contract
 * the Flink runner builds its source from. The pane-by-pane semantics are the conformance
 * cases (test/conformance/cases/streaming.ts).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  AfterProcessingTime, Count, Duration, FixedWindows, GenerateSequence, GroupByKey, KV, MapElements, Metrics, PAssert, ParDo, Pipeline, Repeatedly,
  StringUtf8Coder, Sum, TestStream, TextIO, TimestampedValue, Window, WithKeys, type ProcessContext,
} from "../../../src/index.js";
import { TIMESTAMP_MAX, TIMESTAMP_MIN } from "../../../src/sdk/values/time.js";
import type { TestStreamPayload } from "../../../src/sdk/testing/test_stream.js";
import { resolveRunner } from "../../../src/sdk/runner.js";
import { ancestorsGraph } from "../../../src/graph/subgraph.js";

describe("unbounded pipelines on the local runner", () => {
  it("an unbounded read that ends (withMaxReadTime) runs to its end: every number, grouped in event-time windows with one ON_TIME pane each", async () => {
    const p = Pipeline.create({ runner: "direct" });
    const numbers = p.apply(GenerateSequence.from(0).withRate(100, Duration.seconds(1)).withMaxReadTime(Duration.seconds(1)));
    expect(numbers.isBounded).toBe(false);
    const panes = numbers
      .apply(Window.into<number>(FixedWindows.of(Duration.millis(200))))
      .apply(WithKeys.of<string, number>("k"))
      .apply(GroupByKey.create<string, number>())
      .apply(ParDo.of((kv: KV<string, Iterable<number>>, c: ProcessContext<KV<string, Iterable<number>>, string>) =>
        c.output(`${c.pane().timing} ${[...kv.value].join(",")}`)));
    PAssert.that(panes).satisfies((all) => {
      expect(all.every((s) => s.startsWith("ON_TIME "))).toBe(true);
      const got = all.flatMap((s) => s.slice("ON_TIME ".length).split(",").map(Number)).sort((a, b) => a - b);
      expect(got).toEqual(Array.from({ length: 100 }, (_, i) => i));
    });
    PAssert.that(numbers.apply(Window.into<number>(FixedWindows.of(Duration.seconds(10)))).apply(Sum.integersGlobally().withoutDefaults())).satisfies((sums) => {
      expect(sums.reduce((a, b) => a + b, 0)).toBe((99 * 100) / 2);
    });
    const r = p.run();
    expect(await r.waitUntilFinish()).toBe("DONE");
  });

  it("an unbounded read without an end runs until cancel(), which stops it", async () => {
    const p = Pipeline.create({ runner: "direct" });
    p.apply(GenerateSequence.from(0).withRate(50, Duration.seconds(1)))
      .apply(ParDo.of((n: number, c: ProcessContext<number, number>) => {
        Metrics.counter("test", "seen").inc();
        c.output(n);
      }));
    const r = p.run();
    // It produces while it runs (counts come in with each finished task).
    for (let i = 0; i < 400 && r.metrics().counter("seen", "test") < 5; i++) await new Promise((res) => setTimeout(res, 50));
    expect(r.state).toBe("RUNNING");
    expect(r.metrics().counter("seen", "test")).toBeGreaterThanOrEqual(5);
    expect(await r.cancel()).toBe("CANCELLED");
    expect(await r.waitUntilFinish()).toBe("CANCELLED");
    const seen = r.metrics().counter("seen", "test");
    await new Promise((res) => setTimeout(res, 300));
    // Nothing runs after the cancel.
    expect(r.metrics().counter("seen", "test")).toBe(seen);
  });

  it("a processing-time trigger fires on the real clock while an unbounded source produces: several EARLY panes, no element lost", async () => {
    const p = Pipeline.create({ runner: "direct" });
    const counts = p
      .apply(GenerateSequence.from(0).withRate(40, Duration.seconds(1)).withMaxReadTime(Duration.seconds(2)))
      .apply(Window.configure<number>()
        .triggering(Repeatedly.forever(AfterProcessingTime.pastFirstElementInPane().plusDelayOf(Duration.millis(300))))
        .discardingFiredPanes()
        .withAllowedLateness(0))
      .apply(MapElements.via((n: number) => KV.of("k", n)))
      .apply(Count.perKey<string, number>())
      .apply(ParDo.of((kv: KV<string, number>, c: ProcessContext<KV<string, number>, string>) => c.output(`${c.pane().timing} ${kv.value}`)));
    PAssert.that(counts).satisfies((panes) => {
      const early = panes.filter((s) => s.startsWith("EARLY "));
      expect(early.length).toBeGreaterThanOrEqual(2);
      expect(panes.reduce((sum, s) => sum + Number(s.split(" ")[1]), 0)).toBe(80);
    });
    expect(await p.run().waitUntilFinish()).toBe("DONE");
  });
});

describe("TestStream", () => {
  const s = () => TestStream.create(StringUtf8Coder.of());

  it("refuses a watermark that does not advance, a processing-time advance that is not positive, an element at +∞ and a stream not ended", () => {
    expect(() => s().advanceWatermarkTo(10).advanceWatermarkTo(10)).toThrow(/the watermark must advance, and it is already at 10/);
    expect(() => s().advanceWatermarkTo(TIMESTAMP_MAX)).toThrow(/advanceWatermarkToInfinity/);
    expect(() => s().advanceProcessingTime(0)).toThrow(/positive amount/);
    expect(() => s().addElements(TimestampedValue.of("x", TIMESTAMP_MAX))).toThrow(/before TIMESTAMP_MAX/);
    expect(() => s().addElements()).toThrow(/at least one element/);
    expect(() => s().advanceWatermarkToInfinity().addElements("x")).toThrow(/already ended/);
    const p = Pipeline.create();
    expect(() => p.apply(s().addElements("x"))).toThrow(/advanceWatermarkToInfinity\(\) before applying it/);
  });

  it("is an unbounded source in the global window; its payload is the coder and the events, elements base64 in the coder's encoding", () => {
    const p = Pipeline.create();
    const out = p.apply(s().addElements("a", TimestampedValue.of("b", 5)).advanceWatermarkTo(10).addElements("c").advanceProcessingTime(Duration.seconds(2)).advanceWatermarkToInfinity());
    expect(out.isBounded).toBe(false);
    const graph = p.toJSON();
    const node = Object.values(graph.transforms).find((t) => t.urn === "beam:transform:teststream:v1")!;
    const payload = node.payload as TestStreamPayload;
    const enc = (v: string) => Buffer.from(StringUtf8Coder.of().encodeToBytes(v)).toString("base64");
    expect(payload).toEqual({
      coder: StringUtf8Coder.of().toSpec(),
      events: [
        // A plain value is stamped with the watermark then: −∞ before any advance, as Beam's.
        { kind: "elements", elements: [{ value: enc("a"), timestamp: TIMESTAMP_MIN }, { value: enc("b"), timestamp: 5 }] },
        { kind: "watermark", to: 10 },
        { kind: "elements", elements: [{ value: enc("c"), timestamp: 10 }] },
        { kind: "processing_time", advanceMillis: 2000 },
        { kind: "watermark", to: TIMESTAMP_MAX },
      ],
    });
    expect(graph.windowingStrategies[graph.pcollections[out.id]!.windowingStrategy]!.windowFn.urn).toContain("global");
  });
});

describe("samples of unbounded PCollections on the local runner", () => {
  it("collect(n) of an unbounded read ends once it has n elements, before or behind a grouping: the sources end and the run drains", async () => {
    const p = Pipeline.create({ runner: "direct" });
    const numbers = p.apply(GenerateSequence.from(0).withRate(100, Duration.seconds(1)));
    const grouped = numbers
      .apply(Window.into<number>(FixedWindows.of(Duration.millis(100))))
      .apply(WithKeys.of<string, number>("k"))
      .apply(GroupByKey.create<string, number>());
    for (const [pc, n] of [[numbers, 5], [grouped, 2]] as const) {
      const graph = p.toJSON();
      const id = p.currentPCollectionId(pc.id);
      const r = resolveRunner("direct").run({ graph: ancestorsGraph(graph, [id]), options: {}, collect: { [id]: n } });
      expect(await r.waitUntilFinish()).toBe("DONE");
      const sample = r.collected(id)!;
      // At least n: each task keeps up to n, and the tasks that ran before the stage had enough add theirs.
      expect(sample.elements.length).toBeGreaterThanOrEqual(n);
      expect(sample.truncated).toBe(true);
    }
  });
});

describe("sinks over unbounded input on the local runner", () => {
  for (const shards of [2, 0]) {
    it(`TextIO.write over a TestStream (${shards ? `${shards} fixed shards, each read whole at +∞` : "a file per bundle"}) commits every line at the end of the run`, async () => {
      const dir = mkdtempSync(join(tmpdir(), "flowbook-stream-sink-"));
      try {
        const p = Pipeline.create({ runner: "direct" });
        const write = TextIO.write().to(join(dir, "out"));
        p.apply(TestStream.create(StringUtf8Coder.of()).addElements("a", "b").advanceWatermarkTo(10).addElements("c").advanceWatermarkToInfinity())
          .apply(shards ? write.withNumShards(shards) : write);
        expect(await p.run().waitUntilFinish()).toBe("DONE");
        const files = readdirSync(dir);
        if (shards) expect(files.sort()).toEqual(["out-00000-of-00002", "out-00001-of-00002"]);
        const lines = files.flatMap((f) => readFileSync(join(dir, f), "utf8").split("\n").filter(Boolean));
        expect(lines.sort()).toEqual(["a", "b", "c"]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});

describe("progress of an unbounded run on the local runner", () => {
  it("counts every element of every bundle once, each stage's finished tasks folded into one sum", async () => {
    const p = Pipeline.create({ runner: "direct" });
    let s = TestStream.create(StringUtf8Coder.of());
    for (let i = 0; i < 30; i++) s = s.addElements(`e${i}`, `f${i}`).advanceWatermarkTo(i * 1000 + 1);
    p.apply(s.advanceWatermarkToInfinity()).apply("Upper", MapElements.via((x: string) => x.toUpperCase()));
    const r = p.run();
    const events: Array<{ kind: string; transforms?: Array<{ transform: string; elementsIn?: number }> }> = [];
    r.onEvent!((e) => events.push(e as never));
    expect(await r.waitUntilFinish()).toBe("DONE");
    const last = events.filter((e) => e.kind === "progress").at(-1)!;
    expect(last.transforms!.find((t) => t.transform === "Upper")!.elementsIn).toBe(60);
  });
});
