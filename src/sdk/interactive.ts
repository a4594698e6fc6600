/**
 * The interactive facade over any runner: `await collect(pcoll)` brings a PCollection's
 * elements back, `await show(pcoll)` shows a sample of them. Both run the PCollection's
 * pipeline with a sampling request, which each runner honours (the local runner keeps
 * them in memory, the Flink runner returns them through REST accumulators).
 */
import type { PCollection } from "./pcollection.js";
import { canonical } from "./testing/canonical.js";
import type { WindowedValue } from "./values/windowed_value.js";

export interface CollectOptions {
  /** At most this many elements (default: all, up to 100 000). */
  n?: number;
}

const DEFAULT_LIMIT = 100_000;

/** Runs what `pc` needs and returns its elements with their timestamps and windows. */
export async function collectWindowed<T>(pc: PCollection<T>, options: CollectOptions = {}): Promise<{ elements: WindowedValue<T>[]; truncated: boolean }> {
  const n = options.n ?? DEFAULT_LIMIT;
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`collect: n must be a non-negative integer, got ${n}`);
  const result = pc.pipeline.run({ collect: { [pc.id]: n } });
  await result.waitUntilFinish();
  const sample = result.collected(pc.id);
  const elements = (sample?.elements ?? []) as WindowedValue<T>[];
  return { elements: elements.slice(0, n), truncated: (sample?.truncated ?? false) || elements.length > n };
}

/** Runs what `pc` needs and returns its elements (at most `n`). */
export async function collect<T>(pc: PCollection<T>, options: CollectOptions = {}): Promise<T[]> {
  return (await collectWindowed(pc, options)).elements.map((e) => e.value);
}

let displayHook: ((value: unknown) => void) | undefined;
/** Where show() sends what it shows: a notebook's display(), or the console. */
export function setShowDisplay(hook: ((value: unknown) => void) | undefined): void {
  displayHook = hook;
}

/** A sample of a PCollection, as a text table (and an HTML one for notebooks). */
export class PCollectionSample<T> {
  constructor(readonly name: string, readonly elements: WindowedValue<T>[], readonly truncated: boolean) {}
  toString(): string {
    const rows = this.elements.map((e) => short(e.value));
    const head = `${this.name}: ${this.elements.length}${this.truncated ? "+" : ""} element(s)`;
    return [head, ...rows.map((r) => `  ${r}`)].join("\n");
  }
  /** How util.inspect (a terminal, a notebook's text/plain) shows it: as its text table. */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
  toMimeBundle(): Record<string, string> {
    const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;");
    const rows = this.elements.map((e) => `<tr><td>${esc(short(e.value))}</td><td>${esc(String(e.timestamp))}</td></tr>`).join("");
    return {
      "text/plain": this.toString(),
      "text/html": `<table><caption>${esc(this.name)}${this.truncated ? " (sample)" : ""}</caption><tr><th>element</th><th>timestamp</th></tr>${rows}</table>`,
    };
  }
}

function short(v: unknown): string {
  const s = typeof v === "string" ? JSON.stringify(v) : canonical(v);
  return s.length > 200 ? s.slice(0, 200) + "…" : s;
}

/** Shows up to `n` elements (default 20) of a PCollection, computing what it needs. */
export async function show<T>(pc: PCollection<T>, options: CollectOptions = {}): Promise<void> {
  const { elements, truncated } = await collectWindowed(pc, { n: options.n ?? 20 });
  const sample = new PCollectionSample(pc.name, elements, truncated);
  if (displayHook) displayHook(sample);
  else console.log(sample.toString());
}
