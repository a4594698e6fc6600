import { WindowFnUrns } from "../../graph/types.js";
import { GlobalWindowCoder } from "../coders/global_window_coder.js";
import type { Coder } from "../coders/coder.js";
import { GlobalWindow, type BoundedWindow } from "../values/windows.js";
import { registerWindowFn, WindowFn } from "./window_fn.js";

const URN = WindowFnUrns.GLOBAL;
const ASSIGNED: GlobalWindow[] = [GlobalWindow.INSTANCE];

export class GlobalWindows extends WindowFn<GlobalWindow> {
  assignWindows(): GlobalWindow[] {
    return ASSIGNED;
  }
  windowCoder(): Coder<GlobalWindow> {
    return GlobalWindowCoder.of() as Coder<GlobalWindow>;
  }
  getSideInputWindow(_main: BoundedWindow): GlobalWindow {
    return GlobalWindow.INSTANCE;
  }
  toSpec() {
    return { urn: URN };
  }
}

registerWindowFn(URN, () => new GlobalWindows());
