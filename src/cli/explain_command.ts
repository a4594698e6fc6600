/**
 * `flowbook explain FILE.ts`: evaluates a pipeline script the way `flowbook run` does (the
 * session's evaluator), but runs nothing: every pipeline it builds is translated for Flink
 * and its plan printed as a text tree, optionally written as SVG or JSON, or sent to a
 * cluster for Flink's own execution plan.
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import type { PipelineGraph } from "../graph/types.js";
import type { PipelineOptions } from "../sdk/pipeline_options.js";

const HELP = `flowbook explain FILE.ts [--svg OUT.svg] [--json] [--trace] [--job-graph] [--flink-plan] [--flinkMaster host:port] [--parallelism N] [-- args...]

Shows how the Flink runner runs the pipelines a script builds, without running them:
the operators of the Flink job (named after the transforms they came from, with their
parallelism and whether they run user code in Node) and the edges between them (with
their ship strategy: forward, hash, broadcast, rebalance).

  --svg OUT.svg      also write the plan as an SVG graph (OUT-2.svg, … for more pipelines)
  --json             print the FlinkPlan JSON instead of the tree
  --trace            print the recorded translation instead (flowbook.translationtrace/v1 JSON:
                     each transform visited, the translator chosen, the operators and edges it
                     made, every decision with its reason); a JSON array for several pipelines
  --job-graph        also print what Flink makes of the plan: its job graph (vertices after
                     operator chaining, each with the plan operators it runs), asked from the
                     cluster without running anything; with --svg also OUT-jobgraph.svg
  --flink-plan       also print Flink's own execution plan (its raw JSON), asked from the cluster
  --flinkMaster H:P  the cluster for --job-graph and --flink-plan (default: the script's, or localhost:8081)
  --parallelism N    the default parallelism to plan with (default: the script's, or 2)`;

interface Args {
  file?: string;
  svg?: string;
  json: boolean;
  trace: boolean;
  jobGraph: boolean;
  flinkPlan: boolean;
  flinkMaster?: string;
  parallelism?: number;
  args: string[];
}

function parse(argv: string[]): Args | "help" {
  const a: Args = { json: false, trace: false, jobGraph: false, flinkPlan: false, args: [] };
  for (let i = 0; i < argv.length; i++) {
    const x = argv[i]!;
    const value = (name: string) => {
      const eq = x.indexOf("=");
      if (eq >= 0) return x.slice(eq + 1);
      const v = argv[++i];
      if (v === undefined) throw new Error(`${name} needs a value\n\n${HELP}`);
      return v;
    };
    if (x === "--") {
      a.args = argv.slice(i + 1);
      break;
    } else if (x === "--help" || x === "-h") return "help";
    else if (x === "--svg" || x.startsWith("--svg=")) a.svg = value("--svg");
    else if (x === "--json") a.json = true;
    else if (x === "--trace") a.trace = true;
    else if (x === "--job-graph") a.jobGraph = true;
    else if (x === "--flink-plan") a.flinkPlan = true;
    else if (x === "--flinkMaster" || x === "--flink-master" || x.startsWith("--flinkMaster=") || x.startsWith("--flink-master=")) a.flinkMaster = value("--flinkMaster");
    else if (x === "--parallelism" || x.startsWith("--parallelism=")) a.parallelism = Number(value("--parallelism"));
    else if (x.startsWith("--")) throw new Error(`unknown option ${x}\n\n${HELP}`);
    else if (!a.file) a.file = x;
    else a.args.push(x);
  }
  return a;
}

/** Evaluates a script, running none of its pipelines; returns the graphs of those it built, in order. */
export async function pipelinesOf(file: string, args: string[] = [], log: { out: (t: string) => void; err: (t: string) => void }): Promise<PipelineGraph[]> {
  const fs = await import("node:fs/promises");
  const { createSession } = await import("../session/session.js");
  const abs = path.resolve(file);
  const code = await fs.readFile(abs, "utf8");
  const session = createSession({ cwd: process.cwd(), args, typeCheck: "off", stdout: log.out, stderr: log.err, dryRun: true });
  try {
    await session.ready();
    const rel = path.relative(process.cwd(), abs);
    const result = await session.execute(code, { filename: rel && !rel.startsWith("..") ? rel : abs, language: /\.[cm]?js$/.test(abs) ? "js" : "ts" });
    if (result.status === "error") throw new Error(result.error!.traceback.join("\n"));
    return session.pipelineGraphs();
  } finally {
    await session.dispose();
  }
}

