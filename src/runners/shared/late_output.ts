/**
 * Output after a bundle ended (issue 12, point 3): a DoFn that keeps its context and outputs
 * from a timer, a promise or a callback once finishBundle returned. The element has nowhere to
 * go — its consumers finished their bundle, and what they produced has left — so the ParDoOp
 * throws at the call site and records the error here, where the runner's harness looks for it
 * (the Flink worker at each bundle's end and before its END; the local runner's next bundle in
 * the same thread): a user who catches the error still gets a failed run, never a silently
 * dropped element.
 */
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
