/**
 * What the local runner reports while it runs (PipelineResult.onEvent): run, stage and
 * progress events with exact counts per transform, users' console output from every kind of
 * user code as `output` events named by their transform, and the end — on worker threads
 * and in process alike.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  Combine, CombineFn, ConsoleIO, Count, Create, DoFn, Filter, Flatten, GroupByKey, MapElements, PCollectionList, ParDo, Pipeline, TextIO, WithKeys,
  type FinishBundleContext, type PipelineResult, type ProcessContext, type RunEvent, type StartBundleContext,
} from "../../../src/index.js";

type Output = Extract<RunEvent, { kind: "output" }>;
type Progress = Extract<RunEvent, { kind: "progress" }>;

/** Runs a pipeline and returns every event it reported, subscribed right after run(). */
async function eventsOf(p: Pipeline, during?: (e: RunEvent, r: PipelineResult) => void): Promise<{ events: RunEvent[]; result: PipelineResult; error?: unknown }> {
  const result = p.run();
  const events: RunEvent[] = [];
  result.onEvent!((e) => {
    events.push(e);
    during?.(e, result);
  });
  try {
    await result.waitUntilFinish();
    return { events, result };
  } catch (error) {
    return { events, result, error };
  }
}

/** Output events as lines `transform|stream|line`, in order. */
function outputLines(events: RunEvent[]): string[] {
  return events
    .filter((e): e is Output => e.kind === "output")
    .flatMap((e) => e.text.split("\n").slice(0, e.text.endsWith("\n") ? -1 : undefined).map((l) => `${e.transform ?? "?"}|${e.stream}|${l}`));
}

/**
 * The last progress event's counts per transform. Each transform's own time (busyMs, sampled)
 * is checked to be there and left out, so the counts compare exactly.
 */
function lastProgress(events: RunEvent[]): Map<string, Progress["transforms"][number]> {
  const p = events.filter((e): e is Progress => e.kind === "progress").pop();
  expect(p, "a progress event").toBeDefined();
  return new Map(
    p!.transforms.map((t) => {
      const { busyMs, ...counts } = t;
      expect(busyMs === undefined || (Number.isInteger(busyMs) && busyMs >= 0), `${t.transform}'s busyMs`).toBe(true);
      return [t.transform, counts];
    }),
  );
}

const modes = [
  { name: "worker threads", options: { parallelism: 2 } },
  { name: "in process", options: { inProcess: true } },
];

class Talk extends DoFn<string, string> {
  setup() {
    console.info("setup");
  }
  startBundle(_c: StartBundleContext) {
    process.stdout.write("startBundle\n");
  }
  processElement(c: ProcessContext<string, string>) {
    console.log("process", c.element());
    console.error("err", c.element());
    c.output(c.element().toUpperCase());
  }
  finishBundle(_c: FinishBundleContext<string>) {
    console.warn("finishBundle");
    process.stderr.write("stderr write\n");
  }
  teardown() {
    console.debug("teardown");
  }
}

class LoudSum extends CombineFn<number, number, number> {
  createAccumulator() {
    console.log("createAccumulator");
    return 0;
  }
  addInput(acc: number, x: number) {
    console.log("addInput", x);
    return acc + x;
  }
  mergeAccumulators(accs: Iterable<number>) {
    console.log("mergeAccumulators");
    let s = 0;
    for (const a of accs) s += a;
    return s;
  }
  extractOutput(acc: number) {
    console.log("extractOutput", acc);
    return acc;
  }
}

