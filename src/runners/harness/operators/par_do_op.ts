import type { TransformNode } from "../../../graph/types.js";
import { setCurrentMetricsContainer, type MetricsContainer } from "../../../sdk/metrics/metrics.js";
import type { PCollectionView } from "../../../sdk/pcollection.js";
import type { PipelineOptions } from "../../../sdk/pipeline_options.js";
import type { DoFn, FinishBundleContext, ProcessContext, StartBundleContext } from "../../../sdk/transforms/do_fn.js";
import { PaneInfo } from "../../../sdk/values/pane.js";
import { toInstant, type Instant } from "../../../sdk/values/time.js";
import { TupleTag } from "../../../sdk/values/tuple_tag.js";
import type { WindowedValue } from "../../../sdk/values/windowed_value.js";
import type { BoundedWindow } from "../../../sdk/values/windows.js";
import { lateOutputError, reportLateOutput, takeLateOutputError } from "../../shared/late_output.js";
import { UserCodeError } from "../../shared/user_code_error.js";
import type { SideInputs } from "../side_inputs.js";
import { EncodabilityCheck } from "./encodability_check.js";
import { PairWithOneIntoPrecombine } from "./pair_with_one_into_precombine.js";
import type { Operator, Receiver } from "./receiver.js";

const UNWRAPPED_PAIR_PROCESS = PairWithOneIntoPrecombine.prototype.process;

/**
 * Runs a DoFn over each element; it is its own ProcessContext, reused across
 * elements, so the per-element cost is a field write and the user's call.
 */
export class ParDoOp implements Operator, ProcessContext<unknown, unknown> {
  private cur!: WindowedValue<unknown>;
  private curWindow!: BoundedWindow;
  private readonly mainOut: Receiver;
  /**
   * The main output's encodability check, asked here rather than called as a receiver: an
   * element it does not sample goes straight to `mainOut`, one call fewer per output.
   */
  private readonly mainCheck: EncodabilityCheck | undefined;
  private readonly tagged: Map<string, Receiver>;
  /**
   * The main output when it is Count.perElement's Init fused into its combine, counting with no
   * window: an output unchecked is counted by a direct call (PairWithOneIntoPrecombine.count).
   */
  private readonly countInto: PairWithOneIntoPrecombine | undefined;
  private inProcess = false;
  /** Between start() and the end of finish(): the bundle context may output. */
  private inBundle = false;
  /**
   * Main outputs reuse one object: no receiver keeps a WindowedValue after process()
   * returns (they encode it, or read its value), and this saves an allocation per element.
   */
  private readonly outMain: { value: unknown; timestamp: number; windows: readonly BoundedWindow[]; pane: PaneInfo } = {
    value: undefined,
    timestamp: 0,
    windows: [],
    pane: PaneInfo.NO_FIRING,
  };
  private readonly bundleCtx: StartBundleContext & FinishBundleContext<unknown>;

  constructor(
    private readonly transform: TransformNode,
    private readonly fn: DoFn<unknown, unknown>,
    mainTag: string,
    outputs: Map<string, Receiver>,
    private readonly sideInputs: SideInputs,
    private readonly metrics: MetricsContainer,
    private readonly options: PipelineOptions,
  ) {
    const main = outputs.get(mainTag) ?? { process() {} };
    this.mainCheck = main instanceof EncodabilityCheck ? main : undefined;
    this.mainOut = main instanceof EncodabilityCheck ? main.next : main;
    this.tagged = outputs;
    this.countInto = this.mainOut instanceof PairWithOneIntoPrecombine && this.mainOut.countsDirectly ? this.mainOut : undefined;
    const self = this;
    this.bundleCtx = {
      getPipelineOptions: () => options,
      output(a: unknown, b: unknown, c?: unknown, d?: unknown) {
        if (!self.inBundle) self.lateOutput("output");
        if (a instanceof TupleTag) self.emitTo(self.receiverFor(a), { value: b, timestamp: toInstant(c as Instant), windows: [d as BoundedWindow], pane: PaneInfo.NO_FIRING });
        else self.emitMain({ value: a, timestamp: toInstant(b as Instant), windows: [c as BoundedWindow], pane: PaneInfo.NO_FIRING });
      },
    };
  }

  start(): void {
    // A late output of an earlier bundle in this thread that user code caught fails this one.
    const late = takeLateOutputError(this.options);
    if (late) throw late;
    this.inBundle = true;
    const prev = setCurrentMetricsContainer(this.metrics);
    try {
      this.fn.startBundle(this.bundleCtx);
    } catch (e) {
      throw UserCodeError.from(this.transform.fullName, undefined, false, e);
    } finally {
      setCurrentMetricsContainer(prev);
    }
  }

  /** Elements received (run progress): one increment per element. */
  elementsIn = 0;
  process(wv: WindowedValue<unknown>): void {
    this.elementsIn++;
    const windows = wv.windows;
    if (windows.length === 1) this.processInWindow(wv, windows[0]!);
    else for (const w of windows) this.processInWindow({ value: wv.value, timestamp: wv.timestamp, windows: [w], pane: wv.pane }, w);
  }

