import { describe, expect, it } from "vitest";
import { Mime } from "../../../src/display/mime.js";
import { emptyProgress, foldRunEvent, renderProgress, type ProgressState } from "../../../src/display/progress/index.js";
import { displayWidth } from "../../../src/display/table/text_width.js";
import type { RunEvent } from "../../../src/sdk/runner.js";

const wordcount: RunEvent[] = [
  { kind: "run-started", at: 1000, runner: "direct", jobName: "wordcount" },
  { kind: "stage-started", at: 1010, stage: "s1", name: "ReadLines+ExtractWords" },
  { kind: "stage-started", at: 1010, stage: "s2", name: "CountWords" },
  { kind: "progress", at: 1500, transforms: [{ transform: "ReadLines", elementsOut: 40000, bytesRead: 1_600_000 }, { transform: "ExtractWords", elementsIn: 40000, elementsOut: 320000 }] },
  { kind: "stage-finished", at: 2000, stage: "s1", name: "ReadLines+ExtractWords" },
  { kind: "progress", at: 2500, transforms: [{ transform: "CountWords/Count.PerElement/Combine.perKey/GroupByKey", elementsIn: 330000, elementsOut: 12000 }] },
  { kind: "run-finished", at: 3300, state: "DONE", durationMs: 2300 },
];

/** The state after the first `n` events of the run. */
const after = (n: number, events = wordcount): ProgressState => events.slice(0, n).reduce((s, e) => foldRunEvent(s, e), emptyProgress());
const text = (s: ProgressState, ctx = {}) => renderProgress(s, { width: 100, ...ctx })[Mime.text] as string;

describe("renderProgress text/plain", () => {
  it("before any event, says it waits", () => {
    expect(text(emptyProgress())).toBe("waiting for the run to start…");
  });

  it("while running: spinner, bar, stage i of n, the busiest transform's counts, elapsed", () => {
    const line = text(after(4), { now: 1600, width: 120 });
    expect(line).toMatch(/^[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] direct wordcount · ░{12} · stage 1 of 2 · ExtractWords 40,000 in → 320,000 out · 1\.6 MB read · 600 ms$/);
    // Narrower, the bar goes first; the counts and the time stay.
    expect(text(after(4), { now: 1600 })).toMatch(/ · stage 1 of 2 · ExtractWords 40,000 in → 320,000 out · 1\.6 MB read · 600 ms$/);
    const later = text(after(6), { now: 2600 });
    expect(later).toContain("stage 2 of 2");
    expect(later).toContain("330,000 in → 12,000 out");
    expect(later).toContain("1.6 s");
    // Half the stages done: half the bar, when the line has room for it.
    expect(text(after(5), { now: 2100, width: 200 })).toContain("██████░░░░░░");
  });

  it("one stage: no 'stage 1 of 1' and no bar that stays empty; a bar at the read's fraction when the source says its size", () => {
    const oneStage: RunEvent[] = [
      { kind: "run-started", at: 0, runner: "direct" },
      { kind: "stage-started", at: 0, stage: "s1", name: "Read+Write" },
      { kind: "progress", at: 100, transforms: [{ transform: "Read", elementsOut: 10, bytesRead: 300 }] },
    ];
    const unknown = text(after(3, oneStage), { now: 200, width: 200 });
    expect(unknown).not.toContain("stage 1 of 1");
    expect(unknown).not.toMatch(/[█░]/);
    const sized: RunEvent[] = [...oneStage.slice(0, 2), { kind: "progress", at: 100, transforms: [{ transform: "Read", elementsOut: 10, bytesRead: 300, bytesTotal: 1200 }] }];
    expect(text(after(3, sized), { now: 200, width: 200 })).toContain("███░░░░░░░░░");
    // Two stages, the first reading: the read fills the first half.
    const two: RunEvent[] = [
      { kind: "run-started", at: 0, runner: "direct" },
      { kind: "stage-started", at: 0, stage: "s1", name: "Read" },
      { kind: "stage-started", at: 0, stage: "s2", name: "Group" },
      { kind: "progress", at: 100, transforms: [{ transform: "Read", bytesRead: 600, bytesTotal: 1200 }] },
    ];
    expect(text(after(4, two), { now: 200, width: 200 })).toContain("███░░░░░░░░░");
  });

  it("spins with time", () => {
    const frames = new Set([0, 100, 200, 300].map((dt) => text(after(2), { now: 1100 + dt })[0]));
    expect(frames.size).toBe(4);
  });

  it("when done: ✓, the time taken and the totals", () => {
    const line = text(after(7), { now: 99_999 });
    expect(line).toBe("✓ direct wordcount · done in 2.3 s · 410,000 elements through 3 transforms · 1.6 MB read");
    expect(text(after(7), { width: 200 })).toContain("busiest …ement/Combine.perKey/GroupByKey 330,000 in → 12,000 out");
  });

  it("when failed: ✗ and the error's first line, which survives a narrow width", () => {
    const failed: RunEvent[] = [
      { kind: "run-started", at: 0, runner: "flink" },
      { kind: "stage-started", at: 0, stage: "a", name: "Map" },
      { kind: "run-finished", at: 500, state: "FAILED", durationMs: 500, error: "Error: boom in Map\n    at user.ts:3" },
    ];
    expect(text(after(3, failed))).toBe("✗ flink · failed after 500 ms · Error: boom in Map");
    expect(text(after(3, failed), { width: 30 })).toBe("✗ flink · Error: boom in Map");
  });

  it("shows one line per run of the cell", () => {
    let s = after(7);
    s = foldRunEvent(s, { kind: "run-started", at: 5000, runner: "direct" });
    expect(text(s, { now: 5200 }).split("\n")).toHaveLength(2);
  });

  it("keeps every line within the width", () => {
    for (let n = 0; n <= wordcount.length; n++) {
      for (const width of [120, 80, 50, 30, 10]) {
        for (const line of text(after(n), { width, now: 2000 }).split("\n")) expect(displayWidth(line), line).toBeLessThanOrEqual(width);
      }
    }
  });
});

describe("renderProgress text/html and progress+json", () => {
  it("draws a bar at the stages' fraction and a per-transform table, escaped", () => {
    const events: RunEvent[] = [
      ...wordcount.slice(0, 5),
      { kind: "progress", at: 2100, transforms: [{ transform: "Parse<script>", elementsIn: 3, elementsOut: 1 }] },
    ];
    const html = renderProgress(after(events.length, events), { now: 2200 })[Mime.html] as string;
    expect(html).toContain('aria-valuenow="50"');
    expect(html).toContain("<details open>");
    expect(html).toContain("Parse&lt;script&gt;");
    expect(html).not.toContain("<script>");
    expect(html.match(/<tr>/g)).toHaveLength(1 + 3);
    expect(html).toContain(">320,000<");
    expect(html).toContain(">1.6 MB<");
  });

  it("folds the table away and colours the bar when finished", () => {
    const html = renderProgress(after(7))[Mime.html] as string;
    expect(html).toContain('aria-valuenow="100"');
    expect(html).toContain("<details>");
    expect(html).toContain("--jp-success-color1");
  });

  it("carries the state as JSON for front ends that draw their own bar", () => {
    const s = after(4);
    const bundle = renderProgress(s);
    expect(bundle[Mime.progress]).toEqual(s);
    expect(JSON.parse(JSON.stringify(bundle[Mime.progress]))).toEqual(s);
  });
});
