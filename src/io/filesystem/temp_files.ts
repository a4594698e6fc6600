/**
 * Shard names and the temporary-file protocol of the file sinks (TextIO, AvroIO).
 *
 * Each writer writes `<dir>/.flowbook-temp-<runId>/<sinkId>-<writerIndex>-<random>`,
 * where <dir> is the directory of the output prefix and <sinkId> a hash of the
 * transform's name and the prefix (two sinks of one pipeline never collide). Only when
 * the whole pipeline succeeded does finalize rename every temporary file to its final
 * name (replacing an existing file of that name) and remove the temporary directory; a
 * failed or cancelled run removes the temporary files, so no half-written output is left.
 */
import { createHash, randomBytes } from "node:crypto";
import { promises as fsp } from "node:fs";
import * as path from "node:path";
import { ensureDir } from "./output_location.js";

/** Beam's default shard name template. */
export const DEFAULT_SHARD_TEMPLATE = "-SSSSS-of-NNNNN";
export const TEMP_DIR_PREFIX = ".flowbook-temp-";

/**
 * A final file name: prefix + template (each run of `S` → the shard index, each run of `N`
 * → the shard count, zero-padded to the run's length; other characters as is) + suffix.
 * `shardName("/out/wc", "-SSSSS-of-NNNNN", ".txt", 1, 3)` → `/out/wc-00001-of-00003.txt`.
 */
export function shardName(prefix: string, template: string, suffix: string, index: number, numShards: number): string {
  const middle = template.replace(/S+|N+/g, (run) => String(run[0] === "S" ? index : numShards).padStart(run.length, "0"));
  return prefix + middle + suffix;
}

/** The directory the temporary files of a run go to (beside the outputs, so renames stay on one filesystem). */
export function tempDir(prefix: string, runId: string): string {
  const dir = prefix.endsWith("/") ? prefix : path.dirname(prefix);
  return path.join(dir, TEMP_DIR_PREFIX + sanitize(runId));
}

/** Identifies one sink among those writing to a directory. */
export function sinkId(transform: string, prefix: string): string {
  return createHash("sha1").update(transform).update("\u0000").update(prefix).digest("hex").slice(0, 12);
}

/** A fresh temporary file name for one writer (a retried writer gets a new one). */
export function tempFile(prefix: string, runId: string, transform: string, writerIndex: number): string {
  return path.join(tempDir(prefix, runId), `${sinkId(transform, prefix)}-${writerIndex}-${randomBytes(4).toString("hex")}`);
}

function sanitize(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]/g, "_").slice(0, 100) || "run";
}

/** What a file writer's close() returns (JSON). */
export interface ShardResult {
  tempFile: string;
  writerIndex: number;
  records: number;
  bytes: number;
}

export interface RenamePlan {
  from: string;
  to: string;
}

/**
 * Renames every temporary file to its final name. A temporary file already gone whose
 * final file exists counts as renamed (finalize may be retried). On a failure the error
 * says which final files were written and which temporary files remain.
 */
export async function renameAll(plan: RenamePlan[], what: string): Promise<string[]> {
  // Check everything first, so a missing file does not leave a partial rename.
  const todo: RenamePlan[] = [];
  for (const r of plan) {
    if (await exists(r.from)) todo.push(r);
    else if (!(await exists(r.to))) throw new Error(`${what}: temporary file ${r.from} for ${r.to} is missing; nothing was renamed`);
  }
  const dirs = new Set(todo.map((r) => path.dirname(r.to)));
  for (const d of dirs) {
    try {
      await ensureDir(d);
    } catch (e) {
      throw new Error(`${what}: cannot create the output directory ${d}: ${(e as Error).message}; nothing was renamed`);
    }
  }
  const done: string[] = [];
  for (const r of todo) {
    try {
      await fsp.rename(r.from, r.to);
      done.push(r.to);
    } catch (e) {
      const left = todo.slice(done.length).map((x) => x.from);
      throw new Error(
        `${what}: renaming ${r.from} to ${r.to} failed (${(e as Error).message}); ` +
          `${done.length} of ${todo.length} output files were renamed${done.length ? ` (${done.join(", ")})` : ""}, ` +
          `temporary files left: ${left.join(", ")}`,
      );
    }
  }
  return plan.map((r) => r.to);
}

/** Removes files (missing ones are fine). */
export async function removeFiles(files: string[]): Promise<void> {
  await Promise.all(files.map((f) => fsp.rm(f, { force: true }).catch(() => {})));
}

/** Removes this sink's temporary files of a run (also those of writers that died without closing). */
export async function removeSinkTemps(prefix: string, runId: string, transform: string, known: string[] = []): Promise<void> {
  const dir = tempDir(prefix, runId);
  const mine = sinkId(transform, prefix) + "-";
  await removeFiles(known);
  let names: string[] = [];
  try {
    names = await fsp.readdir(dir);
  } catch {
    return;
  }
  await removeFiles(names.filter((n) => n.startsWith(mine)).map((n) => path.join(dir, n)));
  await removeDirIfEmpty(dir);
}

/** Removes a directory if it is empty (another sink of the run may still use it). */
export async function removeDirIfEmpty(dir: string): Promise<void> {
  try {
    await fsp.rmdir(dir);
  } catch {
    /* not empty or already gone */
  }
}

async function exists(p: string): Promise<boolean> {
  try {
    await fsp.access(p);
    return true;
  } catch {
    return false;
  }
}
