// A Session for the REPL's own tests: real isComplete, scripted outputs, recorded calls.
import util from "node:util";
import type { CellOutput } from "../../../src/display/outputs.js";
import type { PipelineGraph } from "../../../src/graph/types.js";
import type { TranslationTrace } from "../../../src/display/plan/stepper/index.js";
import { isComplete } from "../../../src/session/is_complete.js";
import type { CellResult, ExecuteOptions, Session } from "../../../src/session/session.js";

export interface FakeSession extends Session {
  executed: string[];
  pipelineOptions: Record<string, unknown>;
  interrupts: number;
  /** What pipelineGraphs() returns, and the trace translationTrace() returns (.plan --step). */
  graphs: PipelineGraph[];
  trace: TranslationTrace | undefined;
  /** What an input does: outputs to send, a value, or an error. */
  behave: (code: string, emit: (o: Omit<CellOutput, "cell">) => void, opts: ExecuteOptions) => Promise<{ value?: unknown; error?: string }> | { value?: unknown; error?: string };
}

export function fakeSession(): FakeSession {
  let count = 0;
  const s: FakeSession = {
    executed: [],
    pipelineOptions: {},
    interrupts: 0,
    behave: () => ({}),
    async execute(code, opts = {}) {
      s.executed.push(code);
      const executionCount = ++count;
      const cell = { execution: `x-${executionCount}`, executionCount };
      const emit = (o: Omit<CellOutput, "cell">) => opts.onOutput?.({ ...o, cell } as CellOutput);
      const r = await s.behave(code, emit, opts);
      const base = { executionCount, typeErrors: Promise.resolve([]), durationMs: 1, cell, runs: [] };
      if (r.error !== undefined) {
        emit({ type: "error", ename: "Error", evalue: r.error, traceback: [`Error: ${r.error}`, `    at cell[${executionCount}]:1:1`] });
        return { ...base, status: "error", hasValue: false, error: { ename: "Error", evalue: r.error, traceback: [`Error: ${r.error}`], frames: [], kind: "runtime" } } as CellResult;
      }
      const hasValue = "value" in r;
      if (hasValue) emit({ type: "result", bundle: { "text/plain": util.inspect(r.value) } });
      return { ...base, status: "ok", hasValue, value: r.value } as CellResult;
    },
    async complete(code, cursor) {
      const start = /[\w$]*$/.exec(code.slice(0, cursor))!.index;
      const word = code.slice(start, cursor);
      const matches = ["perElement", "perKey", "globally", "Pipeline"].filter((m) => m.startsWith(word));
      return { matches, cursorStart: start, cursorEnd: cursor, items: matches.map((text) => ({ text, type: "method", start, end: cursor })) };
    },
    async inspect(code, cursor) {
      return /Count/.test(code.slice(0, cursor + 5)) ? { found: true, data: { "text/plain": "const Count: {...}\n\nCounts elements." } } : { found: false, data: {} };
    },
    isComplete: (code) => isComplete(code),
    interrupt() {
      s.interrupts++;
    },
    async reset() {
      count = 0;
    },
    async dispose() {},
    ready: async () => undefined,
    pipelineGraphs: () => s.graphs,
    graphs: [],
    trace: undefined,
    explainGraph: async () => ({ "text/plain": "Flink plan 'fake'" }),
    translationTrace() {
      if (!s.trace) throw new Error("FakeTranslation: this fake translates nothing");
      return s.trace;
    },
    setPipelineOptions(o) {
      s.pipelineOptions = { ...s.pipelineOptions, ...o };
    },
    formatValue: (v, o) => util.inspect(v, o),
    get executionCount() {
      return count;
    },
  };
  return s;
}
