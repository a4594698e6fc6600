/**
 * The Flink runner on a real cluster (started here, port 18095): remote use through REST
 * alone, the job's state, cancel, metrics, collected samples, and failures — a user error
 * shown as the user's own, a Node worker killed mid-job restarted with exactly right
 * output, a failed job leaving no output files.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AvroIO, Count, Create, DoFn, FlatMapElements, KV, MapElements, Metrics, ParDo, Pipeline, StringUtf8Coder, TextIO,
  type PCollection, type ProcessContext,
} from "../../../src/index.js";
import { FlinkPipelineResult } from "../../../src/runners/flink/flink_runner.js";
import { FlinkRestClient } from "../../../src/runners/flink/rest/client.js";
import { readAvroFile } from "../../../src/io/avro/avro_container.js";
import { jarWithFreshWorker, startTestCluster, type TestCluster } from "./fixture.js";

const PORT = Number(process.env.FLOWBOOK_FLINK_RUNNER_TEST_PORT ?? 18095);
let cluster: TestCluster;
let work: string;

const idOf = (pc: PCollection<unknown>) => (pc as unknown as { id: string }).id;

/** Kills its own worker process (SIGKILL, as the OOM killer would) once, at one element. */
class DieOnceFn extends DoFn<string, string> {
  constructor(readonly marker: string, readonly at: string) {
    super();
  }
  processElement(c: ProcessContext<string, string>) {
    if (c.element() === this.at && !existsSync(this.marker)) {
      writeFileSync(this.marker, `killed at ${this.at}\n`);
      process.kill(process.pid, "SIGKILL");
    }
    Metrics.counter("test", "lines").inc();
    c.output(c.element());
  }
}

class SlowFn extends DoFn<number, number> {
  processElement(c: ProcessContext<number, number>) {
    const until = Date.now() + 50;
    while (Date.now() < until) {
      // busy: a long job to cancel
    }
    c.output(c.element());
  }
}

function corpus(lines: number): { text: string; counts: Map<string, number> } {
  const vocab = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta"];
  const counts = new Map<string, number>();
  const out: string[] = [];
  for (let i = 0; i < lines; i++) {
    const words = Array.from({ length: 1 + (i % 5) }, (_, j) => vocab[(i * 7 + j * 3) % vocab.length]!);
    for (const w of words) counts.set(w, (counts.get(w) ?? 0) + 1);
    out.push(words.join(" "));
  }
  return { text: out.join("\n") + "\n", counts };
}

function readOutput(dir: string, prefix: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.startsWith(prefix))
    .flatMap((f) => readFileSync(join(dir, f), "utf8").split("\n").filter((l) => l !== ""));
}

