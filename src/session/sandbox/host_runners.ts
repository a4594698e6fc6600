/**
 * The host side of forwarding_runner.ts: runs a graph the sandbox sent on the host's own
 * runner (the local runner's worker threads, the Flink runner's REST client).
 */
// The host's API, with its runners registered.
import "../../index.js";
import { notifyPipelineRun, resolveRunner, type PipelineResult, type RunRequest } from "../../sdk/runner.js";
import type { HostRunners } from "./forwarding_runner.js";

/** The runner names the sandbox forwards; others (a runner object a cell made) run in it. */
const FORWARDED = ["direct", "flink"];

export function hostRunners(): HostRunners {
  return {
    names: FORWARDED,
    run(runner: string, requestJson: string): PipelineResult {
      const request = JSON.parse(requestJson) as RunRequest;
      const result = resolveRunner(runner).run(request);
      // The host's listeners too: a session cancels an interrupted cell's runs, `flowbook run` waits for them.
      notifyPipelineRun(result, request.graph);
      return result;
    },
  };
}
