/**
 * Live samples on the Flink runner (RunRequest.live, PipelineResult.onLiveSample): the job's
 * live collect operators push every element of the live PCollection to the client while the
 * job runs — value, timestamp, windows and pane exactly as downstream sees them — in batches,
 * all before run-finished and waitUntilFinish. A TestStream's EARLY / ON_TIME / LATE panes
 * (the same as the local runner's test/runners/direct/live_samples.test.ts), an endless
 * GenerateSequence.withRate read live until cancel() stops the job. Runs on a real cluster
 * this file starts (port 18241, `FLOWBOOK_FLINK_LIVE_TEST_PORT`). In a session with runner
 * flink: show and chart of the TestStream's sums, collect of n numbers.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  Duration, GenerateSequence, KV, MapElements, Pipeline,
} from "../../../src/index.js";
import { END_OF_GLOBAL_WINDOW, TIMESTAMP_MIN } from "../../../src/sdk/values/time.js";
import { resolveRunner, type LiveSampleBatch, type RunEvent } from "../../../src/sdk/runner.js";
import { ancestorsGraph } from "../../../src/graph/subgraph.js";
import "../../../src/runners/flink/flink_runner.js";
import { createSession, type CellResult, type Session } from "../../../src/session/session.js";
import type { CellOutput } from "../../../src/display/outputs.js";
import { LIVE_MIME } from "../../../src/display/live/live_status.js";
import { startTestCluster, type TestCluster } from "./fixture.js";
import { livePanesCell, livePanesPipeline } from "../../support/live_panes.js";

const PORT = Number(process.env.FLOWBOOK_FLINK_LIVE_TEST_PORT ?? 18241);
const MIN = 60_000;
let cluster: TestCluster;

describe("live samples on the Flink runner", () => {
  beforeAll(async () => {
    cluster = await startTestCluster(PORT);
  }, 240_000);
  afterAll(async () => {
    await cluster?.stop();
  }, 60_000);

  it("hands over a TestStream's EARLY, ON_TIME and LATE panes as the STREAMING job fires them, before run-finished", async () => {
    const p = Pipeline.create(cluster.options);
    const sums = livePanesPipeline(p);
    const id = p.currentPCollectionId(sums.id);
    const r = resolveRunner("flink").run({ graph: ancestorsGraph(p.toJSON(), [id]), options: cluster.options, live: [id] });
    const order: string[] = [];
    r.onEvent!((e: RunEvent) => {
      if (e.kind === "run-finished") order.push(`finished ${e.state}`);
    });
    const batches: LiveSampleBatch[] = [];
    r.onLiveSample!(id, (b) => {
      batches.push(b);
      order.push("batch");
    });
    expect(await r.waitUntilFinish()).toBe("DONE");
    expect(batches.every((b) => b.pcollection === id && b.elements.length > 0)).toBe(true);
    const panes = batches.flatMap((b) => b.elements).map((e) => `${(e.value as KV<string, number>).value} ${e.pane.timing} #${e.pane.index}`);
    // The local runner's panes: an early pane per TestStream event (accumulating), the on-time pane, a late pane.
    expect(panes).toEqual(["3 EARLY #0", "6 EARLY #1", "6 ON_TIME #2", "10 LATE #3"]);
    const all = batches.flatMap((b) => b.elements);
    expect(all.every((e) => e.windows.length === 1 && e.windows[0]!.maxTimestamp() === 5 * MIN - 1)).toBe(true);
    expect(all.find((e) => e.pane.timing === "ON_TIME")!.timestamp).toBe(5 * MIN - 1);
    // Panes come as they fire (one bundle per TestStream event), each batch with the watermark it was produced under.
    expect(batches.length).toBeGreaterThan(1);
    expect(batches.map((b) => (b.watermark === undefined || b.watermark <= TIMESTAMP_MIN ? "−∞" : b.watermark))).toEqual(["−∞", MIN, 6 * MIN, 6 * MIN]);
    // Every batch before run-finished; nothing kept for collected().
    expect(order.at(-1)).toBe("finished DONE");
    expect(order.filter((o) => o === "batch")).toHaveLength(batches.length);
    expect(r.collected(id)).toBeUndefined();
    // A listener subscribing after the run: the batches were handed over and dropped, none replayed twice.
    const again: LiveSampleBatch[] = [];
    r.onLiveSample!(id, (b) => again.push(b));
    expect(again).toEqual([]);
  }, 180_000);

  it("reads an endless GenerateSequence.withRate live, replays what came before the first listener, and cancel() stops the job", async () => {
    const p = Pipeline.create(cluster.options);
    const squares = p
      .apply("Ticks", GenerateSequence.from(0).withRate(20, Duration.seconds(1)))
      .apply("Square", MapElements.via((n: number) => n * n));
    expect(squares.isBounded).toBe(false);
    const id = p.currentPCollectionId(squares.id);
    const r = resolveRunner("flink").run({ graph: ancestorsGraph(p.toJSON(), [id]), options: cluster.options, live: [id] });
    const finished: RunEvent[] = [];
    r.onEvent!((e) => {
      if (e.kind === "run-finished") finished.push(e);
    });
    // Subscribe late, once the job has produced numbers: the batches so far wait for the first listener.
    await new Promise<void>((resolve) => {
      const off = r.onEvent!((e) => {
        if (e.kind === "progress" && e.transforms.some((t) => t.transform.startsWith("Square") && (t.elementsOut ?? 0) > 0)) {
          setImmediate(() => off());
          resolve();
        }
      });
    });
    await new Promise((res) => setTimeout(res, 1000));
    const subscribedAt = Date.now();
    const batches: LiveSampleBatch[] = [];
    let batchesAtFinish = -1;
    r.onEvent!((e) => {
      if (e.kind === "run-finished") batchesAtFinish = batches.length;
    });
    const enough = new Promise<void>((resolve) => {
      r.onLiveSample!(id, (b) => {
        batches.push(b);
        if (batches.flatMap((x) => x.elements).length >= 30) resolve();
      });
    });
    await enough;
    // The first batches were replayed: handed over before anyone listened.
    expect(batches[0]!.at).toBeLessThan(subscribedAt);
    // Several batches while producing (about one per 200 ms and per watermark), not one at the end.
    expect(batches.length).toBeGreaterThan(1);
    expect(r.state).toBe("RUNNING");
    expect(await r.cancel()).toBe("CANCELLED");
    expect(finished.map((e) => e.kind === "run-finished" && e.state)).toEqual(["CANCELLED"]);
    // Every batch came before run-finished.
    expect(batchesAtFinish).toBe(batches.length);
    const values = batches.flatMap((b) => b.elements.map((e) => e.value as number));
    // Each number once, squared, in the global window (a source of parallelism 2: two increasing runs).
    const roots = values.map((v) => Math.sqrt(v)).sort((a, b) => a - b);
    expect(roots.every((x) => Number.isInteger(x))).toBe(true);
    expect(new Set(roots).size).toBe(roots.length);
    expect(roots.length).toBeGreaterThanOrEqual(30);
    expect(batches.every((b) => b.elements.every((e) => e.windows.length === 1 && e.windows[0]!.maxTimestamp() === END_OF_GLOBAL_WINDOW))).toBe(true);
  }, 180_000);

  it("a job that fails while sampled live: the user's error, every batch before run-finished", async () => {
    const options = { ...cluster.options, flinkRestartAttempts: 0 };
    const p = Pipeline.create(options);
    const out = p
      .apply("Ticks", GenerateSequence.from(0).withRate(20, Duration.seconds(1)))
      .apply("Check", MapElements.via((n: number) => {
        if (n === 30) throw new Error("thirty is too many");
        return n;
      }));
    const id = p.currentPCollectionId(out.id);
    const r = resolveRunner("flink").run({ graph: ancestorsGraph(p.toJSON(), [id]), options, live: [id] });
    const order: string[] = [];
    r.onEvent!((e) => {
      if (e.kind === "run-finished") order.push(`finished ${e.state}`);
    });
    const values: number[] = [];
    r.onLiveSample!(id, (b) => {
      values.push(...b.elements.map((e) => e.value as number));
      order.push("batch");
    });
    await expect(r.waitUntilFinish()).rejects.toThrow(/thirty is too many/);
    expect(order.at(-1)).toBe("finished FAILED");
    expect(order.filter((o) => o === "batch").length).toBeGreaterThan(0);
    expect(values.every((v) => v !== 30)).toBe(true);
    expect(new Set(values).size).toBe(values.length);
  }, 180_000);

  describe("in a session (show, chart and collect of an unbounded PCollection with runner flink)", () => {
    const sessions: Session[] = [];
    afterAll(async () => {
      await Promise.all(sessions.map((x) => x.dispose()));
    });
    function session(): { s: Session; outputs: CellOutput[] } {
      const outputs: CellOutput[] = [];
      const s = createSession({ typeCheck: "off", pipelineOptions: { ...cluster.options }, onOutput: (o) => void outputs.push(o), stdout: () => undefined, stderr: () => undefined });
      sessions.push(s);
      return { s, outputs };
    }
    function value(r: CellResult): unknown {
      if (r.status !== "ok") throw new Error(r.error!.traceback.join("\n"));
      return r.value;
    }
    const liveTexts = (outputs: CellOutput[]) =>
      outputs.filter((o): o is CellOutput & { type: "display" | "update" } => (o.type === "display" || o.type === "update") && o.bundle[LIVE_MIME] !== undefined).map((o) => String(o.bundle["text/plain"]));

    it("show() of a TestStream's sums on Flink: the live table ends with the late pane, 'the source ended'", async () => {
      const { s, outputs } = session();
      value(await s.execute(livePanesCell()));
      const r = await s.execute("const shown = await show(sums);\n[shown.value.live.reason, shown.value.live.elements, shown.value.values]");
      expect(value(r)).toEqual(["ended", 4, [{ key: "k", value: 10 }]]);
      expect(r.runs.map((run) => run.result.state)).toEqual(["DONE"]);
      expect(r.runs.every((run) => typeof (run.result as { jobId?: string }).jobId === "string")).toBe(true); // a Flink job
      const last = liveTexts(outputs).at(-1)!;
      expect(last).toMatch(/· 1 row · watermark 1970-01-01T00:06:00Z$/m);
      expect(last).toMatch(/^\*\s+k\s+10\s+\[1970-01-01 00:00:00, 00:05:00\)\s+LATE\s+3\s+1970-01-01T00:04:59\.999Z$/m);
      expect(last).toMatch(/stopped: the source ended · 4 elements in \d+\.\d s$/);
    }, 180_000);

    it("chart() of a TestStream's sums on Flink updates live and ends with the late pane", async () => {
      const { s, outputs } = session();
      value(await s.execute(livePanesCell()));
      const r = await s.execute('const c = await chart(sums, { bar: { x: "pane", y: "value" } });\n[c.value.kind, c.value.live.reason]');
      expect(value(r)).toEqual(["chart", "ended"]);
      const live = outputs.filter((o): o is CellOutput & { type: "display" | "update" } => (o.type === "display" || o.type === "update") && o.bundle[LIVE_MIME] !== undefined);
      expect(live[0]!.type).toBe("display");
      const spec = live.at(-1)!.bundle["application/vnd.vegalite.v5+json"] as { title: { subtitle: string[] }; data: { values: Array<Record<string, unknown>> } };
      expect(spec.title.subtitle.at(-1)).toMatch(/^stopped: the source ended · 4 elements/);
      expect(spec.data.values).toEqual([expect.objectContaining({ key: "k", value: 10, pane: "LATE", index: 3 })]);
    }, 180_000);

    it("collect(seq, { n: 5 }) of an endless GenerateSequence.withRate on Flink: its first 5 numbers, and the job cancelled", async () => {
      const { s } = session();
      value(await s.execute("const p = Pipeline.create({ parallelism: 1 });\nconst seq = p.apply(GenerateSequence.from(0).withRate(20, Duration.seconds(1)));"));
      const r = await s.execute("await collect(seq, { n: 5 })");
      expect(value(r)).toEqual([0, 1, 2, 3, 4]);
      expect(r.runs.map((run) => run.result.state)).toEqual(["CANCELLED"]);
      expect(r.runs.every((run) => typeof (run.result as { jobId?: string }).jobId === "string")).toBe(true); // a Flink job
    }, 180_000);
  });
});
