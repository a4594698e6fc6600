import * as path from "node:path";
import { readFileSync, writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { Pipeline, ParDo, MapElements, Count, KV, DoFn, type ProcessContext } from "../../src/index.js";
import { AvroIO, ConsoleIO, TextIO } from "../../src/io/index.js";
import { setConsoleOutput } from "../../src/io/console/console_sink.js";
import { listFiles, tempDir, writeFiles } from "./helpers.js";

const modes = [
  { name: "worker threads", options: { parallelism: 2 } },
  { name: "in process", options: { parallelism: 2, inProcess: true } },
];

function bigText(n: number): string[] {
  return Array.from({ length: n }, (_, i) => (i % 11 === 0 ? "" : `line ${i} — ${"word ".repeat(i % 13)}€`));
}

function outputLines(dir: string, prefix: string): string[] {
  return listFiles(dir)
    .filter((f) => f.startsWith(prefix))
    .flatMap((f) => {
      const text = readFileSync(path.join(dir, f), "utf8");
      return text === "" ? [] : text.slice(0, -1).split("\n");
    });
}

describe.each(modes)("TextIO through the local runner ($name)", ({ options }) => {
  it("read → write round trip keeps every line exactly once (several splits per file, gzip too)", async () => {
    const d = tempDir();
    const lines = bigText(30_000); // ~ 1 MB: split into byte ranges
    writeFileSync(path.join(d, "a.txt"), lines.join("\r\n") + "\r\n");
    writeFileSync(path.join(d, "b.txt.gz"), gzipSync("gz one\ngz two"));
    writeFiles(d, { "empty.txt": "" });
    const p = Pipeline.create(options);
    p.apply("ReadLines", TextIO.read().from(path.join(d, "*.{txt,gz}"))).apply(TextIO.write().to(path.join(d, "out/copy")).withSuffix(".txt"));
    const r = p.run();
    expect(await r.waitUntilFinish()).toBe("DONE");
    const files = listFiles(path.join(d, "out"));
    expect(files.length).toBeGreaterThanOrEqual(1);
    const n = files.length;
    expect(files).toEqual(Array.from({ length: n }, (_, i) => `copy-${String(i).padStart(5, "0")}-of-${String(n).padStart(5, "0")}.txt`));
    expect(outputLines(path.join(d, "out"), "copy").sort()).toEqual([...lines, "gz one", "gz two"].sort());
    expect(r.metrics().counter("bytesRead", "flowbook.io")).toBeGreaterThan(1_000_000);
  });

  it("WordCount with a fixed number of shards and without sharding", async () => {
    const d = tempDir();
    writeFiles(d, { "in/1.txt": "the cat\nthe dog\n", "in/2.txt": "a cat\n" });
    const p = Pipeline.create(options);
    const counts = p
      .apply(TextIO.read().from(path.join(d, "in/*.txt")))
      .apply(ParDo.of(new SplitWords()))
      .apply(Count.perElement())
      .apply(MapElements.via((kv: KV<string, number>) => `${kv.key}: ${kv.value}`));
    counts.apply("Sharded", TextIO.write().to(path.join(d, "out/wc")).withNumShards(3));
    counts.apply("Single", TextIO.write().to(path.join(d, "out/all.txt")).withoutSharding());
    await p.run().waitUntilFinish();
    expect(listFiles(path.join(d, "out"))).toEqual(["all.txt", "wc-00000-of-00003", "wc-00001-of-00003", "wc-00002-of-00003"]);
    const want = ["a: 1", "cat: 2", "dog: 1", "the: 2"];
    expect(outputLines(path.join(d, "out"), "wc-").sort()).toEqual(want);
    expect(outputLines(path.join(d, "out"), "all.txt").sort()).toEqual(want);
  });

  it("a failed pipeline leaves no output and no temporary files", async () => {
    const d = tempDir();
    writeFiles(d, { "in.txt": Array.from({ length: 5000 }, (_, i) => `l${i}`).join("\n") });
    const p = Pipeline.create(options);
    const lines = p.apply(TextIO.read().from(path.join(d, "in.txt")));
    lines.apply("Early", TextIO.write().to(path.join(d, "out/early")));
    lines.apply("Boom", ParDo.of(new FailOn("l4321"))).apply("Late", TextIO.write().to(path.join(d, "out/late")));
    await expect(p.run().waitUntilFinish()).rejects.toThrow(/Boom[\s\S]*bad line l4321/);
    expect(listFiles(d)).toEqual(["in.txt"]);
  });

  it("a pattern matching no file fails the run, naming the transform and the pattern", async () => {
    const d = tempDir();
    const p = Pipeline.create(options);
    const pattern = path.join(d, "missing/*.txt");
    p.apply("ReadLines", TextIO.read().from(pattern)).apply(TextIO.write().to(path.join(d, "out/x")));
    await expect(p.run().waitUntilFinish()).rejects.toThrow(`ReadLines: No files matched spec: ${pattern}`);
    expect(listFiles(d)).toEqual([]);
  });

  it("an allowed empty match gives an empty output shard", async () => {
    const d = tempDir();
    const p = Pipeline.create(options);
    p.apply(TextIO.read().from(path.join(d, "none*.txt")).withEmptyMatchTreatment("allow")).apply(TextIO.write().to(path.join(d, "o")));
    await p.run().waitUntilFinish();
    const files = listFiles(d);
    expect(files.length).toBeGreaterThanOrEqual(1);
    expect(outputLines(d, "o-")).toEqual([]);
  });

  it("invalid UTF-8 is replaced and counted in the run's metrics", async () => {
    const d = tempDir();
    writeFiles(d, { "bad.txt": Buffer.concat([Buffer.from("ok\n"), Buffer.from([0x62, 0xff, 0x0a])]) });
    const p = Pipeline.create(options);
    p.apply("Read", TextIO.read().from(path.join(d, "bad.txt"))).apply(TextIO.write().to(path.join(d, "o")).withoutSharding());
    const r = p.run();
    await r.waitUntilFinish();
    expect(readFileSync(path.join(d, "o"), "utf8")).toBe("ok\nb\uFFFD\n");
    expect(r.metrics().counter("invalidUtf8Lines", "flowbook.io")).toBe(1);
  });

  it("AvroIO write → read round trip", async () => {
    const d = tempDir();
    const schema = { type: "record", name: "WC", fields: [{ name: "word", type: "string" }, { name: "count", type: "long" }] };
    writeFiles(d, { "in.txt": "x y x\nz x\n" });
    const p = Pipeline.create(options);
    p.apply(TextIO.read().from(path.join(d, "in.txt")))
      .apply(ParDo.of(new SplitWords()))
      .apply(Count.perElement())
      .apply(MapElements.via((kv: KV<string, number>) => ({ word: kv.key, count: kv.value })))
      .apply(AvroIO.write(schema).to(path.join(d, "avro/wc")).withSuffix(".avro"));
    await p.run().waitUntilFinish();

    const p2 = Pipeline.create(options);
    p2.apply(AvroIO.read<{ word: string; count: number }>(schema).from(path.join(d, "avro/wc-*.avro")))
      .apply(MapElements.via((r: { word: string; count: number }) => `${r.word}=${r.count}`))
      .apply(TextIO.write().to(path.join(d, "back.txt")).withoutSharding());
    await p2.run().waitUntilFinish();
    expect(readFileSync(path.join(d, "back.txt"), "utf8").trim().split("\n").sort()).toEqual(["x=3", "y=1", "z=1"]);
  });
});

describe("ConsoleIO through the local runner", () => {
  it("prints each element", async () => {
    let text = "";
    const prev = setConsoleOutput((t) => (text += t));
    try {
      const p = Pipeline.create({ inProcess: true });
      const d = tempDir();
      writeFiles(d, { "in.txt": "b\na\n" });
      p.apply(TextIO.read().from(path.join(d, "in.txt")))
        .apply(MapElements.via((s: string) => KV.of(s, s.length)))
        .apply(ConsoleIO.write({ prefix: "> " }));
      await p.run().waitUntilFinish();
    } finally {
      setConsoleOutput(prev);
    }
    expect(text.split("\n").filter(Boolean).sort()).toEqual(["> { key: 'a', value: 1 }", "> { key: 'b', value: 1 }"]);
  });
});

class SplitWords extends DoFn<string, string> {
  processElement(c: ProcessContext<string, string>): void {
    for (const w of c.element().split(/[^a-zA-Z']+/)) if (w) c.output(w);
  }
}

class FailOn extends DoFn<string, string> {
  constructor(readonly bad: string) {
    super();
  }
  processElement(c: ProcessContext<string, string>): void {
    if (c.element() === this.bad) throw new Error(`bad line ${this.bad}`);
    c.output(c.element());
  }
}
