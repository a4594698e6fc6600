/**
 * What a live display of an unbounded PCollection shows: the latest pane per key and
 * window (a KV's later pane replaces its row), or one row per element and window for
 * anything else, in the order rows first appeared. Each row remembers the update that last
 * changed it, so the display can mark what the latest update changed. Elements arrive in
 * the batches a runner hands over (PipelineResult.onLiveSample); the display groups them
 * into updates (`endUpdate()`), one per redraw.
 */
import { KV } from "../../sdk/values/kv.js";
import type { PaneTiming } from "../../sdk/values/pane.js";
import type { WindowedValue } from "../../sdk/values/windowed_value.js";

export interface LiveRow {
  /** The row's latest element, in one window. */
  element: WindowedValue<unknown>;
  /** The update that last changed it (compare with LivePanes.update). */
  changedIn: number;
  /** How many panes replaced it before this one (0: the first). */
  replaced: number;
}

export class LivePanes {
  private readonly byIdentity = new Map<string, LiveRow>();
  /** Elements received (a WindowedValue in several windows counts once). */
  elements = 0;
  /** Elements received per pane timing. */
  readonly timings: Record<PaneTiming, number> = { EARLY: 0, ON_TIME: 0, LATE: 0, UNKNOWN: 0 };
  /** The latest watermark a batch carried, if any. */
  watermark: number | undefined;
  /** The update being gathered now: the rows it changes are marked once endUpdate() closes it. */
  private current = 1;
  /** Whether any element came into the current update. */
  private changed = false;
  private lastElement = 0;
  /** Every value a KV: rows are per key and window (decided by the first element). */
  private keyed: boolean | undefined;

  /** Adds elements to the current update. */
  add(elements: readonly WindowedValue<unknown>[], watermark?: number): void {
    if (watermark !== undefined) this.watermark = watermark;
    for (const e of elements) {
      this.elements++;
      this.timings[e.pane.timing] = (this.timings[e.pane.timing] ?? 0) + 1;
      this.keyed ??= KV.is(e.value);
      const keyed = this.keyed && KV.is(e.value);
      const element = ++this.lastElement;
      this.changed = true;
      for (const w of e.windows) {
        const identity = keyed ? `k ${identityOf((e.value as KV<unknown, unknown>).key)} ${identityOf(w)}` : `e ${element} ${identityOf(w)}`;
        const one: WindowedValue<unknown> = { value: e.value, timestamp: e.timestamp, windows: [w], pane: e.pane };
        const row = this.byIdentity.get(identity);
        if (row) {
          row.element = one;
          row.changedIn = this.current;
          row.replaced++;
        } else {
          this.byIdentity.set(identity, { element: one, changedIn: this.current, replaced: 0 });
        }
      }
    }
  }

  /**
   * Closes the current update (a redraw): returns its number; later elements go into the
   * next. A redraw with nothing new (a clock tick, the final state) closes none: the rows
   * the last update with elements changed stay marked.
   */
  endUpdate(): number {
    if (!this.changed) return this.current - 1;
    this.changed = false;
    return this.current++;
  }

  /** The last closed update's number (0 before any). */
  get update(): number {
    return this.current - 1;
  }

  /** Rows in the order they first appeared. */
  rows(): LiveRow[] {
    return [...this.byIdentity.values()];
  }

  /** Rows per key and window (KVs), or per element and window. */
  get perKey(): boolean {
    return this.keyed === true;
  }
}

/** A stable text identity of a key or a window (by value: keys decoded from bytes are new objects each time). */
function identityOf(x: unknown): string {
  if (x === null || typeof x !== "object") return `${typeof x}:${String(x)}`;
  if (x instanceof Uint8Array) return `bytes:${Buffer.from(x).toString("base64")}`;
  const w = x as { start?: unknown; end?: unknown };
  if (typeof w.start === "number" && typeof w.end === "number") return `[${w.start},${w.end})`;
  try {
    return `json:${JSON.stringify(x, (_k, v: unknown) => (typeof v === "bigint" ? `${v}n` : v))}`;
  } catch {
    return `str:${String(x)}`;
  }
}
