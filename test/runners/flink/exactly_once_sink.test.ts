/**
 * File sinks of streaming jobs on a real cluster (issue 14, point 4; port 18214,
 * `FLOWBOOK_FLINK_SINK_TEST_PORT`): TextIO and AvroIO writes commit their files on
 * checkpoints. A Node worker that dies mid-job (once some files were committed) makes Flink
 * restore the last checkpoint; afterwards each window result is in exactly one file, each
 * file appeared whole under its final name and never changed, files are named per window and
 * checkpoint, and no temporary file is left.
 */
import * as fs from "node:fs";
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AvroIO,
  DoFn,
  Duration,
  FixedWindows,
  GenerateSequence,
  IntervalWindow,
  KV,
  MapElements,
  ParDo,
  Pipeline,
  Sum,
  TextIO,
  Window,
  type ProcessContext,
} from "../../../src/index.js";
import { readAvroFile } from "../../../src/io/avro/avro_container.js";
import { FlinkRestClient } from "../../../src/runners/flink/rest/client.js";
import type { FlinkPipelineResult } from "../../../src/runners/flink/flink_runner.js";
import { expectedTotals, finalFiles, verify, watchFinalFiles } from "../../faults/streaming/job.js";
import { startTestCluster, type TestCluster } from "./fixture.js";

const PORT = Number(process.env.FLOWBOOK_FLINK_SINK_TEST_PORT ?? 18214);
let cluster: TestCluster;
let work: string;
const SHAPE = { n: 3000, rate: 200 };
const SCHEMA = { type: "record", name: "WindowSum", fields: [{ name: "start", type: "long" }, { name: "key", type: "string" }, { name: "sum", type: "long" }] };

/** Passes numbers on; the first number ≥ `at` it sees after the text sink committed a file kills its worker (once: a marker file). */
class DieOnce extends DoFn<number, number> {
  constructor(
    private readonly at: number,
    private readonly marker: string,
    private readonly committedDir: string,
  ) {
    super();
  }
  processElement(c: ProcessContext<number, number>) {
    if (c.element() >= this.at && !fs.existsSync(this.marker)) {
      const committed = fs.existsSync(this.committedDir) && fs.readdirSync(this.committedDir).some((f) => !f.startsWith("."));
      if (committed) {
        fs.writeFileSync(this.marker, String(c.element()));
        process.exit(3);
      }
    }
    c.output(c.element());
  }
}

class WindowSum extends DoFn<KV<string, number>, { start: number; key: string; sum: number }> {
  processElement(c: ProcessContext<KV<string, number>, { start: number; key: string; sum: number }>) {
    c.output({ start: (c.window() as IntervalWindow).start, key: c.element().key, sum: c.element().value });
  }
}

describe("exactly-once file sinks of streaming jobs on Flink", () => {
  beforeAll(async () => {
    cluster = await startTestCluster(PORT, 4);
    work = mkdtempSync(join(tmpdir(), "flowbook-eo-sink-"));
  }, 240_000);
  afterAll(async () => {
    await cluster?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  }, 60_000);

  it("TextIO and AvroIO writes after a worker died mid-job: each window result once, whole files named per window and checkpoint", async () => {
    const textDir = join(work, "text");
    const avroDir = join(work, "avro");
    const marker = join(work, "died");
    const p = Pipeline.create({ ...cluster.options, flinkCheckpointIntervalMs: 300 });
    const sums = p
      .apply("Numbers", GenerateSequence.from(0).to(SHAPE.n).withRate(SHAPE.rate, Duration.seconds(1)))
      .apply("Seconds", Window.into<number>(FixedWindows.of(Duration.seconds(1))))
      .apply("DieOnce", ParDo.of(new DieOnce(SHAPE.n / 3, marker, textDir)))
      .apply("ByKey", MapElements.via((n: number) => KV.of(`k${n % 3}`, n + 1)))
      .apply("SumPerKey", Sum.integersPerKey<string>())
      .apply("WithWindow", ParDo.of(new WindowSum()));
    sums.apply("AsLine", MapElements.via((s: { start: number; key: string; sum: number }) => `${s.start},${s.key},${s.sum}`)).apply("WriteText", TextIO.write().to(join(textDir, "sums")).withSuffix(".txt"));
    sums.apply("WriteAvro", AvroIO.write(SCHEMA).to(join(avroDir, "sums")).withSuffix(".avro"));
    const watchText = watchFinalFiles(textDir);
    const watchAvro = watchFinalFiles(avroDir);
    const r = p.run() as FlinkPipelineResult;
    await expect(r.waitUntilFinish(180_000)).resolves.toBe("DONE");
    const text = watchText.stop();
    const avro = watchAvro.stop();

    // The worker died once, and Flink failed the job over.
    expect(readdirSync(work), "a worker died once files were committed (else the job committed nothing before its end)").toContain("died");
    const ex = await new FlinkRestClient(PORT).jobExceptions(r.jobId!, 10);
    expect(ex.exceptionHistory?.entries?.length ?? 0).toBeGreaterThanOrEqual(1);

    // Text: each window result once, none lost.
    const v = verify(SHAPE, textDir);
    expect(v, JSON.stringify(v)).toMatchObject({ ok: true, duplicated: [] });
    // Names: per window and checkpoint, Beam's shard template after them.
    for (const f of finalFiles(textDir)) {
      expect(f).toMatch(/^sums-\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z-\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z-(cp\d{6,}|final)-0000[01]-of-00002\.txt$/);
    }
    // Avro: the same window results.
    const records: Array<{ start: number; key: string; sum: number }> = [];
    for (const f of finalFiles(avroDir)) {
      expect(f).toMatch(/-(cp\d{6,}|final)-0000[01]-of-00002\.avro$/);
      await readAvroFile(join(avroDir, f), undefined, (rec) => records.push(rec as { start: number; key: string; sum: number }));
    }
    const lines = (xs: Array<{ start: number; key: string; sum: number }>) => xs.map((s) => `${Number(s.start)},${s.key},${Number(s.sum)}`).sort();
    const textLines = finalFiles(textDir).flatMap((f) => readFileSync(join(textDir, f), "utf8").trim().split("\n")).sort();
    expect(lines(records)).toEqual(textLines);
    const perKey = new Map<string, number>();
    for (const s of records) perKey.set(s.key, (perKey.get(s.key) ?? 0) + Number(s.sum));
    expect(perKey).toEqual(expectedTotals(SHAPE));

    // Whole files only, never written again; nothing temporary left.
    expect(text.seen).toBeGreaterThan(0);
    expect(text.rewritten).toEqual([]);
    expect(avro.rewritten).toEqual([]);
    expect(readdirSync(textDir).filter((f) => f.startsWith("."))).toEqual([]);
    expect(readdirSync(avroDir).filter((f) => f.startsWith("."))).toEqual([]);
  }, 300_000);
});
