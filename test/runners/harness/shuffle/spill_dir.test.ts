import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { removeOrphanSpillDirs, SPILL_DIR_PREFIX, spillDirFor } from "../../../../src/runners/harness/shuffle/spill_dir.js";
import { tempDir } from "../../../support/files.js";

describe("spill directories", () => {
  it("are named by the process and the run, under the OS temp directory", () => {
    const d = path.basename(spillDirFor("run-1"));
    expect(d).toBe(`${SPILL_DIR_PREFIX}${process.pid}-run-1`);
  });

  it("left by a killed process are removed; those of live processes and other files are not", () => {
    const root = tempDir();
    const dead = spawnSync(process.execPath, ["-e", ""]).pid!;
    const names = [`${SPILL_DIR_PREFIX}${dead}-a`, `${SPILL_DIR_PREFIX}${process.pid}-b`, `${SPILL_DIR_PREFIX}${process.ppid}-c`, "flowbook-other", `${SPILL_DIR_PREFIX}nopid`];
    for (const n of names) mkdirSync(path.join(root, n, "inner"), { recursive: true });
    expect(removeOrphanSpillDirs(root)).toEqual([names[0]]);
    expect(readdirSync(root).sort()).toEqual(names.slice(1).sort());
    expect(existsSync(path.join(root, names[1]!, "inner"))).toBe(true);
  });
});
