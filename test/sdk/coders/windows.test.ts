// Windows, timestamps, panes and windowed values as Beam's Java SDK encodes them:
// - InstantCoder: `DataOutputStream.writeLong(millis - Long.MIN_VALUE)`, i.e. the sign bit flipped.
// - IntervalWindow.IntervalWindowCoder: InstantCoder(end), then DurationCoder(end - start) = VarLong millis.
// - GlobalWindow.Coder: nothing.
// - PaneInfo.PaneInfoCoder: encodedByte = isFirst | isLast<<1 | timing.ordinal()<<2, OR'd with the
//   Encoding tag (FIRST 0x00, ONE_INDEX 0x10, TWO_INDICES 0x20), then VarInt indices.
// - WindowedValue.FullWindowedValueCoder: timestamp, windows (CollectionCoder: int32 count + each),
//   pane, value.
// Vectors marked "standard_coders.yaml" are Beam's reference encodings (model/fn-execution/.../standard_coders.yaml).
import { describe, expect, it } from "vitest";
import {
  BEAM_END_OF_GLOBAL_WINDOW_MILLIS,
  GlobalWindowCoder,
  InstantCoder,
  IntervalWindowCoder,
  IterableCoder,
  PaneInfoCoder,
  StringUtf8Coder,
  VarLongCoder,
  WindowedValueCoder,
} from "../../../src/sdk/coders/index.js";
import { PaneInfo } from "../../../src/sdk/values/pane.js";
import { END_OF_GLOBAL_WINDOW, TIMESTAMP_MAX, TIMESTAMP_MIN } from "../../../src/sdk/values/time.js";
import { WindowedValue } from "../../../src/sdk/values/windowed_value.js";
import { GlobalWindow, IntervalWindow } from "../../../src/sdk/values/windows.js";
import { expectVector, fromHex, roundTrip } from "./helpers.js";

describe("InstantCoder: 8 bytes big-endian of (millis - Long.MIN_VALUE)", () => {
  const c = InstantCoder.of();
  it("flips the sign bit", () => {
    expectVector(c, 0, "80 00 00 00 00 00 00 00");
    expectVector(c, -1, "7f ff ff ff ff ff ff ff");
    expectVector(c, 1000, "80 00 00 00 00 00 03 e8");
    expectVector(c, 1454293425000, "80 00 01 52 9a a4 9b 68"); // standard_coders.yaml
    expectVector(c, -400000, "7f ff ff ff ff f9 e5 80"); // standard_coders.yaml
    expectVector(c, -100, "7f ff ff ff ff ff ff 9c"); // standard_coders.yaml
  });
  it("maps the JS bounds to Beam's exact bounds (±9223372036854775 ms)", () => {
    // TIMESTAMP_MIN_VALUE: the payload of standard_coders.yaml's param_windowed_value example.
    expectVector(c, TIMESTAMP_MIN, "7f df 3b 64 5a 1c ac 09");
    // TIMESTAMP_MAX_VALUE = 9223372036854775 = 0x20c49ba5e353f7.
    expectVector(c, TIMESTAMP_MAX, "80 20 c4 9b a5 e3 53 f7");
    // GlobalWindow.maxTimestamp() = TIMESTAMP_MAX_VALUE - 1 day = 9223371950454775 = 0x20c49ba0bcf7f7.
    expect(BEAM_END_OF_GLOBAL_WINDOW_MILLIS).toBe(9223371950454775n);
    expectVector(c, END_OF_GLOBAL_WINDOW, "80 20 c4 9b a0 bc f7 f7");
    // Beyond the bounds clamps to them; so does decoding Java's Long.MIN/MAX_VALUE.
    expect(c.encodeToBytes(Infinity)).toEqual(c.encodeToBytes(TIMESTAMP_MAX));
    expect(c.encodeToBytes(-Infinity)).toEqual(c.encodeToBytes(TIMESTAMP_MIN));
    expect(c.decodeFromBytes(fromHex("00 00 00 00 00 00 00 00"))).toBe(TIMESTAMP_MIN);
    expect(c.decodeFromBytes(fromHex("ff ff ff ff ff ff ff ff"))).toBe(TIMESTAMP_MAX);
  });
  it("round-trips safe and unsafe millis", () => {
    for (const t of [0, 1, -1, 2 ** 31, -(2 ** 31), 2 ** 32 + 5, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, 9.1e15, -9.1e15, Date.UTC(2024, 0, 1)]) {
      expect(roundTrip(c, t)).toBe(t);
    }
  });
  it("floors fractional millis and refuses NaN", () => {
    expect(c.decodeFromBytes(c.encodeToBytes(1.7))).toBe(1);
    expect(c.decodeFromBytes(c.encodeToBytes(-1.2))).toBe(-2);
    expect(() => c.encodeToBytes(NaN)).toThrow(/not a timestamp/);
  });
});