  private processInWindow(wv: WindowedValue<unknown>, window: BoundedWindow): void {
    this.cur = wv;
    this.curWindow = window;
    const prev = setCurrentMetricsContainer(this.metrics);
    this.inProcess = true;
    try {
      const r = this.fn.processElement(this) as unknown;
      if (r !== undefined && typeof (r as Promise<unknown>).then === "function") {
        throw new TypeError("processElement returned a Promise: async DoFns are not supported; do the asynchronous work in setup() or startBundle()");
      }
    } catch (e) {
      throw UserCodeError.from(this.transform.fullName, wv.value, true, e);
    } finally {
      this.inProcess = false;
      setCurrentMetricsContainer(prev);
    }
  }

  async finish(): Promise<void> {
    const early = takeLateOutputError(this.options);
    if (early) throw early;
    const prev = setCurrentMetricsContainer(this.metrics);
    try {
      this.fn.finishBundle(this.bundleCtx);
    } catch (e) {
      throw UserCodeError.from(this.transform.fullName, undefined, false, e);
    } finally {
      this.inBundle = false;
      setCurrentMetricsContainer(prev);
    }
    // Callbacks finishBundle queued as microtasks (a promise's then) run before this task's
    // bundle is declared done: one that outputs through a kept context fails this bundle.
    await null;
    const late = takeLateOutputError(this.options);
    if (late) throw late;
  }

  /**
   * An output through a context kept past its bundle (a timer, a promise): its consumers are
   * finished and the element would be lost. Throws at the call site, and records the error so
   * the run fails even if user code catches it (see shared/late_output.ts).
   */
  private lateOutput(method: string): never {
    const e = lateOutputError(this.transform.fullName, method);
    reportLateOutput(this.options, e);
    throw e;
  }

  private receiverFor(tag: TupleTag<unknown>): Receiver {
    const r = this.tagged.get(tag.id);
    if (!r) {
      throw new Error(`output to tag '${tag.id}', which is not one of this ParDo's outputs (${[...this.tagged.keys()].join(", ")}); declare it with withOutputTags`);
    }
    return r;
  }

  private emitTo(r: Receiver, wv: WindowedValue<unknown>): void {
    r.process(wv);
  }

  /** To the main output, through its encodability check when the check samples this element. */
  private emitMain(wv: WindowedValue<unknown>): void {
    const check = this.mainCheck;
    if (check !== undefined && check.sampler.take()) check.checkAndForward(wv);
    else this.mainOut.process(wv);
  }

  private checkInProcess(what: string): void {
    if (!this.inProcess) throw new Error(`ProcessContext.${what}() called outside processElement`);
  }

  // ProcessContext
  element(): unknown {
    return this.cur.value;
  }
  output(a: unknown, b?: unknown): void {
    if (!this.inBundle) this.lateOutput("output");
    const cur = this.cur;
    // The argument count first: where this call is inlined into the DoFn, it is known, and a main output tests nothing more.
    if (arguments.length === 2 && a instanceof TupleTag) {
      this.receiverFor(a).process({ value: b, timestamp: cur.timestamp, windows: [this.curWindow], pane: cur.pane });
      return;
    }
    const check = this.mainCheck;
    const checked = check !== undefined && check.sampler.take();
    const count = this.countInto;
    // Not while operator timing wraps the pair's process (a timed element, op_timing.ts): its time is its own.
    if (!checked && count !== undefined && count.process === UNWRAPPED_PAIR_PROCESS) {
      count.count(a, cur.timestamp);
      return;
    }
    const o = this.outMain;
    o.value = a;
    o.timestamp = cur.timestamp;
    o.windows = cur.windows.length === 1 ? cur.windows : [this.curWindow];
    o.pane = cur.pane;
    if (checked) check.checkAndForward(o);
    else this.mainOut.process(o);
  }
  outputWithTimestamp(value: unknown, timestamp: Instant | Date): void {
    if (!this.inBundle) this.lateOutput("outputWithTimestamp");
    this.checkInProcess("outputWithTimestamp");
    this.emitMain({ value, timestamp: toInstant(timestamp), windows: [this.curWindow], pane: this.cur.pane });
  }
  sideOutput<T>(tag: TupleTag<T>, value: T): void {
    if (!this.inBundle) this.lateOutput("sideOutput");
    this.receiverFor(tag as TupleTag<unknown>).process({ value, timestamp: this.cur.timestamp, windows: [this.curWindow], pane: this.cur.pane });
  }
  sideInput<T>(view: PCollectionView<T>): T {
    this.checkInProcess("sideInput");
    const tag = view && (view as { tagId?: string }).tagId;
    const spec = tag ? this.transform.sideInputs?.[tag] : undefined;
    if (!spec) {
      throw new Error(`sideInput(${String(view)}): this view is not a side input of '${this.transform.fullName}'; pass it to .withSideInputs(view)`);
    }
    return this.sideInputs.get(tag!, spec, this.curWindow) as T;
  }
  timestamp(): Instant {
    return this.cur.timestamp;
  }
  window(): BoundedWindow {
    return this.curWindow;
  }
  pane(): PaneInfo {
    return this.cur.pane;
  }
  getPipelineOptions(): PipelineOptions {
    return this.options;
  }
}
