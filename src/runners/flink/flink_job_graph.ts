/**
 * What Flink made of a FlinkPlan (issue 15, point 4): Flink's own job graph — its vertices
 * after operator chaining, each a task that runs a chain of operators — with every vertex
 * mapped back to our plan's operators and the pipeline's transforms. Asked from a cluster
 * (explain/job_graph_of.ts), drawn beside our plan by src/display/plan/job_graph.ts. JSON.
 */
import type { FlinkPlan } from "./flink_plan.js";

export const FLINK_JOB_GRAPH_FORMAT = "flowbook.flinkjobgraph/v1";

/** One operator of a vertex's chain, as Flink names it, and the plan operator it belongs to. */
export interface JobGraphChainedOperator {
  /** Flink's name: "Source: ReadLines", "CountWords/Count.PerElement/Combine.perKey/Merge", "Sink: WriteCounts/Write". */
  flinkName: string;
  /** Our plan operator (its id) this Flink operator is (part of); absent for one the plan does not know. */
  operator?: string;
  /** The part of our operator the bridge built it as: "" (the operator itself), "/PreCombine", "/Merge", "/ToRecord", "/Write", "/SideInput0", … */
  part: string;
  /** The chained operator it reads from (its index in the chain); absent for the vertex's head. */
  parent?: number;
}

/** What a vertex did in a job that ran (`GET /jobs/:jid`): summed over its subtasks. */
export interface VertexRunMetrics {
  status: string;
  /** From its first subtask's start to its last one's end (ms). */
  durationMs: number;
  recordsIn: number;
  recordsOut: number;
  /** Network bytes into its head operator and out of its tail. */
  bytesIn: number;
  bytesOut: number;
  /** Flink's accumulated busy, idle and back-pressured time over the subtasks (ms), where Flink reports them. */
  busyMs?: number;
  idleMs?: number;
  backPressuredMs?: number;
}

export interface JobGraphVertex {
  /** Flink's vertex id. */
  id: string;
  /** 1-based position in the job graph's topological order (sources first): "vertex 2". */
  index: number;
  parallelism: number;
  /** The chain, head first. */
  chain: JobGraphChainedOperator[];
  /** Our plan operators the vertex runs (ids), in chain order, each once. */
  operators: string[];
  /** Full names of the transforms those operators came from. */
  transforms: string[];
  /** Inputs from other vertices: Flink's ship strategy (FORWARD, HASH, REBALANCE, BROADCAST) and exchange (pipelined, blocking). */
  inputs: Array<{ from: string; ship: string; exchange?: string }>;
  /** For a job that ran. */
  run?: VertexRunMetrics;
}

export interface FlinkJobGraph {
  format: typeof FLINK_JOB_GRAPH_FORMAT;
  jobName: string;
  /** "planned": `POST /jars/:jarid/plan`, nothing ran; "ran": `GET /jobs/:jid/plan` of a job. */
  source: "planned" | "ran";
  /** The job's id (Flink gives a planned job one too, never submitted). */
  jobId: string;
  /** BATCH or STREAMING, as Flink reports it. */
  type?: string;
  /** In topological order, sources first. */
  vertices: JobGraphVertex[];
  /** Plan operators that no vertex shows (a valid translation leaves none). */
  unmapped: string[];
  /** Plan `flatten` operators: Flink has no operator for a union, its inputs feed the next operator directly. */
  unions: string[];
  /** Our plan the job was built from. */
  plan: FlinkPlan;
  /** For a job that ran: its final state and its duration. */
  state?: string;
  durationMs?: number;
}
