/**
 * A Flink run's events on a real cluster (started here, port 18111): stages as the job's
 * vertices start and finish, progress per transform from Flink's metrics, and users'
 * console output (console.log in DoFns, ConsoleIO) carried back through the job — every
 * line once, in order per worker, the last ones before `run-finished`, also when the job fails.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConsoleIO, Create, DoFn, MapElements, ParDo, Pipeline, type ProcessContext, type RunEvent } from "../../../src/index.js";
import type { PipelineResult } from "../../../src/sdk/runner.js";
import { startTestCluster, type TestCluster } from "./fixture.js";

const PORT = Number(process.env.FLOWBOOK_FLINK_EVENTS_TEST_PORT ?? 18111);
let cluster: TestCluster;

/** Prints each element with its worker's pid and its own line number, slowly enough for live polls. */
class TalkFn extends DoFn<number, number> {
  private seq = 0;
  constructor(readonly busyMs: number) {
    super();
  }
  processElement(c: ProcessContext<number, number>) {
    const until = Date.now() + this.busyMs;
    while (Date.now() < until) {
      // busy: the job runs long enough to be seen running
    }
    console.log(`talk ${process.pid} ${this.seq++} element ${c.element()}`);
    if (c.element() % 100 === 0) console.error(`hundred ${c.element()}`);
    c.output(c.element());
  }
}

class FailFn extends DoFn<number, number> {
  processElement(c: ProcessContext<number, number>) {
    console.log(`before ${c.element()}`);
    if (c.element() === 7) {
      console.error("about to fail on 7");
      throw new Error("seven is not allowed");
    }
    c.output(c.element());
  }
}

type Output = Extract<RunEvent, { kind: "output" }>;

/** Runs a pipeline, recording its events; checks the contract's order promises on the way. */
async function runRecording(p: Pipeline): Promise<{ events: RunEvent[]; result: PipelineResult; error?: unknown; finishedBeforeResolve: boolean }> {
  const result = p.run();
  const events: RunEvent[] = [];
  result.onEvent!((e) => events.push(e));
  let error: unknown;
  await result.waitUntilFinish().catch((e) => (error = e));
  const finishedBeforeResolve = events.at(-1)?.kind === "run-finished";
  return { events, result, error, finishedBeforeResolve };
}

function lines(events: RunEvent[], filter: (o: Output) => boolean = () => true): string[] {
  return events
    .filter((e): e is Output => e.kind === "output")
    .filter(filter)
    .flatMap((o) => o.text.split("\n").slice(0, -1));
}

