import { build } from "esbuild";
import { fileURLToPath } from "node:url";
import { inspect } from "node:util";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { toMimeBundle } from "../../src/display/mime_bundle.js";
import { DISPLAY, Mime } from "../../src/display/mime.js";

const ctx = { width: 60, inspect: (v: unknown) => inspect(v) };
const text = (b: Record<string, unknown>) => b[Mime.text] as string;

describe("toMimeBundle", () => {
  it("shows an object with a DISPLAY method as the bundle it returns, passing the context", () => {
    let seen: unknown;
    class Money {
      constructor(readonly cents: number) {}
      [DISPLAY](c: unknown) {
        seen = c;
        return { "text/plain": `$${this.cents / 100}`, "text/html": `<b>$${this.cents / 100}</b>` };
      }
    }
    expect(toMimeBundle(new Money(250), ctx)).toEqual({ "text/plain": "$2.5", "text/html": "<b>$2.5</b>" });
    expect((seen as { width: number }).width).toBe(60);
  });

  it("honours toMimeBundle() the same way, and adds text/plain from inspect when missing", () => {
    const v = { n: 7, toMimeBundle: () => ({ "text/html": "<i>seven</i>" }) };
    const b = toMimeBundle(v, ctx);
    expect(b[Mime.html]).toBe("<i>seven</i>");
    expect(text(b)).toContain("n: 7");
  });

  it("inspects a text/plain that is not a string", () => {
    const b = toMimeBundle({ [DISPLAY]: () => ({ "text/plain": { a: 1 }, "application/json": { a: 1 } }) }, ctx);
    expect(text(b)).toBe("{ a: 1 }");
    expect(b[Mime.json]).toEqual({ a: 1 });
  });

  it("does not let later changes to the returned object change the bundle", () => {
    const returned: Record<string, unknown> = { "text/plain": "one" };
    const b = toMimeBundle({ [DISPLAY]: () => returned }, ctx);
    returned["text/plain"] = "two";
    expect(text(b)).toBe("one");
  });

  it.each([
    ["a number", () => 42, /Thing's \[Symbol\.for\("flowbook\.display"\)\]\(\) returned the number 42, not an object of \{ mime type → data \}/],
    ["null", () => null, /returned null, not an object/],
    ["an array", () => ["text/plain"], /returned an array, not an object/],
    ["an empty object", () => ({}), /returned an empty bundle/],
    ["a short name", () => ({ html: "<b>x</b>" }), /key 'html', which is not a mime type \(did you mean 'text\/html'\?\)/],
    ["non-string html", () => ({ "text/html": 5 }), /returned the number 5 under 'text\/html', which must be a string/],
    ["non-JSON data", () => ({ "application/json": { big: 1n } }), /data under 'application\/json' that is not JSON/],
    ["a promise", () => Promise.resolve({ "text/plain": "late" }), /returned a Promise/],
  ])("gives a clear error bundle for %s", (_name, method, message) => {
    class Thing {
      [DISPLAY]() {
        return method();
      }
    }
    const b = toMimeBundle(new Thing(), ctx);
    expect(text(b)).toMatch(/^flowbook display: /);
    expect(text(b)).toMatch(message);
    expect(b[Mime.html]).toContain("flowbook display: ");
  });

  it("gives an error bundle with the thrown error when the method throws", () => {
    const b = toMimeBundle({ toMimeBundle: () => { throw new RangeError("no <data>"); } }, ctx);
    expect(text(b)).toMatch(/^flowbook display: Object's toMimeBundle\(\) threw: RangeError: no <data>/);
    expect(b[Mime.html]).toContain("no &lt;data&gt;");
  });

  it("shows an array of records or KVs as a table", () => {
    const b = toMimeBundle([{ key: "a", value: 1 }, { key: "b", value: 22 }], ctx);
    expect(text(b).split("\n")).toEqual(["2 elements", "key  value", "───  ─────", "a        1", "b       22"]);
    expect(b[Mime.html]).toContain("<table");
    expect((b[Mime.dataResource] as { schema: { fields: unknown[] } }).schema.fields).toEqual([
      { name: "key", type: "string" },
      { name: "value", type: "integer" },
    ]);
  });

  it("shows the first rows of a long array and says how many there are", () => {
    const b = toMimeBundle(Array.from({ length: 120 }, (_, i) => ({ i })), ctx);
    expect(text(b).split("\n")[0]).toBe("50 of 120");
    expect(text(b).split("\n")).toHaveLength(1 + 2 + 50 + 1);
  });

  it("shows arrays from another realm (the sandbox) as tables", () => {
    const arr = runInNewContext(`[{ a: 1 }, { a: 2, b: "x" }]`);
    expect(text(toMimeBundle(arr, ctx)).split("\n")[1]).toBe("a  b");
  });

  it("inspects arrays that are not all records, and empty arrays", () => {
    expect(toMimeBundle([1, { a: 1 }], ctx)).toEqual({ "text/plain": "[ 1, { a: 1 } ]" });
    expect(toMimeBundle([], ctx)).toEqual({ "text/plain": "[]" });
  });

  it("shows an Error as its stack, with its cause, in text and an escaped <pre>", () => {
    const e = new TypeError("bad <input>", { cause: new Error("root cause") });
    const b = toMimeBundle(e, ctx);
    expect(text(b)).toMatch(/^TypeError: bad <input>\n\s+at /);
    expect(text(b)).toContain("Caused by: Error: root cause");
    expect(b[Mime.html]).toMatch(/^<pre[^>]*>TypeError: bad &lt;input&gt;/);
    const foreign = runInNewContext(`new Error("from the sandbox")`);
    expect(text(toMimeBundle(foreign, ctx))).toMatch(/^Error: from the sandbox/);
  });

  it("shows anything else as inspect shows it, and survives an inspect that throws", () => {
    expect(toMimeBundle(new Map([["k", 1]]), ctx)).toEqual({ "text/plain": "Map(1) { 'k' => 1 }" });
    expect(toMimeBundle("s", ctx)).toEqual({ "text/plain": "'s'" });
    expect(toMimeBundle(undefined, ctx)).toEqual({ "text/plain": "undefined" });
    class Odd {}
    const failing = { inspect: () => { throw new Error("no"); } };
    expect(toMimeBundle(new Odd(), failing)).toEqual({ "text/plain": "[Odd]" });
  });

  it("always includes text/plain", () => {
    const values: unknown[] = [1, null, [{ a: 1 }], new Error("x"), { [DISPLAY]: () => ({ "image/svg+xml": "<svg/>" }) }, { [DISPLAY]: () => 3 }];
    for (const v of values) expect(typeof toMimeBundle(v, ctx)[Mime.text]).toBe("string");
  });
});

describe("the display code in the cells' sandbox", () => {
  it("bundles with no Node built-ins and runs on a fresh realm's own objects", async () => {
    const entry = `
      export { toMimeBundle } from ${JSON.stringify(fileURLToPath(new URL("../../src/display/mime_bundle.ts", import.meta.url)))};
      export * from ${JSON.stringify(fileURLToPath(new URL("../../src/display/progress/index.ts", import.meta.url)))};
      export * from ${JSON.stringify(fileURLToPath(new URL("../../src/display/table/index.ts", import.meta.url)))};`;
    const out = await build({
      stdin: { contents: entry, loader: "ts", resolveDir: fileURLToPath(new URL(".", import.meta.url)) },
      bundle: true,
      platform: "neutral",
      format: "iife",
      globalName: "flowbookDisplay",
      write: false,
      logLevel: "silent",
    });
    const code = out.outputFiles[0]!.text;
    expect(code).not.toMatch(/\brequire\(|from "node:|\bBuffer\b|\bprocess\./);
    // A bare context: no Node globals, only the language's own (as in vm2's sandbox).
    const result = runInNewContext(
      `${code};
      const b = flowbookDisplay.toMimeBundle([{ key: "a", value: { n: 1, when: new Date(0) } }], { width: 60, inspect: String });
      JSON.stringify(b["text/plain"]);`,
      {},
    );
    expect(JSON.parse(result as string).split("\n")).toEqual(["1 element", "key  value.n  value.when", "───  ───────  ────────────────────────", "a          1  1970-01-01T00:00:00.000Z"]);
  });
});