describe("IntervalWindowCoder (beam:coder:interval_window:v1)", () => {
  const c = IntervalWindowCoder.of();
  it("writes the end, then the span as a varint", () => {
    expectVector(c, new IntervalWindow(0, 1000), "80 00 00 00 00 00 03 e8 | e8 07");
    expectVector(c, new IntervalWindow(-1000, 0), "80 00 00 00 00 00 00 00 | e8 07");
  });
  it("matches standard_coders.yaml", () => {
    expectVector(c, new IntervalWindow(1454293425000 - 3600000, 1454293425000), "80 00 01 52 9a a4 9b 68 80 dd db 01");
    expectVector(c, new IntervalWindow(1456881825000 - 2592000000, 1456881825000), "80 00 01 53 34 ec 74 e8 80 90 fb d3 09");
    // {end: -9223372036854410, span: 365}: the start is TIMESTAMP_MIN_VALUE.
    expectVector(c, new IntervalWindow(TIMESTAMP_MIN, -9223372036854410), "7f df 3b 64 5a 1c ad 76 ed 02");
    // {end: 9223372036854775, span: 0}
    expectVector(c, new IntervalWindow(TIMESTAMP_MAX, TIMESTAMP_MAX), "80 20 c4 9b a5 e3 53 f7 00");
  });
  it("round-trips windows at the bounds", () => {
    for (const w of [new IntervalWindow(TIMESTAMP_MIN, TIMESTAMP_MAX), new IntervalWindow(TIMESTAMP_MIN, 0), new IntervalWindow(0, END_OF_GLOBAL_WINDOW)]) {
      const back = roundTrip(c, w);
      expect(back.equals(w)).toBe(true);
    }
  });
});

describe("GlobalWindowCoder (beam:coder:global_window:v1)", () => {
  it("writes nothing", () => {
    expectVector(GlobalWindowCoder.of(), GlobalWindow.INSTANCE, "");
    // standard_coders.yaml: an iterable of one global window.
    expectVector(IterableCoder.of(GlobalWindowCoder.of()), [GlobalWindow.INSTANCE], "00 00 00 01");
  });
});

