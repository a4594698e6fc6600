/**
 * The runtime of ConsoleIO.write() (`flowbook:transform:console_write:v1`): prints each
 * element on its own line to stdout (strings as they are, other values with
 * util.inspect: no colors, one line). Works inside worker threads (their stdout is
 * forwarded to the main thread's). Output is batched until the event loop turns, so a
 * tight loop costs one write per batch and a slow stream still prints promptly.
 */
import { inspect } from "node:util";
import { Urns } from "../../graph/types.js";
import { registerSink, type SinkImpl, type SinkWriter } from "../registry.js";

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

/** Where printed text goes (process.stdout unless replaced, as tests do). */
let out: (text: string) => void = (text) => {
  process.stdout.write(text);
};

/** Replaces the output function; returns the previous one. */
export function setConsoleOutput(f: (text: string) => void): (text: string) => void {
  const prev = out;
  out = f;
  return prev;
}

class ConsoleWriter implements SinkWriter {
  private pending = "";
  private printed = 0;
  private truncated = false;
  private scheduled: NodeJS.Immediate | undefined;

  constructor(private readonly payload: ConsoleWritePayload) {}

  write(value: unknown): void {
    const limit = this.payload.limit;
    if (limit != null && this.printed >= limit) {
      if (!this.truncated) {
        this.truncated = true;
        this.pending += `${this.payload.prefix ?? ""}… (more elements not printed: limit ${limit})\n`;
      }
      return;
    }
    this.printed++;
    this.pending += (this.payload.prefix ?? "") + formatElement(value) + "\n";
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
      out(text);
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
  async open(payload: ConsoleWritePayload): Promise<SinkWriter> {
    return new ConsoleWriter(payload ?? { prefix: "", limit: null });
  },
  async finalize(): Promise<null> {
    return null;
  },
  async abort(): Promise<void> {},
};

registerSink(Urns.CONSOLE_WRITE, consoleSink);
