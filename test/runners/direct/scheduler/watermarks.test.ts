/**
 * The watermark manager alone: input = min(producers' outputs, pending bundles), output =
 * min(input, holds), a bounded source's −∞ → +∞, side inputs complete only at +∞.
 */
import { describe, expect, it } from "vitest";
import { WATERMARK_MAX, WATERMARK_MIN, WatermarkManager } from "../../../../src/runners/direct/scheduler/watermarks.js";

/** Two sources feeding a Flatten stage F, which feeds a shuffle reader G; S is a side input of G. */
function diamond() {
  return new WatermarkManager([
    { id: "A", producers: [], sideProducers: [], source: true },
    { id: "B", producers: [], sideProducers: [], source: true },
    { id: "S", producers: [], sideProducers: [], source: true },
    { id: "F", producers: ["A", "B"], sideProducers: [] },
    { id: "G", producers: ["F"], sideProducers: ["S"] },
  ]);
}

describe("watermark manager", () => {
  it("starts at −∞ and a bounded pipeline ends at +∞ everywhere", () => {
    const w = diamond();
    w.refresh();
    for (const s of w.snapshot()) expect(s).toMatchObject({ input: WATERMARK_MIN, output: WATERMARK_MIN });
    for (const s of ["A", "B", "S"]) w.setSourceWatermark(s, WATERMARK_MAX);
    const changed = w.refresh().map((c) => c.stage);
    expect(changed.sort()).toEqual(["A", "B", "F", "G", "S"]);
    for (const s of w.snapshot()) expect(s).toMatchObject({ input: WATERMARK_MAX, output: WATERMARK_MAX });
    expect(w.finished("G")).toBe(true);
  });

  it("a stage's input watermark is the minimum over its producers' output watermarks", () => {
    const w = diamond();
    w.setSourceWatermark("A", 1_000);
    w.setSourceWatermark("B", 400);
    w.refresh();
    expect(w.input("F")).toBe(400);
    w.setSourceWatermark("B", 5_000);
    w.refresh();
    expect(w.input("F")).toBe(1_000);
    expect(w.output("F")).toBe(1_000);
    expect(w.input("G")).toBe(1_000);
  });

  it("pending bundles hold the input watermark back until they are processed", () => {
    const w = diamond();
    w.setSourceWatermark("A", WATERMARK_MAX);
    w.setSourceWatermark("B", WATERMARK_MAX);
    w.addPending("F", "b1", 250);
    w.addPending("F", "b2", 700);
    w.refresh();
    expect(w.upstream("F")).toBe(WATERMARK_MAX);
    expect(w.input("F")).toBe(250);
    expect(w.output("F")).toBe(250);
    w.removePending("F", "b1");
    w.refresh();
    expect(w.input("F")).toBe(700);
    w.removePending("F", "b2");
    w.refresh();
    expect(w.input("F")).toBe(WATERMARK_MAX);
    expect(w.finished("F")).toBe(true);
  });

  it("holds keep the output watermark back, not the input", () => {
    const w = diamond();
    for (const s of ["A", "B", "S"]) w.setSourceWatermark(s, WATERMARK_MAX);
    w.setHold("G", "shuffle", 3_000);
    w.refresh();
    expect(w.input("G")).toBe(WATERMARK_MAX);
    expect(w.output("G")).toBe(3_000);
    expect(w.finished("G")).toBe(false);
    w.setHold("G", "shuffle", 9_000);
    w.refresh();
    expect(w.output("G")).toBe(9_000);
    w.clearHold("G", "shuffle");
    w.refresh();
    expect(w.output("G")).toBe(WATERMARK_MAX);
  });

  it("watermarks never go back: a late hold or bundle only delays later advances", () => {
    const w = diamond();
    w.setSourceWatermark("A", 1_000);
    w.setSourceWatermark("B", 1_000);
    w.refresh();
    w.addPending("F", "late", 10);
    w.refresh();
    expect(w.input("F")).toBe(1_000);
    w.setSourceWatermark("A", 2_000);
    w.setSourceWatermark("B", 2_000);
    w.refresh();
    expect(w.input("F")).toBe(1_000);
    w.removePending("F", "late");
    w.refresh();
    expect(w.input("F")).toBe(2_000);
  });

  it("side inputs are ready only once their producer's output watermark is +∞, and do not hold the input", () => {
    const w = diamond();
    for (const s of ["A", "B"]) w.setSourceWatermark(s, WATERMARK_MAX);
    w.setSourceWatermark("S", 5_000);
    w.refresh();
    expect(w.input("G")).toBe(WATERMARK_MAX);
    expect(w.sideInputsReady("G")).toBe(false);
    w.setSourceWatermark("S", WATERMARK_MAX);
    w.refresh();
    expect(w.sideInputsReady("G")).toBe(true);
  });

  it("refuses wiring to unknown stages and cycles, naming them", () => {
    expect(() => new WatermarkManager([{ id: "X", producers: ["Y"], sideProducers: [] }])).toThrow(/stage X reads stage Y/);
    expect(() => new WatermarkManager([
      { id: "X", producers: ["Y"], sideProducers: [] },
      { id: "Y", producers: ["X"], sideProducers: [] },
    ])).toThrow(/X, Y read each other in a cycle/);
  });
});