describe("PaneInfoCoder (Beam's PaneInfo.PaneInfoCoder)", () => {
  const c = PaneInfoCoder.of();
  it("writes one byte for the common panes (Encoding.FIRST)", () => {
    // NO_FIRING: first | last | UNKNOWN(3)<<2 = 0x0f.
    expectVector(c, PaneInfo.NO_FIRING, "0f");
    // ON_TIME_AND_ONLY_FIRING: first | last | ON_TIME(1)<<2 = 0x07.
    expectVector(c, PaneInfo.ON_TIME_AND_ONLY_FIRING, "07");
    expect(c.decodeFromBytes(fromHex("0f"))).toBe(PaneInfo.NO_FIRING);
    expect(c.decodeFromBytes(fromHex("07"))).toBe(PaneInfo.ON_TIME_AND_ONLY_FIRING);
    // First, not last, ON_TIME, index 0 and 0: 0x01 | 0x04.
    expectVector(c, PaneInfo.of(true, false, "ON_TIME", 0, 0), "05");
    // UNKNOWN always uses FIRST; the decoded pane is the table's (index 0 for first).
    expectVector(c, PaneInfo.of(true, false, "UNKNOWN", 0, 0), "0d");
  });
  it("writes ONE_INDEX for EARLY panes and index = nonSpeculativeIndex", () => {
    // First EARLY pane: (true, false, EARLY, 0, -1): 0x10 | 0x01, index 0.
    expectVector(c, PaneInfo.of(true, false, "EARLY", 0, -1), "11 00");
    // Second EARLY pane: (false, false, EARLY, 1, -1): 0x10, index 1.
    expectVector(c, PaneInfo.of(false, false, "EARLY", 1, -1), "10 01");
    // (false, false, ON_TIME, 1, 1): 0x10 | 0x04, index 1.
    expectVector(c, PaneInfo.of(false, false, "ON_TIME", 1, 1), "14 01");
  });
  it("writes TWO_INDICES otherwise", () => {
    // standard_coders.yaml (param_windowed_value payload): PaneInfo(false, true, ON_TIME, 30, 40) → 26 1e 28.
    expectVector(c, PaneInfo.of(false, true, "ON_TIME", 30, 40), "26 1e 28");
    // (false, false, LATE, 3, 1): 0x20 | LATE(2)<<2.
    expectVector(c, PaneInfo.of(false, false, "LATE", 3, 1), "28 03 01");
    // (false, true, LATE, 300, 2)
    expectVector(c, PaneInfo.of(false, true, "LATE", 300, 2), "2a ac 02 02");
  });
  it("refuses an unknown encoding", () => {
    expect(() => c.decodeFromBytes(fromHex("3f"))).toThrow(/unknown encoding 0x30/);
  });
});

describe("WindowedValueCoder (beam:coder:windowed_value:v1, FullWindowedValueCoder)", () => {
  it("writes a value in the global window", () => {
    const c = WindowedValueCoder.of(StringUtf8Coder.of(), GlobalWindowCoder.of());
    // timestamp TIMESTAMP_MIN | 1 window | (global window: no bytes) | NO_FIRING | "a"
    expectVector(c, WindowedValue.valueInGlobalWindow("a"), "7f df 3b 64 5a 1c ac 09 | 00 00 00 01 | 0f | 01 61");
    const back = c.decodeFromBytes(c.encodeToBytes(WindowedValue.valueInGlobalWindow("a")));
    expect(back.windows).toBe(WindowedValue.GLOBAL_WINDOWS);
    expect(back.pane).toBe(PaneInfo.NO_FIRING);
  });
  it("matches standard_coders.yaml", () => {
    const g = WindowedValueCoder.of(VarLongCoder.of(), GlobalWindowCoder.of());
    expectVector(g, WindowedValue.valueInGlobalWindow(2, 1454293425000), "80 00 01 52 9a a4 9b 68 00 00 00 01 0f 02");
    const iw = WindowedValueCoder.of(VarLongCoder.of(), IntervalWindowCoder.of());
    expectVector(
      iw,
      WindowedValue.of(4, -400000, [new IntervalWindow(1454293425000 - 280000, 1454293425000)], PaneInfo.NO_FIRING),
      "7f ff ff ff ff f9 e5 80 00 00 00 01 80 00 01 52 9a a4 9b 68 c0 8b 11 0f 04",
    );
    expectVector(
      iw,
      WindowedValue.of(2, -100, [new IntervalWindow(1454293425000 - 3600000, 1454293425000), new IntervalWindow(TIMESTAMP_MIN, -9223372036854410)], PaneInfo.NO_FIRING),
      "7f ff ff ff ff ff ff 9c 00 00 00 02 80 00 01 52 9a a4 9b 68 80 dd db 01 7f df 3b 64 5a 1c ad 76 ed 02 0f 02",
    );
  });
  it("round-trips panes and timestamps", () => {
    const c = WindowedValueCoder.of(StringUtf8Coder.of(), IntervalWindowCoder.of());
    const wv = WindowedValue.of("x", 999, [new IntervalWindow(0, 1000)], PaneInfo.of(false, true, "LATE", 5, 2));
    expect(roundTrip(c, wv)).toEqual(wv);
    const max = WindowedValue.of("y", END_OF_GLOBAL_WINDOW, [new IntervalWindow(0, TIMESTAMP_MAX)], PaneInfo.ON_TIME_AND_ONLY_FIRING);
    expect(roundTrip(c, max)).toEqual(max);
  });
});
