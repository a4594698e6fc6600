/**
 * The local runner's execution plan: the graph's primitive transforms cut into
 * fused stages. A stage reads one input (a source split, a shuffle partition, or
 * materialized PCollections), runs a tree of element-wise operations, and ends in
 * shuffle writes, materializations and sinks. Plans are JSON: workers get them by message.
 */
import type { PipelineGraph, TransformNode } from "../../graph/types.js";
import { Urns } from "../../graph/types.js";
import { sinkFor, sourceFor, unboundedSourceFor } from "../../io/registry.js";
import { executableLeaves } from "../harness/executable_transforms.js";

export type StageInput =
  | { kind: "source"; transform: string; urn: string; output: string }
  /** GroupByKey (`lifted: false`) or a lifted Combine.perKey's merge (`lifted: true`). */
  | { kind: "shuffle"; transform: string; lifted: boolean; output: string }
  /** Flatten of PCollections materialized by earlier stages (also: a cut before a side-input consumer). */
  | { kind: "materialized"; pcollections: string[]; output: string; transform?: string }
  /** A sink with a fixed number of shards reads its input repartitioned into that many parts. */
  | { kind: "reshuffle"; transform: string; output: string };

export type Op =
  | { kind: "pardo"; transform: string; input: string; outputs: Record<string, string> }
  | { kind: "window_into"; transform: string; input: string; output: string }
  | { kind: "combine_values"; transform: string; input: string; output: string }
  /** Writes elements into a shuffle: for GroupByKey, or pre-combined for a lifted Combine.perKey. */
  | { kind: "shuffle_write"; transform: string; input: string; lifted: boolean }
  | { kind: "reshuffle_write"; transform: string; input: string; partitions: number }
  | { kind: "materialize"; input: string; limit?: number }
  | { kind: "sink"; transform: string; urn: string; input: string };

export interface Stage {
  id: string;
  input: StageInput;
  ops: Op[];
  /** Stages whose results this stage reads (inputs and side inputs). */
  dependsOn: string[];
  /** Materialized PCollections this stage reads as side inputs. */
  sideInputs: string[];
  /** A fixed task count (sink shards); otherwise the runner's parallelism. */
  numTasks?: number;
}

export interface ExecutionPlan {
  stages: Stage[];
  /** Transform id → the stage ids of its shuffle: the writer stage(s) and the reader stage. */
  shuffles: Record<string, { readerStage: string }>;
  /**
   * Some PCollection is unbounded (a TestStream, an unbounded read): sources give bundles over
   * time and shuffle readers keep their grouping state across bundles (scheduler.ts).
   */
  streaming: boolean;
}

const SOURCES = new Set<string>([Urns.CREATE, Urns.TEXT_READ, Urns.AVRO_READ, Urns.GENERATE_SEQUENCE, Urns.TEST_STREAM]);
const ELEMENT_WISE = new Set<string>([Urns.PAR_DO, Urns.WINDOW_INTO, Urns.COMBINE_GROUPED_VALUES]);

export class PlanError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PlanError";
  }
}

