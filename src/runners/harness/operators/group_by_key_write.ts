import type { Coder } from "../../../sdk/coders/coder.js";
import { GlobalWindowCoder } from "../../../sdk/coders/global_window_coder.js";
import type { KV } from "../../../sdk/values/kv.js";
import type { WindowedValue } from "../../../sdk/values/windowed_value.js";
import type { BoundedWindow } from "../../../sdk/values/windows.js";
import { GlobalWindow } from "../../../sdk/values/windows.js";
import { UserCodeError } from "../../shared/user_code_error.js";
import type { Operator } from "./receiver.js";
import type { ShuffleWriter } from "../shuffle/writer.js";

/** The writing half of GroupByKey: each (key, window) record into the key's partition. */
export class GroupByKeyWrite implements Operator {
  private readonly globalWindowBytes: Uint8Array;
  constructor(
    private readonly transform: string,
    private readonly keyCoder: Coder<unknown>,
    private readonly valueCoder: Coder<unknown>,
    private readonly windowCoder: Coder<BoundedWindow>,
    private readonly shuffle: ShuffleWriter,
  ) {
    // Only a global-window coder can encode the global window; others never see it.
    this.globalWindowBytes = windowCoder instanceof GlobalWindowCoder ? windowCoder.encodeToBytes(GlobalWindow.INSTANCE) : new Uint8Array(0);
  }
  start(): void {}
  finish(): void {}
  /** Elements received (run progress): one increment per element. */
  elementsIn = 0;
  process(wv: WindowedValue<unknown>): void {
    this.elementsIn++;
    const kv = wv.value as KV<unknown, unknown>;
    if (kv === null || typeof kv !== "object" || !("key" in kv)) {
      throw UserCodeError.from(this.transform, wv.value, true, new TypeError("GroupByKey needs KV elements ({ key, value }); use WithKeys or map to KV.of(key, value) first"));
    }
    try {
      for (const w of wv.windows) {
        const wb = w instanceof GlobalWindow ? this.globalWindowBytes : this.windowCoder.encodeToBytes(w);
        this.shuffle.write((o) => this.keyCoder.encode(kv.key, o), wb, wv.timestamp, (o) => this.valueCoder.encode(kv.value, o));
      }
    } catch (e) {
      throw UserCodeError.from(this.transform, wv.value, true, e);
    }
  }
}
