/**
 * vm2 parses every script it runs with acorn, to instrument its `catch` clauses, `with`
 * statements and `import()` calls. For the session's 380 KB API bundle that parse was about
 * 0.5 s of every session's start (`flowbook run`, the kernel, the REPL) — measured with
 * `node --cpu-prof`: acorn under vm2's transformer, called from createSandbox.
 *
 * What vm2 makes of a text depends only on that text and on vm2 itself, so it is kept on
 * disk, in the user's cache directory (../code_cache.ts), under a hash of both, and handed back to vm2's
 * VMScript the next time instead of parsing again. The script still runs through vm2 as
 * before: the instrumented text is vm2's own output for exactly this input.
 *
 * This reaches into VMScript's private fields (`_compiledCode`, `_hasAsync`), so it is done
 * only for the vm2 version it was written against (package.json pins it); any other version,
 * a missing or unwritable cache directory, or a broken entry falls back to vm2's own parse.
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { cacheDir, prune, writeAtomically } from "../code_cache.js";

type VM2 = typeof import("vm2");
type VMScript = InstanceType<VM2["VMScript"]>;

const require = createRequire(import.meta.url);
/** The vm2 whose private fields this knows. */
const KNOWN_VM2 = "3.12.2";

interface ScriptInternals {
  _compiledCode: string | null;
  _hasAsync: boolean;
  getCompiledCode(): string;
}

function vm2Version(): string | undefined {
  try {
    return (require("vm2/package.json") as { version?: string }).version;
  } catch {
    return undefined;
  }
}

/** Where the entries are (code_cache.ts's cache directory). */
export function vm2CacheDir(): string | undefined {
  return cacheDir("vm2");
}

/**
 * A VMScript for `code` whose instrumented text comes from the cache when it has it, and is
 * put there when it did not. Meant for large texts that repeat across processes (the bundle).
 */
export function cachedVMScript(vm2: VM2, code: string, options: { filename: string; lineOffset?: number }): VMScript {
  const script = new vm2.VMScript(code, options);
  const version = vm2Version();
  const dir = vm2CacheDir();
  const internals = script as unknown as ScriptInternals;
  if (version !== KNOWN_VM2 || !dir || !("_compiledCode" in script) || typeof internals.getCompiledCode !== "function") return script;
  const key = createHash("sha256").update(`vm2 ${version}\u0000${process.version}\u0000`).update(code).digest("hex");
  const file = path.join(dir, `${key}.json`);
  try {
    const entry = JSON.parse(fs.readFileSync(file, "utf8")) as { code?: unknown; hasAsync?: unknown };
    if (typeof entry.code === "string" && typeof entry.hasAsync === "boolean") {
      internals._compiledCode = entry.code;
      internals._hasAsync = entry.hasAsync;
      return script;
    }
  } catch {
    // Not cached yet (or unreadable): vm2 parses it, and the result is kept below.
  }
  const compiled = internals.getCompiledCode();
  try {
    writeAtomically(file, JSON.stringify({ code: compiled, hasAsync: internals._hasAsync }));
    prune(dir, ".json", KEEP);
  } catch {
    // A read-only home: every start parses, as before.
  }
  return script;
}

/** Entries kept: each build of the bundle makes a new one; the oldest go. */
const KEEP = 8;
