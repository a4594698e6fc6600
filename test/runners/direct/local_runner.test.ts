/**
 * The local runner's own behaviour: its checks (encodability, immutability) on by default
 * and off by option, combiner lifting, the in-process mode, custom coders, user errors that
 * point at the user's code, and TextIO through it (globs, gzip, shards, failure cleanup).
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { gzipSync } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import {
  ByteReader, ByteWriter, Coder, Combine, CombineFn, Create, DoFn, Duration, GroupByKey, JsonCoder, KV, MapElements, Metrics,
  PAssert, PCollection, PTransform, ParDo, Pipeline, Sessions, StringUtf8Coder, TestPipeline, TextIO, Window, WithTimestamps,
  type PipelineResult, type ProcessContext,
} from "../../../src/index.js";
import { allCases } from "../../conformance/cases/index.js";
import { runCase } from "../../conformance/harness.js";

import { listFiles, tempDir, writeFiles } from "../../support/files.js";
import { failure } from "../../support/runs.js";

function lines(dir: string, files: string[]): string[] {
  return files.flatMap((f) => readFileSync(path.join(dir, f), "utf8").split("\n").filter((l) => l !== ""));
}

class Point {
  constructor(readonly x: number) {}
  get double() {
    return this.x * 2;
  }
}

describe("the local runner's checks", () => {
  const makePoints = (p: Pipeline) =>
    p.apply(Create.of(1, 2)).apply("MakePoints", MapElements.via((n: number) => new Point(n))).apply("Double", MapElements.via((pt: Point) => pt.double));
  const mutate = (p: Pipeline) =>
    p.apply(Create.of({ n: 1 })).apply("Mutate", MapElements.via((o: { n: number }) => {
      o.n += 1;
      return o.n;
    }));

  it("are on by default in Pipeline.create(): an unencodable output and a mutated input both fail, naming the option", async () => {
    const e1 = await failure((() => {
      const p = Pipeline.create({ parallelism: 2 });
      makePoints(p);
      return p.run();
    })());
    expect(e1.message).toMatch(/MakePoints[\s\S]*the output MakePoints\.out cannot be encoded with GeneralObjectCoder[\s\S]*instance of Point[\s\S]*enforceEncodability: false/);
    const e2 = await failure((() => {
      const p = Pipeline.create({ parallelism: 2 });
      mutate(p);
      return p.run();
    })());
    expect(e2.message).toMatch(/Mutate[\s\S]*mutated its input element[\s\S]*enforceImmutability: false/);
  });

  it("are off by option: class instances pass between fused steps, and a mutating DoFn runs", async () => {
    const p = Pipeline.create({ parallelism: 2, enforceEncodability: false, enforceImmutability: false });
    PAssert.that(makePoints(p)).containsInAnyOrder(2, 4);
    PAssert.that(mutate(p)).containsInAnyOrder(2);
    expect(await p.run().waitUntilFinish()).toBe("DONE");
  });

  it("encodability: downstream steps get the decoded copy (JsonCoder turns a Date into text) only while the check is on", async () => {
    const run = async (enforceEncodability: boolean) => {
      const p = Pipeline.create({ inProcess: true, enforceEncodability });
      const typeSeen = p
        .apply(Create.of(0))
        .apply("When", MapElements.via((n: number) => ({ at: new Date(n) })))
        .setCoder(JsonCoder.of() as never)
        .apply("TypeOfAt", MapElements.via((o: { at: unknown }) => (o.at instanceof Date ? "Date" : typeof o.at)));
      PAssert.that(typeSeen).containsInAnyOrder(enforceEncodability ? "string" : "Date");
      return p.run().waitUntilFinish();
    };
    expect(await run(true)).toBe("DONE");
    expect(await run(false)).toBe("DONE");
  });

  it("immutability alone off: the mutating DoFn runs while encodability is still checked", async () => {
    const p = Pipeline.create({ inProcess: true, enforceImmutability: false });
    PAssert.that(mutate(p)).containsInAnyOrder(2);
    expect(await p.run().waitUntilFinish()).toBe("DONE");
    const q = Pipeline.create({ inProcess: true, enforceImmutability: false });
    makePoints(q);
    expect((await failure(q.run())).message).toMatch(/cannot be encoded[\s\S]*enforceEncodability: false/);
  });

  it("encodability alone off: an unencodable element the immutability check meets says which option is involved", async () => {
    const p = Pipeline.create({ inProcess: true, enforceEncodability: false });
    makePoints(p);
    const r = p.run();
    const outcome = await r.waitUntilFinish().then(() => "DONE", (e: Error) => e.message);
    // Either the run works (the check skips what it cannot encode), or its error names the check.
    if (outcome !== "DONE") expect(outcome).toMatch(/enforceImmutability/);
  });
});

/** Counts its calls in metrics: lifting shows as few accumulators, merged after the shuffle. */
class CountingSumFn extends CombineFn<number, number, number> {
  private readonly adds = Metrics.counter("combine", "addInput");
  private readonly creates = Metrics.counter("combine", "createAccumulator");
  private readonly merges = Metrics.counter("combine", "mergeAccumulators");
  private readonly merged = Metrics.distribution("combine", "accumulatorsPerMerge");
  createAccumulator() {
    this.creates.inc();
    return 0;
  }
  addInput(a: number, x: number) {
    this.adds.inc();
    return a + x;
  }
  mergeAccumulators(accs: Iterable<number>) {
    this.merges.inc();
    let s = 0;
    let n = 0;
    for (const a of accs) {
      s += a;
      n++;
    }
    this.merged.update(n);
    return s;
  }
  extractOutput(a: number) {
    return a;
  }
}