describe("the Flink runner on a real cluster", () => {
  beforeAll(async () => {
    cluster = await startTestCluster(PORT);
    work = mkdtempSync(join(tmpdir(), "flowbook-flink-runner-"));
  }, 240_000);
  afterAll(async () => {
    await cluster?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  }, 60_000);

  it("runs through REST alone: the jar's own worker, the job under the pipeline's name, state, metrics, collected samples", async () => {
    const jar = jarWithFreshWorker(cluster.jar);
    const p = Pipeline.create({ name: "remote-wordcount", runner: "flink", flinkMaster: `localhost:${PORT}`, flinkBridgeJar: jar, parallelism: 2 });
    const words = p.apply("Lines", Create.of("a b a", "c a", "b"))
      .apply("Split", FlatMapElements.via((l: string) => {
        Metrics.counter("remote", "lines").inc();
        return l.split(" ");
      }))
      .setCoder(StringUtf8Coder.of());
    const counts = words.apply("Count", Count.perElement());
    const result = p.run({ collect: { [idOf(counts)]: 100, [idOf(words)]: 2 } }) as FlinkPipelineResult;
    expect(result).toBeInstanceOf(FlinkPipelineResult);
    expect(result.state).toBe("RUNNING");
    const jobId = await result.jobIdPromise;
    expect(await result.waitUntilFinish()).toBe("DONE");
    expect(result.state).toBe("DONE");
    const overview = await new FlinkRestClient(PORT).jobsOverview();
    expect(overview.find((j) => j.jid === jobId)?.name).toBe("remote-wordcount");
    expect(result.metrics().counter("lines", "remote")).toBe(3);
    expect(result.metrics().queryMetrics({ step: "Split" }).counters).toHaveLength(1);
    const sample = result.collected(idOf(counts))!;
    expect(sample.truncated).toBe(false);
    expect(sample.elements.map((e) => e.value).sort((x, y) => (x as KV<string, number>).key.localeCompare((y as KV<string, number>).key)))
      .toEqual([KV.of("a", 3), KV.of("b", 2), KV.of("c", 1)]);
    const few = result.collected(idOf(words))!;
    expect(few.elements).toHaveLength(2);
    expect(few.truncated).toBe(true);
    // Flink's own plan of the job is there too.
    const jobPlan = await result.jobPlan();
    expect(jobPlan.nodes.length).toBeGreaterThan(0);
  }, 120_000);

  it("a user error fails the job with the transform's name, the element and the user's own stack, not a Java trace", async () => {
    const p = Pipeline.create({ ...cluster.options, name: "user-error" });
    p.apply(Create.of("fine", "bad")).apply("Explode", MapElements.via((s: string) => {
      if (s === "bad") throw new RangeError(`cannot handle ${s}`);
      return s;
    }));
    const result = p.run();
    const err = await result.waitUntilFinish().then(() => undefined, (e: Error) => e);
    expect(result.state).toBe("FAILED");
    expect(err).toBeDefined();
    expect(err!.message).toMatch(/^Error in transform 'Explode' while processing element 'bad':\nRangeError: cannot handle bad\n\s+at .*flink_runner\.test\.ts:\d+/);
    expect(err!.message).not.toMatch(/\bat (org\.apache|java\.|dev\.flowbook)/);
    expect(err!.message).not.toMatch(/flowbook-worker\.mjs/);
    expect((err as Error & { transform?: string }).transform).toBe("Explode");
  }, 120_000);

  it("a Node worker killed mid-job is restarted by Flink and the output is exactly right", async () => {
    const dir = join(work, "killed");
    const { text, counts } = corpus(3000);
    const input = join(work, "killed-input.txt");
    writeFileSync(input, text);
    const marker = join(work, "killed.marker");
    const p = Pipeline.create({ ...cluster.options, name: "worker-killed" });
    p.apply("Read", TextIO.read().from(input))
      .apply("MaybeDie", ParDo.of(new DieOnceFn(marker, text.split("\n")[1700]!)))
      .apply("Words", FlatMapElements.via((l: string) => l.split(" ")))
      .setCoder(StringUtf8Coder.of())
      .apply(Count.perElement())
      .apply("Format", MapElements.via((kv: KV<string, number>) => `${kv.key}=${kv.value}`))
      .apply("Write", TextIO.write().to(join(dir, "counts")));
    const result = p.run();
    expect(await result.waitUntilFinish()).toBe("DONE");
    expect(readFileSync(marker, "utf8")).toMatch(/killed at/);
    const got = new Map(readOutput(dir, "counts").map((l) => l.split("=") as [string, string]).map(([k, v]) => [k, Number(v)]));
    expect(got).toEqual(counts);
    // Only the successful attempts count.
    expect(result.metrics().counter("lines", "test"), JSON.stringify(result.metrics().toJSON())).toBe(3000);
  }, 180_000);

  it("a failed job leaves nothing under the final output names", async () => {
    const dir = join(work, "failed");
    const p = Pipeline.create({ ...cluster.options, name: "fails-late" });
    const nums = Array.from({ length: 4000 }, (_, i) => i);
    p.apply("Nums", Create.of(...nums))
      .apply("FailLate", MapElements.via((n: number) => {
        if (n === 3999) throw new Error("late failure");
        return `n${n}`;
      }))
      .apply("Write", TextIO.write().to(join(dir, "out")).withNumShards(3));
    const result = p.run();
    await expect(result.waitUntilFinish()).rejects.toThrow(/FailLate[\s\S]*late failure/);
    const left = existsSync(dir) ? readdirSync(dir) : [];
    expect(left.filter((f) => f.startsWith("out"))).toEqual([]);
  }, 120_000);

  // Two sinks: the branch of the first finishes (its writers done) long before the other fails.
  // Sinks commit on the JobManager once the whole job finished, so neither leaves a file.
  it("a failed job leaves nothing under any sink's final names, also a sink whose branch finished first", async () => {
    const dir = join(work, "failed-two");
    const p = Pipeline.create({ ...cluster.options, name: "fails-two-sinks" });
    p.apply("Nums", Create.of(1, 2, 3)).apply("Format", MapElements.via((n: number) => `n${n}`)).apply("Write", TextIO.write().to(join(dir, "out")));
    p.apply("Other", Create.of(1, 2, 3)).apply("FailLate", MapElements.via((n: number) => {
      const until = Date.now() + 2000;
      while (Date.now() < until) {
        // let the other branch finish and commit first
      }
      if (n === 3) throw new Error("late failure");
      return `${n}`;
    })).apply("Write2", TextIO.write().to(join(dir, "second")));
    await expect(p.run().waitUntilFinish()).rejects.toThrow(/late failure/);
    // No final file, and no temp directory left either.
    expect(existsSync(dir) ? readdirSync(dir) : []).toEqual([]);
  }, 120_000);

  it("AvroIO natively (source:avro, sink:avro): sharded container files, read back record for record, and the local runner's files alike", async () => {
    const schema = { type: "record", name: "User", fields: [{ name: "name", type: "string" }, { name: "age", type: "int" }] } as const;
    const dir = join(work, "avro");
    const w = Pipeline.create({ ...cluster.options, name: "avro-write" });
    w.apply(Create.of(...Array.from({ length: 50 }, (_, i) => i)))
      .apply("ToUser", MapElements.via((n: number) => ({ name: `u${n}`, age: n })))
      .apply("WriteUsers", AvroIO.write(schema).to(join(dir, "users")).withSuffix(".avro").withNumShards(3));
    const written = w.run() as FlinkPipelineResult;
    expect(await written.waitUntilFinish()).toBe("DONE");
    expect((await written.jobPlan()).nodes.map((n) => n.description).join(" ")).toMatch(/WriteUsers\/Write/);
    expect(readdirSync(dir).sort()).toEqual(["users-00000-of-00003.avro", "users-00001-of-00003.avro", "users-00002-of-00003.avro"]);
    // The bridge's files are ordinary Avro container files: the local runner's reader reads them.
    const local: { name: string; age: number }[] = [];
    for (const f of readdirSync(dir)) await readAvroFile(join(dir, f), schema, (u) => local.push(u as { name: string; age: number }));
    expect(local.map((u) => u.age).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(local.find((u) => u.age === 7)).toEqual({ name: "u7", age: 7 });

    // Files the local runner wrote, read on Flink together with the bridge's.
    const l = Pipeline.create({ name: "avro-write-local" });
    l.apply(Create.of(50, 51)).apply(MapElements.via((n: number) => ({ name: `u${n}`, age: n })))
      .apply(AvroIO.write(schema).to(join(dir, "local")).withSuffix(".avro").withCodec("null"));
    expect(await l.run().waitUntilFinish()).toBe("DONE");
    const r = Pipeline.create({ ...cluster.options, name: "avro-read" });
    const users = r.apply("ReadUsers", AvroIO.read(schema).from(join(dir, "*.avro")));
    const ages = users.apply("Age", MapElements.via((u: { age: number }) => u.age));
    const result = r.run({ collect: { [idOf(ages)]: 100, [idOf(users)]: 100 } });
    expect(await result.waitUntilFinish()).toBe("DONE");
    expect(result.collected(idOf(ages))!.elements.map((e) => e.value as number).sort((a, b) => a - b)).toEqual(Array.from({ length: 52 }, (_, i) => i));
    expect(result.collected(idOf(users))!.elements.map((e) => e.value).find((u) => (u as { age: number }).age === 51)).toEqual({ name: "u51", age: 51 });
  }, 120_000);

  it("AvroIO: a value the schema cannot encode fails the job at the write, and no Avro file is left", async () => {
    const schema = { type: "record", name: "User", fields: [{ name: "name", type: "string" }] } as const;
    const dir = join(work, "avro-bad");
    const p = Pipeline.create({ ...cluster.options, name: "avro-bad" });
    p.apply(Create.of(1, 2, 3)).apply("ToUser", MapElements.via((n: number) => (n === 3 ? { name: n } : { name: `u${n}` })))
      .apply("WriteUsers", AvroIO.write(schema).to(join(dir, "users")));
    const err = await p.run().waitUntilFinish().then(() => undefined, (e: Error) => e);
    // The stage before the sink encodes the elements with the write's AvroCoder: the error names the value and the schema.
    expect(err?.message).toMatch(/^Error in transform 'ToUser' while processing element 3:[\s\S]*AvroCoder\(User\) cannot encode \{"name":3\}: name is the number 3/);
    expect(existsSync(dir) ? readdirSync(dir) : []).toEqual([]);
  }, 120_000);

  it("cancel() cancels the job and the state follows", async () => {
    const p = Pipeline.create({ ...cluster.options, name: "to-cancel" });
    p.apply(Create.of(...Array.from({ length: 2000 }, (_, i) => i))).apply("Slow", ParDo.of(new SlowFn()));
    const result = p.run() as FlinkPipelineResult;
    const jobId = await result.jobIdPromise;
    const client = new FlinkRestClient(PORT);
    await client.waitForJob(jobId, { until: new Set(["RUNNING"]), timeoutMs: 60_000 });
    expect(await result.cancel()).toBe("CANCELLED");
    expect(result.state).toBe("CANCELLED");
    expect(await client.jobStatus(jobId)).toBe("CANCELED");
    expect(await result.waitUntilFinish()).toBe("CANCELLED");
  }, 120_000);

  it("refuses at run() what it cannot translate, before anything is submitted", () => {
    const p = Pipeline.create({ ...cluster.options, name: "refused" });
    p.apply(Create.of("a")).apply("Headed", TextIO.write().to(join(work, "h")).withHeader("title"));
    expect(() => p.run()).toThrow(/cannot translate 'Headed'.*header/);
  });
});
