import { WindowedValue } from "../values/windowed_value.js";
import { GlobalWindow, type BoundedWindow } from "../values/windows.js";
import type { ByteReader, ByteWriter } from "./byte_io.js";
import { Coder, registerCoder } from "./coder.js";
import { GlobalWindowCoder } from "./global_window_coder.js";
import { InstantCoder } from "./instant_coder.js";
import { PaneInfoCoder } from "./pane_info_coder.js";

/**
 * Beam's WindowedValue.FullWindowedValueCoder (`beam:coder:windowed_value:v1`, components
 * [valueCoder, windowCoder]): the timestamp (InstantCoder, 8 bytes), the windows (int32
 * big-endian count, then each window), the pane (PaneInfoCoder), then the value.
 * `"a"` in the global window at TIMESTAMP_MIN, NO_FIRING →
 * `7f df 3b 64 5a 1c ac 09 | 00 00 00 01 | 0f | 01 61`.
 *
 * The value uses its nested encoding (flowbook never uses Beam's "outer" context, which
 * drops the last length prefix at the top level of a stream).
 */
export class WindowedValueCoder<T, W extends BoundedWindow = BoundedWindow> extends Coder<WindowedValue<T>> {
  static readonly URN = "beam:coder:windowed_value:v1";
  readonly urn = WindowedValueCoder.URN;
  private readonly globalWindows: boolean;

  constructor(readonly valueCoder: Coder<T>, readonly windowCoder: Coder<W>) {
    super();
    this.globalWindows = windowCoder instanceof GlobalWindowCoder;
  }

  static of<T, W extends BoundedWindow = BoundedWindow>(valueCoder: Coder<T>, windowCoder: Coder<W>): WindowedValueCoder<T, W> {
    return new WindowedValueCoder(valueCoder, windowCoder);
  }

  encode(wv: WindowedValue<T>, out: ByteWriter): void {
    InstantCoder.INSTANCE.encode(wv.timestamp, out);
    const windows = wv.windows;
    const n = windows.length;
    out.int32BE(n);
    if (!this.globalWindows) {
      const wc = this.windowCoder;
      for (let i = 0; i < n; i++) wc.encode(windows[i] as W, out);
    }
    PaneInfoCoder.INSTANCE.encode(wv.pane, out);
    this.valueCoder.encode(wv.value, out);
  }

  decode(input: ByteReader): WindowedValue<T> {
    const timestamp = InstantCoder.INSTANCE.decode(input);
    const n = input.int32BE("the window count of a windowed value");
    if (n < 0) throw new RangeError(`${this.toString()}: bad window count ${n} at offset ${input.pos - 4}`);
    let windows: readonly BoundedWindow[];
    if (this.globalWindows) {
      windows = n === 1 ? WindowedValue.GLOBAL_WINDOWS : new Array<BoundedWindow>(n).fill(GlobalWindow.INSTANCE);
    } else {
      const ws: BoundedWindow[] = [];
      const wc = this.windowCoder;
      for (let i = 0; i < n; i++) ws.push(wc.decode(input));
      windows = ws;
    }
    const pane = PaneInfoCoder.INSTANCE.decode(input);
    const value = this.valueCoder.decode(input);
    return { value, timestamp, windows, pane };
  }

  override isDeterministic(): boolean {
    return this.valueCoder.isDeterministic() && this.windowCoder.isDeterministic();
  }

  override nonDeterminismReason(): string | undefined {
    const v = this.valueCoder.nonDeterminismReason();
    if (v !== undefined) return `the value coder of ${this.toString()} is not deterministic: ${v}`;
    const w = this.windowCoder.nonDeterminismReason();
    if (w !== undefined) return `the window coder of ${this.toString()} is not deterministic: ${w}`;
    return undefined;
  }

  override components(): Coder<unknown>[] {
    return [this.valueCoder, this.windowCoder];
  }
}

registerCoder(WindowedValueCoder.URN, (components) => {
  if (components.length !== 2) throw new Error(`${WindowedValueCoder.URN} needs 2 component coders (value, window), got ${components.length}`);
  return new WindowedValueCoder(components[0]!, components[1]! as Coder<BoundedWindow>);
});
