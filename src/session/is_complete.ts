/**
 * Is this input a whole cell yet? The REPL asks it to decide between running the input and
 * reading another line; Jupyter asks it (is_complete_request) for consoles.
 */
import type * as TS from "typescript";
import { typescript } from "./typescript.js";

export interface IsCompleteResult {
  /** `complete`: run it; `incomplete`: read more lines; `invalid`: run it to show the error. */
  status: "complete" | "incomplete" | "invalid";
  /** For `incomplete`: the indent of the next line. */
  indent?: string;
}

export function isComplete(code: string): IsCompleteResult {
  if (!code.trim()) return { status: "complete" };
  // Two empty lines at the end: the user wants it run as it is.
  if (/\n[ \t]*\n[ \t]*$/.test(code) && code.trim().includes("\n")) return { status: validOrInvalid(code) };
  const ts = typescript();
  const sf = ts.createSourceFile("input.ts", code, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const diags = (sf as unknown as { parseDiagnostics?: TS.DiagnosticWithLocation[] }).parseDiagnostics ?? [];
  if (!diags.length) return { status: "complete" };
  const end = code.trimEnd().length;
  const atEnd = (d: TS.DiagnosticWithLocation) => {
    const msg = ts.flattenDiagnosticMessageText(d.messageText, "\n");
    if (/Unterminated template literal|'\*\/' expected/.test(msg)) return true;
    return d.start >= end && / expected\.$/.test(msg);
  };
  // Every problem is "more is coming" at the end of the input: read another line.
  if (diags.every(atEnd)) return { status: "incomplete", indent: nextIndent(code) };
  return { status: "invalid" };
}

function validOrInvalid(code: string): "complete" | "invalid" {
  const ts = typescript();
  const sf = ts.createSourceFile("input.ts", code, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const diags = (sf as unknown as { parseDiagnostics?: unknown[] }).parseDiagnostics ?? [];
  return diags.length ? "invalid" : "complete";
}

function nextIndent(code: string): string {
  const lines = code.replace(/\s+$/, "").split("\n");
  const last = lines[lines.length - 1] ?? "";
  const indent = /^[ \t]*/.exec(last)![0];
  return /[{([]\s*$/.test(last) || /=>\s*$/.test(last) ? indent + "  " : indent;
}
