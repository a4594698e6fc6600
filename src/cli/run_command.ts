import { readFile } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { resolve } from "node:path";

const HELP = `flowbook run FILE.ts [--runner direct|flink] [--flinkMaster host:port]
                    [--savepoint-dir DIR] [--from-savepoint PATH] [-- args...]

Runs a pipeline script through flowbook's evaluator (the one notebook cells use):
the flowbook API is preloaded, functions travel to the runner by value, and errors
point at the script's own lines. Arguments after -- reach the script as \`args\`.

Ctrl-C or SIGTERM cancels the script's Flink jobs. Streaming jobs on Flink:
  --savepoint-dir DIR     Ctrl-C / SIGTERM stops them with a savepoint in DIR instead,
                          and prints its path
  --from-savepoint PATH   start the script's Flink pipelines from that savepoint`;

export async function runCommand(argv: string[]): Promise<number> {
  let file: string | undefined;
  let runner: string | undefined;
  let flinkMaster: string | undefined;
  let savepointDir: string | undefined;
  let fromSavepoint: string | undefined;
  let args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--") {
      args = argv.slice(i + 1);
      break;
    } else if (a === "--help" || a === "-h") {
      console.log(HELP);
      return 0;
    } else if (a === "--runner") runner = argv[++i];
    else if (a.startsWith("--runner=")) runner = a.slice(9);
    else if (a === "--flinkMaster" || a === "--flink-master") flinkMaster = argv[++i];
    else if (a === "--savepoint-dir" || a === "--from-savepoint") {
      const v = argv[++i];
      if (!v || v.startsWith("--")) throw new Error(`${a} needs a ${a === "--savepoint-dir" ? "directory" : "savepoint path"}\n\n${HELP}`);
      if (a === "--savepoint-dir") savepointDir = resolve(v);
      else fromSavepoint = v;
    }
    else if (a.startsWith("--")) throw new Error(`unknown option ${a}\n\n${HELP}`);
    else if (!file) file = a;
    else args.push(a);
  }
  if (!file) throw new Error(`flowbook run needs a file\n\n${HELP}`);
  if ((runner ?? "direct") === "direct") await startLocalWorkers(file);
  const { runFile } = await import("../session/run_file.js");
  const stopSignals = await cancelJobsOnSignals(savepointDir, file);
  let code: number;
  try {
    code = await runFile(file, { runner, flinkMaster, args, ...(fromSavepoint ? { fromSavepoint: /^[a-z][a-z0-9+.-]*:\//i.test(fromSavepoint) ? fromSavepoint : resolve(fromSavepoint) } : {}) });
  } finally {
    stopSignals();
  }
  const { savepointsTaken } = await import("../runners/flink/job_control.js");
  for (const s of savepointsTaken()) {
    process.stderr.write(`flowbook run: Flink job ${s.jobId} stopped with a savepoint: ${s.savepoint}\n  resume it: flowbook run ${file} --runner flink --from-savepoint ${s.savepoint}\n`);
  }
  // Everything the script and its pipelines printed is handed to the OS before the process
  // may exit (writes to a pipe can still be queued; `flowbook run a.ts | wc -l` lost lines).
  await Promise.all([drained(process.stdout), drained(process.stderr)]);
  return code;
}

/**
 * Starts the local runner's worker threads now, so they load flowbook (~0.4 s each) on the
 * other cores while this thread starts the session (its sandbox, the TypeScript compiler)
 * and evaluates the script, instead of after the script's first `run()`: that start-up was
 * on the critical path of every local `flowbook run` (issue 13, point 5; measured with
 * `node --cpu-prof`). Only for a script that runs a pipeline; threads it turns out not to use
 * cost their start and their memory (they are unref'd).
 *
 * Not when the script imports its own modules by path: the workers must then load the
 * session's module hooks (to import those modules' TypeScript), which the session installs
 * only once a cell imports one; then the runner starts the threads when it needs them.
 */
async function startLocalWorkers(file: string): Promise<void> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch {
    return; // runFile says why it cannot read it.
  }
  const threads = earlyWorkerThreads(text);
  if (threads === 0) return;
  const { sharedPool } = await import("../runners/direct/worker_pool.js");
  sharedPool(threads);
}

/**
 * How many of the local runner's worker threads `flowbook run` starts before the script runs:
 * the runner's default (one per core, at most 8: direct_runner.ts), or the script's one
 * literal `parallelism: N`; 0 for none.
 */
export function earlyWorkerThreads(text: string): number {
  // `from "./x"`, `import("../x")`, `require("/x")`, `file:` URLs: a module of the user's. Not a
  // method of that name: `TextIO.read().from("/data/in.txt")` is a file to read, not a module.
  if (/(?<![.$\w])(?:from|import|require)\s*\(?\s*["'`](?:\.{1,2}\/|\/|file:)/.test(text)) return 0;
  // Options that choose another runner or no threads.
  if (/\brunner\s*:|\binProcess\b/.test(text)) return 0;
  // A script that runs no pipeline needs no threads; a sample (show, collect, chart) that
  // stops early runs in this thread while no threads exist (direct_runner.ts): leave it so.
  if (!/\.run\s*\(/.test(text) || /\b(?:show|collect|chart)\s*\(/.test(text)) return 0;
  const named = [...text.matchAll(/\bparallelism\b(?:\s*:\s*(\d+)\b)?/g)];
  if (named.length === 0) return Math.max(1, Math.min(8, availableParallelism()));
  // One literal count: those threads. Anything else (a variable, two pipelines) is known only when it runs.
  const n = named.length === 1 && named[0]![1] !== undefined ? Number(named[0]![1]) : 0;
  return n >= 1 && n <= 64 ? n : 0;
}

/** How long a terminating `flowbook run` waits for its Flink jobs' cancellation. */
const CANCEL_WAIT_MS = 10_000;
/** And for their savepoints, under --savepoint-dir. */
const SAVEPOINT_WAIT_MS = 120_000;
/** And for its local runs' (they stop within a second: issue 13, point 6). */
const LOCAL_CANCEL_WAIT_MS = 2_000;

/**
 * SIGTERM (and SIGINT while no cell is running to take it: after the script ended, while its
 * pipelines finish) cancels the Flink jobs this process started and waits, at most
 * CANCEL_WAIT_MS, for Flink to confirm, then exits 143 (130). Without it the process died at
 * once and its job ran on, writing its whole output later (issue 12, point 5). Local runs are
 * cancelled too, so their writers' temporary files go with them.
 */
async function cancelJobsOnSignals(savepointDir: string | undefined, file: string): Promise<() => void> {
  const { cancelActiveFlinkRuns, activeStreamingFlinkRuns } = await import("../runners/flink/flink_runner.js");
  const { stopOnCancel } = await import("../runners/flink/job_control.js");
  const { cancelActiveLocalRuns } = await import("../runners/direct/direct_runner.js");
  let stopping = false;
  const stop = (signal: "SIGTERM" | "SIGINT", code: number) => {
    if (stopping) {
      // A second signal while cancelling: leave now.
      process.exit(code);
    }
    stopping = true;
    // --savepoint-dir: the cancels below (and the session's, for a cell Ctrl-C interrupts) stop streaming jobs with a savepoint.
    if (savepointDir !== undefined) stopOnCancel(savepointDir);
    void (async () => {
      // Local runs stop within a second (their writers aborted, temporary files removed), Flink's when the cluster confirms.
      const waitMs = savepointDir !== undefined ? SAVEPOINT_WAIT_MS : CANCEL_WAIT_MS;
      const [cancelled] = await Promise.all([cancelActiveFlinkRuns(waitMs).catch(() => []), cancelActiveLocalRuns(LOCAL_CANCEL_WAIT_MS).catch(() => 0)]);
      for (const r of cancelled) {
        const what = r.state === "RUNNING" ? `still running after ${waitMs / 1000} s of waiting for its cancellation` : r.state.toLowerCase();
        process.stderr.write(`flowbook run: ${signal}: Flink job ${r.jobId ?? "(being submitted)"} ${what}\n`);
      }
      const { savepointsTaken } = await import("../runners/flink/job_control.js");
      for (const s of savepointsTaken()) {
        process.stderr.write(`flowbook run: Flink job ${s.jobId} stopped with a savepoint: ${s.savepoint}\n  resume it: flowbook run ${file} --runner flink --from-savepoint ${s.savepoint}\n`);
      }
      await Promise.all([drained(process.stdout), drained(process.stderr)]);
      process.exit(code);
    })();
  };
  const onTerm = () => stop("SIGTERM", 143);
  // The session handles SIGINT while a cell runs (it interrupts the cell and cancels its runs);
  // this listener acts only when it is alone.
  const onInt = () => {
    if (process.listenerCount("SIGINT") === 1) {
      stop("SIGINT", 130);
      return;
    }
    // A cell is running: the session interrupts it and cancels its runs (stopped with a savepoint under --savepoint-dir).
    if (savepointDir !== undefined) stopOnCancel(savepointDir);
    else if (activeStreamingFlinkRuns().length > 0) {
      process.stderr.write(`flowbook run: cancelling; to stop a streaming Flink job with a savepoint instead (and resume it with --from-savepoint PATH), run with --savepoint-dir DIR\n`);
    }
  };
  process.on("SIGTERM", onTerm);
  process.on("SIGINT", onInt);
  return () => {
    process.off("SIGTERM", onTerm);
    process.off("SIGINT", onInt);
  };
}

/** Resolves once what was written to `stream` before now has been handed to the OS (or failed: a closed pipe). */
function drained(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => {
    try {
      stream.write("", () => resolve());
    } catch {
      resolve();
    }
  });
}
