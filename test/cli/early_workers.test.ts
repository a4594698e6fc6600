import { describe, expect, it } from "vitest";
import { availableParallelism } from "node:os";
import { earlyWorkerThreads } from "../../src/cli/run_command.js";

const DEFAULT = Math.max(1, Math.min(8, availableParallelism()));
const startsLocalWorkersEarly = (text: string) => earlyWorkerThreads(text) > 0;

const wordCount = `import { Pipeline, TextIO, ParDo, DoFn, Count } from "flowbook";
const p = Pipeline.create();
p.apply(TextIO.read().from("in.txt")).apply(Count.perElement());
await p.run().waitUntilFinish();
`;

describe("flowbook run starts the local runner's threads before the script runs", () => {
  it("for a script that runs a pipeline with the default options", () => {
    expect(startsLocalWorkersEarly(wordCount)).toBe(true);
    // Paths as the README writes them: a method named from() reads a file, it imports nothing.
    expect(startsLocalWorkersEarly(wordCount.replace('from("in.txt")', 'from("/data/in.txt")'))).toBe(true);
    expect(startsLocalWorkersEarly(wordCount.replace('from("in.txt")', "from('../data/*.txt')"))).toBe(true);
  });

  it("not when the script imports its own modules (the threads would need the session's module hooks)", () => {
    for (const imp of [`import { f } from "./lib.ts";`, `import { f } from '../lib/f.js';`, `const m = await import("./m.ts");`, `import x from "/abs/x.ts";`, `const r = require("./r.js");`]) {
      expect(startsLocalWorkersEarly(imp + "\n" + wordCount), imp).toBe(false);
    }
    // A package's module is not the user's own.
    expect(startsLocalWorkersEarly(`import _ from "lodash";\n` + wordCount)).toBe(true);
  });

  it("not when options choose other threads, none, or another runner, nor for a script that runs no pipeline", () => {
    expect(startsLocalWorkersEarly(wordCount.replace("Pipeline.create()", "Pipeline.create({ inProcess: true })"))).toBe(false);
    expect(startsLocalWorkersEarly(wordCount.replace("Pipeline.create()", `Pipeline.create({ runner: "flink" })`))).toBe(false);
    expect(startsLocalWorkersEarly(`const p = Pipeline.create();\nconsole.log(p);\n`)).toBe(false);
  });

  it("as many as the runner will use: the default, or the script's one literal parallelism", () => {
    expect(earlyWorkerThreads(wordCount)).toBe(DEFAULT);
    expect(earlyWorkerThreads(wordCount.replace("Pipeline.create()", "Pipeline.create({ parallelism: 1 })"))).toBe(1);
    expect(earlyWorkerThreads(wordCount.replace("Pipeline.create()", "Pipeline.create({ parallelism: 4 })"))).toBe(4);
    // Known only when the script runs: a variable, or two pipelines with their own.
    expect(earlyWorkerThreads(wordCount.replace("Pipeline.create()", "Pipeline.create({ parallelism: n })"))).toBe(0);
    expect(earlyWorkerThreads(wordCount.replace("Pipeline.create()", "Pipeline.create({ parallelism: 2 })") + "const q = Pipeline.create({ parallelism: 3 });\n")).toBe(0);
    expect(earlyWorkerThreads(wordCount.replace("Pipeline.create()", "Pipeline.create({ parallelism: 0 })"))).toBe(0);
  });

  it("not for a script that samples (show runs in the calling thread while no threads exist)", () => {
    expect(startsLocalWorkersEarly(wordCount + "await show(words, { n: 5 });\n")).toBe(false);
    expect(startsLocalWorkersEarly(wordCount + "const xs = await collect(words);\n")).toBe(false);
  });
});