describe("combiner lifting", () => {
  const N = 3000;
  const input = () => Array.from({ length: N }, (_, i) => KV.of(`k${i % 3}`, 1));
  const counters = (r: PipelineResult, step: string) => {
    const q = r.metrics().queryMetrics({ namespace: "combine", step });
    const c = (name: string) => q.counters.filter((x) => x.name.name === name).reduce((s, x) => s + x.committed, 0);
    return { adds: c("addInput"), creates: c("createAccumulator"), merges: c("mergeAccumulators"), perMerge: q.distributions[0]?.committed };
  };

  it("Combine.perKey pre-combines before the shuffle and merges accumulators after it", async () => {
    const p = TestPipeline.create({ parallelism: 2 });
    PAssert.that(p.apply(Create.of(...input())).apply("Sum", Combine.perKey(new CountingSumFn()))).containsInAnyOrder(KV.of("k0", 1000), KV.of("k1", 1000), KV.of("k2", 1000));
    const r = p.run();
    await r.waitUntilFinish();
    const m = counters(r, "Sum");
    expect(m.adds).toBe(N);
    // One accumulator per key per input task (Create split in 2), not one per element...
    expect(m.creates).toBeGreaterThanOrEqual(3);
    expect(m.creates).toBeLessThanOrEqual(6);
    // ...merged once per key after the shuffle.
    expect(m.merges).toBe(3);
    expect(m.perMerge!.sum).toBe(m.creates);
  });

  it("without lifting (GroupByKey, then Combine.groupedValues) every value reaches one accumulator and nothing is merged", async () => {
    const p = TestPipeline.create({ parallelism: 2 });
    const grouped = p.apply(Create.of(...input())).apply(GroupByKey.create<string, number>());
    PAssert.that(grouped.apply("Grouped", Combine.groupedValues(new CountingSumFn()))).containsInAnyOrder(KV.of("k0", 1000), KV.of("k1", 1000), KV.of("k2", 1000));
    const r = p.run();
    await r.waitUntilFinish();
    expect(counters(r, "Grouped")).toMatchObject({ adds: N, creates: 3, merges: 0 });
  });

  it("merging windows (sessions) are not lifted: still correct per session", async () => {
    const p = TestPipeline.create({ parallelism: 2 });
    const sessions = p
      .apply(Create.of(KV.of("a", 1), KV.of("a", 2), KV.of("a", 30), KV.of("b", 5)))
      .apply(WithTimestamps.of((kv: KV<string, number>) => kv.value * 1000))
      .apply(Window.into(Sessions.withGapDuration(Duration.seconds(10))));
    PAssert.that(sessions.apply("Sum", Combine.perKey(new CountingSumFn()))).containsInAnyOrder(KV.of("a", 3), KV.of("a", 30), KV.of("b", 5));
    const r = p.run();
    await r.waitUntilFinish();
    expect(counters(r, "Sum")).toMatchObject({ adds: 4, merges: 0 });
  });
});

describe("inProcess: true", () => {
  // Every conformance case again, in this thread (the direct suites run them on worker threads).
  for (const c of allCases) {
    it(c.name, () => runCase(c, { name: "direct-inprocess", options: { runner: "direct", inProcess: true } }));
  }
});

/** Upper-cases on encode and marks what it decodes: shows the runner used it. */
// Encodes upper-cased: a consistent coder (its decoded values encode to the same bytes)
// whose use is visible in the elements that come out of it.
class ShoutingCoder extends Coder<string> {
  readonly urn = "test:coder:shouting:v1";
  encode(value: string, out: ByteWriter) {
    StringUtf8Coder.of().encode(value.toUpperCase(), out);
  }
  decode(input: ByteReader) {
    return StringUtf8Coder.of().decode(input);
  }
}

