/**
 * Samples for show/collect/chart, computed once per session (issue 9, point 3). A request
 * runs only the ancestors of its PCollection (`ancestorsGraph`: no sink, no unrelated
 * branch) and keeps what came back, keyed by the runner and the fingerprint of those
 * ancestors (`fingerprinter`): a later request for the same PCollection, or the same
 * PCollection of an extended pipeline, starts no run. Running an upstream cell again
 * changes the fingerprint, and the stale entry is dropped.
 */
import { ancestorsGraph, fingerprinter } from "../../graph/subgraph.js";
import type { PipelineGraph } from "../../graph/types.js";
import type { PipelineOptions } from "../../sdk/pipeline_options.js";
import { resolveRunner, type CollectedSample, type PipelineResult, type RunRequest } from "../../sdk/runner.js";
import type { EncodedSample, SampleRequest } from "../interactive/services.js";
import { encodeElements, prefixOf, unencodedSample, type EncodedElements } from "./encoded_sample.js";
import { SampleCache } from "./sample_cache.js";

export interface SampleServiceOptions {
  /** Starts a run (default: the named runner of src/sdk/runner.ts's registry). */
  start?: (request: RunRequest, runner: string) => PipelineResult;
  /** Bytes of encoded samples kept at most (default 256 MB). */
  maxBytes?: number;
}

export interface SampleStats {
  /** Runs started. */
  runs: number;
  /** Requests served from the cache. */
  hits: number;
  entries: number;
  bytes: number;
}

/** What one run brought back: encoded (and cached), or the runner's objects when its coder cannot encode them. */
type RunOutcome = { encoded: EncodedElements } | { objects: CollectedSample };

export const DEFAULT_SAMPLE_CACHE_BYTES = 256 * 1024 * 1024;

/** The runner's name as resolveRunner reads it ("FlinkRunner" = "flink", "local" = "direct"). */
function runnerName(runner: unknown): string {
  const name = (typeof runner === "string" ? runner : "direct").toLowerCase().replace(/runner$/, "");
  return name === "local" ? "direct" : name;
}

export class SampleService {
  private readonly start: (request: RunRequest, runner: string) => PipelineResult;
  private readonly cache: SampleCache;
  private readonly inflight = new Map<string, Promise<RunOutcome>>();
  private runs = 0;
  private hits = 0;

  constructor(options: SampleServiceOptions = {}) {
    this.start = options.start ?? ((request, runner) => resolveRunner(runner).run(request));
    this.cache = new SampleCache(options.maxBytes ?? DEFAULT_SAMPLE_CACHE_BYTES);
  }

  stats(): SampleStats {
    return { runs: this.runs, hits: this.hits, entries: this.cache.size, bytes: this.cache.bytes };
  }

  async sample(req: SampleRequest): Promise<EncodedSample> {
    const graph = JSON.parse(req.graphJson) as PipelineGraph;
    const options = JSON.parse(req.optionsJson || "{}") as PipelineOptions;
    const pc = graph.pcollections[req.pcollectionId];
    if (!pc) throw new Error(`no PCollection '${req.pcollectionId}' in the pipeline`);
    const n = Math.max(0, Math.floor(req.n));
    const runner = typeof options.runner === "string" ? options.runner : "direct";
    const name = runnerName(runner);
    // The same graph on another cluster is another computation.
    const scope = name === "flink" ? `flink@${String(options.flinkMaster ?? "")}` : name;
    const fingerprint = fingerprinter(graph);
    const key = `${scope} ${fingerprint(req.pcollectionId)}`;
    const identity = `${scope} ${pc.name}`;
    this.dropStale(graph, scope, fingerprint);

    for (;;) {
      const hit = this.cache.get(key, n);
      if (hit) {
        this.hits++;
        return hit;
      }
      let running = this.inflight.get(key);
      const ours = !running;
      if (!running) {
        running = this.run(graph, req.pcollectionId, n, options, runner, key, identity);
        this.inflight.set(key, running);
        const clear = () => this.inflight.get(key) === running && this.inflight.delete(key);
        running.then(clear, clear);
      }
      const outcome = await running;
      if ("objects" in outcome) {
        const { objects } = outcome;
        if (ours || objects.elements.length >= n || !objects.truncated) return unencodedSample(objects, n);
      } else if (ours || outcome.encoded.sample.count >= n || !outcome.encoded.sample.truncated) {
        return prefixOf(outcome.encoded, n);
      }
      // A run shared with a smaller request brought back too few: look again, then run our own.
    }
  }

  /** Entries of this graph's PCollections whose ancestors changed since they were computed. */
  private dropStale(graph: PipelineGraph, scope: string, fingerprint: (id: string) => string): void {
    const prefix = `${scope} `;
    const byName = new Map(Object.values(graph.pcollections).map((p) => [p.name, p.id]));
    const stale: string[] = [];
    for (const [identity, key] of this.cache.identities()) {
      if (!identity.startsWith(prefix)) continue;
      const id = byName.get(identity.slice(prefix.length));
      if (id !== undefined && key !== `${scope} ${fingerprint(id)}`) stale.push(key);
    }
    for (const key of stale) this.cache.delete(key);
  }

  /**
   * Starts a live sample of one PCollection (show/chart of an unbounded one): its ancestors
   * run with `live: [id]` (RunRequest.live), never cached — what the caller watches through
   * the result's onLiveSample, and stops with cancel().
   */
  startLive(req: Omit<SampleRequest, "n">): PipelineResult {
    const graph = JSON.parse(req.graphJson) as PipelineGraph;
    const options = JSON.parse(req.optionsJson || "{}") as PipelineOptions;
    if (!graph.pcollections[req.pcollectionId]) throw new Error(`no PCollection '${req.pcollectionId}' in the pipeline`);
    const runner = typeof options.runner === "string" ? options.runner : "direct";
    this.runs++;
    const result = this.start({ graph: ancestorsGraph(graph, [req.pcollectionId]), options, live: [req.pcollectionId] }, runner);
    if (typeof result.onLiveSample !== "function") {
      void result.cancel().catch(() => undefined);
      throw new Error(`${graph.pcollections[req.pcollectionId]!.name} is unbounded, and the ${runnerName(runner)} runner cannot show it live: its runs hand over no live samples (PipelineResult.onLiveSample)`);
    }
    return result;
  }

  private async run(graph: PipelineGraph, id: string, n: number, options: PipelineOptions, runner: string, key: string, identity: string): Promise<RunOutcome> {
    const request: RunRequest = { graph: ancestorsGraph(graph, [id]), options, collect: { [id]: n } };
    this.runs++;
    const result = this.start(request, runner);
    // A failed run rejects with its own error (the transform's full name, the element, the user's line).
    const state = await result.waitUntilFinish();
    if (state !== "DONE") throw new Error(`the run computing ${graph.pcollections[id]!.name} ended ${state}`);
    const sample = result.collected(id);
    if (!sample) throw new Error(`the ${runner} runner brought back no sample of ${graph.pcollections[id]!.name}`);
    const encoded = encodeElements(request.graph, id, sample);
    if (!encoded) return { objects: sample };
    this.cache.put(key, identity, encoded);
    return { encoded };
  }
}
