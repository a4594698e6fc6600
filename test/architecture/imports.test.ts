/**
 * Data flows one way — cell → session → sdk/graph → runner → display → front end — and no
 * layer reaches back up. This test holds every import of src/, kernel/ and repl/ to the
 * rules of docs/architecture.md ("Folders", column "may import"), read from the doc itself,
 * and to its "Known exceptions" table: the debt stays visible, and a fixed one must be
 * crossed off.
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { importGraph, sourceFiles, type ImportEdge } from "./import_graph.js";
import {
  describeViolation,
  duplicatePaths,
  isExcused,
  parseFolderRules,
  parseKnownExceptions,
  parseMayImport,
  rulesFor,
  violations,
  type FolderRule,
  type KnownException,
} from "./folder_rules.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const DOC = "docs/architecture.md";
/** The entry of the bundle evaluated inside every session's vm2 sandbox. */
const SANDBOX_ENTRY = "src/session/sandbox/sandbox_entry.ts";

let rules: FolderRule[];
let exceptions: KnownException[];
let edges: ImportEdge[];

beforeAll(() => {
  const doc = fs.readFileSync(path.join(ROOT, DOC), "utf8");
  rules = parseFolderRules(doc);
  exceptions = parseKnownExceptions(doc);
  edges = importGraph(ROOT);
}, 120_000); // ~300 files through TypeScript's parser: a few seconds, more on a loaded machine

describe("imports keep to docs/architecture.md", () => {
  it("no file imports what its folder may not", () => {
    const broken = violations(rules, edges).filter((v) => !isExcused(v, exceptions));
    expect(broken.map(describeViolation), "fix the import, or (only if another issue removes it) list it under Known exceptions").toEqual([]);
  });

  it("every known exception is still needed", () => {
    const found = violations(rules, edges);
    const stale = exceptions.filter((x) => !found.some((v) => isExcused(v, [x])));
    expect(stale.map((x) => `${DOC}:${x.line}: \`${x.from}\` no longer breaks a rule importing \`${x.imports}\`: delete the row`)).toEqual([]);
  });

  it("the table names paths that exist and rules every source file", () => {
    const missing = rules.flatMap((r) => r.paths.concat(r.allow, r.allowTypes, r.never).filter((p) => !fs.existsSync(path.join(ROOT, p))).map((p) => `${DOC}:${r.line}: \`${p}\` does not exist`));
    expect(missing).toEqual([]);
    expect(duplicatePaths(rules), "two rows with rules of their own name the same path").toEqual([]);
    const unruled = sourceFiles(ROOT).filter((f) => !rulesFor(rules, f).some((r) => r.constrains));
    expect(unruled.map((f) => `${f}: no row of the Folders table rules it (add its folder, or a row for it)`)).toEqual([]);
  });

  it("src/api.ts registers no runner: nothing of src/runners (nor src/index.ts) loads with it or with the sandbox's bundle", () => {
    for (const entry of ["src/api.ts", SANDBOX_ENTRY]) {
      const loaded = [...runtimeClosure(edges, entry)].filter((f) => f.startsWith("src/runners/") || f === "src/index.ts");
      expect(loaded.map((f) => `${entry} loads ${f}`)).toEqual([]);
    }
  });

  it("every src/display file the sandbox's bundle holds is declared realm-agnostic (no `node:`)", () => {
    const bundled = runtimeClosure(edges, SANDBOX_ENTRY);
    expect(bundled.size).toBeGreaterThan(10);
    const undeclared = [...bundled].filter((f) => f.startsWith("src/display/") && !rulesFor(rules, f).some((r) => r.noNode));
    expect(undeclared.map((f) => `${f} runs in the cells' sandbox: add it to the realm-agnostic row of ${DOC}`)).toEqual([]);
  });
});

/** The repo files that load when `entry` loads (imports that run, not type-only ones). */
function runtimeClosure(all: ImportEdge[], entry: string): Set<string> {
  const byFile = new Map<string, ImportEdge[]>();
  for (const e of all) byFile.set(e.from, [...(byFile.get(e.from) ?? []), e]);
  const seen = new Set<string>();
  const stack = [entry];
  while (stack.length) {
    const f = stack.pop()!;
    if (seen.has(f)) continue;
    seen.add(f);
    for (const e of byFile.get(f) ?? []) if (e.kind === "repo" && !e.typeOnly) stack.push(e.target);
  }
  return seen;
}

