/**
 * The three Nexmark queries as users write them (README style: `Pipeline.create()` with
 * default options, DoFn classes, a CombineFn, TextIO out), as text for `flowbook run`. Each
 * imports the generator as the user's own module `./nexmark.js` (bench/nexmark/generator.ts,
 * copied beside it as nexmark.ts), and derives its events from a GenerateSequence with a ParDo:
 * bounded (`.to(n)`: a batch job) or, in `unbounded` mode, with a rate (a streaming job that
 * ends when the sequence does).
 *
 * Every query writes lines that the native Flink jobs (flink/examples-nexmark) write too:
 *   Q0  one line per event (eventLine);
 *   Q5  windowStart,windowEnd,auction,count for the auctions with the most bids of each window;
 *   Q11 bidder,windowStart,windowEnd,count, one line per pane.
 */

export type Query = "q0" | "q5" | "q11";
export const QUERIES: readonly Query[] = ["q0", "q5", "q11"];

export interface ScriptSpec {
  events: number;
  seed: number;
  /** TextIO's output prefix. */
  out: string;
  /** Events per second of the unbounded source (GenerateSequence.withRate); absent: bounded. */
  rate?: number;
  /** Event time of event 0 (ms since the epoch); absent: the generator's (1 January 2026). */
  baseTime?: number;
}

function source(s: ScriptSpec): string {
  const seq = `GenerateSequence.from(0).to(${s.events})${s.rate ? `.withRate(${s.rate}, Duration.seconds(1))` : ""}`;
  return `const SEED = ${s.seed};
const BASE_TIME = ${s.baseTime ?? "NEXMARK.baseTime"};

/** Event number i of the Nexmark stream, stamped with its event time. */
class GenerateEventFn extends DoFn<number, NexmarkEvent> {
  processElement(c: ProcessContext<number, NexmarkEvent>) {
    const e = nexmarkEvent(c.element(), SEED, BASE_TIME);
    c.outputWithTimestamp(e, eventTime(e));
  }
}

const p = Pipeline.create();
const events = p
  .apply("EventNumbers", ${seq})
  .apply("Events", ParDo.of(new GenerateEventFn()));`;
}

const IMPORTS = `import { Pipeline, GenerateSequence, ParDo, DoFn, MapElements, Filter, Count, Combine, CombineFn, Window,
  SlidingWindows, Sessions, Repeatedly, AfterPane, Duration, TextIO, KV, type IntervalWindow, type ProcessContext } from "flowbook";
import { nexmarkEvent, eventLine, eventTime, NEXMARK, type NexmarkEvent } from "./nexmark.js";`;

/** Query 0, pass-through: every event through a ParDo, written as its line. */
export function query0Script(s: ScriptSpec): string {
  return `${IMPORTS}

${source(s)}

class PassThroughFn extends DoFn<NexmarkEvent, NexmarkEvent> {
  processElement(c: ProcessContext<NexmarkEvent, NexmarkEvent>) {
    c.output(c.element());
  }
}

events
  .apply("PassThrough", ParDo.of(new PassThroughFn()))
  .apply("Format", MapElements.via((e: NexmarkEvent) => eventLine(e)))
  .apply(TextIO.write().to(${JSON.stringify(s.out)}));
await p.run().waitUntilFinish();
`;
}

/** Query 5, hot items: the auctions with the most bids in each sliding window (Beam's Query5). */
export function query5Script(s: ScriptSpec): string {
  return `${IMPORTS}

${source(s)}

interface Top { auctions: number[]; count: number }

/** Keeps every auction with the largest count (Beam's Query5.TopCombineFn). */
class TopCombineFn extends CombineFn<KV<number, number>, Top, KV<number, number[]>> {
  createAccumulator(): Top {
    return { auctions: [], count: 0 };
  }
  addInput(acc: Top, input: KV<number, number>): Top {
    if (input.value > acc.count) return { auctions: [input.key], count: input.value };
    if (input.value === acc.count) acc.auctions.push(input.key);
    return acc;
  }
  mergeAccumulators(accs: Iterable<Top>): Top {
    let best: Top = { auctions: [], count: 0 };
    for (const a of accs) {
      if (a.count > best.count) best = { auctions: [...a.auctions], count: a.count };
      else if (a.count === best.count) best.auctions.push(...a.auctions);
    }
    return best;
  }
  extractOutput(acc: Top): KV<number, number[]> {
    return KV.of(acc.count, acc.auctions);
  }
}

class SelectFn extends DoFn<KV<number, number[]>, string> {
  processElement(c: ProcessContext<KV<number, number[]>, string>) {
    const w = c.window() as IntervalWindow;
    for (const auction of c.element().value) c.output(\`\${w.start},\${w.end},\${auction},\${c.element().key}\`);
  }
}

events
  .apply("JustBids", Filter.by((e: NexmarkEvent) => e.bid !== undefined))
  .apply(Window.into(SlidingWindows.of(Duration.seconds(NEXMARK.windowSizeSec)).every(Duration.seconds(NEXMARK.windowPeriodSec))))
  .apply("BidToAuction", MapElements.via((e: NexmarkEvent) => e.bid!.auction))
  .apply(Count.perElement())
  .apply(Combine.globally(new TopCombineFn()).withoutDefaults())
  .apply("Select", ParDo.of(new SelectFn()))
  .apply(TextIO.write().to(${JSON.stringify(s.out)}));
await p.run().waitUntilFinish();
`;
}

/** Query 11, user sessions: each bidder's bids per session, a pane every maxLogEvents bids (Beam's Query11). */
export function query11Script(s: ScriptSpec): string {
  return `${IMPORTS}

${source(s)}

class ToResultFn extends DoFn<KV<number, number>, string> {
  processElement(c: ProcessContext<KV<number, number>, string>) {
    const w = c.window() as IntervalWindow;
    c.output(\`\${c.element().key},\${w.start},\${w.end},\${c.element().value}\`);
  }
}

events
  .apply("JustBids", Filter.by((e: NexmarkEvent) => e.bid !== undefined))
  .apply("Rekey", MapElements.via((e: NexmarkEvent) => e.bid!.bidder))
  .apply(
    Window.into<number>(Sessions.withGapDuration(Duration.seconds(NEXMARK.windowSizeSec)))
      .triggering(Repeatedly.forever(AfterPane.elementCountAtLeast(NEXMARK.maxLogEvents)))
      .discardingFiredPanes()
      .withAllowedLateness(Duration.seconds(Math.floor(NEXMARK.occasionalDelaySec / 2))),
  )
  .apply(Count.perElement())
  .apply("ToResult", ParDo.of(new ToResultFn()))
  .apply(TextIO.write().to(${JSON.stringify(s.out)}));
await p.run().waitUntilFinish();
`;
}

export function queryScript(q: Query, s: ScriptSpec): string {
  return q === "q0" ? query0Script(s) : q === "q5" ? query5Script(s) : query11Script(s);
}

/** The native job's main class for a query. */
export function nativeClass(q: Query): string {
  return `dev.flowbook.examples.nexmark.Query${q.slice(1)}`;
}
