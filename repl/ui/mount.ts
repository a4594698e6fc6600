/** Mounts the Ink screen over the controller; Ink never reads stdin (the keyboard thread does). */
import { PassThrough } from "node:stream";
import React from "react";
import { render } from "ink";
import { App } from "./App.js";
import type { ReplController } from "../controller.js";
import { visibleWidth, type Painter } from "../render/ansi.js";

export interface Screen {
  refresh(): void;
  clearScreen(): void;
  unmount(): void;
}

export function mountScreen(controller: ReplController, paint: Painter, size: () => { columns: number; rows: number }): Screen {
  const stdout = process.stdout;
  /** The live area's rows as last drawn, and the width they were drawn at. */
  let drawn: { rows: string[]; columns: number } = { rows: [], columns: size().columns };
  // Before Ink hears of a narrower terminal: a terminal that reflows has cut each row wider
  // than the new width into several, so the live area is taller than the rows Ink will
  // erase, and the rest would stay on the screen as ghost lines. Clear the block as it is
  // now and leave the cursor where Ink's erase then lands on the block's first row.
  const onResize = () => {
    const columns = size().columns;
    if (columns < drawn.columns) {
      const before = drawn.rows.length;
      const after = drawn.rows.reduce((n, r) => n + Math.max(1, Math.ceil(visibleWidth(r) / columns)), 0);
      if (after > before) stdout.write(`\x1b[${after}A\r\x1b[J\x1b[${before}B`);
    }
    drawn = { ...drawn, columns };
  };
  stdout.prependListener("resize", onResize);
  const noInput = Object.assign(new PassThrough(), { isTTY: false, setRawMode: () => undefined }) as unknown as NodeJS.ReadStream;
  const onDraw = (rows: string[]) => void (drawn = { rows, columns: size().columns });
  const ink = render(React.createElement(App, { controller, paint, size, onDraw }), {
    stdin: noInput,
    exitOnCtrlC: false,
    patchConsole: false,
    // Ink draws at most maxFps frames a second; at its default (30) a key could wait 33 ms
    // behind a progress tick's frame before it shows.
    maxFps: 120,
  });
  return {
    refresh: () => controller.refresh(),
    clearScreen() {
      ink.clear();
      process.stdout.write("\x1b[H\x1b[2J");
      controller.refresh();
    },
    unmount() {
      stdout.off("resize", onResize);
      ink.unmount();
    },
  };
}
