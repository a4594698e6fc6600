/**
 * GroupByKey's reading half over one key's records (the shape the sorted shuffle's KeyGroup
 * has): values decoded with one reader per buffer, except for a coder that reads to the end of
 * its input, which gets exactly its value's bytes.
 */
import { describe, expect, it } from "vitest";
import { GroupByKeyReader, type KeyRecords } from "../../../../src/runners/harness/inputs/group_by_key_read.js";
import { ByteWriter, type ByteReader } from "../../../../src/sdk/coders/byte_io.js";
import { Coder } from "../../../../src/sdk/coders/coder.js";
import { StringUtf8Coder } from "../../../../src/sdk/coders/string_utf8_coder.js";
import { VarLongCoder } from "../../../../src/sdk/coders/var_long_coder.js";
import type { WindowedValue } from "../../../../src/sdk/values/windowed_value.js";
import { GlobalWindows } from "../../../../src/sdk/windowing/global_windows.js";
import { WindowingStrategy } from "../../../../src/sdk/windowing/windowing_strategy.js";

/** Bytes up to the end of its input, as text: a coder that does not know where its value ends. */
class RestOfInputCoder extends Coder<string> {
  readonly urn = "test:rest-of-input";
  encode(v: string, out: ByteWriter): void {
    out.bytes(new TextEncoder().encode(v));
  }
  decode(input: ByteReader): string {
    const n = input.remaining();
    return new TextDecoder().decode(input.bytes(n));
  }
}

/** One key's records in one buffer, global window (zero window bytes). */
function records(values: unknown[], coder: Coder<unknown>): KeyRecords {
  const w = new ByteWriter(64);
  const spans: Array<[number, number]> = [];
  for (const v of values) {
    const start = w.view_().length;
    coder.encode(v, w);
    spans.push([start, w.view_().length]);
  }
  const bytes = w.view_().slice();
  return {
    size: values.length,
    bytesOf: () => bytes,
    windowStart: (i) => spans[i]![0],
    windowEnd: (i) => spans[i]![0],
    payloadStart: (i) => spans[i]![0],
    payloadEnd: (i) => spans[i]![1],
    timestamp: () => 0,
  };
}

function group(values: unknown[], coder: Coder<unknown>): unknown {
  const out: WindowedValue<unknown>[] = [];
  const key = new ByteWriter(8);
  StringUtf8Coder.of().encode("k", key);
  const k = key.view_().slice();
  new GroupByKeyReader(StringUtf8Coder.of() as Coder<unknown>, coder, new WindowingStrategy(new GlobalWindows()), { process: (wv) => out.push(wv) }, "G").readKey(k, 0, k.length, records(values, coder));
  return out.map((wv) => wv.value);
}

describe("GroupByKeyReader", () => {
  it("decodes each value of a key, in order", () => {
    expect(group([3, 1, 2], VarLongCoder.of() as Coder<unknown>)).toEqual([{ key: "k", value: [3, 1, 2] }]);
  });

  it("gives a coder that reads to the end of its input exactly its value's bytes", () => {
    expect(group(["ab", "c", "def"], new RestOfInputCoder() as Coder<unknown>)).toEqual([{ key: "k", value: ["ab", "c", "def"] }]);
  });
});
