/**
 * One REPL input through the session, its outputs (the session's CellOutputs, in order)
 * handed to a sink — for the Ink screen and the plain line REPL alike. A plain value is
 * formatted again with colors (session.formatValue); a rich one (a table, a chart) is shown
 * as its bundle; a value the session leaves unshown (a display handle) stays so.
 */
import type { MimeBundle } from "../src/display/mime.js";
import type { CellOutput } from "../src/display/outputs.js";
import type { CellResult, Session } from "../src/session/session.js";

export interface OutputSink {
  stream(name: "stdout" | "stderr", text: string): void;
  /** A display (new or updating `displayId`); `late` once the input has finished. */
  display(kind: "display" | "update", displayId: string, bundle: MimeBundle, late: boolean): void;
  /** The input's value, as text (colored when `colors`). */
  result(text: string): void;
  /** The input's error: the session's traceback (it points at the line). */
  error(kind: string, traceback: readonly string[]): void;
  /** Type errors found after the input ran (warn mode). */
  warnings(lines: readonly string[]): void;
}

export interface RunInputOptions {
  colors: boolean;
  width: number;
  filename?: string;
  signal?: AbortSignal;
  input?: (prompt: string, options: { password: boolean }) => Promise<string>;
}

export async function runInput(session: Session, code: string, sink: OutputSink, options: RunInputOptions): Promise<CellResult> {
  let finished = false;
  let gotError = false;
  let resultText: string | undefined;
  const onOutput = (o: CellOutput) => {
    switch (o.type) {
      case "stream":
        sink.stream(o.name, o.text);
        break;
      case "display":
      case "update":
        sink.display(o.type, o.displayId, o.bundle, finished);
        break;
      case "result": {
        // A value with a rich bundle (a chart, a table) shows as a display; a plain one is
        // formatted again below, with colors (the bundle's text has none).
        const rich = Object.keys(o.bundle).some((k) => k !== "text/plain" && k !== "application/json" && !k.startsWith("text/x-"));
        if (rich) sink.display("display", `result-${o.cell.execution}`, o.bundle, false);
        else resultText = typeof o.bundle["text/plain"] === "string" ? (o.bundle["text/plain"] as string) : undefined;
        break;
      }
      case "error":
        gotError = true;
        sink.error(o.ename, o.traceback);
        break;
      case "clear":
        break;
    }
  };
  const result = await session.execute(code, {
    onOutput,
    filename: options.filename,
    signal: options.signal,
    input: options.input,
  });
  finished = true;
  // A value the session showed as plain text is formatted again with colors; one it did not
  // show (a display handle, whose bundle is empty) stays unshown.
  if (result.status === "ok" && resultText !== undefined) {
    if (isThenable(result.value)) sink.result("Promise { … } (await it for its value)");
    else sink.result(result.hasValue && options.colors ? session.formatValue(result.value, { colors: true, depth: 4, breakLength: options.width }) : resultText);
  }
  if (result.status === "error" && !gotError) sink.error(result.error!.kind, result.error!.traceback);
  void result.typeErrors.then(
    (ws) => {
      if (ws.length) sink.warnings(ws.flatMap((w) => w.text));
    },
    () => undefined,
  );
  return result;
}

/** A promise (of either realm): shown as one, not as its internals (async hooks' symbols). */
function isThenable(v: unknown): boolean {
  return v !== null && (typeof v === "object" || typeof v === "function") && typeof (v as { then?: unknown }).then === "function";
}
