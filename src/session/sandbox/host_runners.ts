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
 * `dryRun`: nothing runs; every run() returns a {@link NotRunResult}. `onRun` hears each
 * run as it starts (the session attributes it to the running cell).
 */
export function hostRunners(options: { dryRun?: boolean; onRun?: (result: PipelineResult, runner: string) => void } = {}): HostRunners {
  const graphs = new WeakMap<PipelineResult, PipelineGraph>();
  return {
    names: FORWARDED,
    run(runner: string, requestJson: string): PipelineResult {
      const request = JSON.parse(requestJson) as RunRequest;
      const result = options.dryRun ? new NotRunResult() : resolveRunner(runner).run(request);
      graphs.set(result, request.graph);
      options.onRun?.(result, runner);
      // The host's listeners hear it too: `flowbook run` waits for the runs a script left running.
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
