/**
 * The live pane table (issue 14, point 5): the latest pane per key and window replaces its
 * row, non-KVs get a row per element, the rows the latest update changed are marked, and the
 * text and HTML end with the status line (bounds while running, the reason once stopped).
 */
import { describe, expect, it } from "vitest";
import { KV } from "../../../src/sdk/values/kv.js";
import { PaneInfo } from "../../../src/sdk/values/pane.js";
import { GlobalWindow, IntervalWindow } from "../../../src/sdk/values/windows.js";
import { WindowedValue } from "../../../src/sdk/values/windowed_value.js";
import { LIVE_MIME, LivePanes, liveTable, renderLiveTable, statusLine, type LiveStatus } from "../../../src/display/live/index.js";

const w0 = new IntervalWindow(0, 60_000);
const w1 = new IntervalWindow(60_000, 120_000);
const pane = (timing: "EARLY" | "ON_TIME" | "LATE", index: number) => PaneInfo.of(index === 0, false, timing, index, timing === "EARLY" ? -1 : 0);
const kv = (k: string, v: number, w: IntervalWindow, timing: "EARLY" | "ON_TIME" | "LATE", index: number) => WindowedValue.of(KV.of(k, v), w.maxTimestamp(), [w], pane(timing, index));
const running: LiveStatus = { durationMs: 10_000, n: 20, elapsedMs: 1_500, elements: 3 };

function textRows(text: string): string[] {
  return text.split("\n");
}

describe("live pane table", () => {
  it("keeps the latest pane per key and window, marks what the latest update changed", () => {
    const panes = new LivePanes();
    panes.add([kv("a", 1, w0, "EARLY", 0), kv("b", 5, w0, "EARLY", 0)]);
    panes.endUpdate();
    panes.add([kv("a", 3, w0, "ON_TIME", 1), kv("a", 2, w1, "EARLY", 0)]);
    panes.endUpdate();
    const table = liveTable("Counts", panes);
    expect(table.columns.map((c) => c.name)).toEqual(["*", "key", "value", "window", "pane", "index", "timestamp"]);
    expect(table.rows.map((r) => r.map((c) => c?.text))).toEqual([
      ["*", "a", "3", "[1970-01-01 00:00:00, 00:01:00)", "ON_TIME", "1", "1970-01-01T00:00:59.999Z"],
      ["", "b", "5", "[1970-01-01 00:00:00, 00:01:00)", "EARLY", "0", "1970-01-01T00:00:59.999Z"],
      ["*", "a", "2", "[1970-01-01 00:01:00, 00:02:00)", "EARLY", "0", "1970-01-01T00:01:59.999Z"],
    ]);
    expect(table.title).toBe("Counts · live: latest pane per key and window · 3 rows");
    // A batch's watermark (the producing stage's) goes into the title.
    panes.add([], 6 * 60_000);
    expect(liveTable("Counts", panes).title).toBe("Counts · live: latest pane per key and window · 3 rows · watermark 1970-01-01T00:06:00Z");
    expect(panes.elements).toBe(4);
    expect(panes.timings).toMatchObject({ EARLY: 3, ON_TIME: 1, LATE: 0 });
    // A late pane for b: only b's row is marked in the next update.
    panes.add([kv("b", 6, w0, "LATE", 1)]);
    panes.endUpdate();
    const marks = liveTable("Counts", panes).rows.map((r) => r[0]!.text);
    expect(marks).toEqual(["", "*", ""]);
    // A redraw with nothing new keeps the marks of the last update that changed something.
    panes.endUpdate();
    expect(liveTable("Counts", panes).rows.map((r) => r[0]!.text)).toEqual(["", "*", ""]);
  });

  it("keys equal by value are one row (keys decode as new objects each time)", () => {
    const panes = new LivePanes();
    panes.add([WindowedValue.of(KV.of({ user: "x" }, 1), 0, [w0], pane("EARLY", 0))]);
    panes.add([WindowedValue.of(KV.of({ user: "x" }, 2), 0, [w0], pane("EARLY", 1))]);
    panes.endUpdate();
    expect(panes.rows()).toHaveLength(1);
    expect(panes.rows()[0]!.replaced).toBe(1);
  });

  it("gives non-KV elements a row each, one per window of an element in several", () => {
    const panes = new LivePanes();
    panes.add([WindowedValue.of(7, 100, [w0, w1], PaneInfo.NO_FIRING), WindowedValue.of(7, 200, [GlobalWindow.INSTANCE], PaneInfo.NO_FIRING)]);
    panes.endUpdate();
    expect(panes.perKey).toBe(false);
    expect(panes.elements).toBe(2);
    const t = liveTable("Numbers", panes);
    expect(t.columns.map((c) => c.name)).toEqual(["*", "value", "window", "pane", "index", "timestamp"]);
    expect(t.rows).toHaveLength(3);
    expect(t.title).toBe("Numbers · live: elements as they come · 3 rows");
  });

  it("says its bounds while running and why it stopped at the end, in text and HTML", () => {
    const panes = new LivePanes();
    panes.add([kv("a", 1, w0, "EARLY", 0)]);
    panes.endUpdate();
    const live = renderLiveTable("Counts", panes, running, { width: 120 });
    const text = live["text/plain"] as string;
    expect(textRows(text).at(-2)).toBe("live · 1.5 s of 10 s · 3 of 20 elements · stops at whichever comes first");
    expect(textRows(text).at(-1)).toBe("* changed by the latest update");
    expect(live[LIVE_MIME]).toEqual({ state: "running" });
    const done = renderLiveTable("Counts", panes, { ...running, elapsedMs: 10_020, elements: 14, stopped: { reason: "duration" } }, { width: 120 });
    expect(textRows(done["text/plain"] as string).at(-1)).toBe("stopped: duration reached (10 s) · 14 elements in 10.0 s");
    expect(done["text/html"]).toContain("stopped: duration reached (10 s)");
    expect(done[LIVE_MIME]).toEqual({ state: "stopped", reason: "duration" });
    // Every line fits the width.
    for (const line of textRows(renderLiveTable("Counts", panes, running, { width: 40 })["text/plain"] as string)) expect(line.length).toBeLessThanOrEqual(40);
  });

  it("names every reason to stop", () => {
    const s = (reason: "duration" | "count" | "ended" | "interrupted" | "failed", error?: string) =>
      statusLine({ ...running, elements: 20, elapsedMs: 2_000, stopped: error ? { reason, error } : { reason } });
    expect(s("count")).toBe("stopped: n reached (20 elements) · 20 elements in 2.0 s");
    expect(s("ended")).toBe("stopped: the source ended · 20 elements in 2.0 s");
    expect(s("interrupted")).toBe("stopped: interrupted · 20 elements in 2.0 s");
    expect(s("failed", "Error in Parse while processing 3:\n  Boom: bad element\n  at x")).toBe("stopped: the run failed: Error in Parse while processing 3: Boom: bad element · 20 elements in 2.0 s");
  });

  it("before the first element, says it is waiting (no columns yet)", () => {
    const text = renderLiveTable("Counts", new LivePanes(), { ...running, elements: 0 })["text/plain"] as string;
    expect(text.split("\n")).toEqual([
      "Counts · live: elements as they come · 0 rows",
      "(waiting for the first elements…)",
      "live · 1.5 s of 10 s · 0 of 20 elements · stops at whichever comes first",
    ]);
  });
});
