import type { PCollectionView } from "../pcollection.js";
import type { PipelineOptions } from "../pipeline_options.js";
import type { PaneInfo } from "../values/pane.js";
import type { Instant } from "../values/time.js";
import type { TupleTag } from "../values/tuple_tag.js";
import type { BoundedWindow } from "../values/windows.js";

/** What processElement sees: the element, its timestamp and window, and ways to output. */
export interface ProcessContext<I, O> {
  element(): I;
  output(value: O): void;
  output<T>(tag: TupleTag<T>, value: T): void;
  outputWithTimestamp(value: O, timestamp: Instant | Date): void;
  sideOutput<T>(tag: TupleTag<T>, value: T): void;
  sideInput<T>(view: PCollectionView<T>): T;
  timestamp(): Instant;
  window(): BoundedWindow;
  pane(): PaneInfo;
  getPipelineOptions(): PipelineOptions;
}

export interface StartBundleContext {
  getPipelineOptions(): PipelineOptions;
}

/** finishBundle may output, naming the timestamp and window explicitly. */
export interface FinishBundleContext<O> {
  output(value: O, timestamp: Instant, window: BoundedWindow): void;
  output<T>(tag: TupleTag<T>, value: T, timestamp: Instant, window: BoundedWindow): void;
  getPipelineOptions(): PipelineOptions;
}

/**
 * The user's element-wise code. Runners build a DoFn from its serialized form, call
 * setup once, then startBundle / processElement per element / finishBundle for each
 * bundle, and teardown when done with it.
 */
export abstract class DoFn<I, O> {
  setup(): void | Promise<void> {}
  startBundle(_c: StartBundleContext): void {}
  abstract processElement(c: ProcessContext<I, O>): void;
  finishBundle(_c: FinishBundleContext<O>): void {}
  teardown(): void | Promise<void> {}

  /** The name shown in default transform names: the class name. */
  displayName(): string {
    const n = this.constructor.name;
    return n.endsWith("Fn") && n.length > 2 ? n.slice(0, -2) : n;
  }
}
