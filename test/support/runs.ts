// Helpers for tests that run pipelines and point at their own source lines.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";
import type { PipelineResult } from "../../src/index.js";

/** The error a run failed with (the run must end FAILED). */
export async function failure(r: PipelineResult): Promise<Error> {
  try {
    await r.waitUntilFinish();
  } catch (e) {
    expect(r.state).toBe("FAILED");
    return e as Error;
  }
  throw new Error("expected the run to fail");
}

/** The error `f` throws (it must throw): for checking a refusal's whole message. */
export function thrown(f: () => unknown): Error {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected an error");
}

/** For a test file (its import.meta.url): the 1-based line holding a marker, other than the lookup's own. */
export function lineFinder(fileUrl: string): (marker: string) => number {
  const file = fileURLToPath(fileUrl);
  return (marker) => readFileSync(file, "utf8").split("\n").findIndex((l) => l.includes(marker) && !l.includes("lineOf(")) + 1;
}
