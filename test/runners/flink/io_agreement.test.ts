/**
 * Issue 12, point 8, Flink's half: the local runner and Flink agree on bad and unusual input
 * (a cluster of its own, port 18153, `FLOWBOOK_FLINK_IO_TEST_PORT`):
 *
 * - a directory as input: both read the files directly inside it (not hidden ones, not subdirectories);
 * - invalid UTF-8: the same lines (U+FFFD replacements), and both count them in
 *   `flowbook.io/invalidUtf8Lines` of the read transform (Flink reported no IO counter);
 * - a corrupt .gz: both errors name the file (Flink's said "Not in GZIP format" and nothing else);
 * - a 40 MB line: the local runner reads it; Flink refuses it with an error naming the limit and
 *   the option that raises it (it died with a bare OutOfMemoryError at 100 MB), and reads it
 *   once the option allows it;
 * - GenerateSequence.from(a).to(b): the same numbers (Flink's own sequence source there), and
 *   withRate(…).withMaxReadTime(…): the same numbers, those due in the read time.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Count, GenerateSequence, MapElements, Pipeline, Sum, TextIO, type PipelineOptions } from "../../../src/index.js";
import { writeFiles } from "../../support/files.js";
import { failure } from "../../support/runs.js";
import { startTestCluster, type TestCluster } from "./fixture.js";

const PORT = Number(process.env.FLOWBOOK_FLINK_IO_TEST_PORT ?? 18153);
let cluster: TestCluster;
let work: string;

function lines(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => !f.startsWith("."))
    .flatMap((f) => readFileSync(join(dir, f), "utf8").split("\n").filter((l) => l !== ""))
    .sort();
}

type Runner = "direct" | "flink";
const both: Runner[] = ["direct", "flink"];
const optionsOf = (r: Runner, extra: Record<string, unknown> = {}): PipelineOptions =>
  (r === "direct" ? { parallelism: 2, ...extra } : { ...cluster.options, ...extra }) as PipelineOptions;

describe("the local runner and Flink agree on input", () => {
  beforeAll(async () => {
    cluster = await startTestCluster(PORT, 2);
    work = mkdtempSync(join(tmpdir(), "flowbook-io-agree-"));
  }, 240_000);
  afterAll(async () => {
    await cluster?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  }, 60_000);

  it("a directory as input: the files directly inside it, on both runners", async () => {
    writeFiles(work, { "dir/a.txt": "a1\na2\n", "dir/b.log": "b1\n", "dir/.hidden": "h\n", "dir/sub/c.txt": "c1\n" });
    const got: Record<string, string[]> = {};
    for (const r of both) {
      const p = Pipeline.create(optionsOf(r));
      p.apply("Read", TextIO.read().from(join(work, "dir"))).apply(TextIO.write().to(join(work, `dir-out-${r}`, "part")));
      await p.run().waitUntilFinish();
      got[r] = lines(join(work, `dir-out-${r}`));
    }
    expect(got.direct).toEqual(["a1", "a2", "b1"]);
    expect(got.flink).toEqual(got.direct);
  }, 120_000);

  it("invalid UTF-8: the same lines, and flowbook.io/invalidUtf8Lines of the read transform on both", async () => {
    writeFiles(work, { "utf/a.txt": Buffer.from([0x61, 0x0a, 0xff, 0xfe, 0x0a, 0x62, 0xc3, 0x0a, 0xc3, 0xa9, 0x0a]) });
    const got: Record<string, { lines: string[]; counters: Array<[string, number]> }> = {};
    for (const r of both) {
      const p = Pipeline.create(optionsOf(r));
      p.apply("ReadUtf", TextIO.read().from(join(work, "utf", "*.txt"))).apply(TextIO.write().to(join(work, `utf-out-${r}`, "part")));
      const res = p.run();
      await res.waitUntilFinish();
      const q = res.metrics().queryMetrics({ namespace: "flowbook.io", name: "invalidUtf8Lines" });
      got[r] = { lines: lines(join(work, `utf-out-${r}`)), counters: q.counters.map((c) => [c.step, Number(c.committed ?? c.attempted)]) };
    }
    expect(got.direct!.counters).toEqual([["ReadUtf", 2]]);
    expect(got.flink).toEqual(got.direct);
  }, 120_000);

  it("a corrupt .gz: the error names the file on both runners", async () => {
    const good = gzipSync(Buffer.from("one\ntwo\n"));
    const bad = Buffer.from(good);
    bad.fill(0x41, 12, bad.length - 8);
    writeFiles(work, { "gz/ok.gz": good, "gz/corrupt.gz": bad });
    for (const r of both) {
      const p = Pipeline.create(optionsOf(r, r === "flink" ? { flinkRestartAttempts: 0 } : {}));
      p.apply("ReadGz", TextIO.read().from(join(work, "gz", "*.gz"))).apply(TextIO.write().to(join(work, `gz-out-${r}`, "part")));
      const e = await failure(p.run());
      expect(e.message, r).toContain(join(work, "gz", "corrupt.gz"));
    }
  }, 120_000);

  it("a 40 MB line: read locally; Flink names the limit and the option, and reads it when the option allows", async () => {
    writeFiles(work, { "big/big.txt": "short\n" + "x".repeat(40 << 20) + "\nend\n" });
    const measure = (opts: PipelineOptions, tag: string) => {
      const p = Pipeline.create(opts);
      p.apply("ReadBig", TextIO.read().from(join(work, "big", "big.txt"))).apply(MapElements.via((s: string) => `${s.slice(0, 5)} ${s.length}`)).apply(TextIO.write().to(join(work, `big-out-${tag}`, "part")));
      return p.run();
    };
    await measure(optionsOf("direct"), "direct").waitUntilFinish();
    const expected = lines(join(work, "big-out-direct"));
    expect(expected).toEqual(["end 3", "short 5", `xxxxx ${40 << 20}`]);

    const e = await failure(measure(optionsOf("flink", { flinkRestartAttempts: 0 }), "flink-refused"));
    expect(e.message).toContain(join(work, "big", "big.txt"));
    expect(e.message).toMatch(/longer than the Flink runner's element limit of 32 MiB/);
    expect(e.message).toContain("flinkMaxElementBytes");

    await measure(optionsOf("flink", { flinkMaxElementBytes: 48 << 20 }), "flink").waitUntilFinish();
    expect(lines(join(work, "big-out-flink"))).toEqual(expected);
  }, 240_000);

  it("a bounded GenerateSequence gives the same numbers on both, and so does an unbounded one with a maximum read time", async () => {
    const got: Record<string, string[]> = {};
    for (const r of both) {
      const p = Pipeline.create(optionsOf(r));
      const n = p.apply("Numbers", GenerateSequence.from(-3).to(50_000));
      n.apply("Sum", Sum.integersGlobally()).apply("SumText", MapElements.via((x: number) => `sum ${x}`)).apply("WriteSum", TextIO.write().to(join(work, `seq-${r}`, "sum")));
      n.apply("Count", Count.globally()).apply("CountText", MapElements.via((x: number) => `count ${x}`)).apply("WriteCount", TextIO.write().to(join(work, `seq-${r}`, "count")));
      await p.run().waitUntilFinish();
      got[r] = lines(join(work, `seq-${r}`));
    }
    expect(got.direct).toEqual(["count 50003", `sum ${(49_999 * 50_000) / 2 - 6}`]);
    expect(got.flink).toEqual(got.direct);
    // An unbounded one (a rate and a maximum read time): the numbers due in that time on both.
    for (const r of both) {
      const p = Pipeline.create(optionsOf(r));
      p.apply("Ticks", GenerateSequence.from(0).withRate(20, 1000).withMaxReadTime(1000)).apply("Keep", MapElements.via((x: number) => `tick ${x}`)).apply("WriteTicks", TextIO.write().to(join(work, `ticks-${r}`, "t")));
      await p.run().waitUntilFinish(60_000);
      expect(lines(join(work, `ticks-${r}`)), r).toEqual(Array.from({ length: 20 }, (_, i) => `tick ${i}`).sort());
    }
  }, 240_000);
});
