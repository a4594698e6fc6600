/**
 * Builds the element-wise operators of a fused stage — ParDo, Window.into,
 * Combine.GroupedValues — and wires them to their consumers. Shared by the local runner's
 * TaskRunner (src/runners/direct/task_runner.ts) and the Flink runner's Node worker
 * (src/runners/flink/worker/stage_runtime.ts), so user code runs in the very same
 * operators on both runners: one model, two runners.
 *
 * A runner builds a stage from its last op to its first: each op's consumers exist before
 * the op is built (`consume`), and the runner adds its own kinds of op (shuffle writes,
 * materializations, sinks; or outputs to Flink) beside these.
 */
import { rebuildValue } from "../../graph/functions/serialize.js";
import { setCurrentMetricsContainer } from "../../sdk/metrics/metrics.js";
import type { CombinePayload } from "../../sdk/transforms/combine.js";
import type { CombineFn } from "../../sdk/transforms/combine_fn.js";
import { PairWithOneFn } from "../../sdk/transforms/count.js";
import type { DoFn } from "../../sdk/transforms/do_fn.js";
import type { ParDoPayload } from "../../sdk/transforms/par_do.js";
import { CombineValuesOp } from "./operators/combine_values_op.js";
import { EncodabilityCheck } from "./operators/encodability_check.js";
import { PairWithOneIntoPrecombine } from "./operators/pair_with_one_into_precombine.js";
import { ParDoOp } from "./operators/par_do_op.js";
import { PrecombineWrite } from "./operators/precombine_write.js";
import { fanOut, type Operator, type Receiver } from "./operators/receiver.js";
import { WindowIntoOp } from "./operators/window_into_op.js";
import type { SideInputs } from "./side_inputs.js";
import type { GraphContext, TaskMetrics } from "./task_context.js";
import { ImmutabilityCheck } from "./operators/immutability_check.js";
import { CheckSampler, checkPolicy } from "../shared/check_sampling.js";
import { UserCodeError } from "../shared/user_code_error.js";

/** The element-wise ops both runners' stages have. */
export type ElementWiseOp =
  | { kind: "pardo"; transform: string; input: string; outputs: Record<string, string> }
  | { kind: "window_into"; transform: string; input: string; output: string }
  | { kind: "combine_values"; transform: string; input: string; output: string };

/** Rebuilds a transform's user function (and calls DoFn.setup when `setup`). */
export type UserFnLoader = <T>(transformId: string, serialized: unknown, setup: boolean) => Promise<T>;

/**
 * Rebuilds a user function from its serialized form; with `setup`, calls DoFn.setup with
 * the step's metrics container current (setup may count), failing as user code.
 */
export async function loadUserFn<T>(g: GraphContext, transformId: string, serialized: unknown, setup: boolean, metrics?: TaskMetrics): Promise<T> {
  const t = g.transform(transformId);
  let fn: unknown;
  try {
    fn = await rebuildValue(serialized as never);
  } catch (e) {
    throw new Error(`cannot rebuild the function of '${t.fullName}': ${(e as Error).message}`);
  }
  if (setup) {
    const prev = setCurrentMetricsContainer(metrics?.for(t.fullName));
    try {
      await (fn as DoFn<unknown, unknown>).setup();
    } catch (e) {
      throw UserCodeError.from(t.fullName, undefined, false, e);
    } finally {
      setCurrentMetricsContainer(prev);
    }
  }
  return fn as T;
}

/** The receivers of a stage's PCollections, built from the last op to the first. */
export class StageWiring {
  private readonly receivers = new Map<string, Receiver[]>();
  /** enforceEncodability: output elements round-trip through their coder. */
  readonly checks: boolean;
  /** enforceImmutability: a DoFn may not change its input. */
  readonly immutability: boolean;
  /** `checks: "all"`: both checks look at every element; otherwise at a sample (shared/check_sampling.ts). */
  readonly checkAll: boolean;

