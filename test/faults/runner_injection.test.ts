/**
 * The fault-injection suite's bounded CI subset (issue 12, point 10): the cases marked `ci` in
 * test/faults/injection/cases.ts on the local runner, one run with random kill points (the seed
 * is in the test's name). The whole table, on both runners and over many runs:
 *
 *   node --import tsx --import ./src/session/register.ts test/faults/injection/run.ts --runs 20
 *
 * `FLOWBOOK_FAULTS_FLINK=1` adds the Flink runner here (a cluster on port 18154 is started).
 */
import { describe, expect, it } from "vitest";
import { runSuite, summary } from "./injection/run.js";

const seed = Number(process.env.FLOWBOOK_FAULTS_SEED ?? Math.floor(Math.random() * 2 ** 31));
const runners = process.env.FLOWBOOK_FAULTS_FLINK === "1" ? (["direct", "flink"] as const) : (["direct"] as const);

describe("fault injection (CI subset)", () => {
  it(`every case answers in time with the right verdict (seed ${seed}, ${runners.join(" + ")})`, async () => {
    const lines: string[] = [];
    const verdicts = await runSuite({ runs: 1, runners: [...runners], seed, ci: true, log: (l) => lines.push(l) });
    const bad = verdicts.filter((v) => v.verdict !== "ok");
    expect(bad, `${summary(verdicts)}\n${lines.join("\n")}`).toEqual([]);
    expect(verdicts.length).toBeGreaterThan(10);
  }, 600_000);
});
