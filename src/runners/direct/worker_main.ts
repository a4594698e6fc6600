/**
 * A worker thread of the local runner: runs tasks sent by the coordinator's pool.
 * Everything printed in this thread goes back to the pool as `output` messages, on the same
 * port as the task results and posted before them; nothing goes to this thread's stdout.
 */
import { parentPort } from "node:worker_threads";
import "../../index.js";
import type { SourceSplit } from "../../io/registry.js";
import { reportStrayError } from "../shared/late_output.js";
import { errorToJSON } from "../shared/user_code_error.js";
import { PROGRESS_INTERVAL_MS } from "./executor.js";
import { OutputBuffer } from "./output_buffer.js";
import { installOutputCapture, withOutputCapture, type OutputTarget } from "./output_capture.js";
import { TaskCounts } from "../harness/task_counts.js";
import { TaskRunner } from "./task_runner.js";
import type { WorkerRequest, WorkerResponse } from "./worker_pool.js";

const runner = new TaskRunner();
const port = parentPort!;

const outputs = new OutputBuffer((records) => port.postMessage({ type: "output", records } satisfies WorkerResponse));
/** The run of the task running now: output printed outside any run's context (module code, a stray timer) goes with it. */
let currentRun: string | undefined;
installOutputCapture({ write: (stream, text, transform) => outputs.add(currentRun, stream, text, transform) });
// User code that ends the thread (process.exit in a DoFn) still gets what it printed out.
process.on("exit", () => outputs.flush());

/**
 * An error no one caught, from a timer or callback user code left behind: it fails its run (at
 * its next task in this thread or at its end), not the thread, which other runs share. One from
 * a run that is over is printed; one from no run's code leaves the thread in an unknown state:
 * it dies, as it would have, and the pool replaces it.
 */
process.on("uncaughtException", (e) => {
  const stray = reportStrayError(e);
  if (stray?.kind === "recorded") return;
  if (stray?.kind === "ended") {
    outputs.add(undefined, "stderr", `flowbook: a callback of a pipeline that already ended threw: ${stray.error.message}\n`, undefined);
    outputs.flush();
    return;
  }
  outputs.flush();
  port.postMessage({ type: "fatal", error: errorToJSON(e) } satisfies WorkerResponse);
  process.exit(1);
});

/** A running task's pending `nextSplit`, by task key: answered by the pool's `split` message. */
const splitAnswers = new Map<number, (split: SourceSplit | undefined) => void>();

function outputOf(runId: string): OutputTarget {
  return { write: (stream, text, transform) => outputs.add(runId, stream, text, transform) };
}

function transferables(r: unknown): ArrayBuffer[] {
  const out: ArrayBuffer[] = [];
  const visit = (x: unknown) => {
    if (x instanceof Uint8Array) {
      if (x.byteOffset === 0 && x.byteLength === x.buffer.byteLength && x.buffer instanceof ArrayBuffer && !out.includes(x.buffer)) out.push(x.buffer);
    } else if (Array.isArray(x)) for (const y of x) visit(y);
    else if (x && typeof x === "object") for (const y of Object.values(x)) visit(y);
  };
  visit(r);
  return out;
}

port.on("message", async (m: WorkerRequest) => {
  let progress: NodeJS.Timeout | undefined;
  try {
    switch (m.type) {
      case "beginRun":
        runner.beginRun(m.runId, m.graph, m.plan, m.options);
        return;
      case "sideInput":
        runner.addSideInput(m.runId, m.pcollection, m.chunks);
        return;
      case "split":
        splitAnswers.get(m.key)?.(m.split);
        splitAnswers.delete(m.key);
        return;
      case "stopStage":
        runner.stopStage(m.runId, m.stageId);
        return;
      case "endRun": {
        // A late output or a stray error of the run's user code fails the run, not this thread.
        let error: unknown;
        await withOutputCapture(outputOf(m.runId), () => runner.endRun(m.runId)).catch((e: unknown) => (error = errorToJSON(e)));
        outputs.flush();
        port.postMessage((error === undefined ? { type: "ended", runId: m.runId } : { type: "ended", runId: m.runId, error }) satisfies WorkerResponse);
        return;
      }
      case "task": {
        currentRun = m.spec.runId;
        const counts = new TaskCounts();
        // Fires between a source's chunks: the thread is busy while a chunk is pushed through the stage.
        progress = setInterval(() => port.postMessage({ type: "progress", key: m.key, progress: counts.snapshot() } satisfies WorkerResponse), PROGRESS_INTERVAL_MS);
        const nextSplit = () =>
          new Promise<SourceSplit | undefined>((resolve) => {
            splitAnswers.set(m.key, resolve);
            port.postMessage({ type: "nextSplit", key: m.key } satisfies WorkerResponse);
          });
        const result = await withOutputCapture(outputOf(m.spec.runId), () => runner.runTask(m.spec, counts, nextSplit));
        clearInterval(progress);
        // What the task printed arrives before its result.
        outputs.flush();
        const msg: WorkerResponse = { type: "result", key: m.key, result };
        port.postMessage(msg, transferables(result.output));
        return;
      }
    }
  } catch (e) {
    clearInterval(progress);
    outputs.flush();
    if (m.type === "task") port.postMessage({ type: "error", key: m.key, error: errorToJSON(e) } satisfies WorkerResponse);
    else port.postMessage({ type: "fatal", error: errorToJSON(e) } satisfies WorkerResponse);
  } finally {
    if (m.type === "task" && currentRun === m.spec.runId) currentRun = undefined;
  }
});
port.postMessage({ type: "ready" } satisfies WorkerResponse);
