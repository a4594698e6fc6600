import type { WindowedValue } from "../../../sdk/values/windowed_value.js";
import type { BoundedWindow } from "../../../sdk/values/windows.js";
import type { WindowFn } from "../../../sdk/windowing/window_fn.js";
import { UserCodeError } from "../../shared/user_code_error.js";
import type { Operator, Receiver } from "./receiver.js";

/** Window.into: assigns each element the windows its timestamp falls in. */
export class WindowIntoOp implements Operator {
  constructor(private readonly transform: string, private readonly windowFn: WindowFn<BoundedWindow> | undefined, private readonly out: Receiver) {}
  start(): void {}
  finish(): void {}
  /** Elements received (run progress): one increment per element. */
  elementsIn = 0;
  process(wv: WindowedValue<unknown>): void {
    this.elementsIn++;
    if (!this.windowFn) return this.out.process(wv);
    let windows: BoundedWindow[];
    try {
      windows = this.windowFn.assignWindows(wv.timestamp);
    } catch (e) {
      throw UserCodeError.from(this.transform, wv.value, true, e);
    }
    this.out.process({ value: wv.value, timestamp: wv.timestamp, windows, pane: wv.pane });
  }
}