export async function explainCommand(argv: string[]): Promise<number> {
  const a = parse(argv);
  if (a === "help") {
    console.log(HELP);
    return 0;
  }
  if (!a.file) throw new Error(`flowbook explain needs a file\n\n${HELP}`);
  const out = (t: string) => void process.stdout.write(t);
  const err = (t: string) => void process.stderr.write(t);
  const pipelines = await pipelinesOf(a.file, a.args, { out: err, err });
  if (pipelines.length === 0) {
    err(`flowbook explain: ${a.file} builds no pipeline\n`);
    return 1;
  }
  const { flinkPlanOf, flinkExecutionPlan, flinkJobGraphOf, translationTraceOf } = await import("../runners/flink/explain/index.js");
  const optionsOf = (): PipelineOptions => {
    const options: PipelineOptions = {};
    if (a.parallelism !== undefined) options.parallelism = a.parallelism;
    if (a.flinkMaster !== undefined) options.flinkMaster = a.flinkMaster;
    return options;
  };
  if (a.trace) {
    // A refused pipeline's trace ends at the refusal (its `error`): printed, and the exit code says so.
    const traces = pipelines.map((p) => translationTraceOf(p, optionsOf()));
    out(JSON.stringify(traces.length === 1 ? traces[0] : traces, null, 2) + "\n");
    for (const t of traces) if (t.error) err(`${t.error.message}\n`);
    return traces.some((t) => t.error) ? 1 : 0;
  }
  const { renderPlanSvg, renderPlanText } = await import("../display/plan/index.js");
  let failed = false;
  for (const [i, p] of pipelines.entries()) {
    const options = optionsOf();
    let plan;
    try {
      plan = flinkPlanOf(p, options);
    } catch (x) {
      failed = true;
      err(`${(x as Error).message}\n`);
      continue;
    }
    if (i > 0) out("\n");
    out(a.json ? JSON.stringify(plan, null, 2) + "\n" : renderPlanText(plan, { width: process.stdout.columns || 120 }) + "\n");
    if (a.svg) {
      const target = i === 0 ? a.svg : a.svg.replace(/(\.svg)?$/, `-${i + 1}.svg`);
      writeFileSync(target, await renderPlanSvg(plan));
      err(`wrote ${target}\n`);
    }
    if (a.jobGraph) {
      try {
        const g = await flinkJobGraphOf(p, options);
        const { renderJobGraphText, renderJobGraphSvg } = await import("../display/plan/job_graph.js");
        out(`\n${renderJobGraphText(g, { width: process.stdout.columns || 120 })}\n`);
        if (a.svg) {
          const target = (i === 0 ? a.svg : a.svg.replace(/(\.svg)?$/, `-${i + 1}.svg`)).replace(/(\.svg)?$/, "-jobgraph.svg");
          writeFileSync(target, await renderJobGraphSvg(g));
          err(`wrote ${target}\n`);
        }
      } catch (x) {
        failed = true;
        err(`flowbook explain: Flink's job graph could not be fetched: ${(x as Error).message}\n`);
      }
    }
    if (a.flinkPlan) {
      try {
        const fp = await flinkExecutionPlan(p, options);
        out(`\nFlink's execution plan:\n${JSON.stringify(fp, null, 2)}\n`);
      } catch (x) {
        failed = true;
        err(`flowbook explain: Flink's plan could not be fetched: ${(x as Error).message}\n`);
      }
    }
  }
  return failed ? 1 : 0;
}

const isMain = process.argv[1] && path.resolve(process.argv[1]).replace(/\.[cm]?[jt]s$/, "") === path.resolve(new URL(import.meta.url).pathname).replace(/\.[cm]?[jt]s$/, "");
if (isMain) {
  explainCommand(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (e: unknown) => {
      console.error(e instanceof Error ? e.message : String(e));
      process.exitCode = 1;
    },
  );
}
