/**
 * Which cell an output belongs to, and where it goes. Every execution runs inside an
 * AsyncLocalStorage scope, so whatever it sets off — a timer's console.log after the cell
 * returned, a pipeline still running, a worker's console output carried back by the run's
 * events, a display's update — is attributed to that execution, not to the one running
 * now. Outputs go to the execution's `onOutput`, else the session's, else the session's
 * text hooks (scripts: stdout and stderr, displays as their text).
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type { MimeBundle } from "../display/mime.js";
import type { CellOutput, CellRef } from "../display/outputs.js";
import { ProgressThrottle, emptyProgress, foldRunEvent, renderProgress, type ProgressState } from "../display/progress/index.js";
import type { PipelineResult, RunEvent } from "../sdk/runner.js";
import { LIVE_MIME } from "../display/live/live_status.js";

/** Everything an output needs to find its way: the execution and its hooks. */
export interface CellScope {
  readonly ref: CellRef;
  readonly onOutput?: (output: CellOutput) => void;
  readonly stdout?: (text: string) => void;
  readonly stderr?: (text: string) => void;
  readonly input?: (prompt: string, options: { password: boolean }) => Promise<string>;
  readonly runs: Array<{ result: PipelineResult; runner: string; purpose: "run" | "sample"; readonly awaited: boolean }>;
  progress?: CellProgress;
}

interface CellProgress {
  state: ProgressState;
  displayId: string;
  shown: boolean;
  throttle: ProgressThrottle<ProgressState>;
  runs: number;
}

/** An output without its cell (the router adds it). */
export type Output = CellOutput extends infer O ? (O extends CellOutput ? Omit<O, "cell"> : never) : never;

export interface CellOutputsOptions {
  onOutput?: (output: CellOutput) => void;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Show a live progress display for each cell's runs (the kernel and the REPL). */
  progress: boolean;
  /** Columns of text/plain. */
  width: () => number;
}

export class CellOutputs {
  private readonly storage = new AsyncLocalStorage<CellScope>();
  private nextDisplay = 0;
  /** Every run cells started that may still be running (a disposed session cancels them). */
  private readonly live = new Set<PipelineResult>();

  constructor(private readonly options: CellOutputsOptions) {}

  /** The execution whose code is running now (synchronously, or in a continuation it set off). */
  get scope(): CellScope | undefined {
    return this.storage.getStore();
  }

  /** Runs `fn` as execution `scope`: all it sets off is attributed to it. */
  run<T>(scope: CellScope, fn: () => T): T {
    return this.storage.run(scope, fn);
  }

  /** Sends an output of `scope` (the current execution if not given) where it belongs. */
  emit(output: Output, scope: CellScope | undefined = this.scope): void {
    const listener = scope?.onOutput ?? this.options.onOutput;
    if (listener && scope) {
      listener({ ...output, cell: scope.ref } as CellOutput);
      return;
    }
    // No front end listening: text where text goes (scripts, tests).
    switch (output.type) {
      case "stream":
        (output.name === "stderr" ? scope?.stderr ?? this.options.stderr : scope?.stdout ?? this.options.stdout)(output.text);
        return;
      case "display":
      case "update": {
        // Printed text cannot be redrawn: a live show (an unbounded PCollection) prints its first and final state.
        if (output.type === "update" && (output.bundle[LIVE_MIME] as { state?: unknown } | undefined)?.state === "running") return;
        const text = plainText(output.bundle);
        if (text) (scope?.stdout ?? this.options.stdout)(text.endsWith("\n") ? text : text + "\n");
        return;
      }
      default:
        // Results and errors: the caller of execute() has them in its CellResult.
        return;
    }
  }

  stream(name: "stdout" | "stderr", text: string): void {
    this.emit({ type: "stream", name, text });
  }

  /** A fresh display id, unique across sessions of this process. */
  displayId(): string {
    return `flowbook-progress-${process.pid}-${++this.nextDisplay}`;
  }

  /**
   * A run the current execution started: it is listed in the cell's runs, its users'
   * console output becomes the cell's stream output, and its progress the cell's live
   * progress display (one per cell, updated in place at most four times a second).
   */
  attachRun(result: PipelineResult, runner: string, purpose: "run" | "sample", awaited: () => boolean = () => true): void {
    const scope = this.scope;
    if (!scope) return;
    // Not through waitUntilFinish: that would count as the cell waiting for the run.
    for (const r of this.live) if (r.state !== "RUNNING") this.live.delete(r);
    this.live.add(result);
    scope.runs.push({
      result,
      runner,
      purpose,
      get awaited() {
        return awaited();
      },
    });
    if (!result.onEvent) return;
    const runId = this.options.progress ? `run-${(scope.progress ??= this.newProgress(scope)).runs++}` : "";
    result.onEvent((event) => this.onRunEvent(scope, runId, event));
  }

  /** Cancels every run still going, waiting for the runners' confirmation at most `ms`. */
  cancelRuns(ms: number): Promise<void> {
    return cancelWithin([...this.live], ms);
  }

  private onRunEvent(scope: CellScope, runId: string, event: RunEvent): void {
    if (event.kind === "output") {
      this.emit({ type: "stream", name: event.stream, text: event.text }, scope);
      return;
    }
    const p = scope.progress;
    if (!p) return;
    p.state = foldRunEvent(p.state, event, runId);
    if (event.kind === "run-finished") p.throttle.final(p.state);
    else p.throttle.update(p.state);
  }

  private newProgress(scope: CellScope): CellProgress {
    const progress: CellProgress = {
      state: emptyProgress(),
      displayId: this.displayId(),
      shown: false,
      runs: 0,
      throttle: new ProgressThrottle<ProgressState>((state) => {
        const bundle = renderProgress(state, { width: this.options.width() });
        this.emit({ type: progress.shown ? "update" : "display", displayId: progress.displayId, bundle }, scope);
        progress.shown = true;
      }),
    };
    return progress;
  }
}

/**
 * Cancels the runs among `results` still running; resolves when the runners confirmed, or
 * after `ms` (the cancel requests are out: a cluster may take longer to confirm).
 */
export async function cancelWithin(results: readonly PipelineResult[], ms: number): Promise<void> {
  const cancelled = Promise.all(results.filter((r) => r.state === "RUNNING").map((r) => r.cancel().catch(() => undefined)));
  await Promise.race([cancelled, new Promise((resolve) => setTimeout(resolve, ms).unref())]);
}

function plainText(bundle: MimeBundle): string {
  const t = bundle["text/plain"];
  return typeof t === "string" ? t : t === undefined ? "" : JSON.stringify(t);
}
