import { describe, it } from "vitest";
import { allCases } from "./cases/index.js";
import { runCase } from "./harness.js";

// The same cases, run from the graph's JSON form alone (Pipeline.fromJSON(JSON.parse(JSON.stringify(p.toJSON())))).
const runner = { name: "direct", options: { runner: "direct", parallelism: 2 }, roundTrip: true };

describe("conformance on the local runner, from the round-tripped graph", () => {
  for (const c of allCases) {
    const skip = c.skip?.direct;
    (skip ? it.skip : it)(skip ? `${c.name} (skipped: ${skip})` : c.name, () => runCase(c, runner));
  }
});
