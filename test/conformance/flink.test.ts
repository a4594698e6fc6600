/**
 * The conformance cases on the Flink runner: every case of test/conformance/cases runs as
 * a real Flink job on a local cluster that this file starts (port 18091, 1 TaskManager ×
 * 4 slots) and stops. Same cases, same checks as on the local runner.
 */
import { afterAll, beforeAll, describe, it } from "vitest";
import "../../src/runners/flink/flink_runner.js";
import { startTestCluster, type TestCluster } from "../runners/flink/fixture.js";
import { allCases } from "./cases/index.js";
import { runCase } from "./harness.js";

const PORT = Number(process.env.FLOWBOOK_FLINK_TEST_PORT ?? 18091);
let cluster: TestCluster;

describe("conformance on the Flink runner", () => {
  beforeAll(async () => {
    cluster = await startTestCluster(PORT);
  }, 240_000);
  afterAll(async () => {
    await cluster?.stop();
  }, 60_000);

  for (const c of allCases) {
    const skip = c.skip?.flink;
    (skip ? it.skip : it)(skip ? `${c.name} (skipped: ${skip})` : c.name, () => runCase(c, { name: "flink", options: cluster.options }), 120_000);
  }
});