describe("a Coder subclass written by the user", () => {
  it("is the coder the runner encodes the PCollection with (setCoder)", async () => {
    const p = TestPipeline.create({ parallelism: 2 });
    const words = p.apply(Create.of("a", "b")).apply("Copy", MapElements.via((s: string) => s)).setCoder(new ShoutingCoder());
    PAssert.that(words).containsInAnyOrder("A", "B");
    expect(await p.run().waitUntilFinish()).toBe("DONE");
  });
});

describe("TextIO through the local runner", () => {
  it("reads a glob over directories with plain and gzipped files, writes name-0000i-of-0000N shards", async () => {
    const d = tempDir("flowbook-local-");
    writeFiles(d, {
      "in/2024/a.txt": "alpha\nbeta\n",
      "in/2024/deep/b.txt.gz": gzipSync("gamma\r\ndelta"),
      "in/c.txt": "epsilon",
      "in/skip.csv": "not,read",
    });
    const p = Pipeline.create({ parallelism: 2 });
    p.apply(TextIO.read().from(path.join(d, "in", "**", "*.{txt,txt.gz}")))
      .apply(MapElements.via((s: string) => s.toUpperCase()))
      .apply(TextIO.write().to(path.join(d, "out", "words")).withNumShards(3).withSuffix(".txt"));
    expect(await p.run().waitUntilFinish()).toBe("DONE");
    const files = listFiles(path.join(d, "out"));
    expect(files).toEqual(["words-00000-of-00003.txt", "words-00001-of-00003.txt", "words-00002-of-00003.txt"]);
    expect(lines(path.join(d, "out"), files).sort()).toEqual(["ALPHA", "BETA", "DELTA", "EPSILON", "GAMMA"]);
  });

  it("with one shard per writer, the shard names still count up to the number written", async () => {
    const d = tempDir("flowbook-local-");
    writeFiles(d, { "in.txt": Array.from({ length: 2000 }, (_, i) => `line${i}`).join("\n") });
    const p = Pipeline.create({ parallelism: 2 });
    p.apply(TextIO.read().from(path.join(d, "in.txt"))).apply(TextIO.write().to(path.join(d, "out", "copy")));
    expect(await p.run().waitUntilFinish()).toBe("DONE");
    const files = listFiles(path.join(d, "out"));
    const n = files.length;
    expect(n).toBeGreaterThanOrEqual(1);
    expect(files).toEqual(Array.from({ length: n }, (_, i) => `copy-${String(i).padStart(5, "0")}-of-${String(n).padStart(5, "0")}`));
    expect(lines(path.join(d, "out"), files)).toHaveLength(2000);
  });

  it("a run that fails after the writers of an earlier stage finished leaves no output files and no temporary files", async () => {
    const d = tempDir("flowbook-local-");
    writeFiles(d, { "in/a.txt": Array.from({ length: 3000 }, (_, i) => `w${i % 50}`).join("\n") });
    const p = Pipeline.create({ parallelism: 2 });
    const words = p.apply(TextIO.read().from(path.join(d, "in", "a.txt")));
    // The stage before the GroupByKey writes (and finishes) these shards...
    words.apply("CopyFirst", TextIO.write().to(path.join(d, "out", "copy")).withNumShards(2));
    words.apply("RawCopy", TextIO.write().to(path.join(d, "out", "raw")));
    // ...and the stage after the shuffle fails.
    words
      .apply(MapElements.via((w: string) => KV.of(w, 1)))
      .apply(GroupByKey.create<string, number>())
      .apply("FailAfterShuffle", MapElements.via((kv: KV<string, number[]>) => {
        if (kv.key === "w7") throw new Error("late failure");
        return kv.key;
      }));
    const e = await failure(p.run());
    expect(e.message).toMatch(/FailAfterShuffle[\s\S]*late failure/);
    expect(listFiles(d)).toEqual(["in/a.txt"]);
  });

  it("a sink in the failing stage: the writers of its other tasks that finished leave no temporary files", async () => {
    const d = tempDir("flowbook-local-");
    writeFiles(d, { "in/a.txt": Array.from({ length: 3000 }, (_, i) => `w${i % 50}`).join("\n") });
    const p = Pipeline.create({ parallelism: 2 });
    p.apply(TextIO.read().from(path.join(d, "in", "a.txt")))
      .apply(MapElements.via((w: string) => KV.of(w, 1)))
      .apply(GroupByKey.create<string, number>())
      // One of the two tasks after the shuffle fails; the other writes its shard and finishes.
      .apply("FailOneKey", MapElements.via((kv: KV<string, number[]>) => {
        if (kv.key === "w7") throw new Error("late failure");
        return kv.key;
      }))
      .apply("Late", TextIO.write().to(path.join(d, "out", "late")));
    const e = await failure(p.run());
    expect(e.message).toMatch(/FailOneKey[\s\S]*late failure/);
    expect(listFiles(d)).toEqual(["in/a.txt"]);
  });
});
