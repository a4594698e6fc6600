/**
 * A FlinkPlan as a text tree for terminals: from each source down to the sinks, every
 * operator with its kind, parallelism and the transforms it came from, every edge with its
 * ship strategy. An operator reading several inputs is drawn under its first one and
 * referred to from the others.
 */
import type { FlinkOperator, FlinkPlan, OperatorInput } from "../../runners/flink/flink_plan.js";
import { details, kindLabel, runsUserCode, transformsToList } from "./describe.js";
import { duration, operatorMetricsLine, runSummary, type PlanRunMetrics } from "./run_metrics.js";

export interface TextOptions {
  /** Column width to shorten long lines at (default 120; 0 = never). */
  width?: number;
  /** Restyles the lines drawing an operator (the translation stepper marks what a step added). */
  decorate?: (opId: string, line: string) => string;
  /** What each operator did in a run (explain(p, { run: true })): a line of numbers under it, the run's summary on top. */
  run?: PlanRunMetrics;
}

function edgeLabel(i: OperatorInput, from: FlinkOperator): string {
  const tag = i.output && i.output !== "main" ? ` [${from.id}.${i.output.length > 12 ? `…${i.output.slice(-8)}` : i.output}]` : "";
  return `${i.ship}${tag}`;
}

export function renderPlanText(plan: FlinkPlan, options: TextOptions = {}): string {
  const width = options.width ?? 120;
  const byId = new Map(plan.operators.map((o) => [o.id, o]));
  const consumers = new Map<string, Array<{ op: FlinkOperator; input: OperatorInput; index: number }>>();
  for (const op of plan.operators) {
    op.inputs.forEach((input, index) => {
      const list = consumers.get(input.from) ?? [];
      list.push({ op, input, index });
      consumers.set(input.from, list);
    });
  }
  const user = plan.operators.filter(runsUserCode).length;
  const lines: string[] = [
    `Flink plan '${plan.jobName}' · ${plan.runtimeMode} · parallelism ${plan.parallelism} · ${plan.operators.length} operators, ${user} running user code in Node`,
  ];
  const clip = (s: string) => (width > 0 && s.length > width ? s.slice(0, width - 1) + "…" : s);
  const put = (opId: string, s: string) => lines.push(options.decorate ? options.decorate(opId, clip(s)) : clip(s));
  const drawn = new Set<string>();

  const draw = (op: FlinkOperator, prefix: string, last: boolean, edge: string | undefined) => {
    const branch = edge === undefined ? "" : last ? "└─" : "├─";
    const head = `${prefix}${branch}${edge === undefined ? "" : `${edge} ▸ `}${op.id} ${kindLabel(op)}  ${op.name}  ×${op.parallelism ?? plan.parallelism}`;
    if (drawn.has(op.id)) {
      put(op.id, `${prefix}${branch}${edge} ▸ ${op.id} (see above)`);
      return;
    }
    drawn.add(op.id);
    put(op.id, head);
    const childPrefix = edge === undefined ? prefix : prefix + (last ? "   " : "│  ");
    const kids = (consumers.get(op.id) ?? []).filter((c) => c.index === 0 || drawn.has(c.op.inputs[0]!.from) || !byId.has(c.op.inputs[0]!.from));
    const refs = (consumers.get(op.id) ?? []).filter((c) => !kids.includes(c));
    const bar = kids.length || refs.length ? "│ " : "  ";
    for (const t of transformsToList(op)) put(op.id, `${childPrefix}${bar}   · ${t}`);
    for (const d of details(op, plan)) put(op.id, `${childPrefix}${bar}     ${d}`);
    const numbers = operatorMetricsLine(options.run?.operators[op.id]);
    if (numbers) put(op.id, `${childPrefix}${bar}   ${options.run?.hottest === op.id && options.run.hottestBy === "time" ? "▲" : "="} ${numbers}`);
    const all = [...kids.map((k) => ({ ...k, ref: false })), ...refs.map((r) => ({ ...r, ref: true }))];
    all.forEach((c, i) => {
      const isLast = i === all.length - 1;
      if (c.ref) {
        put(c.op.id, `${childPrefix}${isLast ? "└─" : "├─"}${edgeLabel(c.input, op)} ▸ ${c.op.id} (input ${c.index + 1} of ${c.op.inputs.length}; drawn under ${c.op.inputs[0]!.from})`);
      } else {
        draw(c.op, childPrefix, isLast, edgeLabel(c.input, op));
      }
    });
  };

  // Sources first (and anything whose first input is missing, which a valid plan has not).
  for (const op of plan.operators) {
    if (op.inputs.length === 0) draw(op, "", true, undefined);
  }
  for (const op of plan.operators) if (!drawn.has(op.id)) draw(op, "", true, undefined);
  if (options.run) {
    lines.splice(1, 0, `${runSummary(options.run)}${options.run.error ? ` · ${options.run.error.split("\n")[0]}` : ""}`);
    const timed = options.run.stages.filter((s) => s.ms !== undefined);
    if (!options.run.jobGraph && timed.length) {
      lines.push(`stages (${options.run.runner}):`);
      for (const s of timed) lines.push(clip(`  ${duration(s.ms!).padStart(9)}  ${s.name}`));
    }
  }
  lines[0] = clip(lines[0]!);
  return lines.join("\n");
}
