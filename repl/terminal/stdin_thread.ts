/**
 * The terminal's keys, read in a worker thread. A cell busy in a loop blocks the main
 * thread, where a key handler could never run; this thread still reads Ctrl-C and turns it
 * into a SIGINT to the process while a cell runs (the session stops busy code on SIGINT,
 * see src/session/README.md "Interrupt"). It also owns raw mode, so the terminal is restored
 * however the REPL ends.
 */
import { Worker } from "node:worker_threads";

// Plain CommonJS evaluated in the worker: no module resolution, so it runs the same from
// sources (tsx) and from dist/.
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const tty = require("node:tty");
const { StringDecoder } = require("node:string_decoder");
const busy = new Int32Array(workerData.busy);
const input = new tty.ReadStream(workerData.fd);
input.setRawMode(true);
parentPort.postMessage({ ready: true });
const decoder = new StringDecoder("utf8");
input.on("data", (chunk) => {
  const text = decoder.write(chunk);
  if (!text) return;
  if (Atomics.load(busy, 0) === 1 && text.includes("\\x03") && !text.includes("\\x1b[200~")) {
    // The main thread may be busy: it hears of this Ctrl-C as a SIGINT, not as a key that
    // would arrive (late) when the cell has ended and then clear the next input.
    process.kill(process.pid, "SIGINT");
    parentPort.postMessage({ interrupted: true });
    const rest = text.split("\\x03").join("");
    if (rest) parentPort.postMessage(rest);
    return;
  }
  parentPort.postMessage(text);
});
// The terminal went away (closed window, hung-up ssh): the REPL ends.
input.on("end", () => parentPort.postMessage({ ended: true }));
input.on("error", () => parentPort.postMessage({ ended: true }));
parentPort.on("message", (m) => {
  if (m === "close") {
    try { input.setRawMode(false); } catch {}
    input.destroy();
    parentPort.close();
  }
});
`;

export interface KeyboardThread {
  /** Resolves once the terminal is in raw mode: keys typed from then on arrive as keys. */
  ready: Promise<void>;
  /** While true, Ctrl-C also sends SIGINT (read even when the main thread is busy). */
  setBusy(busy: boolean): void;
  /** Leaves raw mode and stops reading. */
  close(): Promise<void>;
}

/**
 * `onData` gets what was typed; `onInterrupt` that a Ctrl-C went out as SIGINT while busy;
 * `onEnd` that the terminal is gone.
 */
export function startKeyboardThread(onData: (text: string) => void, onInterrupt: () => void, onEnd: () => void, fd = 0): KeyboardThread {
  const busy = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { fd, busy: busy.buffer }, stdin: false, stdout: false });
  let isReady!: () => void;
  const ready = new Promise<void>((resolve) => (isReady = resolve));
  worker.on("message", (m: string | { interrupted?: true; ended?: true; ready?: true }) => {
    if (typeof m === "string") onData(m);
    else if (m.ready) isReady();
    else if (m.interrupted) onInterrupt();
    else if (m.ended) onEnd();
  });
  worker.on("error", (e) => process.stderr.write(`flowbook repl: the keyboard thread failed: ${e.message}\n`));
  const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
  worker.once("error", () => isReady());
  return {
    ready,
    setBusy: (b) => void Atomics.store(busy, 0, b ? 1 : 0),
    async close() {
      worker.postMessage("close");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 500).unref())]);
      await worker.terminate().catch(() => undefined);
    },
  };
}
