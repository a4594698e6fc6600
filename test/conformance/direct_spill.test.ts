/**
 * The conformance suite on the local runner with a memory budget of about a hundred bytes
 * (issue 13, point 3): every shuffle, group, combiner table and reshuffle spills to disk, and
 * every case must still pass.
 */
import { describe, it } from "vitest";
import { allCases } from "./cases/index.js";
import { runCase } from "./harness.js";

const runner = { name: "direct", options: { runner: "direct", parallelism: 2, memoryBudgetMb: 1e-4 } };

describe("conformance on the local runner, spilling everything", () => {
  for (const c of allCases) {
    const skip = c.skip?.direct;
    (skip ? it.skip : it)(skip ? `${c.name} (skipped: ${skip})` : c.name, () => runCase(c, runner));
  }
});
