/**
 * Issue 14, point 4 (one run of each kind; test/faults/streaming/recovery.ts runs 10): a
 * windowed streaming job on a real Flink cluster (port 18213,
 * `FLOWBOOK_FLINK_RECOVERY_TEST_PORT`, two TaskManagers) survives `kill -9` of a Node worker,
 * and separately of a TaskManager (a new one started): Flink restores it from its last
 * checkpoint and its files hold every window result once, none lost, no temporary file left.
 * The seed (`FLOWBOOK_RECOVERY_SEED`, default 14) picks when and what is killed.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFaultCluster, type FaultCluster } from "./streaming/cluster.js";
import { describeRun, passed, recoveryRun } from "./streaming/recovery_run.js";

const PORT = Number(process.env.FLOWBOOK_FLINK_RECOVERY_TEST_PORT ?? 18213);
const SEED = Number(process.env.FLOWBOOK_RECOVERY_SEED ?? 14);
let cluster: FaultCluster;

describe("a windowed streaming job on Flink survives its processes being killed", () => {
  beforeAll(async () => {
    cluster = await startFaultCluster(PORT);
  }, 240_000);
  afterAll(async () => {
    await cluster?.stop();
  }, 60_000);

  for (const kind of ["worker", "taskmanager"] as const) {
    it(`kill -9 of a ${kind === "worker" ? "Node worker" : "TaskManager"} mid-job: restored from the last checkpoint, each window result once`, async () => {
      const r = await recoveryRun(cluster, kind, SEED);
      expect(r.error, describeRun(r)).toBeUndefined();
      expect(r.failovers, "the kill failed the job over at least once").toBeGreaterThanOrEqual(1);
      expect(r.state).toBe("DONE");
      expect(r.verdict?.duplicated, "window results written twice").toEqual([]);
      for (const t of r.verdict!.totals) expect(t.got, `the window sums of ${t.key} (a lost window result if less)`).toBe(t.want);
      expect(r.leftTemp, "temporary files left").toEqual([]);
      expect(passed(r), describeRun(r)).toBe(true);
    }, 240_000);
  }
});
