/**
 * The REPL's dot commands (`.help`, `.runner`, `.graph`, `.plan`, `.save`, `.load`,
 * `.reset`, `.doc`, `.exit`), for the Ink screen and the plain REPL alike: each gets a
 * context that prints and runs inputs the way its front end does.
 */
import fs from "node:fs";
import path from "node:path";
import type { PipelineGraph } from "../src/graph/types.js";
import type { Session } from "../src/session/session.js";
import type { Painter } from "./render/ansi.js";
import { KEY_HELP } from "./editor/keymap.js";
import { renderGraphText } from "../src/display/graph/index.js";
import { renderStepText, Stepper, stepView, type TranslationTrace } from "../src/display/plan/stepper/index.js";

export interface CommandContext {
  session: Session;
  paint: Painter;
  width: number;
  print(text: string): void;
  printError(text: string): void;
  /** The default pipeline options (runner, flinkMaster) as the REPL set them: what .runner shows and .save writes. */
  pipelineOptions: Record<string, unknown>;
  /** The inputs that ran without error since the start or the last .reset (what .save writes). */
  inputs: string[];
  /** Runs code as an input of the REPL (outputs shown); true when it succeeded. */
  run(code: string, options?: { filename?: string }): Promise<boolean>;
  /** Steps through a recorded translation (`.plan --step`) once the command returned; absent where keys cannot drive it (the plain REPL prints every step). */
  step?(trace: TranslationTrace): void;
  exit(): void;
}

export const COMMAND_HELP: ReadonlyArray<[string, string]> = [
  [".runner [direct | flink [host:port]]", "the runner of pipelines created from now on"],
  [".graph [N]", "the latest pipeline's graph as a tree (N: the Nth pipeline, from 1)"],
  [".plan [N]", "its Flink plan"],
  [".plan --step [N]", "steps through its translation: n s o c b, break NAME|KIND, why, q"],
  [".save FILE.ts", "the inputs that ran, as a script for `flowbook run`"],
  [".load FILE.ts", "runs a script as one input"],
  [".doc NAME", "the type and doc comment of NAME"],
  [".reset", "forgets every name (the API stays)"],
  [".help", "this"],
  [".exit", "leaves (as Ctrl-D does)"],
];

/** The stepper's commands (`.plan --step`): typed at its `step›` prompt, then Enter. */
export const STEP_HELP: ReadonlyArray<[string, string]> = [
  ["n", "next step; over a composite: to its end, showing all it became"],
  ["s", "into a composite (its parts one by one)"],
  ["o", "out: to the end of the composite around the step"],
  ["c", "continue to the next breakpoint (or a refused transform, or the end)"],
  ["b", "back: undo the last move"],
  ["break NAME | KIND", "a breakpoint on a transform (CountWords, CountWords/ExtractWords) or a kind (GroupByKey, ParDo); b NAME too"],
  ["unbreak [NAME]", "removes one breakpoint (all without NAME)"],
  ["runto NAME | KIND", "runs to the next step translating it"],
  ["why", "every decision of the step, with its reason"],
  ["7", "goes to step 7"],
  ["Enter", "repeats the last move; ←/→ back and next"],
  ["q", "leaves (Ctrl-C, Esc too)"],
];

/** A dot command: one line, a dot, a letter (`.5 + 1` is code). */
export function isCommand(text: string): boolean {
  return /^\s*\.[a-z]+(\s|$)/i.test(text) && !text.trim().includes("\n");
}

/** Runs a command; resolves with false when it failed. */
export async function runCommand(text: string, ctx: CommandContext): Promise<boolean> {
  const [name, ...args] = text.trim().split(/\s+/);
  const arg = text.trim().slice(name!.length).trim();
  const p = ctx.paint;
  switch (name) {
    case ".help":
      ctx.print(help(p));
      return true;
    case ".exit":
    case ".quit":
      ctx.exit();
      return true;
    case ".runner":
      return runner(args, ctx);
    case ".graph":
    case ".plan": {
      const step = name === ".plan" && args.includes("--step");
      const graph = pickGraph(ctx, args.filter((a) => a !== "--step")[0]);
      if (!graph) return false;
      if (name === ".graph") {
        ctx.print(renderGraphText(graph, { width: ctx.width }));
        return true;
      }
      if (step) return stepThrough(graph, ctx);
      try {
        const bundle = await ctx.session.explainGraph(graph, ctx.pipelineOptions, ctx.width);
        ctx.print(String(bundle["text/plain"]));
        return true;
      } catch (e) {
        ctx.printError(`.plan: ${(e as Error).message}`);
        return false;
      }
    }
    case ".save": {
      if (!arg) return usage(ctx, ".save FILE.ts");
      try {
        fs.mkdirSync(path.dirname(path.resolve(arg)), { recursive: true });
        fs.writeFileSync(arg, scriptOf(ctx.inputs, ctx.pipelineOptions));
        ctx.print(p("gray", `saved ${ctx.inputs.length} input${ctx.inputs.length === 1 ? "" : "s"} to ${arg}`));
        return true;
      } catch (e) {
        ctx.printError(`.save: ${(e as Error).message}`);
        return false;
      }
    }
    case ".load": {
      if (!arg) return usage(ctx, ".load FILE.ts");
      let code: string;
      try {
        code = fs.readFileSync(arg, "utf8");
      } catch (e) {
        ctx.printError(`.load: ${(e as Error).message}`);
        return false;
      }
      ctx.print(p("gray", `loading ${arg} (${code.split("\n").length} lines)`));
      return ctx.run(code, { filename: arg });
    }
    case ".doc": {
      if (!arg) return usage(ctx, ".doc NAME");
      const r = await ctx.session.inspect(arg, arg.length).catch(() => ({ found: false, data: {} as Record<string, string> }));
      if (!r.found) {
        ctx.printError(`no type or documentation found for ${arg}`);
        return false;
      }
      ctx.print(formatDoc(r.data["text/plain"] ?? "", p));
      return true;
    }
    case ".reset":
      await ctx.session.reset();
      ctx.inputs.length = 0;
      ctx.print(p("gray", "the session was reset: every name is forgotten"));
      return true;
    default:
      ctx.printError(`unknown command ${name} (.help lists them)`);
      return false;
  }
}

