/**
 * The FlinkPlan (`flowbook.flinkplan/v1`): the JSON job description the TypeScript side
 * produces and the Java bridge (`flink/bridge`) builds a Flink job from. These types are
 * docs/flink-plan.md written down; that file is the contract, this is its TypeScript form.
 */
import type { CoderSpec } from "../../sdk/coders/coder.js";
import type { WorkerStage } from "./worker/stage.js";

export const FLINK_PLAN_FORMAT = "flowbook.flinkplan/v1";

export type ShipStrategy = "forward" | "rebalance" | "broadcast" | "hash";

export type OperatorKind =
  | "source:create"
  | "source:sequence"
  | "source:text"
  | "source:avro"
  | "source:test_stream"
  | "window:assign"
  | "usercode"
  | "group_by_key"
  | "combine"
  | "flatten"
  | "sink:text"
  | "sink:avro"
  | "sink:console"
  | "collect";

/** The kinds whose operators start Node workers (user code). */
export const USER_CODE_KINDS: ReadonlySet<OperatorKind> = new Set<OperatorKind>(["usercode"]);

export interface FlinkWindowFn {
  type: "global" | "fixed" | "sliding" | "sessions" | "custom";
  sizeMs?: number;
  periodMs?: number;
  offsetMs?: number;
  gapMs?: number;
}

export interface FlinkWindowing {
  windowFn: FlinkWindowFn;
  timestampCombiner?: "END_OF_WINDOW" | "EARLIEST" | "LATEST";
  /**
   * When panes fire (docs/flink-plan.md "Triggers"), sent only when not the default
   * (default trigger, no lateness, discarding): the TriggerSpec unchanged, the allowed
   * lateness, the accumulation mode.
   */
  trigger?: unknown;
  allowedLatenessMs?: number;
  accumulationMode?: "DISCARDING" | "ACCUMULATING";
  /** Beam's ClosingBehavior and OnTimeBehavior, sent only when not the defaults (FIRE_IF_NON_EMPTY, FIRE_ALWAYS). */
  closingBehavior?: "FIRE_IF_NON_EMPTY" | "FIRE_ALWAYS";
  onTimeBehavior?: "FIRE_ALWAYS" | "FIRE_IF_NON_EMPTY";
}

export interface OperatorInput {
  /** Id of an earlier operator. */
  from: string;
  /** Which of its outputs; default "main". */
  output?: string;
  ship: ShipStrategy;
  keyCoder?: CoderSpec;
  windowing?: FlinkWindowing;
}

export interface FlinkOperator {
  id: string;
  /** Shown in Flink's web UI and used in error messages: the full name(s) of its transforms. */
  name: string;
  kind: OperatorKind;
  /** Full names of the graph transforms it came from. */
  transforms: string[];
  parallelism?: number;
  inputs: OperatorInput[];
  outputs: string[];
  payload?: Record<string, unknown>;
}

export interface FlinkWorkerConfig {
  command?: string[];
  env?: Record<string, string>;
  cwd?: string;
  batchBytes?: number;
  bundleSize?: number;
}

export interface FlinkPlan {
  format: typeof FLINK_PLAN_FORMAT;
  jobName: string;
  parallelism: number;
  runtimeMode: "BATCH" | "STREAMING";
  restart?: { attempts: number; delayMs: number };
  /**
   * STREAMING jobs: checkpoint every intervalMs (0: off; TestStream jobs use their own short
   * interval), on the file system under dir (a URI) if given, else where the cluster's config says.
   */
  checkpoint?: { intervalMs: number; dir?: string };
  worker?: FlinkWorkerConfig;
  /** Users' console output kept per job (bytes; the bridge's default is 4 MiB), beyond which lines are counted, not kept. */
  console?: { maxBytes: number };
  /** Worker stages by id: opaque to Java, sent to the worker in HELLO. */
  stages: Record<string, WorkerStage>;
  /** In topological order. */
  operators: FlinkOperator[];
}

/** What the runner needs besides the plan: where collected PCollections and metrics come from. */
export interface PlanExtras {
  /** PCollection id → the id of the `collect` operator that samples it. */
  collectOperators: Record<string, string>;
}
