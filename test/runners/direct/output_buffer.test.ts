/** The worker's buffer of users' output: order, joining, and whole lines. */
import { describe, expect, it } from "vitest";
import { OutputBuffer, type OutputRecord } from "../../../src/runners/direct/output_buffer.js";

function buffer(): { b: OutputBuffer; got: OutputRecord[][] } {
  const got: OutputRecord[][] = [];
  return { b: new OutputBuffer((r) => got.push(r)), got };
}

describe("OutputBuffer", () => {
  it("joins consecutive output of one run, stream and transform, and keeps the order of the rest", () => {
    const { b, got } = buffer();
    b.add("r", "stdout", "a\n", "T");
    b.add("r", "stdout", "b\n", "T");
    b.add("r", "stderr", "e\n", "T");
    b.add("r", "stdout", "c\n", "U");
    b.add("q", "stdout", "d\n", "U");
    b.flush();
    expect(got).toEqual([
      [
        { run: "r", stream: "stdout", text: "a\nb\n", transform: "T" },
        { run: "r", stream: "stderr", text: "e\n", transform: "T" },
        { run: "r", stream: "stdout", text: "c\n", transform: "U" },
        { run: "q", stream: "stdout", text: "d\n", transform: "U" },
      ],
    ]);
  });

  it("delivers by itself once 64 KB wait, and when the event loop turns", async () => {
    const { b, got } = buffer();
    const line = "x".repeat(1023) + "\n";
    for (let i = 0; i < 64; i++) b.add("r", "stdout", line, "T");
    expect(got).toHaveLength(1);
    expect(got[0]![0]!.text).toBe(line.repeat(64));
    b.add("r", "stdout", "later\n", "T");
    expect(got).toHaveLength(1);
    await new Promise((resolve) => setImmediate(resolve));
    expect(got[1]).toEqual([{ run: "r", stream: "stdout", text: "later\n", transform: "T" }]);
  });

  it("holds a line still being written until it ends, unless the owner flushes", async () => {
    const { b, got } = buffer();
    b.add("r", "stdout", "done\n50%", "T");
    await new Promise((resolve) => setImmediate(resolve));
    expect(got).toEqual([[{ run: "r", stream: "stdout", text: "done\n", transform: "T" }]]);
    b.add("r", "stdout", " 100%\n", "T");
    await new Promise((resolve) => setImmediate(resolve));
    expect(got[1]).toEqual([{ run: "r", stream: "stdout", text: "50% 100%\n", transform: "T" }]);
    b.add("r", "stdout", "no newline", "T");
    b.flush();
    expect(got[2]).toEqual([{ run: "r", stream: "stdout", text: "no newline", transform: "T" }]);
  });
});
