#!/usr/bin/env node
// The one test command (npm test): vitest over test/, then the Flink bridge's Maven
// tests when Maven is here; prints `N passed, N failed` from their reports as the last line.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const args = process.argv.slice(2);
mkdirSync(join(root, "test-results"), { recursive: true });
const jsonReport = join(root, "test-results", "vitest.json");
rmSync(jsonReport, { force: true });

const vitest = spawnSync(process.execPath, [join(root, "node_modules/vitest/vitest.mjs"), "run", "--reporter=default", "--reporter=json", `--outputFile.json=${jsonReport}`, ...args], {
  cwd: root,
  stdio: "inherit",
});

let passed = 0;
let failed = 0;
let skipped = 0;
if (existsSync(jsonReport)) {
  const r = JSON.parse(readFileSync(jsonReport, "utf8"));
  passed += r.numPassedTests ?? 0;
  failed += (r.numFailedTests ?? 0) + (r.numRuntimeErrorTestSuites ?? 0);
  skipped += (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  // A file that failed to load counts as a failure even with no test in it.
  for (const f of r.testResults ?? []) if (f.status === "failed" && (f.assertionResults ?? []).length === 0) failed++;
} else {
  failed++;
  console.error("test/run.mjs: vitest wrote no JSON report");
}

// The Java half of the Flink runner: Maven Surefire, only when no vitest filter was given.
const bridge = join(root, "flink/bridge/pom.xml");
if (args.length === 0 && existsSync(bridge) && spawnSync("mvn", ["-v"], { stdio: "ignore" }).status === 0) {
  const mvn = spawnSync("mvn", ["-q", "-B", "-ntp", "-f", bridge, "test"], { cwd: root, stdio: "inherit" });
  const reports = join(root, "flink/bridge/target/surefire-reports");
  let counted = false;
  if (existsSync(reports)) {
    for (const f of readdirSync(reports).filter((n) => n.endsWith(".xml"))) {
      const head = readFileSync(join(reports, f), "utf8").slice(0, 2000);
      const m = /<testsuite[^>]*\btests="(\d+)"[^>]*/.exec(head);
      if (!m) continue;
      const attr = (n) => Number(new RegExp(`\\b${n}="(\\d+)"`).exec(m[0])?.[1] ?? 0);
      const bad = attr("failures") + attr("errors");
      passed += attr("tests") - bad - attr("skipped");
      failed += bad;
      skipped += attr("skipped");
      counted = true;
    }
  }
  if (mvn.status !== 0 && !counted) failed++;
}

console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exitCode = failed > 0 || vitest.status !== 0 ? 1 : 0;
