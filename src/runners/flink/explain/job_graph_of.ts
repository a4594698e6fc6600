/**
 * Flink's job graph of a pipeline (issue 15, point 4), each vertex mapped back to our plan:
 *
 * ```ts
 * await flinkJobGraphOf(p)                 // planned: POST /jars/<bridge>/plan, runs nothing
 * await flinkJobGraphOfJob(jobId, plan, o) // a job that ran: GET /jobs/:jid/plan and its vertices' metrics
 * ```
 *
 * Flink's plan JSON names each vertex's chained operators in `description`
 * ("Source: ReadLines<br/>+- ReadLines/ToRecord<br/>   +- CountWords/ExtractWords + …"),
 * HTML-escaped. The bridge names every Flink operator after its plan operator (`op.name()`),
 * plus a part for the operators one plan operator becomes ("/PreCombine", "/Merge",
 * "/ToRecord", "/Write", "/SideInput0"), and Flink prefixes sources and sinks ("Source: ",
 * "Sink: "). So each chained operator maps to the plan operator with the longest name it
 * starts with.
 */
import type { PipelineOptions } from "../../../sdk/pipeline_options.js";
import { FLINK_JOB_GRAPH_FORMAT, type FlinkJobGraph, type JobGraphChainedOperator, type JobGraphVertex, type VertexRunMetrics } from "../flink_job_graph.js";
import type { FlinkPlan } from "../flink_plan.js";
import { DEFAULT_FLINK_MASTER } from "../flink_runner.js";
import { FlinkRestClient, type JobDetails, type JobPlan, type JobVertexInfo } from "../rest/client.js";
import { flinkExecutionPlan, flinkPlanOf, graphAndOptions, type Explainable } from "./flink_plan_of.js";

/** HTML4's named entities Flink's escaping (StringEscapeUtils.escapeHtml4) gives the characters operator names use most. */
const ENTITIES: Record<string, string> = {
  lt: "<", gt: ">", quot: '"', amp: "&", apos: "'", nbsp: "\u00a0", hellip: "…", rarr: "→", larr: "←", harr: "↔",
  middot: "·", times: "×", ndash: "–", mdash: "—", lsquo: "‘", rsquo: "’", ldquo: "“", rdquo: "”", bull: "•",
  deg: "°", plusmn: "±", micro: "µ", para: "¶", sect: "§", copy: "©", reg: "®", euro: "€", laquo: "«", raquo: "»",
  auml: "ä", ouml: "ö", uuml: "ü", Auml: "Ä", Ouml: "Ö", Uuml: "Ü", szlig: "ß", eacute: "é", egrave: "è", agrave: "à", ccedil: "ç",
};

function unescapeHtml(s: string): string {
  return s.replace(/&(#\d+|#x[0-9a-fA-F]+|[A-Za-z]+\d*);/g, (m, e: string) => {
    if (e.startsWith("#x")) return String.fromCodePoint(parseInt(e.slice(2), 16));
    if (e.startsWith("#")) return String.fromCodePoint(Number(e.slice(1)));
    return ENTITIES[e] ?? m;
  });
}

/**
 * A name reduced to what survives any escaping: every character outside printable ASCII, and
 * every entity left undecoded, becomes one wildcard. Two names that agree on it are the same
 * operator's (an entity this file does not know still maps).
 */
