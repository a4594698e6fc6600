/**
 * How runners reach IO: each source or sink kind (a transform URN with a JSON
 * payload) registers an implementation here. The local runner and the Flink
 * runner's Node worker call these; neither knows file formats.
 */
import type { MetricsContainer } from "../sdk/metrics/metrics.js";

/** One piece of a source's input, as JSON (it crosses threads and processes). */
export type SourceSplit = Record<string, unknown>;

export interface ReadContext {
  /** Metrics of the read transform (e.g. lines with invalid UTF-8). */
  metrics: MetricsContainer;
  /** The read transform's full name, for error messages. */
  transform: string;
}

/** A bounded source: split into pieces, each read as a stream of elements. */
export interface BoundedSourceImpl {
  /** Splits the input into about `desired` pieces; errors name the missing pattern. */
  split(payload: any, desired: number): Promise<SourceSplit[]>;
  /** Reads one piece, calling emit per element (synchronously, in order). */
  read(payload: any, split: SourceSplit, emit: (value: unknown, timestamp?: number) => void, ctx: ReadContext): Promise<void>;
  /** Roughly how many bytes the input has, to choose a split count (optional). */
  estimateSize?(payload: any): Promise<number>;
}

export interface WriteContext {
  /** Identifies this run: temporary names include it so concurrent runs never collide. */
  runId: string;
  /** This writer's index among the sink's writers (0-based). */
  writerIndex: number;
  transform: string;
  metrics: MetricsContainer;
}

/** Writes one shard. `write` is synchronous (buffered); close returns JSON the finalizer reads. */
export interface SinkWriter {
  write(value: unknown): void;
  close(): Promise<unknown>;
  abort(): Promise<void>;
}

export interface SinkImpl {
  /** A fixed number of shards the payload asks for, or undefined to let the runner choose. */
  numShards(payload: any): number | undefined;
  /**
   * Optional: checks, before anything runs and without creating anything, that the sink can
   * write where its payload says (a file sink: the output directory exists or can be created
   * and is writable). Runners call it for every sink when a run starts; it throws an Error
   * naming the transform and the location.
   */
  check?(payload: any, ctx: { transform: string }): Promise<void>;
  open(payload: any, ctx: WriteContext): Promise<SinkWriter>;
  /**
   * Called once after every writer closed and the whole pipeline succeeded, with the
   * close() results in writer order: renames temporary files to their final names.
   */
  finalize(payload: any, results: unknown[], ctx: { runId: string; transform: string }): Promise<unknown>;
  /** Called when the pipeline failed or was cancelled: removes what the writers left. */
  abort(payload: any, results: unknown[], ctx: { runId: string; transform: string }): Promise<void>;
}

/**
 * An unbounded source (Beam's UnboundedSource): read until cancelled or until it ends.
 *
 * A URN may register both a bounded and an unbounded impl (GenerateSequence is bounded with
 * `to` alone, unbounded with a rate): the payload decides which one runs, through the
 * source's own `isBounded`-style check; each impl refuses the payloads of the other kind,
 * so the lookup is never ambiguous. Runners pick the unbounded impl when the read's output
 * PCollection is unbounded (`isBounded: false` in the graph).
 */
export interface UnboundedSourceImpl {
  readonly unbounded: true;
  /** Splits the source into about `desired` readers (each split is read by one reader, all at once). */
  split(payload: any, desired: number): Promise<SourceSplit[]>;
  /** Opens a reader on one split, resuming after `checkpoint` (a value its `checkpoint()` returned) when given. */
  open(payload: any, split: SourceSplit, checkpoint: unknown | undefined, ctx: ReadContext): Promise<UnboundedReader>;
}

export interface UnboundedReader {
  /** elements available now, waiting at most maxWaitMs for the first; done once the source ended (its watermark is then +inf) */
  poll(maxWaitMs: number): Promise<{ elements: Array<{ value: unknown; timestamp: number }>; done: boolean }>;
  /** no later element has an earlier timestamp */
  watermark(): number;
  /** JSON: where to resume */
  checkpoint(): unknown;
  close(): Promise<void>;
}

const sources = new Map<string, BoundedSourceImpl>();
const unboundedSources = new Map<string, UnboundedSourceImpl>();
const sinks = new Map<string, SinkImpl>();

export function registerUnboundedSource(urn: string, impl: UnboundedSourceImpl): void {
  unboundedSources.set(urn, impl);
}
export function unboundedSourceFor(urn: string): UnboundedSourceImpl | undefined {
  return unboundedSources.get(urn);
}

export function registerSource(urn: string, impl: BoundedSourceImpl): void {
  sources.set(urn, impl);
}
export function registerSink(urn: string, impl: SinkImpl): void {
  sinks.set(urn, impl);
}
export function sourceFor(urn: string): BoundedSourceImpl | undefined {
  return sources.get(urn);
}
export function sinkFor(urn: string): SinkImpl | undefined {
  return sinks.get(urn);
}
