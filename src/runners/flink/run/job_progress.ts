/**
 * A running Flink job's counts, per transform of the pipeline: Flink's own metrics over REST
 * mapped back through the FlinkPlan (each plan operator lists the transforms it came from).
 *
 * - Per Flink operator, `numRecordsIn`/`numRecordsOut` summed over subtasks
 *   (`GET /jobs/:id/vertices/:vid/subtasks/metrics?get=<operator>.numRecordsIn,...`). Flink
 *   names an operator's metrics after the operator with ' ', '.', ':' and ',' replaced by '_'
 *   and cut to 80 characters; a chained operator's input is counted as its predecessor's output.
 * - Per job vertex, `read-bytes`/`write-bytes` (`GET /jobs/:id`): the network bytes into its
 *   first operator and out of its last, exact once the vertex finished.
 * - Per user-code operator, the bridge's `flowbook.records/<uid>/in|out` accumulators: exact
 *   at the end, when Flink's operator metrics may still show the last fetch before the task ended.
 * - Per element-wise transform run in Node workers, the elements it received and emitted as the
 *   workers count them (`flowbook.elements/<transform>/in|out`): also the transforms in the
 *   middle of a fused stage, which Flink cannot see; and the time each one's own code took
 *   (`flowbook.elements/<transform>/ms`, estimated by the workers from timed elements).
 *
 * Counters only grow: a value lower than one seen before (a stale cache) is ignored.
 * A plan operator's input count goes to its first transform, its output count to its last.
 */
import type { TransformProgress } from "../../../sdk/runner.js";
import type { FlinkOperator, FlinkPlan } from "../flink_plan.js";
import type { FlinkRestClient, JobAccumulators, JobDetails, JobVertexInfo } from "../rest/client.js";

const RECORDS_PREFIX = "flowbook.records/";
const ELEMENTS_PREFIX = "flowbook.elements/";

/** One Flink operator of a vertex's chain and the plan operator it belongs to. */
interface ChainedOperator {
  vertex: string;
  /** Its name in Flink's metrics. */
  metricName: string;
  plan?: FlinkOperator;
  /** The part after the plan operator's name ("", "/PreCombine", "/Merge", "/SideInput0", ...). */
  part: string;
  head: boolean;
  tail: boolean;
}

interface Counts {
  in: number;
  out: number;
  bytesIn: number;
  bytesOut: number;
}

/** Flink's metric-scope form of an operator name. */
export function metricOperatorName(name: string): string {
  return name.replace(/[ .:,]/g, "_").slice(0, 80);
}

/** The operators of a vertex name ("Source: A -> B -> C"), without Flink's "Source: "/"Sink: " prefixes. */
export function chainOf(vertexName: string): Array<{ name: string; flinkName: string }> {
  return vertexName.split(" -> ").map((flinkName) => ({ flinkName, name: flinkName.replace(/^(Source|Sink): /, "") }));
}

export class JobProgress {
  private readonly chains = new Map<string, ChainedOperator[]>();
  /** Per Flink operator (vertex id + metric name), the largest counts seen. */
  private readonly seen = new Map<string, Counts>();
  private accumulators: JobAccumulators | undefined;
  private readonly byName: FlinkOperator[];
  /** What was reported per transform: a transform counted by two operators (a lifted combine) never goes back. */
  private readonly reported = new Map<string, TransformProgress>();

  constructor(private readonly plan: FlinkPlan) {
    // Longest names first, so "A/B" is not taken for a part of "A".
    this.byName = [...plan.operators].sort((a, b) => b.name.length - a.name.length);
  }

  private chain(v: JobVertexInfo): ChainedOperator[] {
    let c = this.chains.get(v.id);
    if (!c) {
      const ops = chainOf(v.name);
      c = ops.map(({ name, flinkName }, i) => {
        const plan = this.byName.find((p) => name === p.name || name.startsWith(`${p.name}/`));
        return { vertex: v.id, metricName: metricOperatorName(flinkName), plan, part: plan ? name.slice(plan.name.length) : "", head: i === 0, tail: i === ops.length - 1 };
      });
      this.chains.set(v.id, c);
    }
    return c;
  }

  private counts(op: ChainedOperator): Counts {
    const key = `${op.vertex}\u0000${op.metricName}`;
    let c = this.seen.get(key);
    if (!c) this.seen.set(key, (c = { in: 0, out: 0, bytesIn: 0, bytesOut: 0 }));
    return c;
  }

  /** Reads the operator metrics of the vertices that run or ran (one request per vertex). */
  async poll(client: FlinkRestClient, jobId: string, details: JobDetails): Promise<void> {
    await Promise.all(
      details.vertices.map(async (v) => {
        const chain = this.chain(v);
        this.vertexBytes(v, chain);
        if (v.status === "CREATED" || v.status === "SCHEDULED" || v.status === "DEPLOYING") return;
        const names = chain.flatMap((o) => [`${o.metricName}.numRecordsIn`, `${o.metricName}.numRecordsOut`]);
        const q = names.map(encodeURIComponent).join(",");
        let metrics: Array<{ id: string; sum: number }>;
        try {
          metrics = await client.get(`/jobs/${jobId}/vertices/${v.id}/subtasks/metrics?get=${q}&agg=sum`);
        } catch {
          return; // the vertex is gone or not yet known: the next poll tries again
        }
        const byId = new Map(metrics.map((m) => [m.id, Number(m.sum)]));
        for (const o of chain) {
          const c = this.counts(o);
          c.in = Math.max(c.in, byId.get(`${o.metricName}.numRecordsIn`) ?? 0);
          c.out = Math.max(c.out, byId.get(`${o.metricName}.numRecordsOut`) ?? 0);
        }
      }),
    );
  }

