/**
 * Runners inside the sandbox that hand each run to the host's runner of the same name.
 * Only JSON crosses: the graph (functions already serialized by the sandbox's serializer),
 * the options and the sampling request. What comes back is the host's PipelineResult,
 * which the sandbox uses through vm2's proxies (state, waitUntilFinish, metrics, samples).
 */
import { registerRunner, type PipelineResult, type PipelineRunner, type RunRequest } from "../../sdk/runner.js";

/** The host side (host_runners.ts), as the sandbox sees it. */
export interface HostRunners {
  readonly names: readonly string[];
  run(runner: string, requestJson: string): PipelineResult;
}

export function connectHostRunners(host: HostRunners): void {
  for (const name of host.names) {
    registerRunner(name, (): PipelineRunner => ({
      name,
      run(request: RunRequest): PipelineResult {
        const { graph, options, collect } = request;
        return host.run(name, JSON.stringify({ graph, options, collect }));
      },
    }));
  }
}
