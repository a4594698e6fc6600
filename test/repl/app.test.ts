// The Ink screen through ink-testing-library: the scrollback in <Static>, the live area under it.
import os from "node:os";
import React from "react";
import { render } from "ink-testing-library";
import { describe, expect, it } from "vitest";
import { ReplController } from "../../repl/controller.js";
import { History } from "../../repl/editor/history.js";
import { paint, stripAnsi } from "../../repl/render/ansi.js";
import { KeyParser } from "../../repl/terminal/keys.js";
import { App } from "../../repl/ui/App.js";
import { liveArea } from "../../repl/ui/live_area.js";
import { fakeSession } from "./support/fake_session.js";

const tick = () => new Promise((r) => setTimeout(r, 20));

function mount(size = { columns: 60, rows: 12 }, images: "none" | "iterm" = "none") {
  const session = fakeSession();
  const c = new ReplController({ session, history: new History(), size: () => size, colors: false, images, fileDir: os.tmpdir(), pipelineOptions: {}, onExit: () => undefined });
  const ui = render(React.createElement(App, { controller: c, paint: paint(false), size: () => size }));
  const parser = new KeyParser();
  const type = async (raw: string) => {
    for (const k of parser.feed(raw)) c.key(k);
    await tick();
  };
  return { c, session, ui, type };
}

describe("the Ink screen", () => {
  it("prints finished entries once and draws the editor with its prompts below them", async () => {
    const { ui, type, session } = mount();
    session.behave = () => ({ value: 42 });
    await type("6 * 7\r");
    await type("if (x) {\rfoo");
    const frame = ui.lastFrame()!;
    expect(frame).toBe("› 6 * 7\n42\n› if (x) {\n…   foo");
    ui.unmount();
  });

  it("writes an inline image after its entry, as escapes Ink does not lay out, where the terminal draws them", async () => {
    const png = Buffer.from("not really a png").toString("base64");
    for (const images of ["iterm", "none"] as const) {
      const { ui, type, session } = mount(undefined, images);
      session.behave = (_code, emit) => {
        emit({ type: "display", displayId: "c", bundle: { "text/plain": "▇▇ the", "image/png": png } });
        return {};
      };
      await type("await chart(c, {})\r");
      const written = ui.frames.join("");
      expect(written.includes(`\x1b]1337;File=inline=1;preserveAspectRatio=1;size=16:${png}\x07`)).toBe(images === "iterm");
      expect(ui.lastFrame()).toMatch(/▇▇ the\npicture: \S+\.png/);
      ui.unmount();
    }
  });

  it("shows the completion menu under the editor and the history search line", async () => {
    const { ui, type } = mount();
    await type("Count.p\t");
    await tick();
    expect(ui.lastFrame()).toContain("› Count.per\n perElement  method");
    await type("\x1b");
    await type("\x15\x12Count");
    expect(ui.lastFrame()).toMatch(/\(failing reverse-i-search\)`Count'/);
    ui.unmount();
  });
});

describe("the live area", () => {
  it("stays shorter than the screen: a long input scrolls around the cursor", () => {
    const { c } = mount();
    const lines = Array.from({ length: 40 }, (_, i) => `line${i}`).join("\n");
    c.key({ kind: "paste", text: lines });
    const area = liveArea(c.state, { columns: 60, rows: 12 }, paint(false)).map(stripAnsi);
    expect(area.length).toBeLessThanOrEqual(10);
    expect(area[0]).toMatch(/↑ \d+ more lines/);
    expect(area[area.length - 1]).toBe("… line39 ");
  });

  it("cuts a long input into rows narrower than the terminal itself (so a resize knows its height)", () => {
    const { c } = mount();
    c.key({ kind: "paste", text: "const s = " + JSON.stringify("y".repeat(150)) });
    const area = liveArea(c.state, { columns: 60, rows: 12 }, paint(true)).map(stripAnsi);
    expect(area.length).toBe(3);
    expect(Math.max(...area.map((l) => l.length))).toBe(59);
    expect(area.join("")).toBe(`› const s = "${"y".repeat(150)}" `);
  });

  it("cuts live displays to the width and gives way to the editor on a small screen", () => {
    const { c } = mount();
    const state = { ...c.state, live: ["x".repeat(200), "a\nb\nc\nd\ne\nf\ng\nh"] };
    const area = liveArea(state, { columns: 30, rows: 6 }, paint(false)).map(stripAnsi);
    expect(area.length).toBeLessThanOrEqual(4);
    expect(area[area.length - 1]).toBe("›  ");
    expect(Math.max(...area.map((l) => l.length))).toBeLessThanOrEqual(29);
  });
});
