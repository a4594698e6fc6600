/**
 * The checker worker's entry: a {@link CellProject} answering the session's requests
 * (type_checker.ts) one at a time, in order, off the session's thread.
 */
import { parentPort, workerData } from "node:worker_threads";
import { CellProject, type ProjectOptions } from "./language_service.js";

export interface CheckerRequest {
  id: number;
  method: "check" | "complete" | "inspect" | "reset" | "warmUp";
  params: unknown[];
}

export interface CheckerResponse {
  id: number;
  result?: unknown;
  error?: string;
}

const project = new CellProject(workerData as ProjectOptions);
const port = parentPort!;
port.on("message", (req: CheckerRequest) => {
  let res: CheckerResponse;
  try {
    const fn = (project as unknown as Record<string, (...a: unknown[]) => unknown>)[req.method]!;
    res = { id: req.id, result: fn.apply(project, req.params) };
  } catch (e) {
    res = { id: req.id, error: e instanceof Error ? e.stack ?? e.message : String(e) };
  }
  port.postMessage(res);
});
port.postMessage({ id: 0, result: "ready" } satisfies CheckerResponse);
