/**
 * The runtime of ConsoleIO.write() (`flowbook:transform:console_write:v1`): prints each
 * element on its own line to stdout (strings as they are, other values with
 * util.inspect: no colors, one line). Inside a run that carries users' output (the local
 * runner) each line goes to the run as it is printed, named by the sink's transform, so
 * it keeps its order with the DoFns' console output and is never lost at exit. Written to
 * the process's stdout instead, output is batched until the event loop turns, so a tight
 * loop costs one write per batch and a slow stream still prints promptly.
 */
import { inspect } from "node:util";
import { Urns } from "../../graph/types.js";
import { registerSink, type SinkImpl, type SinkWriter, type WriteContext } from "../registry.js";
import { printUserOutput, userOutputCarried } from "./user_output.js";

export interface ConsoleWritePayload {
  /** Printed before each element (default ""). */
  prefix: string;
  /** Each writer prints at most this many elements (null: all), then one "… (more)" line. */
  limit: number | null;
}

/** How an element is printed. */
export function formatElement(value: unknown): string {
  if (typeof value === "string") return value;
  return inspect(value, { colors: false, breakLength: Infinity, compact: true, depth: 6, maxArrayLength: 100, maxStringLength: 10_000 });
}

const FLUSH_CHARS = 64 * 1024;

type Output = (text: string, transform: string | undefined) => void;

/** Where printed text goes (the run carrying output, else process.stdout; tests replace it). */
let out: Output = (text, transform) => printUserOutput("stdout", text, transform);

/** Replaces the output function; returns the previous one. */
export function setConsoleOutput(f: Output): Output {
  const prev = out;
  out = f;
  return prev;
}

class ConsoleWriter implements SinkWriter {
  private pending = "";
  private printed = 0;
  private truncated = false;
  private scheduled: NodeJS.Immediate | undefined;
  /** A run carries the output: print each line now (the run batches), in order with other output. */
  private readonly carried = userOutputCarried();

  constructor(private readonly payload: ConsoleWritePayload, private readonly transform: string | undefined) {}

  write(value: unknown): void {
    const limit = this.payload.limit;
    if (limit != null && this.printed >= limit) {
      if (!this.truncated) {
        this.truncated = true;
        this.print(`${this.payload.prefix ?? ""}… (more elements not printed: limit ${limit})\n`);
      }
      return;
    }
    this.printed++;
    this.print((this.payload.prefix ?? "") + formatElement(value) + "\n");
  }

  private print(line: string): void {
    if (this.carried) return out(line, this.transform);
    this.pending += line;
    if (this.pending.length >= FLUSH_CHARS) this.flush();
    else if (!this.scheduled) this.scheduled = setImmediate(() => this.flush());
  }

  private flush(): void {
    if (this.scheduled) {
      clearImmediate(this.scheduled);
      this.scheduled = undefined;
    }
    if (this.pending) {
      const text = this.pending;
      this.pending = "";
      out(text, this.transform);
    }
  }

  async close(): Promise<null> {
    this.flush();
    return null;
  }

  async abort(): Promise<void> {
    this.flush();
  }
}

export const consoleSink: SinkImpl = {
  numShards(): undefined {
    return undefined;
  },
  async open(payload: ConsoleWritePayload, ctx?: WriteContext): Promise<SinkWriter> {
    return new ConsoleWriter(payload ?? { prefix: "", limit: null }, ctx?.transform);
  },
  async finalize(): Promise<null> {
    return null;
  },
  async abort(): Promise<void> {},
};

registerSink(Urns.CONSOLE_WRITE, consoleSink);