/** `.plan --step`: the translation's trace to the REPL's stepper, or (the plain REPL) every step printed. */
function stepThrough(graph: PipelineGraph, ctx: CommandContext): boolean {
  let trace: TranslationTrace;
  try {
    trace = ctx.session.translationTrace(graph, ctx.pipelineOptions);
  } catch (e) {
    ctx.printError(`.plan --step: ${(e as Error).message}`);
    return false;
  }
  if (ctx.step) {
    ctx.step(trace);
    return true;
  }
  const st = new Stepper(trace);
  for (;;) {
    ctx.print(renderStepText(stepView(st), { width: ctx.width }) + "\n");
    if (!st.into().moved) break;
  }
  return true;
}

async function runner(args: string[], ctx: CommandContext): Promise<boolean> {
  const o = ctx.pipelineOptions;
  if (!args.length) {
    ctx.print(`runner: ${String(o.runner ?? "direct")}${o.runner === "flink" ? ` at ${String(o.flinkMaster ?? "localhost:8081")}` : ""}`);
    return true;
  }
  const [kind, master] = args;
  if (kind !== "direct" && kind !== "flink") return usage(ctx, ".runner direct | flink [host:port]");
  if (master && !/^[\w.-]+:\d+$/.test(master.replace(/^https?:\/\//, ""))) return usage(ctx, ".runner flink host:port");
  o.runner = kind;
  if (kind === "flink" && master) o.flinkMaster = master.replace(/^https?:\/\//, "");
  if (kind === "direct") delete o.flinkMaster;
  ctx.session.setPipelineOptions(kind === "direct" ? { runner: "direct" } : { ...o });
  ctx.print(ctx.paint("gray", `pipelines created from now on run on ${kind}${kind === "flink" ? ` at ${String(o.flinkMaster ?? "localhost:8081")}` : ""}`));
  return true;
}

function pickGraph(ctx: CommandContext, which: string | undefined): PipelineGraph | undefined {
  const graphs = ctx.session.pipelineGraphs();
  if (!graphs.length) {
    ctx.printError("no pipeline yet: create one with Pipeline.create()");
    return undefined;
  }
  const n = which === undefined ? graphs.length : Number(which);
  const g = graphs[n - 1];
  if (!g) ctx.printError(`there are ${graphs.length} pipelines; pick 1 to ${graphs.length}`);
  return g;
}

/** The inputs as one script: `flowbook run FILE.ts` runs it as the session ran them. */
export function scriptOf(inputs: readonly string[], pipelineOptions: Record<string, unknown>): string {
  const head = [`// Saved from the flowbook REPL on ${new Date().toISOString()}; run it with \`flowbook run\`.`];
  if (Object.keys(pipelineOptions).length) head.push(`setDefaultPipelineOptions(${JSON.stringify(pipelineOptions)});`);
  return [head.join("\n"), ...inputs.map((i) => i.trimEnd())].join("\n\n") + "\n";
}

export function formatDoc(text: string, p: Painter): string {
  const [signature, ...rest] = text.split("\n");
  return [p("cyan", signature ?? ""), ...rest].join("\n");
}

function usage(ctx: CommandContext, form: string): false {
  ctx.printError(`usage: ${form}`);
  return false;
}

function help(p: Painter): string {
  const rows = (list: ReadonlyArray<[string, string]>) => {
    const w = Math.max(...list.map(([a]) => a.length));
    return list.map(([a, b]) => `  ${p("cyan", a.padEnd(w))}  ${b}`);
  };
  return [
    p("bold", "Commands"),
    ...rows(COMMAND_HELP),
    p("bold", "Keys"),
    ...rows(KEY_HELP),
    p("bold", "Stepping through a translation (.plan --step)"),
    ...rows(STEP_HELP),
    p("bold", "In inputs"),
    `  ${p("cyan", "await show(pcoll)")}, ${p("cyan", "collect")}, ${p("cyan", "chart")}, ${p("cyan", "graph(p)")}, ${p("cyan", "explain(p)")}, ${p("cyan", "display(x)")}: tables, charts and trees here`,
  ].join("\n");
}
