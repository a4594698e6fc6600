/**
 * The API's exports, without the runners: what src/index.ts re-exports (with the runners
 * registered), and what the session loads into the vm2 sandbox cells run in (where runs are
 * forwarded to the host's runners, src/session/sandbox/).
 */

// The model
export { Pipeline, setTransformOwner, setDefaultPipelineOptions } from "./sdk/pipeline.js";
export { type PipelineOptions, optionsFromArgs } from "./sdk/pipeline_options.js";
export { PCollection, PBegin, PDone, PCollectionTuple, PCollectionList, PCollectionView } from "./sdk/pcollection.js";
export { PTransform, TransformApplicationError } from "./sdk/transforms/ptransform.js";
export type { PipelineResult, PipelineRunner, PipelineState, RunRequest, CollectedSample } from "./sdk/runner.js";
export { registerRunner, onPipelineRun } from "./sdk/runner.js";

// Values and time
export { KV } from "./sdk/values/kv.js";
export { TupleTag } from "./sdk/values/tuple_tag.js";
export { WindowedValue, TimestampedValue } from "./sdk/values/windowed_value.js";
export { PaneInfo, type PaneTiming } from "./sdk/values/pane.js";
export { Duration, type Instant, TIMESTAMP_MIN, TIMESTAMP_MAX, END_OF_GLOBAL_WINDOW } from "./sdk/values/time.js";
export { BoundedWindow, GlobalWindow, IntervalWindow } from "./sdk/values/windows.js";

// Element-wise, grouping and combining
export { DoFn, type ProcessContext, type StartBundleContext, type FinishBundleContext } from "./sdk/transforms/do_fn.js";
export { ParDo, ParDoSingleOutput, ParDoMultiOutput } from "./sdk/transforms/par_do.js";
export { MapElements, FlatMapElements, Filter, WithKeys, Keys, Values, KvSwap } from "./sdk/transforms/element_wise.js";
export { Partition } from "./sdk/transforms/partition.js";
export { GroupByKey } from "./sdk/transforms/group_by_key.js";
export { CoGroupByKey, KeyedPCollectionTuple, CoGbkResult } from "./sdk/transforms/co_group_by_key.js";
export { Flatten } from "./sdk/transforms/flatten.js";
export { Combine, CombinePerKey, CombineGlobally, CombineGroupedValues } from "./sdk/transforms/combine.js";
export { CombineFn } from "./sdk/transforms/combine_fn.js";
export { Count } from "./sdk/transforms/count.js";
export { Sum, Min, Max, Mean, Top, Sample, ApproximateQuantiles, Distinct } from "./sdk/transforms/combiners/index.js";
export { SumFn, CountFn, MinFn, MaxFn, MeanFn, TopFn, SampleFn, ApproximateQuantilesFn } from "./sdk/transforms/combiners/index.js";
export { Create } from "./sdk/transforms/create.js";
export { View } from "./sdk/transforms/view.js";
export { WithTimestamps } from "./sdk/transforms/with_timestamps.js";

// Windowing
export { Window } from "./sdk/windowing/window.js";
export { ClosingBehavior, OnTimeBehavior } from "./sdk/windowing/pane_behaviors.js";
export { WindowFn } from "./sdk/windowing/window_fn.js";
export { GlobalWindows } from "./sdk/windowing/global_windows.js";
export { FixedWindows } from "./sdk/windowing/fixed_windows.js";
export { SlidingWindows } from "./sdk/windowing/sliding_windows.js";
export { Sessions } from "./sdk/windowing/sessions.js";
export {
  Trigger, DefaultTrigger, AfterWatermark, AfterProcessingTime, AfterPane, Repeatedly,
  AfterFirst, AfterAll, AfterEach, Never, Always,
} from "./sdk/windowing/triggers.js";

// Coders
export {
  Coder, StringUtf8Coder, VarLongCoder, DoubleCoder, BytesCoder, BooleanCoder, KvCoder, IterableCoder,
  NullableCoder, JsonCoder, AvroCoder, GeneralObjectCoder, GlobalWindowCoder, IntervalWindowCoder,
  WindowedValueCoder, ByteReader, ByteWriter,
} from "./sdk/coders/index.js";

// IO
export { TextIO, AvroIO, ConsoleIO, GenerateSequence } from "./io/index.js";

// Metrics and testing
export { Metrics, Counter, Distribution, Gauge } from "./sdk/metrics/metrics.js";
export { MetricResults, type MetricQueryResults, type MetricsFilter } from "./sdk/metrics/metric_results.js";
export { PAssert, TestPipeline, PAssertionError } from "./sdk/testing/passert.js";
export { TestStream } from "./sdk/testing/test_stream.js";

// Interactive use (notebooks, the REPL, scripts): look at data, graphs and plans, on any runner.
export {
  collect, show, chart, graph, explain, display, clearOutput, PCollectionSample, Displayed, Rendered, TranslationStepper, type StepState,
  type CollectOptions, type ShowOptions, type ChartOptions, type GraphOptions,
} from "./display/interactive/calls.js";
export { DISPLAY, type MimeBundle } from "./display/mime.js";
export type { DisplayHandle } from "./display/outputs.js";

// Every export travels by name when a user function captures it.
import * as api from "./api.js";
import { registerKnown } from "./graph/functions/known_objects.js";
for (const [name, value] of Object.entries(api)) {
  if ((typeof value === "function" || (typeof value === "object" && value !== null)) && name !== "default") registerKnown(`flowbook.api.${name}`, value as object);
}
