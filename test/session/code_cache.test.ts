import fs from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { cacheDir, requireWithCodeCache } from "../../src/session/code_cache.js";

describe("requireWithCodeCache (TypeScript compiled with V8's code cache of an earlier session)", () => {
  let dir: string;
  let before: string | undefined;
  beforeEach(() => {
    before = process.env.FLOWBOOK_CACHE_DIR;
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "flowbook-code-cache-"));
    process.env.FLOWBOOK_CACHE_DIR = path.join(dir, "cache");
    fs.mkdirSync(path.join(dir, "node_modules/big"), { recursive: true });
    fs.writeFileSync(path.join(dir, "node_modules/big/helper.js"), "module.exports = (x) => x * 2;\n");
    fs.writeFileSync(
      path.join(dir, "node_modules/big/index.js"),
      "const twice = require('./helper.js');\nexports.loads = (exports.loads ?? 0) + 1;\nexports.value = twice(21);\nexports.file = __filename;\nexports.self = module.exports === exports;\n",
    );
  });
  afterEach(() => {
    if (before === undefined) delete process.env.FLOWBOOK_CACHE_DIR;
    else process.env.FLOWBOOK_CACHE_DIR = before;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it.runIf(fs.existsSync("/proc/self"))("a cache directory that cannot be made (under /proc, where Node's recursive mkdir never returns) only costs the cache", async () => {
    process.env.FLOWBOOK_CACHE_DIR = "/proc/flowbook-no-such-dir";
    const from = pathToFileURL(path.join(dir, "main.js")).href;
    const m = requireWithCodeCache("big", from) as { value: number };
    expect(m.value).toBe(42);
    await new Promise((r) => setImmediate(r));
    delete createRequire(from).cache[createRequire(from).resolve("big")];
  }, 10_000);

  it("loads a CommonJS module as require does, once, and keeps its code cache", async () => {
    const from = pathToFileURL(path.join(dir, "main.js")).href;
    const m = requireWithCodeCache("big", from) as { value: number; file: string; self: boolean; loads: number };
    expect(m).toMatchObject({ value: 42, file: path.join(dir, "node_modules/big/index.js"), self: true, loads: 1 });
    // A plain require afterwards gets the same instance (TypeScript is loaded once per process).
    const req = createRequire(from);
    expect(req("big")).toBe(m);
    expect(requireWithCodeCache("big", from)).toBe(m);
    await new Promise((r) => setImmediate(r));
    const entries = fs.readdirSync(cacheDir("v8")!).filter((n) => n.endsWith(".bin"));
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatch(/^index-/);
    // A later process (here: after forgetting the module) compiles it with that cache, to the same module.
    delete req.cache[req.resolve("big")];
    const again = requireWithCodeCache("big", from) as { value: number; loads: number };
    expect(again).not.toBe(m);
    expect(again).toMatchObject({ value: 42, loads: 1 });
    delete req.cache[req.resolve("big")];
  });
});
