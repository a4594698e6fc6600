/** Mounts the Ink screen over the controller; Ink never reads stdin (the keyboard thread does). */
import { PassThrough } from "node:stream";
import React from "react";
import { render } from "ink";
import { App } from "./App.js";
import type { ReplController } from "../controller.js";
import type { Painter } from "../render/ansi.js";

export interface Screen {
  refresh(): void;
  clearScreen(): void;
  unmount(): void;
}

export function mountScreen(controller: ReplController, paint: Painter, size: () => { columns: number; rows: number }): Screen {
  const noInput = Object.assign(new PassThrough(), { isTTY: false, setRawMode: () => undefined }) as unknown as NodeJS.ReadStream;
  const ink = render(React.createElement(App, { controller, paint, size }), {
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
    unmount: () => ink.unmount(),
  };
}
