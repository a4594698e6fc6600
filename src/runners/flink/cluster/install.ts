/**
 * Fetch the Flink runtime jars once into `<home>/lib` with Maven (flink-dist is not on Maven
 * Central, so the cluster's classpath is rebuilt from the jars listed in flink/cluster/pom.xml).
 *
 * Idempotent: a stamp file records the pom's hash, and a second call with an unchanged pom
 * returns at once without running Maven. A failed fetch leaves no half-filled lib dir.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { clusterPomPath, resolveFlinkHome } from "./layout.js";
import { javaExecutable } from "./processes.js";

const execFileP = promisify(execFile);

const STAMP = ".flowbook-installed";

export interface InstallOptions {
  /** Flink home (cache dir); default from FLOWBOOK_FLINK_HOME or `<repo>/.cache/flink`. */
  home?: string;
  /** Re-fetch even if the jars are there. */
  force?: boolean;
  /** Progress lines (e.g. console.error). */
  log?: (line: string) => void;
  /** The pom listing the jars; default `<repo>/flink/cluster/pom.xml`. */
  pom?: string;
}

export interface InstallResult {
  home: string;
  libDir: string;
  /** Flink version the pom pins. */
  flinkVersion: string;
  /** Jar file names in lib/. */
  jars: string[];
  /** True if Maven ran now; false if the cache was already complete. */
  fetched: boolean;
  elapsedMs: number;
}

/** A required tool is missing or too old. */
export class MissingToolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MissingToolError";
  }
}

/** The Java major version (`java -version`); throws MissingToolError if Java is absent or < 11. */
export async function checkJava(java: string = javaExecutable()): Promise<number> {
  let text: string;
  try {
    const { stdout, stderr } = await execFileP(java, ["-version"], { timeout: 30_000 });
    text = stderr + stdout;
  } catch (e) {
    throw new MissingToolError(
      `Java is required to run Flink (Java 17 recommended) but \`${java} -version\` failed: ${(e as Error).message}. ` +
        "Install a JDK 17 (e.g. `apt-get install openjdk-17-jdk-headless`) or set JAVA_HOME.",
    );
  }
  const m = /version "(\d+)(?:\.(\d+))?/.exec(text);
  if (!m) throw new MissingToolError(`cannot read the Java version from: ${text.trim()}`);
  const major = m[1] === "1" ? Number(m[2]) : Number(m[1]);
  if (major < 11) throw new MissingToolError(`Flink 2.x needs Java 11 or newer (17 recommended); found Java ${major} at ${java}`);
  return major;
}

