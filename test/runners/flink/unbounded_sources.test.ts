/**
 * Issue 14, point 1, on a real Flink cluster (port 18221, `FLOWBOOK_FLINK_UNBOUNDED_TEST_PORT`):
 * the unbounded sources run as STREAMING jobs through the bridge's FLIP-27 sources.
 *
 * - GenerateSequence.withRate(…).withMaxReadTime(…) → ParDo → TextIO: exactly the numbers due
 *   before the read time, each once, stamped with the time it was generated (not TIMESTAMP_MIN);
 * - TextIO.read().watchForNewFiles(…, { stopAfterNoNewFilesFor }) picks up a file written after
 *   the job started reading, stamps every line with its file's modification time, and ends.
 *
 * The readers' own rules and restores are tested in test/io/unbounded_sources.test.ts (local)
 * and flink/bridge's UnboundedSourcesTest (MiniCluster, with a failure and a restore).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DoFn, Duration, GenerateSequence, ParDo, Pipeline, TextIO, type ProcessContext } from "../../../src/index.js";
import { translate } from "../../../src/runners/flink/translators/translate.js";
import { startTestCluster, type TestCluster } from "./fixture.js";

const PORT = Number(process.env.FLOWBOOK_FLINK_UNBOUNDED_TEST_PORT ?? 18221);
let cluster: TestCluster;
let work: string;

function lines(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => !f.startsWith("."))
    .flatMap((f) => readFileSync(join(dir, f), "utf8").split("\n").filter((l) => l !== ""));
}

/** Each element with its timestamp: `element@timestamp`; with `marker`, writes that file once it has seen an element (the job is reading). */
class WithTimestamp extends DoFn<unknown, string> {
  constructor(readonly marker?: string) {
    super();
  }
  processElement(c: ProcessContext<unknown, string>) {
    if (this.marker) writeFileSync(this.marker, String(c.element()));
    c.output(`${String(c.element())}@${c.timestamp()}`);
  }
}

describe("unbounded sources on Flink", () => {
  beforeAll(async () => {
    cluster = await startTestCluster(PORT, 4);
    work = mkdtempSync(join(tmpdir(), "flowbook-unbounded-"));
  }, 240_000);
  afterAll(async () => {
    await cluster?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  }, 60_000);

  it("translates unbounded payloads to the bridge's unbounded sources, in a STREAMING plan", () => {
    const p = Pipeline.create();
    p.apply("Ticks", GenerateSequence.from(5).withRate(10, Duration.seconds(1)).to(100));
    p.apply("Watch", TextIO.read().from(join(work, "*.txt")).watchForNewFiles(Duration.millis(250), { stopAfterNoNewFilesFor: Duration.seconds(3) }));
    const { plan } = translate(p.toJSON(), { parallelism: 2 });
    expect(plan.runtimeMode).toBe("STREAMING");
    expect(plan.operators.find((o) => o.name === "Ticks")).toMatchObject({ kind: "source:sequence", parallelism: 2, payload: { from: 5, to: 100, rate: { elements: 10, periodMillis: 1000 } } });
    expect(plan.operators.find((o) => o.name === "Watch")).toMatchObject({ kind: "source:text", payload: { filePatterns: [join(work, "*.txt")], watch: { pollIntervalMillis: 250, stopAfterNoNewFilesMillis: 3000 } } });
  });

  it("GenerateSequence.withRate(…).withMaxReadTime(…) → ParDo → TextIO: the numbers due in the read time, once each, stamped when generated", async () => {
    const started = Date.now();
    const p = Pipeline.create(cluster.options);
    p.apply("Ticks", GenerateSequence.from(0).withRate(40, Duration.seconds(1)).withMaxReadTime(Duration.millis(2500)))
      .apply("Stamp", ParDo.of(new WithTimestamp()))
      .apply("Write", TextIO.write().to(join(work, "ticks", "part")));
    await p.run().waitUntilFinish(180_000);
    const got = lines(join(work, "ticks")).map((l) => l.split("@").map(Number) as [number, number]);
    expect(got.map(([n]) => n).sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    for (const [, ts] of got) {
      expect(ts).toBeGreaterThanOrEqual(started);
      expect(ts).toBeLessThanOrEqual(Date.now());
    }
  }, 240_000);

  it("watchForNewFiles picks up a file written after the job started, lines stamped with their file's modification time, and ends", async () => {
    const inbox = join(work, "inbox");
    mkdirSync(inbox);
    writeFileSync(join(inbox, "first.txt"), "f1\nf2\n");
    const t0 = Math.floor(Date.now() / 1000 - 30) * 1000;
    utimesSync(join(inbox, "first.txt"), t0 / 1000, t0 / 1000);
    const marker = join(work, "watch-is-reading");
    const p = Pipeline.create(cluster.options);
    p.apply("Watch", TextIO.read().from(join(inbox, "*.txt")).watchForNewFiles(Duration.millis(200), { stopAfterNoNewFilesFor: Duration.seconds(10) }))
      .apply("Stamp", ParDo.of(new WithTimestamp(marker)))
      .apply("Write", TextIO.write().to(join(work, "watched", "part")));
    const res = p.run();
    // The job is reading once the first file's lines reached the ParDo; the source is still
    // watching then (its 10 s without a new file count from its readers' start).
    let ended = false;
    res.waitUntilFinish(180_000).then(
      () => (ended = true),
      () => (ended = true),
    );
    while (!existsSync(marker) && !ended) await new Promise((r) => setTimeout(r, 50));
    expect(res.state, "the job ended before it was seen reading").toBe("RUNNING");
    writeFileSync(join(inbox, "later.txt"), "l1\nl2\nl3");
    const t1 = Number(statSync(join(inbox, "later.txt"), { bigint: true }).mtimeNs / 1_000_000n);
    expect(await res.waitUntilFinish(180_000)).toBe("DONE");
    expect(lines(join(work, "watched")).sort()).toEqual([`f1@${t0}`, `f2@${t0}`, `l1@${t1}`, `l2@${t1}`, `l3@${t1}`]);
  }, 240_000);
});