describe("run events of the Flink runner on a real cluster", () => {
  beforeAll(async () => {
    cluster = await startTestCluster(PORT);
  }, 240_000);
  afterAll(async () => {
    await cluster?.stop();
  }, 60_000);

  it("reports stages, progress and every printed line once, in order per worker, before run-finished", async () => {
    const n = 600;
    const p = Pipeline.create({ ...cluster.options, name: "events-talk" });
    p.apply("Numbers", Create.of(...Array.from({ length: n }, (_, i) => i)))
      .apply("Talk", ParDo.of(new TalkFn(8)))
      .apply("Format", MapElements.via((x: number) => `value ${x}`))
      .apply("Print", ConsoleIO.write());
    const { events, result, error, finishedBeforeResolve } = await runRecording(p);
    expect(error).toBeUndefined();
    expect(finishedBeforeResolve).toBe(true);

    // Order: run-started first, run-finished last (once), every stage started before it finished.
    const kinds = events.map((e) => e.kind);
    expect(kinds[0]).toBe("run-started");
    expect(events[0]).toMatchObject({ runner: "flink", jobName: "events-talk", jobId: (result as unknown as { jobId: string }).jobId });
    expect(kinds.filter((k) => k === "run-finished")).toHaveLength(1);
    const finished = events.at(-1) as Extract<RunEvent, { kind: "run-finished" }>;
    expect(finished).toMatchObject({ kind: "run-finished", state: "DONE" });
    expect(finished.durationMs).toBeGreaterThan(0);
    const starts = events.filter((e) => e.kind === "stage-started") as Array<Extract<RunEvent, { kind: "stage-started" }>>;
    const ends = events.filter((e) => e.kind === "stage-finished") as Array<Extract<RunEvent, { kind: "stage-finished" }>>;
    expect(starts.length).toBeGreaterThan(0);
    expect(ends.map((e) => e.stage).sort()).toEqual(starts.map((e) => e.stage).sort());
    for (const s of starts) expect(events.indexOf(s)).toBeLessThan(events.findIndex((e) => e.kind === "stage-finished" && e.stage === s.stage));
    // Stage names are the job's vertex names, which carry our transforms' names.
    expect(starts.map((s) => s.name).join(" | ")).toMatch(/Numbers.*Talk/);
    const ats = events.map((e) => e.at);
    expect([...ats].sort((a, b) => a - b)).toEqual(ats);

    // The DoFn's lines: each exactly once, in each worker's own order, attributed to Talk.
    const talk = lines(events, (o) => o.stream === "stdout" && o.transform === "Talk");
    expect(talk).toHaveLength(n);
    const perWorker = new Map<string, number[]>();
    const elements = new Set<number>();
    for (const l of talk) {
      const m = /^talk (\d+) (\d+) element (\d+)$/.exec(l);
      expect(m, l).not.toBeNull();
      perWorker.set(m![1]!, [...(perWorker.get(m![1]!) ?? []), Number(m![2])]);
      elements.add(Number(m![3]));
    }
    expect(elements.size).toBe(n);
    for (const seqs of perWorker.values()) expect(seqs).toEqual(seqs.map((_, i) => i));
    expect(lines(events, (o) => o.stream === "stderr").sort()).toEqual(Array.from({ length: n / 100 }, (_, i) => `hundred ${i * 100}`).sort());
    // ConsoleIO's lines, attributed to the sink.
    const printed = lines(events, (o) => o.transform === "Print");
    expect(printed.sort()).toEqual(Array.from({ length: n }, (_, i) => `value ${i}`).sort());
    // Some lines came while the job ran (the DoFn runs ~2.4 s per worker), not all at the end.
    // (The final read emits all it finds at one time: lines at several times were read live.)
    expect(new Set(events.filter((e) => e.kind === "output" && e.transform === "Talk").map((e) => e.at)).size).toBeGreaterThan(1);

    // Progress: our transforms' names; counts never above the truth and never shrinking; exact at the end.
    const progress = events.filter((e) => e.kind === "progress") as Array<Extract<RunEvent, { kind: "progress" }>>;
    expect(progress.length).toBeGreaterThan(1);
    const last = new Map<string, number>();
    for (const pe of progress) {
      for (const t of pe.transforms) {
        for (const k of ["elementsIn", "elementsOut"] as const) {
          const v = t[k];
          if (v === undefined) continue;
          expect(v).toBeLessThanOrEqual(n);
          const key = `${t.transform}.${k}`;
          expect(v).toBeGreaterThanOrEqual(last.get(key) ?? 0);
          last.set(key, v);
        }
      }
    }
    const final = new Map(progress.at(-1)!.transforms.map((t) => [t.transform, t]));
    expect([...final.keys()]).toEqual(expect.arrayContaining(["Numbers", "Talk", "Format", "Print"]));
    expect(final.get("Numbers")).toMatchObject({ elementsOut: n });
    expect(final.get("Talk")).toMatchObject({ elementsIn: n, elementsOut: n });
    // In the middle of the fused stage, counted by the workers.
    expect(final.get("Format")).toMatchObject({ elementsIn: n, elementsOut: n });
    expect(final.get("Print")).toMatchObject({ elementsIn: n });
  }, 120_000);

  it("a failing job: the lines printed up to the failure come back, then run-finished FAILED with the user's error", async () => {
    const p = Pipeline.create({ ...cluster.options, name: "events-fail", parallelism: 1 });
    p.apply("Numbers", Create.of(...Array.from({ length: 20 }, (_, i) => i))).apply("Fail", ParDo.of(new FailFn()));
    const { events, error, finishedBeforeResolve } = await runRecording(p);
    expect(String(error)).toMatch(/seven is not allowed/);
    expect(finishedBeforeResolve).toBe(true);
    const finished = events.at(-1) as Extract<RunEvent, { kind: "run-finished" }>;
    expect(finished).toMatchObject({ kind: "run-finished", state: "FAILED" });
    expect(finished.error).toMatch(/Fail.*seven is not allowed/s);
    // Create's order into one worker: 0..7, the last line just before the throw included.
    expect(lines(events, (o) => o.stream === "stdout")).toEqual(Array.from({ length: 8 }, (_, i) => `before ${i}`));
    expect(lines(events, (o) => o.stream === "stderr")).toEqual(["about to fail on 7"]);
    expect(events.filter((e) => e.kind === "output").every((e) => (e as Output).transform === "Fail")).toBe(true);
  }, 120_000);

  it("keeps a prefix of each worker's output up to flinkOutputMaxBytes and says how many lines were dropped and which option raises the bound", async () => {
    const p = Pipeline.create({ ...cluster.options, name: "events-bounded", parallelism: 1, flinkOutputMaxBytes: 4000 } as never);
    p.apply("Numbers", Create.of(...Array.from({ length: 2000 }, (_, i) => i)))
      .apply("Talk", ParDo.of(new TalkFn(0)));
    const { events, error } = await runRecording(p);
    expect(error).toBeUndefined();
    const talk = lines(events, (o) => o.transform === "Talk" && o.stream === "stdout");
    expect(talk.length).toBeGreaterThan(50);
    expect(talk.length).toBeLessThan(2000);
    // A prefix: the worker's lines 0..k-1.
    expect(talk.map((l) => Number(l.split(" ")[2]))).toEqual(talk.map((_, i) => i));
    const notices = lines(events, (o) => o.transform === undefined && o.stream === "stderr");
    expect(notices.at(-1)).toMatch(/^\[flowbook\] \d+ line\(s\) of console output were dropped: .*flinkOutputMaxBytes/);
    const dropped = Number(/\] (\d+) line/.exec(notices.at(-1)!)![1]);
    // Every line is either kept or counted (the "hundred" lines went to stderr and count too).
    expect(talk.length + lines(events, (o) => o.transform === "Talk" && o.stream === "stderr").length + dropped).toBe(2000 + 20);
  }, 120_000);
});
