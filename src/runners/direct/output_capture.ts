/**
 * Users' console output, carried back through the run instead of printed by the thread
 * that runs their code: console.* (formatted exactly as Node's console does),
 * process.stdout/stderr.write, and ConsoleIO (through io/console/user_output.ts).
 *
 * Which run it belongs to is the async context's (AsyncLocalStorage): a task runs inside
 * withOutputCapture(target, ...), and so do the timers and promises its code starts. Outside
 * any task, output goes to the fallback target (a worker thread: everything is captured,
 * nothing reaches the worker's own stdout, whose asynchronous pipe loses text at exit) or,
 * without one (the main thread), where it always went. The transform is the one whose
 * metrics container is current: runners set it around every call into user code.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { Console } from "node:console";
import { EventEmitter } from "node:events";
import { routeUserOutput, type OutputStream } from "../../io/console/user_output.js";
import { setCurrentMetricsContainer } from "../../sdk/metrics/metrics.js";

export interface OutputTarget {
  write(stream: OutputStream, text: string, transform: string | undefined): void;
}

const context = new AsyncLocalStorage<OutputTarget>();
let fallback: OutputTarget | undefined;
let installed = false;

/** The transform whose user code runs now, if any (read without changing what is current). */
export function currentTransform(): string | undefined {
  const c = setCurrentMetricsContainer(undefined);
  setCurrentMetricsContainer(c);
  return c?.step;
}

function target(): OutputTarget | undefined {
  return context.getStore() ?? fallback;
}

function chunkText(chunk: unknown, encoding: unknown): string {
  if (typeof chunk === "string") return chunk;
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString(typeof encoding === "string" ? (encoding as BufferEncoding) : "utf8");
  return String(chunk);
}

function patchStream(stream: NodeJS.WriteStream, name: OutputStream): void {
  const original = stream.write;
  stream.write = function (this: NodeJS.WriteStream, chunk: unknown, encoding?: unknown, cb?: unknown): boolean {
    const t = target();
    if (!t) return (original as (...a: unknown[]) => boolean).call(this, chunk, encoding, cb);
    t.write(name, chunkText(chunk, encoding), currentTransform());
    const done = typeof encoding === "function" ? encoding : cb;
    if (typeof done === "function") queueMicrotask(() => (done as () => void)());
    return true;
  } as NodeJS.WriteStream["write"];
}

function patchConsole(): void {
  // A console of our own formats every method as Node's does (trace, table, dir, group...).
  // Console wants an emitter (it listens for 'error' around each write); our write is synchronous.
  const sink = (stream: OutputStream) =>
    Object.assign(new EventEmitter(), {
      write(text: string): boolean {
        target()?.write(stream, text, currentTransform());
        return true;
      },
    });
  const carrier = new Console({ stdout: sink("stdout") as never, stderr: sink("stderr") as never, colorMode: false });
  const c = console as unknown as Record<string, unknown>;
  const carrierFns = carrier as unknown as Record<string, (...a: unknown[]) => unknown>;
  const names = new Set([...Object.keys(c), "log", "info", "debug", "warn", "error", "trace", "dir", "dirxml", "table", "group", "groupCollapsed", "groupEnd", "assert", "count", "countReset", "time", "timeEnd", "timeLog"]);
  for (const name of names) {
    const original = c[name];
    if (typeof original !== "function" || typeof carrierFns[name] !== "function" || name === "Console") continue;
    c[name] = function (this: unknown, ...args: unknown[]) {
      if (!target()) return (original as (...a: unknown[]) => unknown).apply(this, args);
      return carrierFns[name]!.apply(carrier, args);
    };
  }
}

/** Patches console and the process's streams once; `workerFallback` takes output outside tasks. */
export function installOutputCapture(workerFallback?: OutputTarget): void {
  if (workerFallback) fallback = workerFallback;
  if (installed) return;
  installed = true;
  patchStream(process.stdout, "stdout");
  patchStream(process.stderr, "stderr");
  patchConsole();
  routeUserOutput({
    carried: () => target() !== undefined,
    write(stream, text, transform) {
      const t = target();
      if (!t) return false;
      t.write(stream, text, transform ?? currentTransform());
      return true;
    },
  });
}

/** Runs `fn` (and everything it starts) with its output going to `t`. */
export function withOutputCapture<T>(t: OutputTarget, fn: () => T): T {
  installOutputCapture();
  return context.run(t, fn);
}

/** Runs `fn` outside any capture: how carried output is finally printed without being captured again. */
export function outsideCapture<T>(fn: () => T): T {
  return context.exit(fn);
}