describe("the rules refuse what they should", () => {
  const edge = (from: string, target: string, typeOnly = false): ImportEdge => ({
    from,
    specifier: target,
    line: 1,
    target,
    kind: target.startsWith("node:") ? "node" : "repo",
    typeOnly,
  });
  const refused = (e: ImportEdge): string[] => violations(rules, [e]).map(describeViolation);

  it.each([
    ["the graph layer using the session's instrumenter", edge("src/graph/functions/serialize.ts", "src/session/session.ts")],
    ["the graph layer using SDK types", edge("src/graph/types.ts", "src/sdk/coders/coder.ts", true)],
    ["the SDK using a runner", edge("src/sdk/pipeline.ts", "src/runners/direct/direct_runner.ts")],
    ["IO using a runner", edge("src/io/text/text_io.ts", "src/runners/direct/executor.ts")],
    ["a runner drawing", edge("src/runners/direct/executor.ts", "src/display/mime.ts")],
    ["a runner reaching the session", edge("src/runners/flink/flink_runner.ts", "src/session/session.ts")],
    ["the display layer reaching a front end", edge("src/display/graph/index.ts", "repl/main.ts")],
    ["the display layer running runner code", edge("src/display/plan/text.ts", "src/runners/flink/explain/index.ts")],
    ["a realm-agnostic display part loading a Node built-in", edge("src/display/table/text_table.ts", "node:fs")],
    ["a realm-agnostic display part loading a host-only one", edge("src/display/interactive/calls.ts", "src/display/png.ts")],
    ["src/api.ts registering a runner", edge("src/api.ts", "src/runners/direct/direct_runner.ts")],
    ["the session reaching a front end", edge("src/session/session.ts", "kernel/main.ts")],
    ["the kernel's wire using runner code", edge("kernel/wire/message.ts", "src/runners/direct/direct_runner.ts")],
    ["the kernel's sockets loading the package root", edge("kernel/sockets/sockets.ts", "src/index.ts")],
    ["the kernel using a runner", edge("kernel/main.ts", "src/runners/flink/flink_runner.ts")],
    ["the REPL using the SDK", edge("repl/commands.ts", "src/sdk/pipeline.ts")],
    ["a worker loading the package root", edge("src/runners/flink/worker/main.ts", "src/index.ts")],
    ["a worker's own row lifting its folder's prohibition", edge("src/runners/flink/worker/main.ts", "src/display/mime.ts")],
    ["the local runner using the Flink runner", edge("src/runners/direct/executor.ts", "src/runners/flink/flink_runner.ts")],
  ])("refuses %s", (_what, e) => {
    const found = refused(e);
    expect(found.length).toBeGreaterThan(0);
    // The message names the file, the import and the rule.
    expect(found[0]).toContain(e.from);
    expect(found[0]).toContain(e.target);
    expect(found[0]).toMatch(/docs\/architecture\.md:\d+ says/);
  });

  it.each([
    ["the SDK using the graph", edge("src/sdk/pipeline.ts", "src/graph/types.ts")],
    ["the display layer naming the Flink plan's types", edge("src/display/plan/text.ts", "src/runners/flink/flink_plan.ts", true)],
    ["src/api.ts naming a runner's types", edge("src/api.ts", "src/runners/flink/flink_plan.ts", true)],
    ["the session starting runners", edge("src/session/session.ts", "src/runners/flink/explain/index.ts")],
    ["the kernel using the session and the display layer", edge("kernel/main.ts", "src/session/session.ts")],
    ["the CLI using anything", edge("src/cli/main.ts", "repl/main.ts")],
  ])("allows %s", (_what, e) => {
    expect(refused(e)).toEqual([]);
  });

  it("a clause the test cannot read is an error, not a rule that allows everything", () => {
    expect(() => parseMayImport(["src/x/"], "sdk and graph", 7)).toThrow(/architecture\.md:7: cannot read the clause "sdk and graph"/);
    expect(parseMayImport(["src/x/"], "`src/sdk/` (and its coders); types from `src/y.ts`; never `repl/`", 7)).toMatchObject({ allow: ["src/sdk/"], allowTypes: ["src/y.ts"], never: ["repl/"] });
  });

  it("a known exception names the issue that removes it", () => {
    for (const x of exceptions) {
      expect(x.removedBy, `${DOC}:${x.line}`).toMatch(/issue \d+/i);
    }
  });
});
