/**
 * Users' console output inside a Node worker, on its way to the client: console.log and
 * process.stdout.write become `stdout`, console.error/warn and process.stderr.write `stderr`,
 * each attributed to the transform whose code runs at the time. Whole lines are sent as
 * CONSOLE frames (docs/worker-protocol.md) in the order they were printed; the bridge keeps
 * them in an accumulator that the client reads back. Nothing goes to the worker's stdout,
 * which carries frames only.
 */
import { format, inspect, type InspectOptions } from "node:util";
import { CONSOLE, jsonFrame, type ConsoleBody } from "./protocol.js";

type Stream = "stdout" | "stderr";

/** Frames are sent once this much text waits, or `maxDelayMs` after the oldest waiting line. */
const FLUSH_CHARS = 16 * 1024;

export class ConsoleCapture {
  /** The transform whose user code runs now (set by the stage runtime around each operator). */
  transform: string | undefined;
  /** Whole lines waiting, merged while stream and transform stay the same. */
  private readonly queue: ConsoleBody[] = [];
  private queued = 0;
  /** A line begun without its newline yet, per stream. */
  private readonly partial: Record<Stream, string> = { stdout: "", stderr: "" };
  /** Who began each open line: whom it is attributed to if it is completed by a flush. */
  private readonly partialBy: Record<Stream, string | undefined> = { stdout: undefined, stderr: undefined };
  private timer: NodeJS.Timeout | undefined;
  /** When the oldest waiting line was queued: a DoFn busy for seconds in one DATA frame starves timers. */
  private since = 0;

  constructor(
    private readonly out: (frame: Uint8Array) => void,
    private readonly maxDelayMs = 100,
  ) {}

  write(stream: Stream, text: string): void {
    if (text === "") return;
    const all = this.partial[stream] + text;
    const end = all.lastIndexOf("\n") + 1;
    this.partial[stream] = all.slice(end);
    if (end > 0) this.enqueue(stream, all.slice(0, end));
    if (end === 0 ? all === text : end < all.length) this.partialBy[stream] = this.transform;
  }

  private enqueue(stream: Stream, lines: string): void {
    const last = this.queue.at(-1);
    if (last && last.stream === stream && last.transform === this.transform) last.text += lines;
    else this.queue.push(this.transform === undefined ? { stream, text: lines } : { stream, transform: this.transform, text: lines });
    const now = Date.now();
    if (this.queued === 0) this.since = now;
    this.queued += lines.length;
    if (this.queued >= FLUSH_CHARS || now - this.since >= this.maxDelayMs) this.flush();
    else if (!this.timer) this.timer = setTimeout(() => this.flush(), this.maxDelayMs).unref();
  }

  /** Sends every whole line waiting; with `all`, also the lines still missing their newline. */
  flush(all = false): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (all) {
      for (const s of ["stdout", "stderr"] as const) {
        if (this.partial[s] !== "") {
          const line = this.partial[s] + "\n";
          this.partial[s] = "";
          const now = this.transform;
          this.transform = this.partialBy[s];
          this.enqueue(s, line);
          this.transform = now;
        }
      }
      if (this.timer) {
        clearTimeout(this.timer);
        this.timer = undefined;
      }
    }
    for (const body of this.queue.splice(0)) this.out(jsonFrame(CONSOLE, body));
    this.queued = 0;
  }

  /** Routes this process's console and standard streams here. */
  install(): void {
    const to = (stream: Stream) => (...args: unknown[]) => this.write(stream, format(...args) + "\n");
    console.log = to("stdout");
    console.info = to("stdout");
    console.debug = to("stdout");
    console.dir = (obj: unknown, options?: InspectOptions) => this.write("stdout", inspect(obj, options) + "\n");
    console.error = to("stderr");
    console.warn = to("stderr");
    console.trace = (...args: unknown[]) => this.write("stderr", `Trace: ${new Error(format(...args)).stack?.split("\n").slice(1).join("\n") ?? ""}\n`);
    const writer = (stream: Stream) => (chunk: unknown, encoding?: unknown, cb?: unknown) => {
      const text = typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString(typeof encoding === "string" ? (encoding as BufferEncoding) : "utf8");
      this.write(stream, text);
      const done = typeof encoding === "function" ? encoding : cb;
      if (typeof done === "function") queueMicrotask(() => (done as () => void)());
      return true;
    };
    (process.stdout as unknown as { write: unknown }).write = writer("stdout");
    (process.stderr as unknown as { write: unknown }).write = writer("stderr");
  }
}
