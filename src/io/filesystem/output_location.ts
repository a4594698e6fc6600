/**
 * Output directories: checked when a write is applied, created (bounded) when a writer opens.
 *
 * Node's `mkdir(dir, { recursive: true })` never returns for some paths: under /proc, mkdir
 * answers ENOENT for a directory whose parent exists, and Node's recursive mkdir retries that
 * forever in a libuv thread no signal stops (issue 12, point 9). So the file sinks create
 * directories one level at a time here, each call failing at once with what went wrong, and
 * the builders refuse a location that cannot work before anything runs.
 */
import * as fs from "node:fs";
import { promises as fsp } from "node:fs";
import * as path from "node:path";
import { TransformApplicationError } from "../../sdk/transforms/ptransform.js";

/** Kernel pseudo-filesystems (statfs f_type) where no output file can be created. */
const PSEUDO_FILESYSTEMS: Record<number, string> = {
  0x9fa0: "proc",
  0x62656572: "sysfs",
  0x27e0eb: "cgroup",
  0x63677270: "cgroup2",
  0x1cd1: "devpts",
  0x64626720: "debugfs",
  0x74726163: "tracefs",
  0x73636673: "securityfs",
  0x6165676c: "pstore",
  0xcafe4a11: "bpf",
};

/** An output location that cannot be used; the message names the path and why. */
export class OutputLocationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "OutputLocationError";
  }
}

/** The directory a prefix writes to (the prefix itself when it ends with "/"). */
export function outputDirOf(prefix: string): string {
  return prefix.endsWith("/") ? prefix.replace(/\/+$/, "") || "/" : path.dirname(prefix);
}

function code(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException | undefined)?.code;
}

function pseudoFilesystem(dir: string): string | undefined {
  const statfs = (fs as { statfsSync?: (p: string) => { type: number | bigint } }).statfsSync;
  if (typeof statfs !== "function") return undefined;
  try {
    return PSEUDO_FILESYSTEMS[Number(statfs(dir).type)];
  } catch {
    return undefined;
  }
}

/**
 * Checks, without creating anything, that files can be written in `dir` (or that it can be
 * created): the nearest existing ancestor must be a directory, not on a kernel
 * pseudo-filesystem (/proc, /sys), and (unless `permissions` is false) one we may write
 * into. Throws OutputLocationError saying which path fails.
 */
export function checkOutputDir(dir: string, options: { permissions?: boolean } = {}): void {
  let cur = path.resolve(dir);
  const missing: string[] = [];
  for (;;) {
    let st: fs.Stats;
    try {
      st = fs.statSync(cur);
    } catch (e) {
      const c = code(e);
      if (c === "ENOENT") {
        const parent = path.dirname(cur);
        if (parent === cur) throw new OutputLocationError(`the root ${cur} does not exist`);
        missing.unshift(path.basename(cur));
        cur = parent;
        continue;
      }
      if (c === "ENOTDIR") throw new OutputLocationError(`${nearestFile(cur) ?? cur} is not a directory`);
      throw new OutputLocationError(`${cur} cannot be examined (${c ?? (e as Error).message})`);
    }
    if (!st.isDirectory()) throw new OutputLocationError(`${cur} is not a directory`);
    const kind = pseudoFilesystem(cur);
    if (kind) throw new OutputLocationError(`${cur} is a ${kind} filesystem (a kernel pseudo-filesystem): files cannot be created there`);
    if (options.permissions === false) return;
    try {
      fs.accessSync(cur, fs.constants.W_OK | fs.constants.X_OK);
    } catch (e) {
      throw new OutputLocationError(
        missing.length ? `cannot create ${path.join(cur, missing[0]!)}: ${cur} is not writable (${code(e) ?? "EACCES"})` : `${cur} is not writable (${code(e) ?? "EACCES"})`,
      );
    }
    return;
  }
}

/** The first existing non-directory on the way down to `p`, for ENOTDIR messages. */
function nearestFile(p: string): string | undefined {
  const parts = path.resolve(p).split(path.sep).filter(Boolean);
  let cur: string = path.sep;
  for (const part of parts) {
    cur = path.join(cur, part);
    try {
      if (!fs.statSync(cur).isDirectory()) return cur;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/**
 * `mkdir -p` one level at a time (never Node's recursive mkdir, which can loop forever):
 * each mkdir either succeeds, finds a directory already there, or fails at once.
 */
export async function ensureDir(dir: string): Promise<void> {
  const target = path.resolve(dir);
  const missing: string[] = [];
  let cur = target;
  for (;;) {
    try {
      const st = await fsp.stat(cur);
      if (!st.isDirectory()) throw new OutputLocationError(`${cur} is not a directory`);
      break;
    } catch (e) {
      if (e instanceof OutputLocationError) throw e;
      const c = code(e);
      if (c === "ENOTDIR") throw new OutputLocationError(`${nearestFile(cur) ?? cur} is not a directory`);
      if (c !== "ENOENT") throw new OutputLocationError(`${cur} cannot be examined (${c ?? (e as Error).message})`);
      const parent = path.dirname(cur);
      if (parent === cur) throw new OutputLocationError(`the root ${cur} does not exist`);
      missing.unshift(cur);
      cur = parent;
    }
  }
  for (const d of missing) {
    try {
      await fsp.mkdir(d);
    } catch (e) {
      if (code(e) === "EEXIST") {
        // Made by another writer meanwhile: fine if it is a directory.
        const st = await fsp.stat(d).catch(() => undefined);
        if (st?.isDirectory()) continue;
        throw new OutputLocationError(`cannot create directory ${d}: a file of that name exists`);
      }
      const kind = pseudoFilesystem(path.dirname(d));
      throw new OutputLocationError(
        `cannot create directory ${d} (${code(e) ?? (e as Error).message})${kind ? `: ${path.dirname(d)} is a ${kind} filesystem (a kernel pseudo-filesystem)` : ""}`,
      );
    }
  }
}

/**
 * For the write builders, when the transform is applied: refuses an output prefix whose
 * directory can never be created (below a file, or on /proc, /sys), naming the transform
 * (`what`) and the prefix. Permissions are left to the run (SinkImpl.check, the writers):
 * a pipeline may be built here to be explained, or run by another user or machine.
 */
export function checkOutputLocation(prefix: string, what: string): void {
  try {
    checkOutputDir(outputDirOf(prefix), { permissions: false });
  } catch (e) {
    if (!(e instanceof OutputLocationError)) throw e;
    throw new TransformApplicationError(`${what} cannot write to ${prefix}: ${e.message}`);
  }
}
