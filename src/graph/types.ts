/**
 * The pipeline graph in JSON form: what both runners execute from, what the Flink
 * translators read and what a notebook draws. Nothing here refers to live objects;
 * user functions appear as SerializedValue trees (see functions/serialize.ts).
 */
export const GRAPH_FORMAT = "flowbook.pipeline/v1";

export interface PipelineGraph {
  format: typeof GRAPH_FORMAT;
  /** The pipeline's name: Flink shows it as the job name. */
  name: string;
  options: Record<string, unknown>;
  /** Top-level transforms, in the order they were applied. */
  rootTransforms: string[];
  transforms: Record<string, TransformNode>;
  pcollections: Record<string, PCollectionNode>;
  windowingStrategies: Record<string, WindowingStrategySpec>;
}

export interface TransformNode {
  id: string;
  /** The unique full name, e.g. `CountWords/Count.PerElement/Combine.perKey`. */
  fullName: string;
  /** The name given where it was applied (the last part of the full name). */
  name: string;
  /** The kind; Beam's URN where Beam has one (`beam:transform:pardo:v1`). */
  urn: string;
  /** Main inputs, by local tag. */
  inputs: Record<string, string>;
  /** Outputs, by local tag (a ParDo's main output is under its main TupleTag's id). */
  outputs: Record<string, string>;
  /** Side inputs (ParDo), by tag. */
  sideInputs?: Record<string, SideInputSpec>;
  /** Parts of a composite, in application order; empty for primitives. */
  subtransforms: string[];
  parent?: string;
  /** Kind-specific JSON: serialized functions, coders, file patterns. */
  payload?: unknown;
  /** Where the user applied it (file:line), for error messages. */
  appliedAt?: string;
  /**
   * A composite's kind, as Beam's getKindString: its default name (`CoGroupByKey`,
   * `Count.PerElement`, a user's `CountWords`). Composites all share one URN, so this is what
   * tells them apart (the graph's drawing, the stepper's breakpoints); primitives have none.
   */
  kind?: string;
}

/** The JSON form of a coder in the pipeline graph: a URN, component coders, a payload. */
export interface CoderSpec {
  urn: string;
  components?: CoderSpec[];
  payload?: unknown;
}

export interface PCollectionNode {
  id: string;
  /** Producer's full name plus the output tag, e.g. `ReadLines.out`. */
  name: string;
  coder: CoderSpec;
  windowingStrategy: string;
  isBounded: boolean;
  producer: string;
}

export type ViewKind = "singleton" | "iterable" | "list" | "map" | "multimap";

export interface SideInputSpec {
  pcollection: string;
  view: ViewKind;
  /** For singleton views: the value when the window is empty (serialized), if any. */
  defaultValue?: unknown;
  hasDefault?: boolean;
}

export interface WindowFnSpec {
  urn: string;
  payload?: unknown;
}

/** Triggers as data, so runners and the streaming work read them without rebuilding objects. */
export interface TriggerSpec {
  kind: string;
  [field: string]: unknown;
}

export type AccumulationMode = "DISCARDING" | "ACCUMULATING";
export type TimestampCombinerKind = "END_OF_WINDOW" | "EARLIEST" | "LATEST";
/** Beam's ClosingBehavior: whether the final pane (at the window's end + allowed lateness) fires when empty. */
export type ClosingBehaviorKind = "FIRE_IF_NON_EMPTY" | "FIRE_ALWAYS";
/** Beam's OnTimeBehavior: whether the ON_TIME pane fires when empty. */
export type OnTimeBehaviorKind = "FIRE_ALWAYS" | "FIRE_IF_NON_EMPTY";

export interface WindowingStrategySpec {
  windowFn: WindowFnSpec;
  trigger: TriggerSpec;
  accumulationMode: AccumulationMode;
  allowedLatenessMillis: number;
  timestampCombiner: TimestampCombinerKind;
  /** Absent: Beam's default FIRE_IF_NON_EMPTY (left out so specs of default windowing stay as they were). */
  closingBehavior?: ClosingBehaviorKind;
  /** Absent: Beam's default FIRE_ALWAYS. */
  onTimeBehavior?: OnTimeBehaviorKind;
  /** Set once a Window.into has been applied explicitly. */
  assigned: boolean;
}

/** URNs of the kinds the runners know. Composites not listed here are expanded by parts. */
export const Urns = {
  CREATE: "flowbook:transform:create:v1",
  PAR_DO: "beam:transform:pardo:v1",
  GROUP_BY_KEY: "beam:transform:group_by_key:v1",
  COMBINE_PER_KEY: "beam:transform:combine_per_key:v1",
  COMBINE_GLOBALLY: "beam:transform:combine_globally:v1",
  COMBINE_GROUPED_VALUES: "beam:transform:combine_grouped_values:v1",
  FLATTEN: "beam:transform:flatten:v1",
  WINDOW_INTO: "beam:transform:window_into:v1",
  RESHUFFLE: "beam:transform:reshuffle:v1",
  TEXT_READ: "flowbook:transform:textio_read:v1",
  TEXT_WRITE: "flowbook:transform:textio_write:v1",
  AVRO_READ: "flowbook:transform:avroio_read:v1",
  AVRO_WRITE: "flowbook:transform:avroio_write:v1",
  CONSOLE_WRITE: "flowbook:transform:console_write:v1",
  GENERATE_SEQUENCE: "flowbook:transform:generate_sequence:v1",
  TEST_STREAM: "beam:transform:teststream:v1",
  COMPOSITE: "flowbook:transform:composite:v1",
} as const;

/** The window functions' URNs: the SDK's WindowFns, both runners and the Flink plan read these. */
export const WindowFnUrns = {
  GLOBAL: "beam:window_fn:global_windows:v1",
  FIXED: "beam:window_fn:fixed_windows:v1",
  SLIDING: "beam:window_fn:sliding_windows:v1",
  SESSIONS: "beam:window_fn:session_windows:v1",
} as const;