  /**
   * `seed` makes each task's sample its own (the stage and task, say); the same seed checks the
   * same elements. `checksByDefault`: whether the checks run when the options do not mention
   * them (the local runner: yes; Flink's Node workers: no).
   */
  constructor(readonly g: GraphContext, private readonly seed = "", checksByDefault = true) {
    const policy = checkPolicy(g.options, checksByDefault);
    this.checks = policy.encodability;
    this.immutability = policy.immutability;
    this.checkAll = policy.all;
  }

  /** Which elements a check of `what` (a transform, a PCollection) looks at. */
  sampler(what: string): CheckSampler {
    return new CheckSampler(`${this.seed}\u0000${what}`, this.checkAll);
  }

  /** Adds a consumer of a PCollection. */
  consume(pc: string, r: Receiver): void {
    const list = this.receivers.get(pc);
    if (list) list.push(r);
    else this.receivers.set(pc, [r]);
  }

  /** Everything consuming a PCollection, as one receiver. */
  receiverOf(pc: string): Receiver {
    return fanOut(this.receivers.get(pc) ?? []);
  }

  consumers(pc: string): readonly Receiver[] {
    return this.receivers.get(pc) ?? [];
  }

  /** receiverOf, behind the encodability check when it is on. */
  checked(pc: string, producer: string): Receiver {
    const r = this.receiverOf(pc);
    return this.checks ? new EncodabilityCheck(r, this.g.coder(pc), producer, this.g.pcollectionName(pc), this.sampler(`encode ${pc}`)) : r;
  }
}

export interface ElementWiseEnv {
  sideInputs: SideInputs;
  metrics: TaskMetrics;
  userFn: UserFnLoader;
}

/** Builds one element-wise op; its consumers must already be wired. */
export async function buildElementWise(op: ElementWiseOp, w: StageWiring, env: ElementWiseEnv): Promise<Operator> {
  const g = w.g;
  const t = g.transform(op.transform);
  switch (op.kind) {
    case "pardo": {
      const payload = t.payload as ParDoPayload;
      const fn = await env.userFn<DoFn<unknown, unknown>>(t.id, payload.doFn, true);
      const consumers = w.consumers(op.outputs[payload.mainOutputTag]!);
      // Count.perElement's Init straight into its lifted combine: no KV object per element. Init is
      // the library's own DoFn: it does not change its input, and its output's key is that input,
      // which its producer's encodability check looked at (its sample of it). With
      // `checks: "all"` the Init runs as any ParDo, each element checked on both sides.
      const checkEvery = w.checkAll && (w.checks || w.immutability);
      if (fn instanceof PairWithOneFn && !checkEvery && consumers.length === 1 && consumers[0] instanceof PrecombineWrite) {
        return new PairWithOneIntoPrecombine(consumers[0]);
      }
      const outs = new Map<string, Receiver>();
      for (const [tag, pc] of Object.entries(op.outputs)) outs.set(tag, w.checked(pc, t.fullName));
      const pardo = new ParDoOp(t, fn, payload.mainOutputTag, outs, env.sideInputs, env.metrics.for(t.fullName), g.options);
      // The immutability check wraps the ParDo (ParDoOp's own per-element check is left unused), sampled.
      return w.immutability ? new ImmutabilityCheck(pardo, t, g.coder(op.input), w.sampler(`immutable ${t.id}`)) : pardo;
    }
    case "window_into": {
      const p = t.payload as { windowFn?: unknown } | undefined;
      return new WindowIntoOp(t.fullName, p?.windowFn ? g.windowFn(op.output) : undefined, w.receiverOf(op.output));
    }
    case "combine_values": {
      const fn = await env.userFn<CombineFn<unknown, unknown, unknown>>(t.id, (t.payload as CombinePayload).combineFn, false);
      return new CombineValuesOp(t.fullName, fn, w.checked(op.output, t.fullName), env.metrics.for(t.fullName));
    }
  }
}
