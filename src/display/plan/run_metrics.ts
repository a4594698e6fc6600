/**
 * What each operator of a plan did in a run (issue 15, point 5), so a slow step shows where
 * it is: records in and out, bytes, time. Read from the run's events, whatever the runner
 * (the last `progress` event's per-transform counts, the stages' start and finish), and for a
 * Flink job also from Flink's job graph of the job that ran (each vertex's busy time,
 * records and network bytes, exact from `GET /jobs/:jid`).
 *
 * An operator's records in are its first transform's elements in, its records out its last
 * transform's elements out (the runners count per transform; a fused stage's inner
 * transforms are listed by the transform). Its time is the busy time of the Flink vertex
 * (task) it runs in: operators chained into one vertex share it, so the vertex is where the
 * time is. The local runner times each transform's own code on its threads (sampled: a
 * sample of elements, harness/op_timing.ts), so there an operator's time is its transforms' own.
 */
import type { FlinkJobGraph } from "../../runners/flink/flink_job_graph.js";
import type { FlinkPlan } from "../../runners/flink/flink_plan.js";
import type { RunEvent, TransformProgress } from "../../sdk/runner.js";

export interface OperatorRunMetrics {
  recordsIn?: number;
  recordsOut?: number;
  bytesIn?: number;
  bytesOut?: number;
  /** Time spent where the operator runs (ms): its Flink vertex's busy time (or duration). */
  timeMs?: number;
  /** Where that time was measured: "vertex 2 (busy)", "vertices 1, 2 (busy)". */
  timeOf?: string;
  /** An operator spread over several vertices (a lifted combine: pre-combine and merge): each vertex's time. */
  timesMs?: number[];
  /**
   * A user-code operator: the time its transforms' own code took in the Node workers (summed
   * over them), and per transform — where a fused stage's time goes, which Flink cannot see.
   */
  nodeMs?: number;
  nodeMsBy?: Array<{ transform: string; ms: number }>;
  /** A local run: the operator's time per transform (its own code's, sampled), where a fused stage's time goes. */
  timeBy?: Array<{ transform: string; ms: number }>;
}

export interface PlanRunMetrics {
  runner: string;
  jobId?: string;
  /** The run's final state (DONE, FAILED, …) and its error. */
  state?: string;
  error?: string;
  durationMs?: number;
  /** By plan operator id. */
  operators: Record<string, OperatorRunMetrics>;
  /** The run's last counts per transform. */
  transforms: TransformProgress[];
  /** The stages the runner reported (the local runner's fused stages, Flink's vertices), with their wall time. */
  stages: Array<{ name: string; ms?: number }>;
  /** For a Flink job: Flink's job graph of the job that ran, with each vertex's metrics. */
  jobGraph?: FlinkJobGraph;
  /** The operator where the most time went (else the one that read the most records: `hottestBy`). */
  hottest?: string;
  hottestBy?: "time" | "records";
}

