/**
 * The scheduler seen through a run's events: a Flatten's consumer stage starts on the
 * bundles its producers' finished tasks made, before its slow producer stage finished;
 * a side input is read only complete (its producer's watermark at +∞); a shuffle is read
 * once every writer is done; stage events and progress carry the watermarks.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Count, Create, Flatten, PAssert, ParDo, Pipeline, PCollectionList, TextIO, TimestampedValue, View, type PipelineOptions, type ProcessContext } from "../../../../src/index.js";
import type { RunEvent } from "../../../../src/sdk/runner.js";
import { TIMESTAMP_MAX, TIMESTAMP_MIN } from "../../../../src/sdk/values/time.js";
import { listFiles, tempDir, writeFiles } from "../../../support/files.js";

type StageEvent = Extract<RunEvent, { kind: "stage-started" | "stage-finished" }>;

async function run(p: Pipeline): Promise<RunEvent[]> {
  const r = p.run();
  const events: RunEvent[] = [];
  r.onEvent!((e) => events.push(e));
  expect(await r.waitUntilFinish()).toBe("DONE");
  return events;
}

/** The index of the stage event of `kind` whose stage name contains `part`. */
function at(events: RunEvent[], kind: StageEvent["kind"], part: string): number {
  const i = events.findIndex((e) => e.kind === kind && e.name.includes(part));
  if (i < 0) throw new Error(`no ${kind} event for a stage named like '${part}' in ${JSON.stringify(events.filter((e) => e.kind.startsWith("stage")))}`);
  return i;
}

function stageEvent(events: RunEvent[], kind: StageEvent["kind"], part: string): StageEvent {
  return events[at(events, kind, part)] as StageEvent;
}

/** Three files of `lines` lines each: three splits, so three tasks for the stage reading them. */
function threeFiles(lines: number): string {
  const dir = tempDir("flowbook-sched-");
  const files: Record<string, string> = {};
  for (const f of ["a", "b", "c"]) files[`${f}.txt`] = Array.from({ length: lines }, (_, i) => `${f}${i}`).join("\n") + "\n";
  writeFiles(dir, files);
  return join(dir, "*.txt");
}

/** Busy for a while on the last file's elements: that file's task ends well after the others. */
function slowOnC(ms: number) {
  return ParDo.of((line: string, c: ProcessContext<string, string>) => {
    if (line.startsWith("c")) {
      const until = Date.now() + ms;
      while (Date.now() < until) { /* a slow DoFn */ }
    }
    c.output(line);
  });
}

const MODES: PipelineOptions[] = [{ inProcess: true }, { parallelism: 2, inProcess: false }];

