/**
 * Samples through the Flink runner, on a real standalone cluster (started here, port
 * 18121): the sample job runs only the PCollection's ancestors (the sink downstream writes
 * nothing), and it is cached as on the local runner (a second request submits no job).
 */
import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { decodeSample } from "../../../src/display/samples/encoded_sample.js";
import { SampleService } from "../../../src/display/samples/sample_service.js";
import { Count, Create, KV, MapElements, Pipeline, TextIO } from "../../../src/index.js";
import { resolveRunner, type RunRequest } from "../../../src/sdk/runner.js";
import { startTestCluster, type TestCluster } from "../../runners/flink/fixture.js";

const PORT = Number(process.env.FLOWBOOK_SAMPLES_FLINK_TEST_PORT ?? 18121);
let cluster: TestCluster;

beforeAll(async () => {
  cluster = await startTestCluster(PORT, 2);
}, 600_000);
afterAll(async () => {
  await cluster?.stop();
}, 60_000);

describe("samples on Flink", () => {
  test("a sample is computed by a Flink job once, then served from the cache", async () => {
    const out = mkdtempSync(join(tmpdir(), "flowbook-flink-samples-"));
    const p = Pipeline.create(cluster.options);
    const counts = p.apply("Words", Create.of("a", "b", "a", "c", "a")).apply(Count.perElement());
    counts.apply("Format", MapElements.via((kv: KV<string, number>) => `${kv.key}=${kv.value}`)).apply("Write", TextIO.write().to(join(out, "counts")));

    const jobs: RunRequest[] = [];
    const service = new SampleService({
      start: (request, runner) => {
        jobs.push(request);
        return resolveRunner(runner).run(request);
      },
    });
    const graph = p.toJSON();
    const ask = () => service.sample({ graphJson: JSON.stringify(graph), pcollectionId: counts.id, n: 20, optionsJson: JSON.stringify(cluster.options) });

    const first = await ask();
    expect(first).toMatchObject({ count: 3, truncated: false, totalAtLeast: 3, cached: false });
    const kvs = decodeSample(graph, counts.id, first).elements.map((e) => e.value as KV<string, number>);
    expect(kvs.map((kv) => `${kv.key}=${kv.value}`).sort()).toEqual(["a=3", "b=1", "c=1"]);
    expect(jobs.map((j) => Object.values(j.graph.transforms).some((t) => t.fullName === "Write"))).toEqual([false]);
    expect(readdirSync(out)).toEqual([]);

    const second = await ask();
    expect(second).toEqual({ ...first, cached: true });
    expect(jobs).toHaveLength(1);
    expect(service.stats()).toMatchObject({ runs: 1, hits: 1, entries: 1 });

    // The same PCollection on the local runner is another computation (another entry).
    const local = await service.sample({ graphJson: JSON.stringify(graph), pcollectionId: counts.id, n: 20, optionsJson: JSON.stringify({ runner: "direct", inProcess: true }) });
    expect(local.cached).toBe(false);
    const localKvs = decodeSample(graph, counts.id, local).elements.map((e) => e.value as KV<string, number>);
    expect(localKvs.map((kv) => `${kv.key}=${kv.value}`).sort()).toEqual(["a=3", "b=1", "c=1"]);
    expect(service.stats()).toMatchObject({ runs: 2, entries: 2 });
  }, 300_000);
});
