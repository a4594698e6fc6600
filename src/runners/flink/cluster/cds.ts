/**
 * Faster JVM startup through Application Class-Data Sharing (JDK 13+ dynamic archives).
 *
 * Loading Flink's classes dominates a cluster's start on a small machine. The first cluster
 * started from a home runs its JobManager and first TaskManager with
 * `-XX:ArchiveClassesAtExit`, so the JVMs write the classes they loaded into an archive when
 * they exit (this makes that first `stop` a few seconds slower). `stop` moves the archives in
 * place; later starts map them with `-XX:SharedArchiveFile` (measured here: ready in ~4.3 s
 * instead of 6–10 s). An archive is keyed by the Java build and the jar set, so a JDK update or
 * a new pom simply makes a new one. A missing or unusable archive is never fatal: the JVM then
 * starts without it (`-Xshare:auto`). Disable with `FLOWBOOK_FLINK_CDS=0`.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, realpathSync, renameSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import type { ClusterLayout } from "./layout.js";
import type { FlinkProcessKind } from "./processes.js";

export function cdsEnabled(): boolean {
  const v = process.env.FLOWBOOK_FLINK_CDS;
  return !(v !== undefined && /^(0|false|no|off)$/i.test(v.trim()));
}

function cdsDir(layout: ClusterLayout): string {
  return join(layout.home, "cds");
}

function resolveJava(java: string): string {
  if (java.includes("/")) return realpathSync(java);
  for (const dir of (process.env.PATH ?? "").split(":")) {
    const p = join(dir, java);
    if (dir && existsSync(p)) return realpathSync(p);
  }
  return java;
}

/** A key for the archives: the Java binary (path and build) and the installed jar set. */
export function cdsKey(layout: ClusterLayout, java: string): string {
  const h = createHash("sha256");
  const bin = resolveJava(java);
  h.update(bin);
  try {
    h.update(String(statSync(bin).mtimeMs));
  } catch {
    /* unknown binary: key on the name alone */
  }
  const stamp = join(layout.libDir, ".flowbook-installed");
  h.update(existsSync(stamp) ? readFileSync(stamp) : readdirSync(layout.libDir).sort().join("\n"));
  return h.digest("hex").slice(0, 16);
}

function finalArchive(layout: ClusterLayout, kind: FlinkProcessKind, key: string): string {
  return join(cdsDir(layout), `${kind}-${key}.jsa`);
}

function partialArchive(layout: ClusterLayout, kind: FlinkProcessKind, key: string, index: number): string {
  return join(cdsDir(layout), `${kind}-${key}.port${layout.port}-${index}.partial.jsa`);
}

/**
 * JVM flags for one process: use the archive if there is one; otherwise let the JobManager and
 * TaskManager 0 dump one at exit. Empty when disabled.
 */
export function cdsJvmArgs(layout: ClusterLayout, kind: FlinkProcessKind, index: number, java: string): string[] {
  if (!cdsEnabled()) return [];
  try {
    const key = cdsKey(layout, java);
    const archive = finalArchive(layout, kind, key);
    if (existsSync(archive)) return [`-XX:SharedArchiveFile=${archive}`, "-Xshare:auto"];
    if (index !== 0) return [];
    mkdirSync(cdsDir(layout), { recursive: true });
    const partial = partialArchive(layout, kind, key, index);
    rmSync(partial, { force: true });
    return [`-XX:ArchiveClassesAtExit=${partial}`];
  } catch {
    return [];
  }
}

/**
 * After the cluster's processes have exited: move the archives they dumped into place, or
 * discard them (if one already exists, or if the process was killed mid-dump).
 */
export function finishCdsDumps(layout: ClusterLayout, killed: ReadonlyArray<{ kind: FlinkProcessKind; index: number }>): void {
  const dir = cdsDir(layout);
  if (!existsSync(dir)) return;
  const re = new RegExp(`^(jobmanager|taskmanager)-([0-9a-f]+)\\.port${layout.port}-(\\d+)\\.partial\\.jsa$`);
  for (const name of readdirSync(dir)) {
    const m = re.exec(name);
    if (!m) continue;
    const kind = m[1] as FlinkProcessKind;
    const index = Number(m[3]);
    const partial = join(dir, name);
    const final = finalArchive(layout, kind, m[2]!);
    const wasKilled = killed.some((k) => k.kind === kind && k.index === index);
    try {
      if (wasKilled || existsSync(final) || statSync(partial).size === 0) rmSync(partial, { force: true });
      else {
        renameSync(partial, final);
        // Archives of this kind for an older JDK or jar set are of no more use.
        for (const other of readdirSync(dir)) {
          if (new RegExp(`^${kind}-[0-9a-f]+\\.jsa$`).test(other) && join(dir, other) !== final) rmSync(join(dir, other), { force: true });
        }
      }
    } catch {
      rmSync(partial, { force: true });
    }
  }
}
