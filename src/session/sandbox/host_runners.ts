/**
 * The host side of forwarding_runner.ts: runs a graph the sandbox sent on the host's own
 * runner (the local runner's worker threads, the Flink runner's REST client).
 */
// The host's API, with its runners registered.
import "../../index.js";
import { MetricResults } from "../../sdk/metrics/metric_results.js";
import { notifyPipelineRun, resolveRunner, type PipelineResult, type PipelineState, type RunRequest } from "../../sdk/runner.js";
import type { PipelineGraph } from "../../graph/types.js";
import { encodeSample, type EncodedSample } from "../../display/samples/encoded_sample.js";
import type { HostRunners } from "./forwarding_runner.js";

/** The runner names the sandbox forwards; others (a runner object a cell made) run in it. */
const FORWARDED = ["direct", "flink"];

/** What a run does not do when a session only builds pipelines (`flowbook explain`). */
export class NotRunResult implements PipelineResult {
  readonly state: PipelineState = "DONE";
  async waitUntilFinish(): Promise<PipelineState> {
    return "DONE";
  }
  async cancel(): Promise<PipelineState> {
    return "DONE";
  }
  metrics(): MetricResults {
    return new MetricResults({ counters: [], distributions: [], gauges: [] });
  }
  collected(): undefined {
    return undefined;
  }
}

/**
 * A run as the cell holds it: the runner's result, noting whether the cell waited for it
 * (or cancelled it). A failure the cell waited for is the cell's business (it may have
 * caught it); `flowbook run` reports the failures of runs nobody waited for.
 */
export class WatchedResult implements PipelineResult {
  awaited = false;
  readonly onEvent?: PipelineResult["onEvent"];
  readonly stop?: PipelineResult["stop"];

  constructor(private readonly inner: PipelineResult) {
    if (inner.onEvent) this.onEvent = (listener) => inner.onEvent!(listener);
    if (inner.stop) {
      this.stop = (options) => {
        this.awaited = true;
        return inner.stop!(options);
      };
    }
  }
  get state(): PipelineState {
    return this.inner.state;
  }
  waitUntilFinish(timeoutMillis?: number): Promise<PipelineState> {
    this.awaited = true;
    return this.inner.waitUntilFinish(timeoutMillis);
  }
  cancel(): Promise<PipelineState> {
    this.awaited = true;
    return this.inner.cancel();
  }
  metrics(): MetricResults {
    return this.inner.metrics();
  }
  collected(pcollectionId: string) {
    return this.inner.collected(pcollectionId);
  }
}

/**
 * `dryRun`: nothing runs; every run() returns a {@link NotRunResult}. `onRun` hears each
 * run as it starts (the session attributes it to the running cell).
 */
export function hostRunners(options: { dryRun?: boolean; onRun?: (result: WatchedResult, runner: string) => void } = {}): HostRunners {
  const graphs = new WeakMap<PipelineResult, PipelineGraph>();
  return {
    names: FORWARDED,
    run(runner: string, requestJson: string): PipelineResult {
      const request = JSON.parse(requestJson) as RunRequest;
      const result = new WatchedResult(options.dryRun ? new NotRunResult() : resolveRunner(runner).run(request));
      graphs.set(result, request.graph);
      options.onRun?.(result, runner);
      // The host API's onPipelineRun listeners hear it too (the session itself attributes it through onRun).
      notifyPipelineRun(result, request.graph);
      return result;
    },
    encodedSample(result: PipelineResult, pcollectionId: string): EncodedSample | undefined {
      const graph = graphs.get(result);
      const sample = result.collected(pcollectionId);
      return graph && sample ? encodeSample(graph, pcollectionId, sample) : undefined;
    },
  };
}
