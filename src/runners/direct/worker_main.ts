/** A worker thread of the local runner: runs tasks sent by the coordinator's pool. */
import { parentPort } from "node:worker_threads";
import "../../index.js";
import { errorToJSON } from "../shared/user_code_error.js";
import { TaskRunner } from "./task_runner.js";
import type { WorkerRequest, WorkerResponse } from "./worker_pool.js";

const runner = new TaskRunner();
const port = parentPort!;

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
  try {
    switch (m.type) {
      case "beginRun":
        runner.beginRun(m.runId, m.graph, m.plan, m.options);
        return;
      case "sideInput":
        runner.addSideInput(m.runId, m.pcollection, m.chunks);
        return;
      case "endRun":
        await runner.endRun(m.runId);
        port.postMessage({ type: "ended", runId: m.runId } satisfies WorkerResponse);
        return;
      case "task": {
        const result = await runner.runTask(m.spec);
        const msg: WorkerResponse = { type: "result", key: m.key, result };
        port.postMessage(msg, transferables(result.output));
        return;
      }
    }
  } catch (e) {
    if (m.type === "task") port.postMessage({ type: "error", key: m.key, error: errorToJSON(e) } satisfies WorkerResponse);
    else port.postMessage({ type: "fatal", error: errorToJSON(e) } satisfies WorkerResponse);
  }
});
port.postMessage({ type: "ready" } satisfies WorkerResponse);
