import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ReplController } from "../../repl/controller.js";
import { textOf } from "../../repl/editor/buffer.js";
import { History } from "../../repl/editor/history.js";
import { stripAnsi } from "../../repl/render/ansi.js";
import { KeyParser } from "../../repl/terminal/keys.js";
import { fakeSession, type FakeSession } from "./support/fake_session.js";

const tick = () => new Promise((r) => setTimeout(r, 5));

function setup(session: FakeSession = fakeSession(), history = new History()) {
  let exitCode: number | undefined;
  const pipelineOptions: Record<string, unknown> = {};
  const busy: boolean[] = [];
  const c = new ReplController({
    session,
    history,
    size: () => ({ columns: 60, rows: 20 }),
    colors: false,
    images: "none",
    fileDir: fs.mkdtempSync(path.join(os.tmpdir(), "repl-files-")),
    pipelineOptions,
    setBusy: (b) => busy.push(b),
    onExit: (code) => (exitCode = code),
  });
  const parser = new KeyParser();
  const type = async (raw: string) => {
    for (const k of parser.feed(raw)) {
      c.key(k);
      await tick();
    }
    await tick();
  };
  const screen = () => c.state.scrollback.map((i) => stripAnsi(i.text)).join("\n");
  return { c, session, type, screen, exit: () => exitCode, pipelineOptions, busy };
}

