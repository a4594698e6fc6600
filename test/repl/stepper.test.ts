// `.plan --step` in the Ink screen (ink-testing-library) over a hand-made WordCount trace:
// the stepping mode's keys, the step drawn in the live area, the new part inverse.
import os from "node:os";
import React from "react";
import { render } from "ink-testing-library";
import { describe, expect, it } from "vitest";
import { ReplController } from "../../repl/controller.js";
import { History } from "../../repl/editor/history.js";
import { paint, stripAnsi } from "../../repl/render/ansi.js";
import { KeyParser } from "../../repl/terminal/keys.js";
import { App } from "../../repl/ui/App.js";
import type { PipelineGraph } from "../../src/graph/types.js";
import { runCommand } from "../../repl/commands.js";
import { wordCountTrace } from "../display/plan/stepper/trace_fixture.js";
import { fakeSession } from "./support/fake_session.js";

const tick = () => new Promise((r) => setTimeout(r, 20));

function mount(size = { columns: 100, rows: 40 }, colors = false) {
  const session = fakeSession();
  session.graphs = [{ name: "wordcount" } as unknown as PipelineGraph];
  session.trace = wordCountTrace();
  let exited = false;
  const c = new ReplController({ session, history: new History(), size: () => size, colors, images: "none", fileDir: os.tmpdir(), pipelineOptions: {}, onExit: () => void (exited = true) });
  const ui = render(React.createElement(App, { controller: c, paint: paint(colors), size: () => size }));
  const parser = new KeyParser();
  const type = async (raw: string) => {
    for (const k of parser.feed(raw)) c.key(k);
    await tick();
    await tick();
  };
  const frame = () => stripAnsi(ui.lastFrame() ?? "");
  return { c, session, ui, type, frame, exited: () => exited };
}

describe(".plan --step in the Ink screen", () => {
  it("opens at the first step and walks with n, s, o, b, c and breakpoints", async () => {
    const { ui, type, frame, c } = mount();
    await type(".plan --step\r");
    expect(c.state.mode).toBe("step");
    expect(frame()).toContain("Translation of 'wordcount' · step 1 of 11");
    expect(frame()).toContain("● translate ReadLines  (TextIO.Read)");
    expect(frame()).toMatch(/^\+ op1 source:text {2}ReadLines/m);
    expect(frame()).toMatch(/n next · s into · o out · c continue · b back/);
    expect(frame().trimEnd().split("\n").pop()).toBe("step›");

    await type("n\r");
    expect(frame()).toContain("▸ enter CountWords");
    // Enter alone repeats the last move: over CountWords to its leave, which shows what it became.
    await type("\r");
    expect(frame()).toContain("◂ leave CountWords");
    expect(frame()).toMatch(/it became\s+\+op2 \+op3/);
    expect(frame()).toContain("» stepped over CountWords");
    await type("b\r");
    expect(frame()).toContain("▸ enter CountWords");
    await type("s\r");
    expect(frame()).toContain("● translate CountWords/ExtractWords  (ParDo)");
    expect(frame()).toMatch(/inside\s+CountWords/);
    await type("s\r");
    await type("s\r");
    expect(frame()).toContain("● translate CountWords/Count.PerElement/Init");
    expect(frame()).toMatch(/^~ .*op2 usercode · Node/m);
    await type("o\r");
    expect(frame()).toContain("◂ leave CountWords/Count.PerElement");
    expect(frame()).toContain("» out of CountWords/Count.PerElement");

    await type("break Format\r");
    expect(frame()).toContain("» breakpoint 'Format' (1 step; c runs to the next)");
    await type("c\r");
    expect(frame()).toContain("● translate Format  (ParDo)");
    expect(frame()).toContain("» breakpoint 'Format'");
    await type("why\r");
    expect(frame()).toMatch(/^why$/m);
    expect(frame()).toMatch(/fuse: new stage op4\n\s+its input comes from a shuffle \(op3\)/);
    await type("c\r");
    expect(frame()).toContain("■ finish");
    await type("q\r");
    expect(c.state.mode).toBe("edit");
    expect(frame()).toContain("left the stepper at step 11 of 11 (finish the plan: stages closed)");
    expect(frame().trimEnd().split("\n").pop()).toBe("›");
    ui.unmount();
  });

  it("draws what the step added inverse and what it changed yellow, and ←/→ move back and forth", async () => {
    const { ui, type, c } = mount(undefined, true);
    await type(".plan --step\r");
    await type("runto Combine.perKey\r");
    const raw = ui.lastFrame()!;
    expect(raw).toMatch(/\+ \x1b\[7m[^\n]*op3 combine · native count/);
    expect(raw).toMatch(/~ \x1b\[33m[^\n]*op2 usercode · Node/);
    await type("\x1b[D");
    expect(stripAnsi(ui.lastFrame()!)).toContain("● translate ReadLines");
    await type("\x1b[C");
    expect(stripAnsi(ui.lastFrame()!)).toContain("▸ enter CountWords");
    expect(c.state.step?.index).toBe(1);
    // Ctrl-C leaves.
    await type("\x03");
    expect(c.state.mode).toBe("edit");
    ui.unmount();
  });

  it("fits a short screen: the plan is windowed around the step's part", async () => {
    const { ui, type, frame } = mount({ columns: 80, rows: 16 });
    await type(".plan --step\r");
    await type("runto WriteCounts\r");
    const lines = frame().split("\n");
    expect(lines.length).toBeLessThanOrEqual(15);
    expect(frame()).toMatch(/^\+ .*op5 sink:text/m);
    expect(frame()).toMatch(/↑ \d+ more lines/);
    ui.unmount();
  });

  it("says what it does not know, and a pipeline that cannot be traced is an error", async () => {
    const { ui, type, frame, session } = mount();
    await type(".plan --step\r");
    await type("frobnicate\r");
    expect(frame()).toContain("» unknown: frobnicate · n s o c b break why q (h lists them)");
    await type("h\r");
    expect(frame()).toMatch(/The stepper's commands \(then Enter\)\n {2}n {17} next step/);
    expect(frame()).toContain("break NAME | KIND  a breakpoint on a transform");
    await type("q\r");
    session.trace = undefined;
    await type(".plan --step\r");
    expect(frame()).toContain(".plan --step: FakeTranslation: this fake translates nothing");
    ui.unmount();
  });
});

describe(".plan --step without keys (the plain REPL)", () => {
  it("prints every step", async () => {
    const session = fakeSession();
    session.graphs = [{ name: "wordcount" } as unknown as PipelineGraph];
    session.trace = wordCountTrace();
    const printed: string[] = [];
    const ok = await runCommand(".plan --step", { session, paint: paint(false), width: 100, print: (t) => printed.push(t), printError: (t) => printed.push(`ERR ${t}`), pipelineOptions: {}, inputs: [], run: async () => true, exit: () => undefined });
    expect(ok).toBe(true);
    expect(printed.length).toBe(11);
    expect(printed[0]).toContain("step 1 of 11");
    expect(printed[10]).toContain("■ finish");
  });
});
