import type { PipelineRunner } from "./runner.js";

/** Options of a pipeline; runner-specific ones sit beside the common ones, as in Beam. */
export interface PipelineOptions {
  /** "direct" (the embedded local runner, the default), "flink", or a runner object. */
  runner?: string | PipelineRunner;
  /** The pipeline's name (Flink's job name). */
  name?: string;
  /** Parallelism: local worker threads, or Flink's default operator parallelism. */
  parallelism?: number;
  /** Local runner: check that every element round-trips through its coder (default true). */
  enforceEncodability?: boolean;
  /** Local runner: check that DoFns do not mutate their inputs (default true). */
  enforceImmutability?: boolean;
  /** Flink runner: the cluster's REST address, "host:port". */
  flinkMaster?: string;
  [option: string]: unknown;
}

/** Parses `--name=value` / `--name value` arguments into options (Beam's PipelineOptionsFactory.fromArgs). */
export function optionsFromArgs(args: readonly string[]): PipelineOptions {
  const out: PipelineOptions = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const m = /^--([^=]+)(?:=(.*))?$/.exec(a);
    if (!m) continue;
    const key = m[1]!.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    let value: string | undefined = m[2];
    if (value === undefined) {
      const next = args[i + 1];
      if (next !== undefined && !next.startsWith("--")) {
        value = next;
        i++;
      } else value = "true";
    }
    out[key] = value === "true" ? true : value === "false" ? false : /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value;
  }
  return out;
}
