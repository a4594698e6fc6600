/**
 * Users' console output of a Flink job, read back from the bridge's console accumulators
 * (`flowbook.console/<operator>`, docs/flink-plan.md "Console output") as `output` run
 * events. The accumulators are cumulative and every line is numbered per source (one
 * operator subtask attempt), so reading them any number of times, live or after the end,
 * yields each line once, in its source's order.
 */
import type { RunEvent } from "../../../sdk/runner.js";
import type { JobAccumulators } from "../rest/client.js";

export const CONSOLE_ACCUMULATOR_PREFIX = "flowbook.console/";

/** The value of one console accumulator, as REST shows it. */
interface ConsoleValue {
  maxBytes: number;
  dropped: number;
  /** source → entries [first line number, stream, transform | null, whole lines]. */
  sources: Record<string, Array<[number, "stdout" | "stderr", string | null, string]>>;
}

type OutputEvent = Extract<RunEvent, { kind: "output" }>;

export class ConsoleOutputReader {
  /** Per source, the number of its lines already emitted. */
  private readonly next = new Map<string, number>();
  private droppedReported = 0;

  /**
   * @param maxBytesOption the runner option that raises the bound, named when lines were dropped
   * @param jobMaxBytes the job's bound (what the option is set to, or its default)
   */
  constructor(
    private readonly maxBytesOption = "flinkOutputMaxBytes",
    private readonly jobMaxBytes?: number,
    /** The plan's operator ids in order: what was read in one go is emitted upstream first. */
    private readonly operatorOrder: string[] = [],
  ) {}

  private rank(accumulatorName: string): number {
    const op = accumulatorName.slice(CONSOLE_ACCUMULATOR_PREFIX.length).split("/")[0]!;
    const i = this.operatorOrder.indexOf(op);
    return i < 0 ? this.operatorOrder.length : i;
  }

  /** Output events for the lines not read before; with `final`, also says how many lines were dropped. */
  read(acc: JobAccumulators | undefined, final = false, at = Date.now()): OutputEvent[] {
    const out: OutputEvent[] = [];
    let dropped = 0;
    const consoles = (acc?.["user-task-accumulators"] ?? []).filter((a) => a.name.startsWith(CONSOLE_ACCUMULATOR_PREFIX));
    consoles.sort((a, b) => this.rank(a.name) - this.rank(b.name));
    for (const a of consoles) {
      let v: ConsoleValue;
      try {
        v = JSON.parse(a.value) as ConsoleValue;
      } catch {
        continue;
      }
      dropped += v.dropped ?? 0;
      for (const [source, entries] of Object.entries(v.sources ?? {})) {
        let next = this.next.get(source) ?? 0;
        for (const [first, stream, transform, text] of entries) {
          const lines = splitLines(text);
          const skip = next - first;
          if (skip >= lines.length) continue;
          const fresh = lines.slice(Math.max(0, skip)).join("");
          next = first + lines.length;
          const e: OutputEvent = { kind: "output", at, stream, text: fresh };
          if (transform) e.transform = transform;
          out.push(e);
        }
        this.next.set(source, next);
      }
    }
    // Said once when first seen (the user learns at once that output is cut) and with the final count.
    if (dropped > this.droppedReported && (this.droppedReported === 0 || final)) {
      this.droppedReported = dropped;
      const bound = this.jobMaxBytes !== undefined ? ` of ${formatBytes(this.jobMaxBytes)}` : "";
      out.push({
        kind: "output",
        at,
        stream: "stderr",
        text: `[flowbook] ${dropped}${final ? "" : "+"} line(s) of console output were dropped: the job's console output reached its limit${bound} (the Flink runner option ${this.maxBytesOption} raises it)\n`,
      });
    }
    return out;
  }
}

/** Whole lines, each with its newline. */
function splitLines(text: string): string[] {
  const lines: string[] = [];
  let start = 0;
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) {
    lines.push(text.slice(start, i + 1));
    start = i + 1;
  }
  if (start < text.length) lines.push(text.slice(start) + "\n");
  return lines;
}

function formatBytes(n: number): string {
  return n >= 1 << 20 && n % (1 << 20) === 0 ? `${n / (1 << 20)} MiB` : `${n} bytes`;
}
