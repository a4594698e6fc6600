/**
 * What a progress line says about one run, computed once for the text, the HTML and any
 * front end drawing its own bar (the REPL reads the state from the progress+json mime).
 */
import type { TransformProgress } from "../../sdk/runner.js";
import type { RunProgress } from "./progress_state.js";

export interface RunSummary {
  status: "running" | "done" | "failed" | "cancelled";
  /** Stages finished, and stages known so far (runners report a stage when it starts). */
  stagesDone: number;
  stagesKnown: number;
  /** The stage shown as "stage i of n": the first one still running, else the last. */
  currentStage?: { index: number; name: string };
  /** stagesDone / stagesKnown while running (undefined when no stage is known: a spinner); 1 when finished. */
  fraction?: number;
  /** The transform that has handled the most elements. */
  busiest?: TransformProgress;
  /** Elements handled by all transforms (each transform's elements in, or out for a source). */
  elementsProcessed: number;
  bytesRead: number;
  bytesWritten: number;
  elapsedMs: number;
  /** The error's first line, for a failed run. */
  error?: string;
}

export function summarizeRun(run: RunProgress, now?: number): RunSummary {
  const stagesDone = run.stages.filter((s) => s.finishedAt !== undefined).length;
  const running = run.stages.findIndex((s) => s.finishedAt === undefined);
  const currentIndex = running >= 0 ? running : run.stages.length - 1;
  const handled = (t: TransformProgress): number => t.elementsIn ?? t.elementsOut ?? 0;
  let busiest: TransformProgress | undefined;
  for (const t of run.transforms) {
    if (!busiest || handled(t) > handled(busiest) || (handled(t) === handled(busiest) && (t.elementsOut ?? 0) > (busiest.elementsOut ?? 0))) busiest = t;
  }
  const status = !run.finished
    ? "running"
    : run.finished.state === "FAILED" || run.finished.error !== undefined
      ? "failed"
      : run.finished.state === "CANCELLED"
        ? "cancelled"
        : "done";
  return {
    status,
    stagesDone,
    stagesKnown: run.stages.length,
    currentStage: currentIndex >= 0 ? { index: currentIndex + 1, name: run.stages[currentIndex]!.name } : undefined,
    fraction: run.finished ? 1 : fractionOf(run, stagesDone),
    busiest,
    elementsProcessed: run.transforms.reduce((a, t) => a + handled(t), 0),
    bytesRead: run.transforms.reduce((a, t) => a + (t.bytesRead ?? 0), 0),
    bytesWritten: run.transforms.reduce((a, t) => a + (t.bytesWritten ?? 0), 0),
    elapsedMs: run.finished ? run.finished.durationMs : Math.max(0, (now ?? run.updatedAt) - run.startedAt),
    error: run.finished?.error?.split("\n")[0],
  };
}

/**
 * How far a running run is: finished stages, plus the reading done in the running ones when
 * a source says its size. Undefined when nothing says (one stage of unknown size: a spinner,
 * never a bar that stays empty until the end).
 */
function fractionOf(run: RunProgress, stagesDone: number): number | undefined {
  let read = 0;
  let total = 0;
  for (const t of run.transforms) {
    if (t.bytesTotal !== undefined && t.bytesTotal > 0) {
      read += Math.min(t.bytesRead ?? 0, t.bytesTotal);
      total += t.bytesTotal;
    }
  }
  const reading = total > 0 ? read / total : undefined;
  const stages = run.stages.length;
  if (stages === 0) return reading;
  if (reading === undefined) return stages > 1 ? stagesDone / stages : undefined;
  // The read fills the first stage's share (the one reading the sources), so the bar moves
  // while a long read runs and goes on from there when that stage ends.
  return (stagesDone + (stagesDone === 0 ? reading : 0)) / stages;
}