function skeleton(s: string, flinkSide: boolean): string {
  return (flinkSide ? s.replace(/&(#\d+|#x[0-9a-fA-F]+|[A-Za-z]+\d*);/g, "\u0000") : s).replace(/[^\x20-\x7e]/gu, "\u0000");
}

/**
 * A vertex's chained operators from Flink's description, head first, as Flink names them,
 * each with the one it reads from (Flink indents a chained operator under its input: a tree
 * where an operator has side outputs).
 */
export function chainFromDescription(description: string, rawNames?: Map<string, string>): Array<{ name: string; parent?: number }> {
  const out: Array<{ name: string; parent?: number; depth: number }> = [];
  for (const line of description.split(/<br\/?>/)) {
    if (!line.trim()) continue;
    // Flink draws the chain as a tree: "+- " the last input's consumer, ":- " one with siblings after it, ":  " their subtrees.
    const m = /^((?:\s|:(?!-))*)((?:\+-|:-)\s*)?(.*)$/.exec(line)!;
    const depth = m[2] ? Math.floor(m[1]!.length / 3) + 1 : 0;
    let parent: number | undefined;
    for (let i = out.length - 1; i >= 0; i--) {
      if (out[i]!.depth < depth) {
        parent = i;
        break;
      }
    }
    const name = unescapeHtml(m[3]!).trim();
    rawNames?.set(name, m[3]!.trim());
    out.push({ name, depth, ...(parent !== undefined ? { parent } : {}) });
  }
  return out.map(({ name, parent }) => (parent !== undefined ? { name, parent } : { name }));
}

/** Maps Flink's plan JSON onto ours. */
export function mapJobPlan(jobPlan: JobPlan, plan: FlinkPlan, source: FlinkJobGraph["source"]): FlinkJobGraph {
  // Longest names first, so "A/B" is not taken for a part of "A".
  const byName = [...plan.operators].sort((a, b) => b.name.length - a.name.length);
  const order = new Map(plan.operators.map((o, i) => [o.id, i]));
  const chainOp = ({ name: flinkName, parent }: { name: string; parent?: number }): JobGraphChainedOperator => {
    const name = flinkName.replace(/^(Source|Sink): /, "");
    const raw = skeleton(rawNames.get(flinkName) ?? name, true).replace(/^(Source|Sink): /, "");
    const op =
      byName.find((p) => name === p.name || name.startsWith(`${p.name}/`)) ??
      byName.find((p) => {
        const k = skeleton(p.name, false);
        return raw === k || raw.startsWith(`${k}/`);
      });
    const c: JobGraphChainedOperator = op ? { flinkName, operator: op.id, part: name.slice(op.name.length) } : { flinkName, part: "" };
    if (parent !== undefined) c.parent = parent;
    return c;
  };
  const rawNames = new Map<string, string>();
  const vertices: JobGraphVertex[] = jobPlan.nodes.map((n) => {
    const chain = chainFromDescription(n.description, rawNames).map(chainOp);
    const operators = [...new Set(chain.flatMap((c) => (c.operator ? [c.operator] : [])))];
    const transforms = [...new Set(operators.flatMap((id) => plan.operators.find((o) => o.id === id)?.transforms ?? []))];
    return {
      id: n.id,
      index: 0,
      parallelism: n.parallelism,
      chain,
      operators,
      transforms,
      inputs: (n.inputs ?? []).map((i) => ({ from: i.id, ship: i.ship_strategy, ...(i.exchange ? { exchange: i.exchange } : {}) })),
    };
  });
  const sorted = topological(vertices, (v) => Math.min(...v.operators.map((id) => order.get(id) ?? Infinity)));
  sorted.forEach((v, i) => (v.index = i + 1));
  const shown = new Set(sorted.flatMap((v) => v.operators));
  return {
    format: FLINK_JOB_GRAPH_FORMAT,
    jobName: jobPlan.name,
    source,
    jobId: jobPlan.jid,
    ...(jobPlan.type ? { type: jobPlan.type } : {}),
    vertices: sorted,
    unmapped: plan.operators.filter((o) => !shown.has(o.id) && o.kind !== "flatten").map((o) => o.id),
    unions: plan.operators.filter((o) => !shown.has(o.id) && o.kind === "flatten").map((o) => o.id),
    plan,
  };
}

/** Vertices with inputs after their producers; ties by our plan's order. */
function topological(vs: JobGraphVertex[], rank: (v: JobGraphVertex) => number): JobGraphVertex[] {
  const byId = new Map(vs.map((v) => [v.id, v]));
  const out: JobGraphVertex[] = [];
  const done = new Set<string>();
  const visit = (v: JobGraphVertex, path: Set<string>) => {
    if (done.has(v.id) || path.has(v.id)) return;
    path.add(v.id);
    for (const i of [...v.inputs].sort((a, b) => rank(byId.get(a.from)!) - rank(byId.get(b.from)!))) {
      const from = byId.get(i.from);
      if (from) visit(from, path);
    }
    done.add(v.id);
    out.push(v);
  };
  for (const v of [...vs].sort((a, b) => rank(a) - rank(b))) visit(v, new Set());
  return out;
}

/** A vertex's counts from `GET /jobs/:jid` (REST metrics summed over subtasks). */
export function vertexRunMetrics(v: JobVertexInfo): VertexRunMetrics {
  const m = v.metrics ?? {};
  const num = (k: string) => (typeof m[k] === "number" && Number.isFinite(m[k]) ? (m[k] as number) : undefined);
  const out: VertexRunMetrics = {
    status: v.status,
    durationMs: Math.max(0, v.duration),
    recordsIn: num("read-records") ?? 0,
    recordsOut: num("write-records") ?? 0,
    bytesIn: num("read-bytes") ?? 0,
    bytesOut: num("write-bytes") ?? 0,
  };
  const busy = num("accumulated-busy-time");
  const idle = num("accumulated-idle-time");
  const bp = num("accumulated-backpressured-time");
  if (busy !== undefined && busy >= 0) out.busyMs = busy;
  if (idle !== undefined && idle >= 0) out.idleMs = idle;
  if (bp !== undefined && bp >= 0) out.backPressuredMs = bp;
  return out;
}

/**
 * Flink's job graph of a pipeline, planned by the cluster in the options (`flinkMaster`)
 * without running it: the bridge builds the job from our plan as for a run, and Flink
 * chains its operators into vertices.
 */
export async function flinkJobGraphOf(p: Explainable, options: PipelineOptions = {}): Promise<FlinkJobGraph> {
  const { graph, options: o } = graphAndOptions(p, options);
  const plan = flinkPlanOf(graph, o);
  try {
    return mapJobPlan(await flinkExecutionPlan(graph, o), plan, "planned");
  } catch (e) {
    // Only a cluster can say how it chains a job: say which one was asked and how to get one.
    if (e instanceof Error && /no Flink cluster answers/.test(e.message)) {
      throw new Error(`${e.message}: Flink's job graph is planned by a cluster; set the pipeline's flinkMaster, or start one with 'flowbook flink start'`, { cause: e });
    }
    throw e;
  }
}

/** The job graph of a job that ran on the cluster in `options`, with each vertex's metrics. */
export async function flinkJobGraphOfJob(jobId: string, plan: FlinkPlan, options: PipelineOptions = {}): Promise<FlinkJobGraph> {
  const client = new FlinkRestClient(String(options.flinkMaster ?? DEFAULT_FLINK_MASTER));
  const [jobPlan, details] = await Promise.all([client.jobPlan(jobId), client.jobDetails(jobId)]);
  return withRunMetrics(mapJobPlan(jobPlan, plan, "ran"), details);
}

export function withRunMetrics(g: FlinkJobGraph, details: JobDetails): FlinkJobGraph {
  const byId = new Map(details.vertices.map((v) => [v.id, v]));
  for (const v of g.vertices) {
    const d = byId.get(v.id);
    if (d) v.run = vertexRunMetrics(d);
  }
  g.state = details.state;
  g.durationMs = details.duration;
  return g;
}