/** Folds a run's events (and a Flink job's graph) onto the plan's operators. */
export function planRunMetrics(plan: FlinkPlan, events: RunEvent[], jobGraph?: FlinkJobGraph): PlanRunMetrics {
  let runner = "?";
  let jobId: string | undefined;
  let state: string | undefined;
  let error: string | undefined;
  let durationMs: number | undefined;
  let transforms: TransformProgress[] = [];
  const started = new Map<string, { name: string; at: number }>();
  const stages: PlanRunMetrics["stages"] = [];
  for (const e of events) {
    if (e.kind === "run-started") {
      runner = e.runner;
      jobId = e.jobId ?? jobId;
    } else if (e.kind === "progress") transforms = e.transforms;
    else if (e.kind === "stage-started") started.set(e.stage, { name: e.name, at: e.at });
    else if (e.kind === "stage-finished") {
      const s = started.get(e.stage);
      stages.push({ name: e.name, ...(s ? { ms: Math.max(0, e.at - s.at) } : {}) });
      started.delete(e.stage);
    } else if (e.kind === "run-finished") {
      state = e.state;
      durationMs = e.durationMs;
      if (e.error) error = e.error;
    }
  }
  for (const s of started.values()) stages.push({ name: s.name });
  const byTransform = new Map(transforms.map((t) => [t.transform, t]));
  // A transform two operators hold (a lifted combine: its pre-combine fused into the stage before) counts for the last one.
  const lastHolder = new Map<string, string>();
  for (const op of plan.operators) for (const t of op.transforms) lastHolder.set(t, op.id);
  const operators: Record<string, OperatorRunMetrics> = {};
  for (const op of plan.operators) {
    const m: OperatorRunMetrics = {};
    const first = op.transforms[0] !== undefined ? byTransform.get(op.transforms[0]) : undefined;
    const own = op.transforms.filter((t) => lastHolder.get(t) === op.id);
    const last = own.length ? byTransform.get(own[own.length - 1]!) : undefined;
    if (op.inputs.length && first?.elementsIn !== undefined) m.recordsIn = first.elementsIn;
    if (op.outputs.length && own.length === op.transforms.length && last?.elementsOut !== undefined) m.recordsOut = last.elementsOut;
    if (first?.bytesRead) m.bytesIn = first.bytesRead;
    if (last?.bytesWritten && own.length === op.transforms.length) m.bytesOut = last.bytesWritten;
    if (op.kind === "usercode" && runner === "flink") {
      const by = op.transforms.flatMap((t) => {
        const ms = byTransform.get(t)?.busyMs;
        return ms !== undefined ? [{ transform: t, ms }] : [];
      });
      if (by.length) {
        m.nodeMs = by.reduce((a, b) => a + b.ms, 0);
        m.nodeMsBy = by;
      }
    }
    operators[op.id] = m;
  }
  // An operator whose out the runner does not count (its last transform continues in the next
  // operator: a pre-combine) sent what its only reader received.
  for (const op of plan.operators) {
    if (operators[op.id]!.recordsOut !== undefined || !op.outputs.length) continue;
    const readers = plan.operators.filter((o) => o.inputs.some((i) => i.from === op.id));
    const only = readers.length === 1 && readers[0]!.inputs.length === 1 ? readers[0]! : undefined;
    if (only && operators[only.id]!.recordsIn !== undefined) operators[op.id]!.recordsOut = operators[only.id]!.recordsIn;
  }
  if (!jobGraph && runner !== "flink") {
    // A local run: each operator's time is its own transforms' own time on the runner's
    // threads (sampled), summed over the threads; a transform two operators hold counts once.
    for (const op of plan.operators) {
      const own = op.transforms.filter((t) => lastHolder.get(t) === op.id).flatMap((t) => {
        const ms = byTransform.get(t)?.busyMs;
        return ms !== undefined ? [{ transform: t, ms }] : [];
      });
      if (!own.length) continue;
      operators[op.id]!.timeMs = own.reduce((a, b) => a + b.ms, 0);
      operators[op.id]!.timeOf = "threads";
      if (own.length > 1) operators[op.id]!.timeBy = own;
    }
  }
  if (jobGraph) {
    for (const op of plan.operators) {
      const vs = jobGraph.vertices.filter((v) => v.operators.includes(op.id) && v.run);
      if (!vs.length) continue;
      const busy = vs.every((v) => v.run!.busyMs !== undefined);
      const times = vs.map((v) => (busy ? v.run!.busyMs! : v.run!.durationMs));
      // Chained operators share their vertex's time; one spread over vertices is as slow as its slowest.
      operators[op.id]!.timeMs = Math.max(...times);
      if (times.length > 1) operators[op.id]!.timesMs = times;
      operators[op.id]!.timeOf = `${vs.length > 1 ? "vertices" : "vertex"} ${vs.map((v) => v.index).join(", ")}${busy ? " (busy)" : ""}`;
    }
    jobId ??= jobGraph.jobId;
    state ??= jobGraph.state;
    durationMs ??= jobGraph.durationMs;
  }
  // In a vertex, user code in Node is the likely cost, then what spans fewest vertices, then records.
  const ranked = plan.operators
    .map((o) => ({ id: o.id, t: operators[o.id]!.timeMs, node: o.kind === "usercode" ? 1 + (operators[o.id]!.nodeMs ?? 0) : 0, spread: operators[o.id]!.timesMs?.length ?? 1, r: operators[o.id]!.recordsIn ?? 0 }))
    .sort((a, b) => (b.t ?? -1) - (a.t ?? -1) || (a.t !== undefined ? b.node - a.node || a.spread - b.spread : 0) || b.r - a.r);
  const out: PlanRunMetrics = { runner, operators, transforms, stages };
  if (jobId) out.jobId = jobId;
  if (state) out.state = state;
  if (error) out.error = error;
  if (durationMs !== undefined) out.durationMs = durationMs;
  if (jobGraph) out.jobGraph = jobGraph;
  if (ranked[0] && (ranked[0].t !== undefined || ranked[0].r > 0)) {
    out.hottest = ranked[0].id;
    out.hottestBy = ranked[0].t !== undefined ? "time" : "records";
  }
  return out;
}

/** 1234567 → "1 234 567". */
export function count(n: number): string {
  return Math.round(n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, " ");
}

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}

export function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** One line of an operator's numbers: "in 1 234 · out 56 · 1.2 MiB out · 3.40 s on vertex 2 (busy)". */
export function operatorMetricsLine(m: OperatorRunMetrics | undefined): string | undefined {
  if (!m) return undefined;
  const parts: string[] = [];
  if (m.recordsIn !== undefined) parts.push(`in ${count(m.recordsIn)}`);
  if (m.recordsOut !== undefined) parts.push(`out ${count(m.recordsOut)}`);
  if (m.bytesIn) parts.push(`${bytes(m.bytesIn)} read`);
  if (m.bytesOut) parts.push(`${bytes(m.bytesOut)} written`);
  if (m.nodeMs !== undefined) {
    const by = m.nodeMsBy && m.nodeMsBy.length > 1 ? ` (${m.nodeMsBy.map((b) => `${b.transform.split("/").pop()} ${duration(b.ms)}`).join(", ")})` : "";
    parts.push(`Node ${duration(m.nodeMs)}${by}`);
  }
  if (m.timeMs !== undefined) {
    const by = m.timeBy ? ` (${m.timeBy.map((b) => `${b.transform.split("/").pop()} ${duration(b.ms)}`).join(", ")})` : "";
    parts.push(`${(m.timesMs ?? [m.timeMs]).map(duration).join(" + ")}${m.timeOf ? ` on ${m.timeOf}` : ""}${by}`);
  }
  return parts.length ? parts.join(" · ") : undefined;
}

/** The run in a line: "ran on flink · DONE in 4.10 s · job 1a2b…". */
export function runSummary(r: PlanRunMetrics): string {
  const parts = [`ran on ${r.runner}`];
  if (r.state) parts.push(`${r.state}${r.durationMs !== undefined ? ` in ${duration(r.durationMs)}` : ""}`);
  if (r.jobId) parts.push(`job ${r.jobId}`);
  if (r.hottest) parts.push(`${r.hottestBy === "records" ? "most records" : "most time"}: ${r.hottest}`);
  return parts.join(" · ");
}
