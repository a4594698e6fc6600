import { describe, expect, it } from "vitest";
import { emptyProgress, foldRunEvent, isSettled, summarizeRun } from "../../../src/display/progress/index.js";
import type { RunEvent } from "../../../src/sdk/runner.js";

const fold = (events: RunEvent[], runId?: string) => events.reduce((s, e) => foldRunEvent(s, e, runId), emptyProgress());

describe("foldRunEvent", () => {
  it("follows a run from start to finish: stages, latest counts per transform, the end", () => {
    const s = fold([
      { kind: "run-started", at: 100, runner: "direct", jobName: "wc" },
      { kind: "stage-started", at: 110, stage: "s1", name: "Read+Split" },
      { kind: "progress", at: 200, transforms: [{ transform: "Read", elementsOut: 10, bytesRead: 500 }] },
      { kind: "progress", at: 300, transforms: [{ transform: "Read", elementsOut: 40, bytesRead: 2000 }, { transform: "Split", elementsIn: 40, elementsOut: 90 }] },
      { kind: "stage-started", at: 310, stage: "s2", name: "Count" },
      { kind: "stage-finished", at: 320, stage: "s1", name: "Read+Split" },
      { kind: "run-finished", at: 400, state: "DONE", durationMs: 300 },
    ]);
    expect(s.runs).toHaveLength(1);
    const run = s.runs[0]!;
    expect(run).toMatchObject({ id: "run-1", runner: "direct", jobName: "wc", startedAt: 100, updatedAt: 400 });
    expect(run.transforms).toEqual([
      { transform: "Read", elementsOut: 40, bytesRead: 2000 },
      { transform: "Split", elementsIn: 40, elementsOut: 90 },
    ]);
    // A stage still open when the run ends ends with it.
    expect(run.stages.map((x) => [x.stage, x.startedAt, x.finishedAt])).toEqual([["s1", 110, 320], ["s2", 310, 400]]);
    expect(run.finished).toEqual({ state: "DONE", at: 400, durationMs: 300 });
    expect(isSettled(s)).toBe(true);
  });

  it("is pure: the state before an event is unchanged, and an output event changes nothing", () => {
    const a = fold([{ kind: "run-started", at: 0, runner: "direct" }]);
    const snapshot = JSON.stringify(a);
    const b = foldRunEvent(a, { kind: "progress", at: 5, transforms: [{ transform: "T", elementsIn: 1 }] });
    expect(JSON.stringify(a)).toBe(snapshot);
    expect(b).not.toBe(a);
    expect(foldRunEvent(b, { kind: "output", at: 6, stream: "stdout", text: "hi\n" })).toBe(b);
  });

  it("holds several runs of one cell: a new run-started begins a new run", () => {
    const s = fold([
      { kind: "run-started", at: 0, runner: "direct" },
      { kind: "run-finished", at: 10, state: "DONE", durationMs: 10 },
      { kind: "run-started", at: 20, runner: "flink" },
      { kind: "stage-started", at: 21, stage: "x", name: "X" },
    ]);
    expect(s.runs.map((r) => [r.id, r.runner, r.stages.length, !!r.finished])).toEqual([["run-1", "direct", 0, true], ["run-2", "flink", 1, false]]);
    expect(isSettled(s)).toBe(false);
  });

  it("keeps interleaved runs apart by the caller's run id", () => {
    let s = emptyProgress();
    s = foldRunEvent(s, { kind: "run-started", at: 0, runner: "direct" }, "a");
    s = foldRunEvent(s, { kind: "run-started", at: 1, runner: "flink" }, "b");
    s = foldRunEvent(s, { kind: "progress", at: 2, transforms: [{ transform: "A", elementsIn: 5 }] }, "a");
    s = foldRunEvent(s, { kind: "run-finished", at: 3, state: "FAILED", durationMs: 2, error: "boom" }, "b");
    expect(s.runs.map((r) => [r.id, r.transforms.length, r.finished?.state])).toEqual([["a", 1, undefined], ["b", 0, "FAILED"]]);
  });

  it("starts a run at its first event when the runner sent no run-started", () => {
    const s = fold([{ kind: "progress", at: 50, transforms: [{ transform: "T", elementsOut: 3 }] }]);
    expect(s.runs).toHaveLength(1);
    expect(s.runs[0]!.startedAt).toBe(50);
  });
});

describe("summarizeRun", () => {
  it("names the busiest transform, sums bytes, and counts stages", () => {
    const s = fold([
      { kind: "run-started", at: 0, runner: "direct" },
      { kind: "stage-started", at: 0, stage: "1", name: "A" },
      { kind: "stage-started", at: 0, stage: "2", name: "B" },
      { kind: "stage-finished", at: 5, stage: "1", name: "A" },
      { kind: "progress", at: 9, transforms: [{ transform: "Read", elementsOut: 100, bytesRead: 700 }, { transform: "Map", elementsIn: 100, elementsOut: 300 }, { transform: "Sum", elementsIn: 300, elementsOut: 2 }, { transform: "Read2", bytesRead: 300 }] },
    ]);
    const sum = summarizeRun(s.runs[0]!, 1000);
    expect(sum).toMatchObject({ status: "running", stagesDone: 1, stagesKnown: 2, currentStage: { index: 2, name: "B" }, fraction: 0.5, bytesRead: 1000, elapsedMs: 1000 });
    expect(sum.busiest?.transform).toBe("Sum");
    expect(sum.elementsProcessed).toBe(100 + 100 + 300);
  });
});