/** Cuts the graph into stages. `collect` names PCollections to bring back (id → limit). */
export function planStages(graph: PipelineGraph, collect: Record<string, number> = {}): ExecutionPlan {
  const leaves = executableLeaves(graph);
  const stages: Stage[] = [];
  const stageOf = new Map<string, Stage>(); // pcollection id → the stage producing it
  const materialized = new Map<string, { stage: Stage; op: Op & { kind: "materialize" } }>();
  const shuffles: ExecutionPlan["shuffles"] = {};

  const newStage = (input: StageInput, dependsOn: string[] = []): Stage => {
    const s: Stage = { id: `S${stages.length}`, input, ops: [], dependsOn: [...new Set(dependsOn)], sideInputs: [] };
    stages.push(s);
    return s;
  };
  const producerStage = (pc: string, consumer: TransformNode): Stage => {
    const s = stageOf.get(pc);
    if (!s) throw new PlanError(`transform '${consumer.fullName}' reads PCollection '${graph.pcollections[pc]?.name ?? pc}', which nothing before it produces`);
    return s;
  };
  const materialize = (pc: string, consumer: TransformNode, limit?: number): Stage => {
    const s = producerStage(pc, consumer);
    const m = materialized.get(pc);
    if (m) {
      if (limit === undefined) delete m.op.limit;
      return s;
    }
    const op: Op & { kind: "materialize" } = limit === undefined ? { kind: "materialize", input: pc } : { kind: "materialize", input: pc, limit };
    s.ops.push(op);
    materialized.set(pc, { stage: s, op });
    return s;
  };
  const dependsTransitively = (a: Stage, b: Stage): boolean => {
    if (a === b) return true;
    const seen = new Set<string>();
    const stack = [a];
    while (stack.length) {
      const s = stack.pop()!;
      if (s.id === b.id) return true;
      if (seen.has(s.id)) continue;
      seen.add(s.id);
      for (const d of s.dependsOn) stack.push(stages.find((x) => x.id === d)!);
    }
    return false;
  };

  for (const t of leaves) {
    const mainInput = t.inputs["main"] ?? Object.values(t.inputs)[0];
    const out = (tag = "main") => t.outputs[tag] ?? Object.values(t.outputs)[0]!;
    if (SOURCES.has(t.urn)) {
      const unbounded = graph.pcollections[out()]?.isBounded === false;
      const known = t.urn === Urns.CREATE || t.urn === Urns.TEST_STREAM || (unbounded ? unboundedSourceFor(t.urn) : sourceFor(t.urn));
      if (!known) throw new PlanError(`the local runner has no reader for '${t.fullName}' (${t.urn})`);
      const s = newStage({ kind: "source", transform: t.id, urn: t.urn, output: out() });
      stageOf.set(out(), s);
    } else if (t.urn === Urns.GROUP_BY_KEY || t.urn === Urns.COMBINE_PER_KEY) {
      const w = producerStage(mainInput!, t);
      const lifted = t.urn === Urns.COMBINE_PER_KEY;
      w.ops.push({ kind: "shuffle_write", transform: t.id, input: mainInput!, lifted });
      const r = newStage({ kind: "shuffle", transform: t.id, lifted, output: out() }, [w.id]);
      shuffles[t.id] = { readerStage: r.id };
      stageOf.set(out(), r);
    } else if (t.urn === Urns.FLATTEN) {
      const inputs = Object.values(t.inputs);
      const deps = inputs.map((pc) => materialize(pc, t).id);
      const s = newStage({ kind: "materialized", pcollections: inputs, output: out(), transform: t.id }, deps);
      stageOf.set(out(), s);
    } else if (ELEMENT_WISE.has(t.urn) || sinkFor(t.urn)) {
      let s = producerStage(mainInput!, t);
      const sideStages = Object.values(t.sideInputs ?? {}).map((si) => materialize(si.pcollection, t));
      if (sideStages.some((ss) => dependsTransitively(ss, s))) {
        // The side input is computed from this stage's own data: cut, so it is complete before this transform reads it.
        const dep = materialize(mainInput!, t);
        s = newStage({ kind: "materialized", pcollections: [mainInput!], output: mainInput! }, [dep.id]);
      }
      for (const ss of sideStages) if (!s.dependsOn.includes(ss.id)) s.dependsOn.push(ss.id);
      for (const si of Object.values(t.sideInputs ?? {})) if (!s.sideInputs.includes(si.pcollection)) s.sideInputs.push(si.pcollection);
      const sink = sinkFor(t.urn);
      if (sink) {
        const shards = sink.numShards(t.payload);
        if (shards !== undefined) {
          s.ops.push({ kind: "reshuffle_write", transform: t.id, input: mainInput!, partitions: shards });
          const r = newStage({ kind: "reshuffle", transform: t.id, output: mainInput! }, [s.id]);
          r.numTasks = shards;
          r.ops.push({ kind: "sink", transform: t.id, urn: t.urn, input: mainInput! });
        } else {
          s.ops.push({ kind: "sink", transform: t.id, urn: t.urn, input: mainInput! });
        }
        continue;
      }
      if (t.urn === Urns.PAR_DO) s.ops.push({ kind: "pardo", transform: t.id, input: mainInput!, outputs: { ...t.outputs } });
      else if (t.urn === Urns.WINDOW_INTO) s.ops.push({ kind: "window_into", transform: t.id, input: mainInput!, output: out() });
      else s.ops.push({ kind: "combine_values", transform: t.id, input: mainInput!, output: out() });
      for (const pc of Object.values(t.outputs)) stageOf.set(pc, s);
    } else {
      throw new PlanError(`the local runner cannot execute '${t.fullName}': transforms of kind ${t.urn || "(none)"} are not supported`);
    }
  }
  for (const [pc, limit] of Object.entries(collect)) {
    if (!graph.pcollections[pc]) throw new PlanError(`cannot collect PCollection '${pc}': it is not in the pipeline`);
    const s = stageOf.get(pc);
    if (!s) throw new PlanError(`cannot collect ${graph.pcollections[pc]!.name}: nothing produces it`);
    const m = materialized.get(pc);
    if (m) {
      // Already materialized whole for another reader.
      continue;
    }
    const op: Op & { kind: "materialize" } = { kind: "materialize", input: pc, limit };
    s.ops.push(op);
    materialized.set(pc, { stage: s, op });
  }
  const streaming = Object.values(graph.pcollections).some((pc) => pc.isBounded === false);
  return { stages: inDependencyOrder(stages), shuffles, streaming };
}

/**
 * The stages in an order that runs each after every stage it reads (input and side
 * inputs): stages are created as transforms are met, and a side input applied after its
 * consumer's source gets a stage listed after the consumer's. Stable: a stage moves only
 * when it must, so independent stages keep the order they were applied in.
 */
export function inDependencyOrder(stages: Stage[]): Stage[] {
  const done = new Set<string>();
  const out: Stage[] = [];
  const left = [...stages];
  while (left.length) {
    const i = left.findIndex((s) => s.dependsOn.every((d) => done.has(d)));
    if (i < 0) throw new PlanError(`the stages ${left.map((s) => s.id).join(", ")} depend on each other in a cycle`);
    const [s] = left.splice(i, 1);
    done.add(s!.id);
    out.push(s!);
  }
  return out;
}

/** An op fused into the stage's element-wise tree (no boundary, no side effect of its own). */
export function isElementWise(op: Op): boolean {
  return op.kind === "pardo" || op.kind === "window_into" || op.kind === "combine_values";
}

/**
 * A sample run's early answer (issue 13, point 4): a stage whose only results are samples
 * (materializations with a limit: show/collect), with no shuffle, sink or whole
 * materialization that another stage or the run needs, may stop reading its input once
 * every sample has its elements — a source's splits, or, behind a grouping, the partitions
 * of its shuffle (groups stream out as their keys complete, so the rest of the merge is
 * saved), or a Flatten's materialized inputs. A reshuffle feeds a sink, never a sample. The
 * limited PCollections it collects, or undefined when the stage must read everything.
 */
export function earlyStopSamples(stage: Stage): string[] | undefined {
  if (stage.input.kind === "reshuffle") return undefined;
  const samples: string[] = [];
  for (const op of stage.ops) {
    if (isElementWise(op)) continue;
    if (op.kind === "materialize" && op.limit !== undefined) samples.push(op.input);
    else return undefined;
  }
  return samples.length ? samples : undefined;
}
