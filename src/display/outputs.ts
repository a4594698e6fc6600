/**
 * The front-end contract: what the session emits for each cell execution, in order. The
 * kernel maps these onto Jupyter messages (stream, display_data, update_display_data,
 * execute_result, error, clear_output), the REPL onto its screen. Every output names the
 * execution that caused it, including output that arrives after the cell returned (a
 * timer's console.log, a pipeline still running, a worker's console output).
 */
import type { MimeBundle } from "./mime.js";

/** One execution of a cell (or a REPL input, or a script). */
export interface CellRef {
  /** Unique per execute() call. */
  readonly execution: string;
  /** Jupyter's execution_count of that call. */
  readonly executionCount: number;
  /** The cell's stable id, if the front end gave one (ExecuteOptions.cellId). */
  readonly cellId?: string;
}

export type CellOutput =
  | { type: "stream"; cell: CellRef; name: "stdout" | "stderr"; text: string }
  /** A new display; `displayId` is what later `update`s name. */
  | { type: "display"; cell: CellRef; displayId: string; bundle: MimeBundle; metadata?: Record<string, unknown> }
  /** Replace display `displayId`'s content wherever it is shown (it may belong to an earlier cell). */
  | { type: "update"; cell: CellRef; displayId: string; bundle: MimeBundle; metadata?: Record<string, unknown> }
  /** The cell's value (its last expression); at most one, just before the cell's execute() resolves. */
  | { type: "result"; cell: CellRef; bundle: MimeBundle }
  | { type: "error"; cell: CellRef; ename: string; evalue: string; traceback: string[] }
  /** Clear the cell's output (Jupyter's clear_output; `wait`: when the next output comes). */
  | { type: "clear"; cell: CellRef; wait: boolean };

/** What `display(x)` returns in a cell: the display, updatable in place. */
export interface DisplayHandle {
  readonly displayId: string;
  /** Shows `value` in place of what the display shows now. */
  update(value: unknown): void;
}
