/**
 * GroupByKeyReader's last-window cache over a reused buffer: the sorted shuffle's KeyGroup
 * fills the same bytes for each key, so the first record of the next key sits where a record
 * of the previous key was. Its window must be decoded from its own bytes, not taken from the
 * cache (found by bench/nexmark's Q11: sessions of one bidder took another bidder's window).
 */
import { describe, expect, it } from "vitest";
import { GroupByKeyReader, type KeyRecords } from "../../../../src/runners/harness/inputs/group_by_key_read.js";
import { ByteWriter } from "../../../../src/sdk/coders/byte_io.js";
import type { Coder } from "../../../../src/sdk/coders/coder.js";
import { IntervalWindowCoder } from "../../../../src/sdk/coders/interval_window_coder.js";
import { StringUtf8Coder } from "../../../../src/sdk/coders/string_utf8_coder.js";
import { VarLongCoder } from "../../../../src/sdk/coders/var_long_coder.js";
import type { WindowedValue } from "../../../../src/sdk/values/windowed_value.js";
import { IntervalWindow } from "../../../../src/sdk/values/windows.js";
import { FixedWindows } from "../../../../src/sdk/windowing/fixed_windows.js";
import { WindowingStrategy } from "../../../../src/sdk/windowing/windowing_strategy.js";

describe("GroupByKeyReader over a buffer reused from key to key", () => {
  it("gives each key's records their own windows", () => {
    const shared = new Uint8Array(256);
    /** Writes one key's records (value, window) into the shared buffer, as KeyGroup does. */
    const fill = (recs: Array<[number, IntervalWindow]>): KeyRecords => {
      const w = new ByteWriter(64);
      const spans: Array<[number, number, number]> = [];
      for (const [v, win] of recs) {
        const s = w.view_().length;
        IntervalWindowCoder.of().encode(win, w);
        const p = w.view_().length;
        VarLongCoder.of().encode(v, w);
        spans.push([s, p, w.view_().length]);
      }
      shared.fill(0);
      shared.set(w.view_());
      return {
        size: recs.length,
        bytesOf: () => shared,
        windowStart: (i) => spans[i]![0],
        windowEnd: (i) => spans[i]![1],
        payloadStart: (i) => spans[i]![1],
        payloadEnd: (i) => spans[i]![2],
        timestamp: (i) => recs[i]![1].start,
      };
    };
    const out: WindowedValue<unknown>[] = [];
    const reader = new GroupByKeyReader(
      StringUtf8Coder.of() as Coder<unknown>,
      VarLongCoder.of() as Coder<unknown>,
      new WindowingStrategy(FixedWindows.of(10)),
      { process: (wv) => out.push(wv) },
      "G",
    );
    const keyBytes = (k: string) => {
      const w = new ByteWriter(8);
      StringUtf8Coder.of().encode(k, w);
      return w.view_().slice();
    };
    const a = keyBytes("a");
    reader.readKey(a, 0, a.length, fill([[1, new IntervalWindow(0, 10)]]));
    const b = keyBytes("b");
    reader.readKey(b, 0, b.length, fill([[2, new IntervalWindow(20, 30)], [3, new IntervalWindow(20, 30)]]));
    const seen = out.map((wv) => ({ value: wv.value, windows: wv.windows.map((w) => [(w as IntervalWindow).start, (w as IntervalWindow).end]) }));
    expect(seen).toEqual([
      { value: { key: "a", value: [1] }, windows: [[0, 10]] },
      { value: { key: "b", value: [2, 3] }, windows: [[20, 30]] },
    ]);
  });
});
