/**
 * The host's watch on runs for `explain(p, { run: true })` (issue 15, point 5): armed for a
 * pipeline graph just before the call runs it, it hears that run start (the SDK's
 * onPipelineRun, on the host: Pipeline.run in plain Node, the session's forwarded runs) and
 * keeps its events from then on — progress per transform, stages, the end — so the plan can
 * be drawn with what each operator did.
 *
 * Subscribing to a run's events takes the place of the event bus's fallback printer when it
 * is the first listener (plain Node): `output` events then go to `output` (the host prints
 * them as the fallback would). In a session the session listens first and shows them.
 */
import type { PipelineGraph } from "../../graph/types.js";
import { onPipelineRun, type PipelineResult, type RunEvent } from "../../sdk/runner.js";

export interface WatchedRun {
  graph: PipelineGraph;
  events: RunEvent[];
  result: PipelineResult;
}

interface Armed {
  key: string;
  promise: Promise<WatchedRun>;
  resolve: (r: WatchedRun) => void;
  taken: boolean;
}

/** Two graphs are the same pipeline when they have the same name and transforms. */
function keyOf(graph: PipelineGraph): string {
  return JSON.stringify([graph.name, Object.values(graph.transforms).map((t) => `${t.fullName}\u0000${t.urn}`).sort()]);
}

export class RunWatch {
  private readonly armed = new Map<string, Armed>();
  private listening?: () => void;
  private next = 1;

  constructor(private readonly output?: (e: RunEvent) => void) {}

  /** Watches the next run of `graph`; `take(id)` resolves with it once it finished. */
  arm(graph: PipelineGraph): string {
    this.listening ??= onPipelineRun((result, g) => this.heard(result, g));
    const id = `run-watch-${this.next++}`;
    let resolve!: (r: WatchedRun) => void;
    const promise = new Promise<WatchedRun>((r) => (resolve = r));
    this.armed.set(id, { key: keyOf(graph), promise, resolve, taken: false });
    return id;
  }

  /** The watched run, once it finished; rejects if no run of the graph started. */
  async take(id: string, timeoutMs = 5_000): Promise<WatchedRun> {
    const a = this.armed.get(id);
    if (!a) throw new Error(`no run is watched as ${id}`);
    this.armed.delete(id);
    if (!a.taken) {
      // The call runs the pipeline before asking: a watch nothing took means no run started.
      const none = await Promise.race([a.promise.then(() => false), new Promise<boolean>((r) => setTimeout(() => r(true), timeoutMs).unref?.())]);
      if (none) throw new Error("explain(p, { run: true }): the pipeline's run was not seen by the host");
    }
    return a.promise;
  }

  private heard(result: PipelineResult, graph: PipelineGraph): void {
    const key = keyOf(graph);
    const a = [...this.armed.values()].find((x) => !x.taken && x.key === key);
    if (!a) return;
    a.taken = true;
    const events: RunEvent[] = [];
    const done = () => a.resolve({ graph, events, result });
    if (!result.onEvent) {
      result.waitUntilFinish().then(done, done);
      return;
    }
    let stop: (() => void) | undefined;
    stop = result.onEvent((e) => {
      if (e.kind === "output") {
        this.output?.(e);
        return;
      }
      // Progress is cumulative: the last one is all a plan needs.
      if (e.kind === "progress") {
        const i = events.findIndex((x) => x.kind === "progress");
        if (i >= 0) events.splice(i, 1);
      }
      events.push(e);
      if (e.kind === "run-finished") {
        stop?.();
        stop = undefined;
        done();
      }
    });
    // A result that never reports its end still ends.
    result.waitUntilFinish().then(
      () => setTimeout(done, 1_000).unref?.(),
      () => setTimeout(done, 1_000).unref?.(),
    );
  }
}