describe.each(modes)("run events ($name)", ({ options }) => {
  it("Create 10 → Map → Filter(5) → Count: run, stages, exact counts per transform, output, then the end", async () => {
    const p = Pipeline.create(options);
    p.apply("Ten", Create.of(...Array.from({ length: 10 }, (_, i) => i)))
      .apply("Double", MapElements.via((x: number) => {
        if (x === 3) console.log("three");
        return x * 2;
      }))
      .apply("Small", Filter.by((x: number) => x < 10))
      .apply("Count", Count.globally());
    const { events, error } = await eventsOf(p);
    expect(error).toBeUndefined();

    const kinds = events.map((e) => e.kind);
    expect(kinds[0]).toBe("run-started");
    expect(events[0]).toMatchObject({ runner: "direct" });
    expect(kinds[kinds.length - 1]).toBe("run-finished");
    expect(kinds.filter((k) => k === "run-finished")).toHaveLength(1);
    const end = events[events.length - 1] as Extract<RunEvent, { kind: "run-finished" }>;
    expect(end.state).toBe("DONE");
    expect(end.error).toBeUndefined();
    expect(end.durationMs).toBeGreaterThanOrEqual(0);

    // Each stage starts once and finishes once after it started, with a name made of its
    // transforms. Stages may overlap: Count's Flatten starts with the count while the default's
    // stage still waits for its side input.
    const stages = events.filter((e): e is Extract<RunEvent, { kind: "stage-started" | "stage-finished" }> => e.kind === "stage-started" || e.kind === "stage-finished");
    expect(stages.length).toBeGreaterThanOrEqual(4);
    const ids = [...new Set(stages.map((s) => s.stage))];
    expect(stages.length).toBe(2 * ids.length);
    for (const id of ids) {
      const [started, finished] = stages.filter((s) => s.stage === id);
      expect(started!.kind).toBe("stage-started");
      expect(finished).toMatchObject({ kind: "stage-finished", stage: id, name: started!.name });
    }
    expect(stages[0]!.name).toBe("Ten → Double → Small → Count");
    // Stages inside one composite are named below it.
    expect(stages.map((s) => s.name)).toContain("Count: Combine.perKey → Values");

    // Progress: every transform's elements in and out, as full names.
    const totals = lastProgress(events);
    expect(totals.get("Ten")).toEqual({ transform: "Ten", elementsOut: 10 });
    expect(totals.get("Double")).toEqual({ transform: "Double", elementsIn: 10, elementsOut: 10 });
    expect(totals.get("Small")).toEqual({ transform: "Small", elementsIn: 10, elementsOut: 5 });
    expect(totals.get("Count/Combine.perKey")).toMatchObject({ elementsIn: 5, elementsOut: 1 });
    // The count flows through the Flatten beside the default, which a non-empty input does not produce.
    expect(totals.get("Count/Flatten")).toMatchObject({ elementsOut: 1 });
    expect(totals.get("Count/ProduceDefault")).toMatchObject({ elementsIn: 1 });
    expect(totals.get("Count/ProduceDefault")?.elementsOut ?? 0).toBe(0);
    // The last progress is the final one: nothing but the end after it.
    expect(kinds.lastIndexOf("progress")).toBeGreaterThan(kinds.lastIndexOf("stage-finished"));

    expect(outputLines(events)).toEqual(["Double|stdout|three"]);
    expect(kinds.indexOf("output")).toBeGreaterThan(0);
  });

  it("counts through a Flatten, Count.perElement fused into its combine, an output nothing reads, and sinks", async () => {
    const out = mkdtempSync(path.join(tmpdir(), "flowbook-counts-"));
    try {
      // Checks off: Count.perElement's Init is fused into the lifted combine and skips the wiring.
      const p = Pipeline.create({ ...options, enforceEncodability: false, enforceImmutability: false });
      const a = p.apply("A", Create.of(1, 2, 3, 4, 5, 6));
      const b = p.apply("B", Create.of(7, 8));
      const both = PCollectionList.of([a, b]).apply("Both", Flatten.pCollections<number>());
      both.apply("Parity", MapElements.via((n: number) => (n % 2 ? "odd" : "even"))).apply("PerParity", Count.perElement<string>());
      both.apply("Unread", MapElements.via((n: number) => n + 1));
      const text = both.apply("Text", MapElements.via((n: number) => String(n)));
      text.apply("Write", TextIO.write().to(path.join(out, "all")));
      text.apply("WriteOne", TextIO.write().to(path.join(out, "one")).withNumShards(1));
      const { events, error } = await eventsOf(p);
      expect(error).toBeUndefined();
      const totals = lastProgress(events);
      expect(totals.get("A")).toEqual({ transform: "A", elementsOut: 6 });
      expect(totals.get("B")).toEqual({ transform: "B", elementsOut: 2 });
      expect(totals.get("Both")).toEqual({ transform: "Both", elementsIn: 8, elementsOut: 8 });
      expect(totals.get("Parity")).toEqual({ transform: "Parity", elementsIn: 8, elementsOut: 8 });
      expect(totals.get("PerParity/Init")).toEqual({ transform: "PerParity/Init", elementsIn: 8, elementsOut: 8 });
      expect(totals.get("PerParity/Combine.perKey")).toEqual({ transform: "PerParity/Combine.perKey", elementsIn: 8, elementsOut: 2 });
      expect(totals.get("Unread")).toEqual({ transform: "Unread", elementsIn: 8, elementsOut: 8 });
      expect(totals.get("Write")).toEqual({ transform: "Write", elementsIn: 8 });
      expect(totals.get("WriteOne")).toEqual({ transform: "WriteOne", elementsIn: 8 });
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it("console output of every DoFn method and of ConsoleIO comes back in order, named by its transform", async () => {
    const p = Pipeline.create({ ...options, parallelism: 1 });
    p.apply(Create.of("a", "b")).apply("Talk", ParDo.of(new Talk())).apply("Print", ConsoleIO.write({ prefix: "> " }));
    const { events, error } = await eventsOf(p);
    expect(error).toBeUndefined();
    expect(outputLines(events)).toEqual([
      "Talk|stdout|setup",
      "Talk|stdout|startBundle",
      "Talk|stdout|process a",
      "Talk|stderr|err a",
      "Print|stdout|> A",
      "Talk|stdout|process b",
      "Talk|stderr|err b",
      "Print|stdout|> B",
      "Talk|stderr|finishBundle",
      "Talk|stderr|stderr write",
      "Talk|stdout|teardown",
    ]);
    // All of it before the end.
    expect(events.findIndex((e) => e.kind === "run-finished")).toBe(events.length - 1);
  });

  it("a CombineFn's console output, and console.trace with its stack, named by the combine", async () => {
    const p = Pipeline.create({ ...options, parallelism: 2 });
    p.apply(Create.of(1, 2, 3, 4)).apply("Sum", Combine.globally(new LoudSum()));
    p.apply("Two", Create.of("x")).apply("Trace", MapElements.via((s: string) => {
      console.trace("where", s);
      return s;
    }));
    const { events, error } = await eventsOf(p);
    expect(error).toBeUndefined();
    const lines = outputLines(events);
    const sum = lines.filter((l) => l.startsWith("Sum"));
    for (const m of ["createAccumulator", "addInput 1", "addInput 2", "addInput 3", "addInput 4", "extractOutput 10"]) expect(sum.some((l) => l.endsWith(`|stdout|${m}`)), m).toBe(true);
    expect(lines).toContain("Trace|stderr|Trace: where x");
    expect(lines.filter((l) => l.startsWith("Trace|stderr|    at ")).length).toBeGreaterThan(0);
  });

  it("a failing run ends with run-finished FAILED, after the output printed before the failure and teardown's", async () => {
    class Fails extends DoFn<number, number> {
      processElement(c: ProcessContext<number, number>) {
        console.log("saw", c.element());
        if (c.element() === 3) throw new Error("Boom at three");
        c.output(c.element());
      }
      teardown() {
        console.log("torn down");
      }
    }
    const p = Pipeline.create({ ...options, parallelism: 1 });
    p.apply(Create.of(1, 2, 3, 4)).apply("Fails", ParDo.of(new Fails()));
    const { events, error } = await eventsOf(p);
    expect(String(error)).toContain("Boom at three");
    const end = events[events.length - 1]!;
    expect(end).toMatchObject({ kind: "run-finished", state: "FAILED" });
    expect((end as { error?: string }).error).toContain("Boom at three");
    expect((end as { error?: string }).error).toContain("Fails");
    expect(outputLines(events)).toEqual(["Fails|stdout|saw 1", "Fails|stdout|saw 2", "Fails|stdout|saw 3", "Fails|stdout|torn down"]);
  });

  it("cancel ends the run with run-finished CANCELLED", async () => {
    const p = Pipeline.create({ ...options, parallelism: 1 });
    p.apply(Create.of(...Array.from({ length: 400 }, (_, i) => i)))
      .apply("Slow", MapElements.via((x: number) => {
        console.log("slow", x);
        const until = Date.now() + 5;
        while (Date.now() < until) {
          // busy: 2 s in all
        }
        return x;
      }))
      .apply(WithKeys.of((x: number) => x % 3))
      .apply(GroupByKey.create());
    let cancelled: Promise<unknown> | undefined;
    const { events, result } = await eventsOf(p, (e, r) => {
      if (e.kind === "output" && !cancelled) cancelled = r.cancel();
    });
    expect(cancelled).toBeDefined();
    expect(await cancelled).toBe("CANCELLED");
    expect(result.state).toBe("CANCELLED");
    expect(events[events.length - 1]).toMatchObject({ kind: "run-finished", state: "CANCELLED" });
    expect(events.filter((e) => e.kind === "run-finished")).toHaveLength(1);
    // Worker threads stop at once; in process, the running task (synchronous user code) ends first.
    if (!options.inProcess) expect(outputLines(events).length).toBeLessThan(400);
  });
});

describe("live progress", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "flowbook-progress-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, "lines.txt");
  // 600 000 lines, 5.4 MB: read in 2 MB chunks, the event loop turns between them.
  const total = 600_000;
  const text = Array.from({ length: total }, (_, i) => `line ${i}`).join("\n") + "\n";
  writeFileSync(file, text);

  it.each(modes)("counts arrive while a stage runs, at most ~4 snapshots a second ($name)", async ({ options }) => {
    const p = Pipeline.create({ ...options, parallelism: 1, enforceEncodability: false, enforceImmutability: false });
    p.apply("Read", TextIO.read().from(file))
      .apply("Slow", MapElements.via((l: string) => {
        if (l.endsWith("0000")) {
          const until = Date.now() + 15; // 60 pauses: about 1 s in all
          while (Date.now() < until) {
            // busy
          }
        }
        return l.length;
      }))
      .apply(Count.globally());
    const { events, error } = await eventsOf(p);
    expect(error).toBeUndefined();
    const firstStageEnd = events.findIndex((e) => e.kind === "stage-finished");
    const live = events.slice(0, firstStageEnd).filter((e): e is Progress => e.kind === "progress");
    const partial = live.map((e) => e.transforms.find((t) => t.transform === "Slow")!.elementsIn!).filter((n) => n > 0 && n < total);
    expect(partial.length, "a snapshot with part of the input counted").toBeGreaterThan(0);
    const progress = events.filter((e): e is Progress => e.kind === "progress");
    // Throttled, but for the final totals, sent at the end whenever the last snapshot was not them.
    for (let i = 1; i < progress.length - 1; i++) expect(progress[i]!.at - progress[i - 1]!.at).toBeGreaterThanOrEqual(200);
    const totals = lastProgress(events);
    expect(totals.get("Read")).toEqual({ transform: "Read", elementsOut: total, bytesRead: Buffer.byteLength(text) });
    expect(totals.get("Slow")).toMatchObject({ elementsIn: total, elementsOut: total });
  });
});
