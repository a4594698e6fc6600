import fs from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { cachedVMScript, vm2CacheDir } from "../../src/session/sandbox/vm2_script_cache.js";

const vm2 = createRequire(import.meta.url)("vm2") as typeof import("vm2");

describe("the vm2 script cache (a session's start does not parse the API bundle again)", () => {
  let dir: string;
  let before: string | undefined;
  beforeEach(() => {
    before = process.env.FLOWBOOK_CACHE_DIR;
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "flowbook-vm2-cache-"));
    process.env.FLOWBOOK_CACHE_DIR = dir;
  });
  afterEach(() => {
    if (before === undefined) delete process.env.FLOWBOOK_CACHE_DIR;
    else process.env.FLOWBOOK_CACHE_DIR = before;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const code = `(function () { try { throw new Error("x"); } catch (e) { return e.message + ${Math.random()}; } })()`;
  const entries = () => fs.readdirSync(vm2CacheDir()!).filter((n) => n.endsWith(".json"));

  it("keeps vm2's instrumented text on disk, and runs the same as vm2 does", () => {
    const vm = new vm2.VM();
    const expected = vm.run(new vm2.VMScript(code, { filename: "a.js" }));
    expect(vm.run(cachedVMScript(vm2, code, { filename: "a.js" }))).toBe(expected);
    expect(entries()).toHaveLength(1);
    const entry = JSON.parse(fs.readFileSync(path.join(vm2CacheDir()!, entries()[0]!), "utf8")) as { code: string };
    // vm2's own instrumentation of the catch clause, as vm2 made it.
    expect(entry.code).toBe((new vm2.VMScript(code, { filename: "a.js" }) as unknown as { getCompiledCode(): string }).getCompiledCode());
    expect(entry.code).toContain("handleException");
    // Found the second time: the entry is what runs (here, an entry changed by hand).
    const file = path.join(vm2CacheDir()!, entries()[0]!);
    fs.writeFileSync(file, JSON.stringify({ code: "'from the cache'", hasAsync: false }));
    expect(new vm2.VM().run(cachedVMScript(vm2, code, { filename: "a.js" }))).toBe("from the cache");
  });

  it("a broken entry is parsed again and replaced", () => {
    cachedVMScript(vm2, code, { filename: "a.js" });
    const file = path.join(vm2CacheDir()!, entries()[0]!);
    fs.writeFileSync(file, "{ not json");
    const vm = new vm2.VM();
    expect(vm.run(cachedVMScript(vm2, code, { filename: "a.js" }))).toMatch(/^x/);
    expect(JSON.parse(fs.readFileSync(file, "utf8")).code).toContain("handleException");
  });

  it("keeps a bounded number of entries", () => {
    for (let i = 0; i < 12; i++) cachedVMScript(vm2, `${code};${i}`, { filename: "a.js" });
    expect(entries().length).toBeLessThanOrEqual(8);
  });
});
