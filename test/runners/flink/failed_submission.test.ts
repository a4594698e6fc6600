/**
 * A Flink run whose submission fails (no cluster at the address, no bridge jar) has no job id:
 * what waits for one — refresh(), jobPlan(), stop() — fails with the run's error instead of
 * waiting forever. No cluster: the address is a port nothing listens on.
 */
import { createServer } from "node:net";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Create, MapElements, Pipeline } from "../../../src/index.js";
import type { FlinkPipelineResult } from "../../../src/runners/flink/flink_runner.js";
import { tempDir } from "../../support/files.js";

/** A local port that was free a moment ago: connecting to it is refused. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe("a Flink run whose submission fails", () => {
  it("fails refresh(), jobPlan() and stop() with the run's error, and ends FAILED", async () => {
    const p = Pipeline.create({ runner: "flink", flinkMaster: `127.0.0.1:${await closedPort()}`, flinkBridgeJar: join(tempDir("flowbook-nojar-"), "missing.jar") });
    p.apply(Create.of(1, 2, 3)).apply("Twice", MapElements.via((n: number) => n * 2));
    const r = p.run() as FlinkPipelineResult;
    const refreshed = r.refresh().then(() => "resolved", (e: Error) => e.message);
    const plan = r.jobPlan().then(() => "resolved", (e: Error) => e.message);
    const stopped = r.stop({ savepointDir: tempDir("flowbook-sp-") }).then(() => "resolved", (e: Error) => e.message);
    expect(await r.waitUntilFinish().catch(() => r.state)).toBe("FAILED");
    for (const answer of await Promise.all([refreshed, plan, stopped])) {
      expect(answer).not.toBe("resolved");
      expect(answer.length).toBeGreaterThan(0);
    }
  }, 30_000);
});
