/**
 * Issue 14, point 4: a windowed streaming job on Flink survives a killed Node worker, and
 * separately a killed TaskManager, restored from its last checkpoint with no window result
 * lost or duplicated in its files. Runs each kind --runs times (default 10) on a cluster of
 * two TaskManagers it starts on --port (default 18211), each run seeded from --seed:
 *
 *   node --import tsx --import ./src/session/register.ts test/faults/streaming/recovery.ts [--runs 10] [--seed S] [--kinds worker,taskmanager] [--port 18211]
 *
 * Exit code 0 when every run passed. The vitest file test/faults/streaming_recovery.test.ts
 * runs one of each.
 */
import { recoveryRun, describeRun, passed, type FaultKind } from "./recovery_run.js";
import { startFaultCluster } from "./cluster.js";

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const runs = Number(arg("runs") ?? 10);
const seed = Number(arg("seed") ?? Date.now() % 1_000_000);
const kinds = (arg("kinds") ?? "worker,taskmanager").split(",") as FaultKind[];
const port = Number(arg("port") ?? 18211);

const cluster = await startFaultCluster(port);
console.log(`recovery: ${runs} run(s) of ${kinds.join(" and ")}, seed ${seed}, cluster on port ${port}`);
let failed = 0;
try {
  for (let i = 0; i < runs; i++) {
    for (const kind of kinds) {
      const r = await recoveryRun(cluster, kind, seed + i, undefined, (s) => console.log(s));
      console.log(describeRun(r));
      if (!passed(r)) failed++;
    }
  }
} finally {
  await cluster.stop();
}
console.log(`recovery: ${runs * kinds.length - failed} of ${runs * kinds.length} runs passed (seed ${seed})`);
process.exit(failed ? 1 : 0);
