/**
 * User errors through the local runner: a throwing DoFn names the transform's full name, the
 * element (shortened) and the user's file and line; IO errors name what they could not do.
 *
 * The DoFn classes come first: nothing above them may be re-formatted by Vite's TypeScript
 * transform (see the last test), so their recorded lines are exact.
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { Create, DoFn, MapElements, PCollection, PTransform, ParDo, Pipeline, TextIO, type ProcessContext } from "../../../src/index.js";

class ParseFn extends DoFn<string, number> {
  processElement(c: ProcessContext<string, number>) {
    const n = Number(c.element().slice(0, 4));
    if (Number.isNaN(n)) throw new RangeError(`not a number: ${c.element().slice(0, 10)}`); // THROW-PARSE
    c.output(n);
  }
}
class Parse extends PTransform<PCollection<string>, PCollection<number>> {
  expand(input: PCollection<string>) {
    return input.apply("Trim", MapElements.via((s: string) => s.trim())).apply("ToNumber", ParDo.of(new ParseFn()));
  }
}


import { listFiles, tempDir, writeFiles } from "../../support/files.js";
import { failure, lineFinder } from "../../support/runs.js";
const thisFile = fileURLToPath(import.meta.url);
const lineOf = lineFinder(import.meta.url);


describe.each([
  { mode: "worker threads", options: { parallelism: 2 } },
  { mode: "in process", options: { inProcess: true } },
])("user errors ($mode)", ({ options }) => {
  it("a DoFn that throws: the transform's full name, the element shortened, the user's file and line", async () => {
    const p = Pipeline.create(options);
    const long = "oops" + "x".repeat(1000);
    p.apply(Create.of("12", long)).apply("Parse", new Parse());
    const e = await failure(p.run());
    expect(e.message).toContain("Error in transform 'Parse/ToNumber' while processing element 'oopsxxx");
    expect(e.message).toContain("RangeError: not a number: oopsxxxxxx");
    expect(e.message).toContain(`${thisFile}:${lineOf("THROW-PARSE")}:`);
    expect(e.message.length).toBeLessThan(2000); // the 1004-character element is shortened
    expect(e.message).toMatch(/'oopsx+'?…/);
    // flowbook's own frames are left out.
    expect(e.message).not.toMatch(/src[\\/]runners[\\/]/);
  });

  it("a pattern matching nothing names the transform and the pattern; no output is written", async () => {
    const d = tempDir("flowbook-errors-");
    const pattern = path.join(d, "in", "**", "*.log");
    const p = Pipeline.create(options);
    p.apply("Input", TextIO.read().from(pattern)).apply(TextIO.write().to(path.join(d, "out", "x")));
    const e = await failure(p.run());
    expect(e.message).toContain(`Input: No files matched spec: ${pattern}`);
    expect(listFiles(d)).toEqual([]);
  });

  it("invalid UTF-8 is replaced with U+FFFD and counted per read step, not a crash", async () => {
    const d = tempDir("flowbook-errors-");
    writeFiles(d, {
      "in/a.txt": Buffer.concat([Buffer.from("good\n"), Buffer.from([0xc3, 0x28, 0x0a]), Buffer.from("fine\n")]),
      "in/b.txt": Buffer.concat([Buffer.from([0xff, 0xfe, 0x41, 0x0a]), Buffer.from("ok")]),
    });
    const p = Pipeline.create(options);
    p.apply("ReadAll", TextIO.read().from(path.join(d, "in", "*.txt"))).apply(TextIO.write().to(path.join(d, "out")).withoutSharding());
    const r = p.run();
    expect(await r.waitUntilFinish()).toBe("DONE");
    expect(readFileSync(path.join(d, "out"), "utf8").split("\n").filter(Boolean).sort()).toEqual(["fine", "good", "ok", "\uFFFD(", "\uFFFD\uFFFDA"].sort());
    const q = r.metrics().queryMetrics({ namespace: "flowbook.io", name: "invalidUtf8Lines" });
    expect(q.counters.map((c) => [c.step, c.committed])).toEqual([["ReadAll", 2]]);
  });
});

// Vite's TypeScript transform (oxc) spreads this one-line object over four lines; the lines
// recorded for functions below it must still be the file's own.
const SPREAD_BY_VITE = { recursive: true, force: true, maxRetries: 0 };

class AfterObjectFn extends DoFn<string, string> {
  processElement(c: ProcessContext<string, string>) {
    if (c.element() !== String(SPREAD_BY_VITE.maxRetries)) throw new Error(`unexpected ${c.element()}`); // THROW-AFTER-OBJECT
    c.output(c.element());
  }
}

describe("line numbers of functions defined after code Vite re-formats", () => {
  it("a DoFn class below a one-line object literal still reports its own line", async () => {
    const p = Pipeline.create({ inProcess: true });
    p.apply(Create.of("x")).apply("After", ParDo.of(new AfterObjectFn()));
    const e = await failure(p.run());
    expect(e.message).toContain("Error: unexpected x");
    expect(e.message).toContain(`${thisFile}:${lineOf("THROW-AFTER-OBJECT")}:`);
  });
});
