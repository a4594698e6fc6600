/**
 * The type checker as the session sees it: a {@link CellProject} (language_service.ts) in a
 * worker thread, so checking a cell (50–200 ms warm, 1–3 s for the first, measured in
 * bench/session) never delays running it, and a first cell need not wait for TypeScript to
 * load the standard library and the API's declarations. Falls back to the session's own
 * thread when no worker can be started.
 */
import { Worker } from "node:worker_threads";
import type { SourceDiagnostic } from "./cell_converter.js";
import type { CheckerRequest, CheckerResponse } from "./checker_worker.js";
import type { CheckOptions, Completion, Inspection, ProjectOptions } from "./language_service.js";

export interface TypeChecker {
  /** The cell's type errors; with `commit`, its declarations become visible to later cells. */
  check(code: string, options: CheckOptions): Promise<SourceDiagnostic[]>;
  complete(code: string, cursor: number): Promise<Completion>;
  inspect(code: string, cursor: number): Promise<Inspection>;
  /** Forgets every cell. */
  reset(): Promise<void>;
  dispose(): Promise<void>;
}

export interface TypeCheckerOptions extends ProjectOptions {
  /** Check in the calling thread instead of a worker. */
  inProcess?: boolean;
}

export function createTypeChecker(options: TypeCheckerOptions): TypeChecker {
  if (!options.inProcess) {
    try {
      return workerChecker(options);
    } catch {
      // fall through to the in-process checker
    }
  }
  return inProcessChecker(options);
}

function inProcessChecker(options: ProjectOptions): TypeChecker {
  let project: import("./language_service.js").CellProject | undefined;
  const get = async () => {
    if (!project) {
      const { CellProject } = await import("./language_service.js");
      project = new CellProject(options);
    }
    return project;
  };
  return {
    check: async (code, o) => (await get()).check(code, o),
    complete: async (code, cursor) => (await get()).complete(code, cursor),
    inspect: async (code, cursor) => (await get()).inspect(code, cursor),
    reset: async () => (await get()).reset(),
    dispose: async () => project?.dispose(),
  };
}

function workerChecker(options: ProjectOptions): TypeChecker {
  const self = import.meta.url;
  const data = { cwd: options.cwd, apiEntry: options.apiEntry, globalsDts: options.globalsDts };
  let worker: Worker;
  if (self.endsWith(".ts")) {
    // Running from source (tsx, vitest): the worker registers tsx before loading its entry.
    const api = import.meta.resolve("tsx/esm/api");
    const entry = new URL("./checker_worker.ts", self).href;
    worker = new Worker(`import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); })`, {
      eval: true,
      workerData: data,
    });
  } else {
    worker = new Worker(new URL("./checker_worker.js", self), { workerData: data });
  }
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  let failure: Error | undefined;
  worker.unref();
  worker.on("message", (res: CheckerResponse) => {
    const p = pending.get(res.id);
    if (!p) return;
    pending.delete(res.id);
    if (!pending.size) worker.unref();
    if (res.error !== undefined) p.reject(new Error(res.error));
    else p.resolve(res.result);
  });
  const fail = (e: Error) => {
    failure = e;
    for (const p of pending.values()) p.reject(e);
    pending.clear();
  };
  worker.on("error", fail);
  worker.on("exit", (code) => fail(new Error(`the type checker stopped (exit code ${code})`)));
  const call = <T>(method: CheckerRequest["method"], params: unknown[]): Promise<T> => {
    if (failure) return Promise.reject(failure);
    const id = nextId++;
    worker.ref();
    return new Promise<T>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      worker.postMessage({ id, method, params } satisfies CheckerRequest);
    });
  };
  void call("warmUp", []).catch(() => undefined);
  return {
    check: (code, o) => call("check", [code, o]),
    complete: (code, cursor) => call("complete", [code, cursor]),
    inspect: (code, cursor) => call("inspect", [code, cursor]),
    reset: () => call("reset", []),
    async dispose() {
      failure ??= new Error("the type checker was disposed");
      await worker.terminate();
    },
  };
}
