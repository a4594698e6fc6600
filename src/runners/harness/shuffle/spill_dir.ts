/**
 * A run's spill directory: one per run, under the OS temp directory, named
 * `flowbook-spill-<pid>-<run id>` so that what a killed process left is recognisable (and
 * whose it was). The coordinator creates it when the run begins and removes it when the run
 * ends, whatever the outcome; writers only create files inside it. What a killed process
 * left is removed by the next process that spills, once the pid in its name is gone.
 */
import { mkdirSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const SPILL_DIR_PREFIX = "flowbook-spill-";

export function spillDirFor(runId: string): string {
  return join(tmpdir(), `${SPILL_DIR_PREFIX}${process.pid}-${runId}`);
}

let sweptOrphans = false;

/** Removes spill directories of processes that no longer exist (killed before their runs ended). */
export function removeOrphanSpillDirs(root = tmpdir()): string[] {
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return removed;
  }
  for (const name of names) {
    if (!name.startsWith(SPILL_DIR_PREFIX)) continue;
    const pid = Number(/^(\d+)-/.exec(name.slice(SPILL_DIR_PREFIX.length))?.[1]);
    if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid || alive(pid)) continue;
    rmSync(join(root, name), { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists, under another user.
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

export function createSpillDir(runId: string): string {
  if (!sweptOrphans) {
    sweptOrphans = true;
    removeOrphanSpillDirs();
  }
  const dir = spillDirFor(runId);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}

export function removeSpillDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
}
