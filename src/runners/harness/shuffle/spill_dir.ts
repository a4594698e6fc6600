/**
 * A run's spill directory: one per run, under the OS temp directory, named
 * `flowbook-spill-<pid>-<run id>` so that what a killed process left is recognisable (and
 * whose it was). The coordinator creates it when the run begins and removes it when the run
 * ends, whatever the outcome; writers only create files inside it.
 */
import { mkdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const SPILL_DIR_PREFIX = "flowbook-spill-";

export function spillDirFor(runId: string): string {
  return join(tmpdir(), `${SPILL_DIR_PREFIX}${process.pid}-${runId}`);
}

export function createSpillDir(runId: string): string {
  const dir = spillDirFor(runId);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}

export function removeSpillDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
}
