/**
 * A run's events (sdk/runner.ts RunEvent), as both runners emit them. Events wait for the
 * first listener and are replayed to it, so a session that subscribes right after run()
 * misses nothing. A run nobody subscribed to by the next turn of the event loop (a plain
 * Node script that imported flowbook) prints its users' output to this process's stdout
 * and stderr, as such a script expects of console.log in a DoFn. A runner awaits ready()
 * before it emits `run-finished` and resolves waitUntilFinish(), so a script's own prints
 * after `await result.waitUntilFinish()` come after its pipeline's.
 */
import type { RunEvent } from "../../sdk/runner.js";

type Listener = (event: RunEvent) => void;

export class RunEventBus {
  private readonly listeners = new Set<Listener>();
  private pending: RunEvent[] | undefined = [];
  private finished = false;
  private readonly delivering: Promise<void>;

  constructor(private readonly fallback: Listener | null = printOutput) {
    this.delivering = new Promise<void>((resolve) =>
      setImmediate(() => {
        if (fallback && this.pending) this.subscribe(fallback);
        resolve();
      }),
    );
  }

  /** Resolves once events reach a listener (or, with no fallback, once one could have subscribed). */
  ready(): Promise<void> {
    return this.delivering;
  }

  emit(event: RunEvent): void {
    if (this.finished) {
      // Output after the end (a timer a DoFn left running) breaks the contract; printed beats lost.
      if (event.kind === "output") this.fallback?.(event);
      return;
    }
    if (event.kind === "run-finished") this.finished = true;
    if (this.pending) {
      // Only the latest progress snapshot matters to a listener that comes late.
      if (event.kind === "progress") {
        const i = this.pending.findIndex((e) => e.kind === "progress");
        if (i >= 0) this.pending.splice(i, 1);
      }
      this.pending.push(event);
      return;
    }
    for (const l of this.listeners) {
      try {
        l(event);
      } catch {
        // A listener's failure is its own; the run and other listeners go on.
      }
    }
  }

  subscribe(listener: Listener): () => void {
    const replay = this.pending;
    this.pending = undefined;
    this.listeners.add(listener);
    for (const e of replay ?? []) {
      try {
        listener(e);
      } catch {
        // as in emit
      }
    }
    return () => void this.listeners.delete(listener);
  }
}

/** The fallback listener: users' output to this process's stdout and stderr. */
export function printOutput(event: RunEvent): void {
  if (event.kind === "output") (event.stream === "stderr" ? process.stderr : process.stdout).write(event.text);
}
