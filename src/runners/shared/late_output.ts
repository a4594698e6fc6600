/**
 * Output after a bundle ended (issue 12, point 3): a DoFn that keeps its context and outputs
 * from a timer, a promise or a callback once finishBundle returned. The element has nowhere to
 * go — its consumers finished their bundle, and what they produced has left — so the ParDoOp
 * throws at the call site and records the error here, where the runner's harness looks for it
 * (the Flink worker at each bundle's end and before its END; the local runner's next bundle in
 * the same thread): a user who catches the error still gets a failed run, never a silently
 * dropped element.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { UserCodeError } from "./user_code_error.js";

/**
 * Late outputs not yet taken, by run: the key is an object of the run (its PipelineOptions),
 * so a late output never fails another run sharing the thread.
 */
const pending = new Map<object, UserCodeError>();

/** Records the first late output of a run in this thread (or process) until a harness takes it. */
export function reportLateOutput(run: object, e: UserCodeError): void {
  if (!pending.has(run)) pending.set(run, e);
}

/** The late-output error recorded for `run` (any run when omitted: the Flink worker serves one), if any; clears it. */
export function takeLateOutputError(run?: object): UserCodeError | undefined {
  if (pending.size === 0) return undefined;
  const key = run ?? pending.keys().next().value!;
  const e = pending.get(key);
  pending.delete(key);
  return e;
}

/** The error for a DoFn's output made after its bundle ended. */
export function lateOutputError(transform: string, method: string): UserCodeError {
  const err = new Error(
    `${method}() called after the bundle ended: the DoFn of '${transform}' kept its context and output from a timer, ` +
      `a promise or a callback after finishBundle returned. Such an element has nowhere to go and would be lost, so the run fails. ` +
      `Output inside processElement, or in finishBundle through the context finishBundle receives.`,
  );
  err.name = "LateOutputError";
  return UserCodeError.from(transform, undefined, false, err);
}

/** What a task's user code runs inside: its run, and the transforms whose code it may be. */
interface RunScope {
  run: object;
  transforms: readonly string[];
}

/**
 * The run (and the stage's user transforms) of the task whose code started the current
 * callback: a timer or a promise callback keeps the async context it was made in, so an error
 * it throws once its task returned can still fail its run.
 */
const scope = new AsyncLocalStorage<RunScope>();
/** Runs whose tasks may still run in this thread: a stray error of another run has no run left to fail. */
const open = new Set<object>();

/** Opens a run in this thread (its key: the object late outputs are recorded under). */
export function openRun(run: object): void {
  open.add(run);
}

/** Closes it: a callback of its code that throws later can only be reported, not fail it. */
export function closeRun(run: object): void {
  open.delete(run);
}

/** Runs a task's work (and everything it starts: timers, promises) within its run's scope. */
export function withinRun<T>(run: object, transforms: readonly string[], fn: () => T): T {
  return scope.run({ run, transforms }, fn);
}

/**
 * An error no one caught (a timer or callback of user code that threw after its call
 * returned): recorded as its run's failure, named by the DoFn that made the output or by the
 * stage's user transforms. "recorded": the run will fail with it; "ended": it came from a run
 * that is over (it can only be reported); undefined: not from a run's code.
 */
export function reportStrayError(e: unknown): { kind: "recorded" | "ended"; error: UserCodeError } | undefined {
  const s = scope.getStore();
  if (!s) return undefined;
  const error = e instanceof UserCodeError ? e : strayError(s.transforms, e);
  if (!open.has(s.run)) return { kind: "ended", error };
  reportLateOutput(s.run, error);
  return { kind: "recorded", error };
}

function strayError(transforms: readonly string[], e: unknown): UserCodeError {
  const cause = e instanceof Error ? e : new Error(String(e));
  const err = new Error(`${cause.message} (thrown from a timer or callback the DoFn started, after its call returned: no one caught it)`);
  err.name = cause.name;
  if (cause.stack) err.stack = cause.stack.replace(`${cause.name}: ${cause.message}`, `${err.name}: ${err.message}`);
  // Several user transforms fused in the stage: the message names each ("Error in transform 'A' or 'B'").
  return UserCodeError.from(transforms.length ? transforms.join("' or '") : "(user code)", undefined, false, err);
}
