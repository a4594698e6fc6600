import { describe, it } from "vitest";
import { allCases } from "./cases/index.js";
import { runCase } from "./harness.js";

const runner = { name: "direct", options: { runner: "direct", parallelism: 2 } };

describe("conformance on the local runner", () => {
  for (const c of allCases) {
    const skip = c.skip?.direct;
    (skip ? it.skip : it)(skip ? `${c.name} (skipped: ${skip})` : c.name, () => runCase(c, runner));
  }
});