/** The `mvn` version line; throws MissingToolError if Maven is absent. */
export async function checkMaven(): Promise<string> {
  try {
    const { stdout } = await execFileP("mvn", ["-v", "-B"], { timeout: 60_000 });
    return stdout.split("\n")[0]!.replace(/\x1b\[[0-9;]*m/g, "").trim();
  } catch (e) {
    throw new MissingToolError(
      `Maven (\`mvn\`) is required to fetch Flink's jars but was not found or failed: ${(e as Error).message}. ` +
        "Install it (e.g. `apt-get install maven`).",
    );
  }
}

/** The Flink version pinned in the pom (`<flink.version>`). */
export function pinnedFlinkVersion(pom: string = clusterPomPath()): string {
  const m = /<flink\.version>([^<]+)<\/flink\.version>/.exec(readFileSync(pom, "utf8"));
  if (!m) throw new Error(`no <flink.version> in ${pom}`);
  return m[1]!.trim();
}

function pomHash(pom: string): string {
  return createHash("sha256").update(readFileSync(pom)).digest("hex");
}

function listJars(libDir: string): string[] {
  return existsSync(libDir) ? readdirSync(libDir).filter((f) => f.endsWith(".jar")).sort() : [];
}

/** Are the jars of the current pom in `<home>/lib`? */
export function isInstalled(home?: string, pom: string = clusterPomPath()): boolean {
  const libDir = join(resolveFlinkHome(home), "lib");
  const stamp = join(libDir, STAMP);
  if (!existsSync(stamp)) return false;
  try {
    return (JSON.parse(readFileSync(stamp, "utf8")) as { pomSha256?: string }).pomSha256 === pomHash(pom) && listJars(libDir).length > 0;
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Hold `<home>/install.lock` (a directory with the owner's pid) while `fn` runs; stale locks are broken. */
async function withInstallLock<T>(home: string, fn: () => Promise<T>): Promise<T> {
  const lock = join(home, "install.lock");
  mkdirSync(home, { recursive: true });
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, "pid"), String(process.pid));
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      let owner = NaN;
      try {
        owner = Number(readFileSync(join(lock, "pid"), "utf8"));
      } catch {
        /* being created or removed */
      }
      if (Number.isInteger(owner) && owner > 0 && !pidAlive(owner)) rmSync(lock, { recursive: true, force: true });
      else await sleep(500);
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** Fetch the jars if needed (see module doc). Safe to call from several processes at once. */
export async function installFlink(options: InstallOptions = {}): Promise<InstallResult> {
  const t0 = Date.now();
  const home = resolveFlinkHome(options.home);
  const pom = options.pom ?? clusterPomPath();
  const libDir = join(home, "lib");
  const flinkVersion = pinnedFlinkVersion(pom);
  const cached = (): InstallResult => ({ home, libDir, flinkVersion, jars: listJars(libDir), fetched: false, elapsedMs: Date.now() - t0 });
  if (!options.force && isInstalled(home, pom)) return cached();
  return withInstallLock(home, async () => {
    // Someone else may have fetched while we waited for the lock.
    if (!options.force && isInstalled(home, pom)) return cached();
    return fetchJars(home, pom, libDir, flinkVersion, t0, options.log);
  });
}

async function fetchJars(
  home: string,
  pom: string,
  libDir: string,
  flinkVersion: string,
  t0: number,
  log: ((line: string) => void) | undefined,
): Promise<InstallResult> {
  const options = { log };
  await checkJava();
  await checkMaven();
  options.log?.(`Fetching Flink ${flinkVersion} jars with Maven into ${libDir} …`);
  mkdirSync(home, { recursive: true });
  const staging = join(home, `lib.partial-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  try {
    await execFileP(
      "mvn",
      ["-q", "-B", "-f", pom, "dependency:copy-dependencies", `-DoutputDirectory=${staging}`, "-DincludeScope=runtime"],
      { timeout: 30 * 60_000, maxBuffer: 64 * 1024 * 1024 },
    );
  } catch (e) {
    rmSync(staging, { recursive: true, force: true });
    const err = e as Error & { stdout?: string; stderr?: string };
    const out = `${err.stdout ?? ""}${err.stderr ?? ""}`.replace(/\x1b\[[0-9;]*m/g, "").trim();
    throw new Error(`Maven could not fetch Flink's jars (pom ${pom}):\n${out.split("\n").slice(-30).join("\n") || err.message}`);
  }
  const jars = listJars(staging);
  if (!jars.some((j) => j.startsWith(`flink-runtime-${flinkVersion}`))) {
    rmSync(staging, { recursive: true, force: true });
    throw new Error(`Maven finished but flink-runtime-${flinkVersion}.jar is not among the fetched jars`);
  }
  writeFileSync(join(staging, STAMP), JSON.stringify({ flinkVersion, pomSha256: pomHash(pom), jars, at: new Date().toISOString() }, null, 2) + "\n");
  rmSync(libDir, { recursive: true, force: true });
  renameSync(staging, libDir);
  options.log?.(`Fetched ${jars.length} jars in ${((Date.now() - t0) / 1000).toFixed(1)} s.`);
  return { home, libDir, flinkVersion, jars, fetched: true, elapsedMs: Date.now() - t0 };
}
