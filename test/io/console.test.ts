import { Worker } from "node:worker_threads";
import { describe, expect, it } from "vitest";
import { Urns } from "../../src/graph/types.js";
import { sinkFor } from "../../src/io/registry.js";
import "../../src/io/index.js";
import { formatElement, setConsoleOutput } from "../../src/io/console/console_sink.js";
import { routeUserOutput, type OutputStream } from "../../src/io/console/user_output.js";
import { writeCtx } from "./helpers.js";

async function printed(payload: unknown, values: unknown[]): Promise<string> {
  let text = "";
  const prev = setConsoleOutput((t) => (text += t));
  try {
    const sink = sinkFor(Urns.CONSOLE_WRITE)!;
    expect(sink.numShards(payload)).toBeUndefined();
    const w = await sink.open(payload, writeCtx(0));
    for (const v of values) w.write(v);
    await w.close();
    await sink.finalize(payload, [null], { runId: "r", transform: "Print" });
  } finally {
    setConsoleOutput(prev);
  }
  return text;
}

describe("ConsoleIO runtime", () => {
  it("prints strings as they are and other values on one line, without colors", async () => {
    const text = await printed({ prefix: "", limit: null }, ["hello", { key: "a", value: 1 }, 42, [1, 2], null, "multi\nline"]);
    expect(text).toBe("hello\n{ key: 'a', value: 1 }\n42\n[ 1, 2 ]\nnull\nmulti\nline\n");
    expect(formatElement({ nested: { deep: { list: Array.from({ length: 30 }, (_, i) => i) } } })).not.toContain("\n");
    expect(formatElement({ a: 1 })).not.toContain("\u001b[");
  });

  it("prefixes each element and stops after the limit", async () => {
    const text = await printed({ prefix: "> ", limit: 2 }, ["a", "b", "c", "d"]);
    expect(text).toBe("> a\n> b\n> … (more elements not printed: limit 2)\n");
  });

  it("inside a run that carries output, each line goes to the run as it is printed, named by the sink's transform", async () => {
    const got: Array<[OutputStream, string, string | undefined]> = [];
    const prev = routeUserOutput({ carried: () => true, write: (stream, text, transform) => (got.push([stream, text, transform]), true) });
    try {
      const w = await sinkFor(Urns.CONSOLE_WRITE)!.open({ prefix: "> ", limit: 1 }, writeCtx(0, "r", "Print"));
      w.write("a");
      // Not batched until the event loop turns: in order with the DoFns' own console output.
      expect(got).toEqual([["stdout", "> a\n", "Print"]]);
      w.write("b");
      await w.close();
      expect(got).toEqual([
        ["stdout", "> a\n", "Print"],
        ["stdout", "> … (more elements not printed: limit 1)\n", "Print"],
      ]);
    } finally {
      routeUserOutput(prev);
    }
  });

  it("prints from inside a worker thread", async () => {
    const url = new URL("../../src/io/console/console_sink.ts", import.meta.url).href;
    const code = `
      const { parentPort } = require("node:worker_threads");
      import("tsx/esm/api").then(async (m) => {
        m.register();
        const { consoleSink } = await import(${JSON.stringify(url)});
        const w = await consoleSink.open({ prefix: "w: ", limit: null });
        w.write("from the worker");
        w.write({ n: 1 });
        await w.close();
        parentPort.postMessage("done");
      });`;
    const worker = new Worker(code, { eval: true, stdout: true });
    let out = "";
    worker.stdout.on("data", (d: Buffer) => (out += d.toString()));
    await new Promise<void>((resolve, reject) => {
      worker.on("message", () => resolve());
      worker.on("error", reject);
    });
    await worker.terminate();
    expect(out).toBe("w: from the worker\nw: { n: 1 }\n");
  });
});
