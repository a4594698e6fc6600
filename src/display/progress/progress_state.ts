/**
 * A cell's runs as the progress display sees them: RunEvents folded into a plain,
 * JSON-able state (what `application/vnd.flowbook.progress+json` carries, so the REPL can
 * draw its own bar). The fold is pure: it returns a new state, or the same one when an
 * event changes nothing (an `output` event), so a caller can skip redrawing.
 */
import type { PipelineState, RunEvent, TransformProgress } from "../../sdk/runner.js";

export interface StageProgress {
  stage: string;
  name: string;
  startedAt: number;
  finishedAt?: number;
}

export interface RunProgress {
  /** The caller's key for the run (one per PipelineResult), else `run-1`, `run-2`, … */
  id: string;
  runner: string;
  jobName?: string;
  jobId?: string;
  startedAt: number;
  /** When the latest event came. */
  updatedAt: number;
  /** In the order they started. */
  stages: StageProgress[];
  /** The latest counts per transform, in the order transforms were first reported. */
  transforms: TransformProgress[];
  finished?: { state: PipelineState; at: number; durationMs: number; error?: string };
}

export interface ProgressState {
  runs: RunProgress[];
}

export function emptyProgress(): ProgressState {
  return { runs: [] };
}

/** True when every run has finished (and there is at least one): the display's final form. */
export function isSettled(state: ProgressState): boolean {
  return state.runs.length > 0 && state.runs.every((r) => r.finished !== undefined);
}

/**
 * `state` with `event` applied. `runId` says which run the event belongs to when a cell
 * has several going at once; without it, `run-started` begins a new run and any other
 * event goes to the latest unfinished run (a run whose runner sent no `run-started`
 * begins at its first event).
 */
export function foldRunEvent(state: ProgressState, event: RunEvent, runId?: string): ProgressState {
  if (event.kind === "output") return state;
  let index = runId !== undefined ? state.runs.findIndex((r) => r.id === runId) : -1;
  if (runId === undefined && event.kind !== "run-started") index = latestOpenRun(state);
  const runs = [...state.runs];
  if (index < 0 || (runId === undefined && event.kind === "run-started")) {
    runs.push(newRun(runId ?? `run-${state.runs.length + 1}`, event));
    index = runs.length - 1;
  }
  runs[index] = applyToRun(runs[index]!, event);
  return { runs };
}

function latestOpenRun(state: ProgressState): number {
  for (let i = state.runs.length - 1; i >= 0; i--) if (!state.runs[i]!.finished) return i;
  return -1;
}

function newRun(id: string, event: RunEvent): RunProgress {
  return { id, runner: event.kind === "run-started" ? event.runner : "", startedAt: event.at, updatedAt: event.at, stages: [], transforms: [] };
}

function applyToRun(run: RunProgress, event: RunEvent): RunProgress {
  const updatedAt = Math.max(run.updatedAt, event.at);
  switch (event.kind) {
    case "run-started":
      return { ...run, runner: event.runner, jobName: event.jobName, jobId: event.jobId, startedAt: event.at, updatedAt };
    case "stage-started": {
      if (run.stages.some((s) => s.stage === event.stage)) return { ...run, updatedAt };
      return { ...run, updatedAt, stages: [...run.stages, { stage: event.stage, name: event.name, startedAt: event.at }] };
    }
    case "stage-finished": {
      const known = run.stages.some((s) => s.stage === event.stage);
      const stages = known
        ? run.stages.map((s) => (s.stage === event.stage ? { ...s, finishedAt: event.at } : s))
        : [...run.stages, { stage: event.stage, name: event.name, startedAt: event.at, finishedAt: event.at }];
      return { ...run, updatedAt, stages };
    }
    case "progress": {
      // Counters are cumulative: a transform's latest report replaces its earlier one.
      const transforms = [...run.transforms];
      for (const t of event.transforms) {
        const i = transforms.findIndex((x) => x.transform === t.transform);
        if (i >= 0) transforms[i] = { ...t };
        else transforms.push({ ...t });
      }
      return { ...run, updatedAt, transforms };
    }
    case "run-finished": {
      // Stages still open when the run ends end with it.
      const stages = run.stages.map((s) => (s.finishedAt === undefined ? { ...s, finishedAt: event.at } : s));
      const finished = { state: event.state, at: event.at, durationMs: event.durationMs, ...(event.error !== undefined ? { error: event.error } : {}) };
      return { ...run, updatedAt, stages, finished };
    }
    default:
      return run;
  }
}
