import { MetricsContainer } from "../../src/sdk/metrics/metrics.js";
import type { ReadContext, WriteContext } from "../../src/io/registry.js";

export { tempDir, writeFiles, listFiles } from "../support/files.js";
export { rng } from "../support/random.js";

export function readCtx(transform = "Read"): ReadContext & { metrics: MetricsContainer } {
  return { metrics: new MetricsContainer(transform), transform };
}

export function writeCtx(writerIndex: number, runId = "run1", transform = "Write"): WriteContext {
  return { runId, writerIndex, transform, metrics: new MetricsContainer(transform) };
}

export const IO_KEY = (name: string) => "flowbook.io\u0000" + name;

