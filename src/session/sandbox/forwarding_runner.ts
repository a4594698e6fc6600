/**
 * Runners inside the sandbox that hand each run to the host's runner of the same name.
 * Only JSON crosses: the graph (functions already serialized by the sandbox's serializer),
 * the options and the sampling request. What comes back is the host's PipelineResult, used
 * through vm2's proxies, except the samples it brought back, which cross as bytes
 * (src/display/samples/encoded_sample.ts).
 */
import type { PipelineGraph } from "../../graph/types.js";
import type { MetricResults } from "../../sdk/metrics/metric_results.js";
import { registerRunner, type CollectedSample, type PipelineResult, type PipelineRunner, type PipelineState, type RunRequest } from "../../sdk/runner.js";
import { decodeSample, type EncodedSample } from "../../display/samples/encoded_sample.js";

/** The host side (host_runners.ts), as the sandbox sees it. */
export interface HostRunners {
  readonly names: readonly string[];
  run(runner: string, requestJson: string): PipelineResult;
  /** A sample of a run's PCollection, encoded; undefined if it has none or cannot be encoded. */
  encodedSample(result: PipelineResult, pcollectionId: string): EncodedSample | undefined;
}

class ForwardedResult implements PipelineResult {
  private readonly samples = new Map<string, CollectedSample | undefined>();
  readonly stop?: PipelineResult["stop"];

  constructor(
    private readonly host: HostRunners,
    private readonly result: PipelineResult,
    private readonly graph: PipelineGraph,
  ) {
    if (result.stop) this.stop = (options) => result.stop!(options);
  }

  get state(): PipelineState {
    return this.result.state;
  }
  waitUntilFinish(timeoutMillis?: number): Promise<PipelineState> {
    return this.result.waitUntilFinish(timeoutMillis);
  }
  cancel(): Promise<PipelineState> {
    return this.result.cancel();
  }
  metrics(): MetricResults {
    return this.result.metrics();
  }
  collected(pcollectionId: string): CollectedSample | undefined {
    if (this.samples.has(pcollectionId)) return this.samples.get(pcollectionId);
    let sample: CollectedSample | undefined;
    const encoded = this.host.encodedSample(this.result, pcollectionId);
    try {
      sample = encoded ? decodeSample(this.graph, pcollectionId, encoded) : undefined;
    } catch {
      sample = undefined; // a user's coder that only the host could rebuild
    }
    // Without bytes, the host's objects themselves (read through vm2's proxies).
    sample ??= this.result.collected(pcollectionId);
    this.samples.set(pcollectionId, sample);
    return sample;
  }
}

export function connectHostRunners(host: HostRunners): void {
  for (const name of host.names) {
    registerRunner(name, (): PipelineRunner => ({
      name,
      run(request: RunRequest): PipelineResult {
        const { graph, options, collect } = request;
        return new ForwardedResult(host, host.run(name, JSON.stringify({ graph, options, collect })), graph);
      },
    }));
  }
}
