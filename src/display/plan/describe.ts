/**
 * What people read about a FlinkPlan's operators: a short label of each operator's kind
 * and a few facts from its payload, shared by the text and SVG renderings.
 */
import type { CoderSpec } from "../../sdk/coders/coder.js";
import { coderLabel } from "../graph/coder_label.js";
import type { FlinkOperator, FlinkPlan, FlinkWindowFn, FlinkWindowing } from "../../runners/flink/flink_plan.js";

/** Which operators run user code in Node workers. */
export function runsUserCode(op: FlinkOperator): boolean {
  return op.kind === "usercode" || (op.kind === "combine" && (op.payload as { mode?: string } | undefined)?.mode === "usercode");
}

export type OperatorCategory = "source" | "usercode" | "shuffle" | "native" | "sink";

export function category(op: FlinkOperator): OperatorCategory {
  if (op.kind.startsWith("source:")) return "source";
  if (op.kind.startsWith("sink:") || op.kind === "collect") return "sink";
  if (runsUserCode(op)) return "usercode";
  if (op.kind === "group_by_key" || op.kind === "combine") return "shuffle";
  return "native";
}

/** A coder as the pipeline graph's drawing names it (`KV<string, varint>`). */
export function coderName(c: CoderSpec | undefined): string {
  return coderLabel(c);
}

export function windowFnName(w: FlinkWindowFn | undefined): string {
  if (!w) return "global";
  switch (w.type) {
    case "fixed":
      return `fixed ${ms(w.sizeMs)}${w.offsetMs ? ` +${ms(w.offsetMs)}` : ""}`;
    case "sliding":
      return `sliding ${ms(w.sizeMs)} every ${ms(w.periodMs)}`;
    case "sessions":
      return `sessions gap ${ms(w.gapMs)}`;
    default:
      return w.type;
  }
}

function ms(n: number | undefined): string {
  if (n === undefined) return "?";
  if (n % 3_600_000 === 0) return `${n / 3_600_000}h`;
  if (n % 60_000 === 0) return `${n / 60_000}min`;
  if (n % 1000 === 0) return `${n / 1000}s`;
  return `${n}ms`;
}

function windowingNote(w: FlinkWindowing | undefined): string | undefined {
  if (!w || w.windowFn.type === "global") return undefined;
  return `windows: ${windowFnName(w.windowFn)}${w.timestampCombiner ? `, timestamps ${w.timestampCombiner}` : ""}`;
}

/** One-line label of what the operator does, e.g. "combine · native count". */
export function kindLabel(op: FlinkOperator): string {
  const p = (op.payload ?? {}) as Record<string, unknown>;
  switch (op.kind) {
    case "combine":
      return p.mode === "native" ? `combine · native ${String(p.fn)}` : "combine · user code";
    case "usercode":
      return "usercode · Node";
    case "window:assign":
      return `window:assign · ${windowFnName(p.windowFn as FlinkWindowFn)}`;
    default:
      return op.kind;
  }
}

/** Facts worth showing under an operator (payload details, the stage's ops). */
export function details(op: FlinkOperator, plan: FlinkPlan): string[] {
  const p = (op.payload ?? {}) as Record<string, unknown>;
  const out: string[] = [];
  switch (op.kind) {
    case "source:text":
      out.push(`files: ${(p.filePatterns as string[] | undefined)?.join(", ") ?? "?"}`);
      break;
    case "source:create":
      out.push(`${(p.elements as unknown[] | undefined)?.length ?? 0} element(s)`);
      break;
    case "usercode": {
      const stage = plan.stages[String(p.stage)];
      if (stage) {
        const ops = stage.ops.map((o) => (o.kind === "pardo" ? "ParDo" : o.kind === "window_into" ? "Window.into" : o.kind === "combine_values" ? "Combine.GroupedValues" : o.kind === "precombine" ? "pre-combine" : o.kind === "combine_merge" ? "merge accumulators" : o.kind));
        out.push(`stage ${String(p.stage)}: ${ops.join(" → ")}`);
      }
      const sides = (p.sideInputs as unknown[] | undefined)?.length ?? 0;
      if (sides) out.push(`${sides} side input(s), broadcast`);
      if (op.outputs.length > 1) out.push(`${op.outputs.length} outputs (${op.outputs.length - 1} side output(s))`);
      break;
    }
    case "group_by_key":
      out.push(`key: ${coderName(p.keyCoder as CoderSpec)}`);
      break;
    case "combine": {
      out.push(`key: ${coderName(p.keyCoder as CoderSpec)}${p.inputCoder ? `, values: ${coderName(p.inputCoder as CoderSpec)}` : ""}`);
      const pre = preCombinedIn(op, plan);
      out.push(pre ? `lifted: pre-combined in ${pre} (Node), merged here` : "lifted: pre-combine before the shuffle, merge after it");
      break;
    }
    case "sink:text":
      out.push(`to: ${String(p.prefix)}${String(p.shardTemplate ?? "-SSSSS-of-NNNNN")}${String(p.suffix ?? "")}${p.numShards ? ` (${String(p.numShards)} shards)` : ""}`);
      out.push("atomic: temp files, renamed when the whole job finished");
      break;
    case "collect":
      out.push(`keeps up to ${String(p.limit)} element(s)`);
      break;
  }
  const w = windowingNote(p.windowing as FlinkWindowing | undefined);
  if (w) out.push(w);
  return out;
}

/** The user-code operator whose worker pre-combines this combine's input, if any. */
function preCombinedIn(op: FlinkOperator, plan: FlinkPlan): string | undefined {
  const from = plan.operators.find((o) => o.id === op.inputs[0]?.from);
  if (!from || from.kind !== "usercode") return undefined;
  const stage = plan.stages[String((from.payload as { stage?: string } | undefined)?.stage)];
  const pre = stage?.ops.find((o) => o.kind === "precombine" && stage.graph.transforms[o.transform]?.fullName === op.transforms[0]);
  return pre ? from.id : undefined;
}

/** The transforms to list under an operator, when its name does not already say it all. */
export function transformsToList(op: FlinkOperator): string[] {
  return op.transforms.length === 1 && op.transforms[0] === op.name ? [] : op.transforms;
}
