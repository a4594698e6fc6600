/**
 * What a session's start can keep between processes, in the user's cache directory
 * (`$FLOWBOOK_CACHE_DIR`, else `$XDG_CACHE_HOME/flowbook`, else `~/.cache/flowbook`):
 *   - vm2's instrumented text of the API bundle (sandbox/vm2_script_cache.ts);
 *   - V8's code cache of the TypeScript compiler (requireWithCodeCache below).
 * Every entry is keyed by what it was made from; a missing, stale or unwritable cache only
 * costs the time it would have saved.
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import Module, { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import vm from "node:vm";

/** The cache's subdirectory `sub`, or undefined when there is no home to put it in. */
export function cacheDir(sub: string): string | undefined {
  const base = process.env.FLOWBOOK_CACHE_DIR || (process.env.XDG_CACHE_HOME ? path.join(process.env.XDG_CACHE_HOME, "flowbook") : undefined);
  if (base) return path.join(base, sub);
  const home = os.homedir();
  return home ? path.join(home, ".cache", "flowbook", sub) : undefined;
}

/**
 * `mkdir -p`, one level at a time: Node's recursive mkdir never returns for some paths (under
 * /proc it retries an ENOENT forever), and a cache must never hang a session's start.
 */
function makeDirs(dir: string): void {
  const missing: string[] = [];
  for (let cur = path.resolve(dir); !fs.existsSync(cur); cur = path.dirname(cur)) {
    if (path.dirname(cur) === cur) break;
    missing.unshift(cur);
  }
  for (const d of missing) {
    try {
      fs.mkdirSync(d);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
  }
}

/** Writes `file` whole or not at all (another process may be reading it). */
export function writeAtomically(file: string, data: string | Uint8Array): void {
  makeDirs(path.dirname(file));
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, file);
}

/** Keeps the `keep` newest files of `dir` ending in `suffix`. */
export function prune(dir: string, suffix: string, keep: number): void {
  const entries = fs
    .readdirSync(dir)
    .filter((n) => n.endsWith(suffix))
    .map((n) => ({ file: path.join(dir, n), mtime: fs.statSync(path.join(dir, n)).mtimeMs }))
    .sort((a, b) => b.mtime - a.mtime);
  for (const e of entries.slice(keep)) fs.rmSync(e.file, { force: true });
}

type ModuleInternals = typeof Module & { _nodeModulePaths?(dir: string): string[] };

/**
 * `require(specifier)` from `from` (a file URL or path), for a large CommonJS module: loaded
 * as Node loads it (the same wrapper, `require`, `module`; put in require's cache, so a later
 * plain `require` gets this instance) but compiled with V8's code cache of an earlier process.
 * The TypeScript compiler (9 MB of JavaScript) took 0.25–0.6 s to compile on every session
 * start; with the cache, about a third of that.
 */
export function requireWithCodeCache(specifier: string, from: string): unknown {
  const req = createRequire(from);
  const file = req.resolve(specifier);
  const cached = req.cache[file];
  if (cached) return cached.exports;
  const dir = cacheDir("v8");
  let source: string;
  try {
    source = fs.readFileSync(file, "utf8");
  } catch {
    return req(specifier);
  }
  if (!dir || !file.endsWith(".js")) return req(specifier);
  // Keyed by the file's identity rather than a hash of its 9 MB (V8 checks the cache against
  // the source and its own flags too, and rejects one that does not fit: then it is rewritten).
  const st = fs.statSync(file);
  const key = createHash("sha256").update(`${process.version}\u0000${process.arch}\u0000${file}\u0000${st.size}\u0000${st.mtimeMs}`).digest("hex").slice(0, 32);
  const cacheFile = path.join(dir, `${path.basename(file, ".js")}-${key}.bin`);
  let cachedData: Buffer | undefined;
  try {
    cachedData = fs.readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  const script = new vm.Script(Module.wrap(source), { filename: file, cachedData });
  const mod = new Module(file);
  mod.filename = file;
  mod.paths = (Module as ModuleInternals)._nodeModulePaths?.(path.dirname(file)) ?? [];
  req.cache[file] = mod;
  try {
    const fn = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: Module, filename: string, dirname: string) => void;
    fn.call(mod.exports, mod.exports, createRequire(file), mod, file, path.dirname(file));
    mod.loaded = true;
  } catch (e) {
    delete req.cache[file];
    throw e;
  }
  if (cachedData === undefined || script.cachedDataRejected) {
    // Once the caller has used the module (a session parses its first cell right after
    // loading TypeScript): the code cache then holds the functions that use compiled too.
    setImmediate(() => {
      try {
        writeAtomically(cacheFile, script.createCachedData());
        prune(dir, ".bin", 4);
      } catch {
        // No cache this time.
      }
    }).unref();
  }
  return mod.exports;
}
