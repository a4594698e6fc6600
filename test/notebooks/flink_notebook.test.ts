/**
 * notebooks/flink.ipynb executed by nbclient against the installed kernel and a real local
 * Flink cluster started here on port 18131 (FLINK_MASTER tells the notebook where): the
 * plan `explain` shows, the same top 10 from both runners, every count identical.
 */
import { readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { startTestCluster, type TestCluster } from "../runners/flink/fixture.js";
import { NOTEBOOKS, RESULTS, cellWith, displays, executeNotebook, installKernel, onlyData, problems, resultText, tableOf, type Notebook } from "./support/jupyter.js";

const PORT = 18131;
let cluster: TestCluster | undefined;
let nb: Notebook;
let prefix: string | undefined;

beforeAll(async () => {
  const kernel = installKernel();
  prefix = kernel.prefix;
  const env = kernel.env;
  cluster = await startTestCluster(PORT, 2);
  nb = await executeNotebook(path.join(NOTEBOOKS, "flink.ipynb"), path.join(RESULTS, "notebooks", "flink.ipynb"), {
    ...env,
    FLINK_MASTER: `localhost:${PORT}`,
    // The cluster's worker is the fresh bundle of src/ and the jar the fixture built (as the Flink runner's own tests run it).
    FLOWBOOK_FLINK_BRIDGE_JAR: cluster.jar,
    FLOWBOOK_FLINK_WORKER_COMMAND: String(cluster.options.flinkWorkerCommand),
  }, 540_000);
}, 720_000);

afterAll(async () => {
  await cluster?.stop();
  if (prefix) rmSync(prefix, { recursive: true, force: true });
}, 60_000);

test("runs clean against the cluster the test started", () => {
  expect(problems(nb)).toEqual([]);
  expect(resultText(cellWith(nb, "const FLINK_MASTER"))).toBe(`'localhost:${PORT}'`);
});

test("explain: the Flink plan as text and SVG, the file source, the count's combine lifted before the shuffle, the user code in a Node worker", () => {
  const cell = cellWith(nb, "await explain(onFlink)");
  const plan = onlyData<string>(cell, "text/plain");
  expect(plan).toMatch(/^Flink plan 'flowbook-pipeline-\d+' · BATCH · parallelism \d+/);
  expect(plan).toMatch(/op1 source:text +ReadLines/);
  expect(plan).toContain("tinyshakespeare.txt");
  expect(plan).toMatch(/forward ▸ op2 usercode · Node +ExtractWords \+ CountWords\/Init \+ CountWords\/Combine\.perKey/);
  expect(plan).toMatch(/hash ▸ op3 combine · native sum +CountWords\/Combine\.perKey/);
  expect(plan).toMatch(/lifted: pre-combined in op2/);
  const svg = onlyData<string>(cell, "image/svg+xml");
  expect(svg).toMatch(/^<svg[\s\S]*ReadLines[\s\S]*<\/svg>\s*$/);
  expect(displays(cell, "image/png")).toHaveLength(1);
});

test("the top 10 is the same table from the local runner and from Flink", () => {
  const local = tableOf(cellWith(nb, "await show(top10(localCounts))")).data;
  const flink = tableOf(cellWith(nb, "await show(top10(flinkCounts))")).data;
  expect(local.slice(0, 3).map((r) => r.key)).toEqual(["the", "and", "i"]); // this notebook splits "I'll" into "i" and "ll"
  expect(local).toHaveLength(10);
  expect(flink).toEqual(local);
  // The Flink show ran on the cluster: its progress display names the runner.
  const progress = displays(cellWith(nb, "await show(top10(flinkCounts))"), "application/vnd.flowbook.progress+json");
  expect(progress.map((o) => JSON.stringify(o.data)).join("\n")).toMatch(/flink/i);
});

test("every count is identical on both runners", () => {
  const summary = resultText(cellWith(nb, "const fromFlink = sortKv"));
  // As many words as this notebook's tokenizer finds, counted here in plain Node.
  const words = new Set(readFileSync(path.resolve(NOTEBOOKS, "../../shared/data/tinyshakespeare.txt"), "utf8").toLowerCase().split(/[^a-z]+/).filter(Boolean));
  expect(summary).toContain(`words: ${words.size}`);
  expect(summary).toContain("identical: true");
});