  /** The vertices' network bytes (and records: exact once a vertex finished) from the job's details. */
  vertexBytes(v: JobVertexInfo, chain = this.chain(v)): void {
    const m = v.metrics ?? {};
    const num = (k: string) => (typeof m[k] === "number" && Number.isFinite(m[k]) ? (m[k] as number) : 0);
    const head = this.counts(chain[0]!);
    const tail = this.counts(chain.at(-1)!);
    head.bytesIn = Math.max(head.bytesIn, num("read-bytes"));
    head.in = Math.max(head.in, num("read-records"));
    tail.bytesOut = Math.max(tail.bytesOut, num("write-bytes"));
    tail.out = Math.max(tail.out, num("write-records"));
  }

  /** The job's accumulators, for the user-code operators' exact record counts. */
  setAccumulators(acc: JobAccumulators | undefined): void {
    if (acc) this.accumulators = acc;
  }

  private recordCounts(): Map<string, number> {
    const m = new Map<string, number>();
    for (const a of this.accumulators?.["user-task-accumulators"] ?? []) {
      if (a.name.startsWith(RECORDS_PREFIX)) m.set(a.name.slice(RECORDS_PREFIX.length), Number(a.value));
    }
    return m;
  }

  private elementCounts(): Map<string, { in?: number; out?: number; ms?: number }> {
    const m = new Map<string, { in?: number; out?: number; ms?: number }>();
    for (const a of this.accumulators?.["user-task-accumulators"] ?? []) {
      if (!a.name.startsWith(ELEMENTS_PREFIX)) continue;
      const rest = a.name.slice(ELEMENTS_PREFIX.length);
      const dir = rest.endsWith("/in") ? "in" : rest.endsWith("/out") ? "out" : rest.endsWith("/ms") ? "ms" : undefined;
      if (!dir) continue;
      const t = rest.slice(0, rest.length - dir.length - 1);
      const c = m.get(t) ?? {};
      c[dir] = Number(a.value);
      m.set(t, c);
    }
    return m;
  }

  /** Counts so far, per transform, in the plan's order. */
  snapshot(): TransformProgress[] {
    // Per plan operator: its Flink operators in job order (side-input taggers are not its input).
    const parts = new Map<string, ChainedOperator[]>();
    const exact = this.recordCounts();
    for (const chain of this.chains.values()) {
      // Chained, backwards: what an operator received, its predecessor sent (a source's metric
      // fetched before its task ended lags behind what its successor counted exactly).
      for (let i = chain.length - 2; i >= 0; i--) {
        const c = this.counts(chain[i]!);
        const next = this.counts(chain[i + 1]!);
        const nextIn = Math.max(next.in, chain[i + 1]!.plan ? (exact.get(`${chain[i + 1]!.plan!.id}${chain[i + 1]!.part}/in`) ?? 0) : 0);
        c.out = Math.max(c.out, nextIn);
      }
      chain.forEach((o, i) => {
        // A user-code operator's own exact counts (its uid is the plan operator's id plus the same part as its name).
        if (o.plan) {
          const c = this.counts(o);
          c.in = Math.max(c.in, exact.get(`${o.plan.id}${o.part}/in`) ?? 0);
          c.out = Math.max(c.out, exact.get(`${o.plan.id}${o.part}/out`) ?? 0);
        }
        // Chained: what an operator received is what its predecessor sent.
        if (i > 0) {
          const c = this.counts(o);
          c.in = Math.max(c.in, this.counts(chain[i - 1]!).out);
        }
        if (o.plan && !/^\/SideInput\d+$/.test(o.part)) {
          const l = parts.get(o.plan.id) ?? [];
          l.push(o);
          parts.set(o.plan.id, l);
        }
      });
    }
    const byTransform = new Map<string, TransformProgress>();
    const entry = (t: string) => {
      let e = byTransform.get(t);
      if (!e) byTransform.set(t, (e = { transform: t }));
      return e;
    };
    for (const op of this.plan.operators) {
      for (const t of op.transforms) entry(t);
      const ops = parts.get(op.id);
      if (!ops?.length || !op.transforms.length) continue;
      const first = this.counts(ops[0]!);
      const last = this.counts(ops.at(-1)!);
      const firstT = entry(op.transforms[0]!);
      const lastT = entry(op.transforms.at(-1)!);
      const isSource = op.inputs.length === 0;
      // A transform in several operators (a lifted combine's halves): input from the first, output from the last.
      if (!isSource && firstT.elementsIn === undefined) firstT.elementsIn = first.in;
      if (ops[0]!.head && first.bytesIn > 0 && firstT.bytesRead === undefined) firstT.bytesRead = first.bytesIn;
      if (op.kind.startsWith("sink:") || op.kind === "collect") continue;
      lastT.elementsOut = last.out;
      if (ops.at(-1)!.tail && last.bytesOut > 0) lastT.bytesWritten = last.bytesOut;
    }
    for (const [t, c] of this.elementCounts()) {
      const e = entry(t);
      if (c.in !== undefined) e.elementsIn = c.in;
      if (c.out !== undefined) e.elementsOut = c.out;
      if (c.ms !== undefined) e.busyMs = c.ms;
    }
    for (const [t, e] of byTransform) {
      const prev = this.reported.get(t);
      if (prev) {
        for (const k of ["elementsIn", "elementsOut", "bytesRead", "bytesWritten", "busyMs"] as const) {
          if (prev[k] !== undefined) e[k] = Math.max(prev[k]!, e[k] ?? 0);
        }
      }
      this.reported.set(t, { ...e });
    }
    return [...byTransform.values()];
  }
}