describe("the REPL's controller", () => {
  it("continues an incomplete input on Enter and runs the block once complete", async () => {
    const { c, session, type, screen } = setup();
    await type("function f() {\r");
    expect(session.executed).toEqual([]);
    expect(c.state.buffer.lines).toEqual(["function f() {", "  "]);
    await type("return 1\r}\r");
    expect(session.executed).toEqual(["function f() {\n  return 1\n}"]);
    expect(screen()).toBe("› function f() {\n…   return 1\n… }");
  });

  it("inserts a newline with Alt-Enter or Ctrl-J even when the input is complete", async () => {
    const { c, session, type } = setup();
    await type("const a = 1\x1b\rconst b = 2\n");
    expect(session.executed).toEqual([]);
    expect(textOf(c.state.buffer)).toBe("const a = 1\nconst b = 2\n");
  });

  it("never runs a pasted block by itself; Enter runs it", async () => {
    const { session, type } = setup();
    await type("\x1b[200~const a = 1\rconst b = 2\r\x1b[201~");
    expect(session.executed).toEqual([]);
    await type("\r");
    expect(session.executed).toEqual(["const a = 1\nconst b = 2\n"]);
  });

  it("recalls a multi-line entry as one block with ↑, and ↑ inside it moves up a line", async () => {
    const { c, type } = setup();
    await type("1\r");
    await type("if (true) {\r1\r}\r");
    await type("\x1b[A");
    expect(textOf(c.state.buffer)).toBe("if (true) {\n  1\n}");
    await type("\x1b[A");
    expect(c.state.buffer.row).toBe(1);
    expect(textOf(c.state.buffer)).toBe("if (true) {\n  1\n}");
    await type("\x1b[A\x1b[A");
    expect(textOf(c.state.buffer)).toBe("1");
    await type("\x1b[B\x1b[B\x1b[B\x1b[B");
    expect(textOf(c.state.buffer)).toBe("");
  });

  it("searches the history with Ctrl-R and takes the match into the editor", async () => {
    const { c, session, type } = setup();
    await type("const lines = 1\r");
    await type("const words = 2\r");
    await type("\x12lin");
    expect(c.state.search?.match).toBe("const lines = 1");
    await type("\r");
    expect(c.state.mode).toBe("edit");
    expect(textOf(c.state.buffer)).toBe("const lines = 1");
    expect(session.executed.length).toBe(2);
  });

  it("completes with Tab: a menu to choose from", async () => {
    const { c, type } = setup();
    await type("Count.p\t");
    expect(textOf(c.state.buffer)).toBe("Count.per");
    expect(c.state.menu?.items.map((i) => i.text)).toEqual(["perElement", "perKey"]);
    await type("\t\t\r");
    expect(textOf(c.state.buffer)).toBe("Count.perKey");
    expect(c.state.menu).toBeUndefined();
  });

  it("says it is completing when the language service takes a while", async () => {
    const { c, session, type } = setup();
    let answer!: () => void;
    const complete = session.complete.bind(session);
    session.complete = (code, cursor) => new Promise((resolve) => (answer = () => resolve(complete(code, cursor))));
    await type("Count.p\t");
    await new Promise((r) => setTimeout(r, 350));
    expect(c.state.hint).toMatch(/completing/);
    answer();
    await tick();
    expect(c.state.hint).toBeUndefined();
    expect(c.state.menu?.items.length).toBe(2);
  });

  it("shows the doc of the name under the cursor on F1 and with .doc", async () => {
    const { type, screen } = setup();
    await type("Count\x1bOP");
    expect(screen()).toContain("Counts elements.");
    await type("\x15.doc Count\r");
    expect(screen()).toMatch(/› \.doc Count\nconst Count: \{\.\.\.\}/);
  });

  it("Ctrl-C clears the input at the prompt and interrupts a running one; Ctrl-D on an empty input exits", async () => {
    const { c, session, type, exit, busy } = setup();
    let release!: () => void;
    session.behave = () => new Promise((r) => (release = () => r({ error: "Interrupted" })));
    await type("abc\x03");
    expect(textOf(c.state.buffer)).toBe("");
    await type("await forever()\r");
    expect(c.state.mode).toBe("running");
    expect(busy).toEqual([true]);
    await type("\x03");
    expect(session.interrupts).toBe(1);
    release();
    await tick();
    expect(c.state.mode).toBe("edit");
    await type("x\x04");
    expect(exit()).toBeUndefined();
    await type("\x7f\x04");
    expect(exit()).toBe(0);
  });

  it("takes keys typed while an input runs, and runs them after it when Enter was pressed", async () => {
    const { c, session, type } = setup();
    let release!: () => void;
    session.behave = (code) => (code === "slow()" ? new Promise((r) => (release = () => r({}))) : {});
    await type("slow()\r");
    await type("next()\r");
    expect(c.state.mode).toBe("running");
    expect(textOf(c.state.buffer)).toBe("next()");
    expect(session.executed).toEqual(["slow()"]);
    release();
    await tick();
    await tick();
    expect(session.executed).toEqual(["slow()", "next()"]);
  });

  it("shows a value, an error pointing at its line, and stream output in order", async () => {
    const { session, type, screen } = setup();
    session.behave = (code, emit) => {
      if (code === "bad") return { error: "boom" };
      emit({ type: "stream", name: "stdout", text: "hello\nwor" });
      emit({ type: "stream", name: "stdout", text: "ld\n" });
      return { value: { a: 1 } };
    };
    await type("go\r");
    await type("bad\r");
    expect(screen()).toBe("› go\nhello\nworld\n{ a: 1 }\n› bad\nError: boom\n    at cell[2]:1:1");
  });

  it("prints what one turn printed as one item; a long block is written past Ink's layout; an image ends its frame", async () => {
    const { c } = setup();
    for (let i = 0; i < 3; i++) c.print(`short ${i}`);
    expect(c.state.scrollback.map((i) => i.text)).toEqual(["short 0\nshort 1\nshort 2"]);
    for (let i = 0; i < 300; i++) c.print(`line ${i}`);
    const big = c.state.scrollback[1]!;
    expect(big.text).toBe("");
    expect(big.raw!.split("\n").length).toBe(300);
    c.print("chart", "<image escapes>");
    c.print("after the image");
    expect(c.state.scrollback.slice(2).map((i) => [i.text, i.raw])).toEqual([["chart", "<image escapes>"]]);
    await tick();
    expect(c.state.scrollback.slice(3).map((i) => i.text)).toEqual(["after the image"]);
  });

  it("shows a promise left unawaited as a promise, not its internals", async () => {
    const { session, type, screen } = setup();
    session.behave = () => ({ value: new Promise(() => undefined) });
    await type("explain(p)\r");
    expect(screen()).toBe("› explain(p)\nPromise { … } (await it for its value)");
  });

  it("keeps a progress display live while the input runs, then puts its last state in the scrollback", async () => {
    const { c, session, type, screen } = setup();
    let release!: () => void;
    const run = (finished?: object) => ({
      "text/plain": "run",
      "application/vnd.flowbook.progress+json": {
        runs: [{ id: "r", runner: "direct", startedAt: 0, updatedAt: 0, stages: [{ stage: "s", name: "s", startedAt: 0 }], transforms: [], finished }],
      },
    });
    session.behave = (_code, emit) =>
      new Promise((resolve) => {
        emit({ type: "display", displayId: "p1", bundle: run() });
        release = () => {
          emit({ type: "update", displayId: "p1", bundle: run({ state: "DONE", at: 1500, durationMs: 1500 }) });
          resolve({});
        };
      });
    await type("await p.run().waitUntilFinish()\r");
    expect(c.state.live.join("\n")).toMatch(/direct/);
    expect(screen()).not.toMatch(/direct/);
    release();
    await tick();
    expect(c.state.live).toEqual([]);
    expect(screen()).toMatch(/✓ direct · done in 1\.5 s/);
  });

  it("keeps the progress of a run the input did not wait for live above the prompt until it ends", async () => {
    const { c, session, type, screen } = setup();
    const state = (finished?: object) => ({
      "text/plain": "run",
      "application/vnd.flowbook.progress+json": { runs: [{ id: "r", runner: "direct", startedAt: 0, updatedAt: 0, stages: [], transforms: [], finished }] },
    });
    let emitLater!: (o: Parameters<Parameters<typeof session.behave>[1]>[0]) => void;
    session.behave = (_code, emit) => {
      emitLater = emit;
      emit({ type: "display", displayId: "p", bundle: state() });
      return { value: "RUNNING" };
    };
    await type("p.run().state\r");
    expect(c.state.mode).toBe("edit");
    expect(c.state.live.join("\n")).toMatch(/direct/);
    emitLater({ type: "update", displayId: "p", bundle: state() });
    await tick();
    expect(screen()).not.toMatch(/direct/);
    emitLater({ type: "update", displayId: "p", bundle: state({ state: "DONE", at: 2000, durationMs: 2000 }) });
    emitLater({ type: "update", displayId: "p", bundle: state({ state: "DONE", at: 2000, durationMs: 2000 }) });
    await tick();
    expect(c.state.live).toEqual([]);
    expect(screen().match(/✓ direct/g)?.length).toBe(1);
  });

  it("draws a table wider than the terminal again from its data, fitted to the width", async () => {
    const { session, type, screen } = setup();
    const long = "x".repeat(200);
    session.behave = (_code, emit) => {
      emit({
        type: "display",
        displayId: "t",
        bundle: {
          "text/plain": `key  value\n${long}  1`,
          "application/vnd.dataresource+json": { schema: { fields: [{ name: "key" }, { name: "value" }] }, data: [{ key: long, value: 1 }] },
        },
      });
      return {};
    };
    await type("await show(t)\r");
    const table = screen().split("\n").slice(1);
    expect(table[0]).toMatch(/^ key +│ value$/);
    expect(Math.max(...table.map((l) => l.length))).toBeLessThanOrEqual(59);
    expect(table[2]).toMatch(/x… *│ 1$/);
  });

  it("writes a chart's PNG to a file and prints its path", async () => {
    const { session, type, screen } = setup();
    session.behave = (_code, emit) => {
      emit({ type: "display", displayId: "c", bundle: { "text/plain": "▇▇▇ the", "image/png": Buffer.from("png!").toString("base64"), "application/vnd.vegalite.v5+json": {} } });
      return {};
    };
    await type("await chart(c, {})\r");
    const file = /chart: (\S+\.png)/.exec(screen())?.[1];
    expect(file).toBeDefined();
    expect(fs.readFileSync(file!, "utf8")).toBe("png!");
    expect(screen()).toContain("▇▇▇ the");
  });

  it(".save writes the inputs that succeeded as a script; .load runs one", async () => {
    const { session, type, screen } = setup();
    session.behave = (code) => (code.includes("bad") ? { error: "no" } : {});
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "repl-save-")), "s.ts");
    await type("const a = 1\r");
    await type("bad()\r");
    await type("function g() {\rreturn a\r}\r");
    await type(`.save ${file}\r`);
    const script = fs.readFileSync(file, "utf8");
    expect(script).toMatch(/^\/\/ Saved from the flowbook REPL/);
    expect(script).toContain("const a = 1\n\nfunction g() {\n  return a\n}\n");
    expect(script).not.toContain("bad()");
    expect(screen()).toContain(`saved 2 inputs to ${file}`);
    await type(`.load ${file}\r`);
    expect(session.executed[session.executed.length - 1]).toBe(script);
  });

  it(".runner sets the default pipeline options for later pipelines", async () => {
    const { session, type, pipelineOptions, screen } = setup();
    await type(".runner flink localhost:9999\r");
    expect(pipelineOptions).toEqual({ runner: "flink", flinkMaster: "localhost:9999" });
    expect(session.pipelineOptions).toEqual({ runner: "flink", flinkMaster: "localhost:9999" });
    await type(".runner\r");
    expect(screen()).toContain("runner: flink at localhost:9999");
    await type(".runner direct\r");
    expect(pipelineOptions).toEqual({ runner: "direct" });
    expect(session.pipelineOptions.runner).toBe("direct");
    expect(session.executed).toEqual([]);
    await type(".runner bogus\r");
    expect(screen()).toContain("usage: .runner direct | flink [host:port]");
  });
});