describe("scheduler", () => {
  for (const options of MODES) {
    it(`a Flatten's consumer starts before its slow producer stage finished (${JSON.stringify(options)})`, async () => {
      const p = Pipeline.create(options);
      const slow = p.apply("ReadSlow", TextIO.read().from(threeFiles(20))).apply("Slow", slowOnC(20));
      const fast = p.apply("Fast", Create.of("x", "y"));
      const all = PCollectionList.of(slow).and(fast).apply("Both", Flatten.pCollections<string>()).apply("After", ParDo.of((s: string, c: ProcessContext<string, string>) => c.output(s.toUpperCase())));
      PAssert.that(all).containsInAnyOrder(...["A", "B", "C"].flatMap((f) => Array.from({ length: 20 }, (_, i) => `${f}${i}`)), "X", "Y");
      const events = await run(p);
      // The consumer began on the finished tasks' bundles while the slow stage still ran.
      expect(at(events, "stage-started", "After")).toBeLessThan(at(events, "stage-finished", "Slow"));
      // ...and finished only after it: a Flatten's input watermark is its producers' minimum.
      expect(at(events, "stage-finished", "After")).toBeGreaterThan(at(events, "stage-finished", "Slow"));
      expect(stageEvent(events, "stage-started", "After").inputWatermark).toBe(TIMESTAMP_MIN);
      expect(stageEvent(events, "stage-finished", "After")).toMatchObject({ inputWatermark: TIMESTAMP_MAX, outputWatermark: TIMESTAMP_MAX });
    });

    it(`a side input is read only once complete, though its consumer's main input is ready first (${JSON.stringify(options)})`, async () => {
      const p = Pipeline.create(options);
      const side = p.apply("ReadSide", TextIO.read().from(threeFiles(10))).apply("SlowSide", slowOnC(20)).apply(View.asList<string>());
      const out = p
        .apply("Main", Create.of(1, 2, 3))
        .apply("UseSide", ParDo.of((n: number, c: ProcessContext<number, string>) => c.output(`${n}:${c.sideInput(side).length}`)).withSideInputs(side));
      PAssert.that(out).containsInAnyOrder("1:30", "2:30", "3:30");
      const events = await run(p);
      expect(at(events, "stage-started", "UseSide")).toBeGreaterThan(at(events, "stage-finished", "SlowSide"));
    });
  }

  it("a consumer failing while its producer stage still writes: the run fails naming it and leaves no file, final or temporary", async () => {
    const out = tempDir("flowbook-sched-out-");
    const p = Pipeline.create({ parallelism: 2, inProcess: false });
    const slow = p.apply("ReadSlow", TextIO.read().from(threeFiles(20))).apply("Slow", slowOnC(20));
    slow.apply("WriteSlow", TextIO.write().to(join(out, "slow")));
    const fast = p.apply("Fast", Create.of("x"));
    PCollectionList.of(slow).and(fast).apply("Both", Flatten.pCollections<string>())
      .apply("Fails", ParDo.of((s: string, c: ProcessContext<string, string>) => {
        if (s === "a0") throw new Error("no a0 here");
        c.output(s);
      }));
    const r = p.run();
    const events: RunEvent[] = [];
    r.onEvent!((e) => events.push(e));
    const error = await r.waitUntilFinish().then(() => undefined, (e: Error) => e);
    expect(error?.message).toContain("'Fails'");
    expect(error?.message).toContain("no a0 here");
    expect(r.state).toBe("FAILED");
    expect(listFiles(out)).toEqual([]);
    // The consumer failed while the slow stage ran, and nothing of the plan finished after it.
    expect(at(events, "stage-started", "Fails")).toBeLessThan(events.findIndex((e) => e.kind === "run-finished"));
    expect(events.some((e) => e.kind === "stage-finished" && e.name.includes("Fails"))).toBe(false);
  });

  it("bundles waiting for a stage hold its input watermark at their earliest element's timestamp", async () => {
    // Inline, the most downstream stage runs first: B, then A, then the side input's S (applied
    // first); the Flatten's stage waits for S's side input with A's and B's bundles pending.
    const p = Pipeline.create({ inProcess: true });
    const side = p.apply("S", Create.of(7)).apply(View.asSingleton<number>());
    const a = p.apply("A", Create.timestamped(TimestampedValue.of(1, 5_000), TimestampedValue.of(2, 9_000)));
    const b = p.apply("B", Create.timestamped(TimestampedValue.of(3, 3_000), TimestampedValue.of(4, 4_000)));
    const out = PCollectionList.of(a).and(b).apply("Both", Flatten.pCollections<number>())
      .apply("AddSide", ParDo.of((n: number, c: ProcessContext<number, number>) => c.output(n + c.sideInput(side))).withSideInputs(side));
    PAssert.that(out).containsInAnyOrder(8, 9, 10, 11);
    const events = await run(p);
    const started = stageEvent(events, "stage-started", "AddSide");
    expect(events.indexOf(started)).toBeGreaterThan(at(events, "stage-finished", "S"));
    expect(started.inputWatermark).toBe(3_000);
  });

  it("bundles that waited for a side input run as one task per free slot, not one task each", async () => {
    // The side input is computed from the stage's own data, so the plan cuts before its
    // consumer: the three files' bundles all wait for the count; then, inline (one slot),
    // one task reads them all and writes one shard.
    const out = tempDir("flowbook-sched-out-");
    const p = Pipeline.create({ inProcess: true });
    const files = p.apply("Files", TextIO.read().from(threeFiles(4)));
    const total = files.apply("Total", Count.globally()).apply(View.asSingleton<number>());
    files
      .apply("Mark", ParDo.of((s: string, c: ProcessContext<string, string>) => c.output(`${s}/${c.sideInput(total)}`)).withSideInputs(total))
      .apply("Write", TextIO.write().to(join(out, "marked")));
    const events = await run(p);
    expect(at(events, "stage-started", "Mark")).toBeGreaterThan(at(events, "stage-finished", "Total"));
    const shards = listFiles(out);
    expect(shards).toHaveLength(1);
    const lines = readFileSync(join(out, shards[0]!), "utf8").trim().split("\n").sort();
    expect(lines).toEqual(["a", "b", "c"].flatMap((f) => [0, 1, 2, 3].map((i) => `${f}${i}/12`)).sort());
  });

  it("a grouping's reading stage starts once every writer is done, at an input watermark of +∞", async () => {
    const p = Pipeline.create({ parallelism: 2, inProcess: false });
    const counts = p.apply("Read", TextIO.read().from(threeFiles(30))).apply("Slow", slowOnC(5)).apply("First", ParDo.of((s: string, c: ProcessContext<string, string>) => c.output(s[0]!))).apply("Count", Count.perElement());
    PAssert.that(counts).containsInAnyOrder({ key: "a", value: 30 }, { key: "b", value: 30 }, { key: "c", value: 30 });
    const events = await run(p);
    const reader = stageEvent(events, "stage-started", "Count → ");
    expect(events.indexOf(reader)).toBeGreaterThan(at(events, "stage-finished", "Slow"));
    expect(reader.inputWatermark).toBe(TIMESTAMP_MAX);
    // While its writers ran, the progress reports showed the reader held at −∞.
    const readerId = reader.stage;
    const before = events.slice(0, events.indexOf(reader)).filter((e): e is Extract<RunEvent, { kind: "progress" }> => e.kind === "progress");
    for (const e of before) expect(e.watermarks?.find((w) => w.stage === readerId)?.output).toBe(TIMESTAMP_MIN);
    const last = events.filter((e): e is Extract<RunEvent, { kind: "progress" }> => e.kind === "progress").pop()!;
    expect(last.watermarks?.length).toBeGreaterThan(0);
    for (const w of last.watermarks!) expect(w).toMatchObject({ input: TIMESTAMP_MAX, output: TIMESTAMP_MAX });
  });
});
