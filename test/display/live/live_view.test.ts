/**
 * A live view over a real local run (RunRequest.live): one display shown, then updated in
 * place; the run it started cancelled at its n elements or its duration; the source ending,
 * someone else cancelling the run (an interrupt) and a failing run each end it with their
 * reason in the final state. Bounded pipelines here (the local runner hands over a live
 * sample per task whatever the boundedness); test/session/live_show.test.ts has unbounded ones.
 */
import { describe, expect, it } from "vitest";
import { Create, DoFn, FixedWindows, GroupByKey, KV, MapElements, ParDo, Pipeline, Window, type ProcessContext } from "../../../src/index.js";
import { TimestampedValue } from "../../../src/sdk/values/windowed_value.js";
import { SampleService } from "../../../src/display/samples/sample_service.js";
import { LIVE_MIME, renderLiveTable, runLiveView } from "../../../src/display/live/index.js";
import type { MimeBundle } from "../../../src/display/mime.js";
import type { PipelineResult } from "../../../src/sdk/runner.js";
import { DirectRunner } from "../../../src/runners/direct/direct_runner.js";

interface Emitted {
  kind: "display" | "update";
  id: string;
  bundle: MimeBundle;
}

function start(p: Pipeline, pcId: string): PipelineResult {
  const graph = p.toJSON();
  return new SampleService().startLive({ graphJson: JSON.stringify(graph), pcollectionId: p.currentPCollectionId(pcId), optionsJson: JSON.stringify(graph.options ?? {}) });
}

function view(result: PipelineResult, p: Pipeline, pcId: string, bounds: { durationMs: number; n: number }) {
  const emitted: Emitted[] = [];
  const done = runLiveView({
    result,
    pcollectionId: p.currentPCollectionId(pcId),
    displayId: "live-1",
    ...bounds,
    render: (panes, status) => renderLiveTable("T", panes, status, { width: 120 }),
    emit: (kind, id, bundle) => emitted.push({ kind, id, bundle }),
    minIntervalMs: 0,
  });
  return { emitted, done };
}

class Slow extends DoFn<number, number> {
  processElement(c: ProcessContext<number, number>) {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
    c.output(c.element());
  }
}

class Fails extends DoFn<number, number> {
  processElement(c: ProcessContext<number, number>) {
    if (c.element() === 3) throw new Error("three is not allowed");
    c.output(c.element());
  }
}

const lastText = (e: Emitted[]) => String(e.at(-1)!.bundle["text/plain"]);

describe("live view over a local run", () => {
  it("shows one display, updates it, and ends with 'the source ended' when the run ends by itself", async () => {
    const p = Pipeline.create({ parallelism: 2, inProcess: false });
    const input = Array.from({ length: 30 }, (_, i) => TimestampedValue.of(KV.of(`k${i % 2}`, 1), i * 1000));
    const sums = p
      .apply(Create.timestamped(input))
      .apply(Window.into(FixedWindows.of(10_000)))
      .apply(GroupByKey.create())
      .apply("Sum", MapElements.via((kv: KV<string, number[]>) => KV.of(kv.key, kv.value.length)));
    const result = start(p, sums.id);
    const { emitted, done } = view(result, p, sums.id, { durationMs: 60_000, n: 1_000 });
    const end = await done;
    expect(end.outcome.reason).toBe("ended");
    expect(end.outcome.elements).toBe(6);
    expect(end.outcome.rows).toBe(6);
    expect(result.state).toBe("DONE");
    expect(emitted[0]!.kind).toBe("display");
    expect(emitted.slice(1).every((e) => e.kind === "update" && e.id === "live-1")).toBe(true);
    expect(emitted.at(-1)!.bundle[LIVE_MIME]).toEqual({ state: "stopped", reason: "ended" });
    expect(lastText(emitted)).toMatch(/stopped: the source ended · 6 elements in \d+\.\d s$/);
    expect(lastText(emitted)).toContain("ON_TIME");
  });

  it("stops at n elements and cancels its run", async () => {
    const p = Pipeline.create({ parallelism: 2, inProcess: false });
    const slow = p.apply(Create.of(...Array.from({ length: 100 }, (_, i) => i))).apply("Slow", ParDo.of(new Slow()));
    const result = start(p, slow.id);
    const { emitted, done } = view(result, p, slow.id, { durationMs: 120_000, n: 5 });
    const end = await done;
    expect(end.outcome.reason).toBe("count");
    expect(end.outcome.elements).toBe(5);
    expect(end.panes.rows()).toHaveLength(5);
    // 100 elements at 20 ms on 2 threads take 1 s; it stopped at the first task's batch.
    expect(result.state).toBe("CANCELLED");
    expect(lastText(emitted)).toMatch(/stopped: n reached \(5 elements\)/);
  });

  it("stops at its duration and cancels its run", async () => {
    const p = Pipeline.create({ parallelism: 2, inProcess: false });
    const slow = p.apply(Create.of(...Array.from({ length: 2_000 }, (_, i) => i))).apply("Slow", ParDo.of(new Slow()));
    const result = start(p, slow.id);
    const { emitted, done } = view(result, p, slow.id, { durationMs: 300, n: 1_000_000 });
    const end = await done;
    expect(end.outcome.reason).toBe("duration");
    expect(result.state).toBe("CANCELLED");
    expect(lastText(emitted)).toMatch(/stopped: duration reached \(0\.3 s\)/);
  });

  it("says 'interrupted' when someone else cancels the run (a session's interrupt)", async () => {
    const p = Pipeline.create({ parallelism: 2, inProcess: false });
    const slow = p.apply(Create.of(...Array.from({ length: 2_000 }, (_, i) => i))).apply("Slow", ParDo.of(new Slow()));
    const result = start(p, slow.id);
    const { emitted, done } = view(result, p, slow.id, { durationMs: 120_000, n: 1_000_000 });
    await new Promise((r) => setTimeout(r, 100));
    await result.cancel();
    const end = await done;
    expect(end.outcome.reason).toBe("interrupted");
    expect(emitted.at(-1)!.bundle[LIVE_MIME]).toEqual({ state: "stopped", reason: "interrupted" });
    expect(lastText(emitted)).toContain("stopped: interrupted");
  });

  it("rejects with the run's error, the final state saying the run failed", async () => {
    const p = Pipeline.create({ inProcess: true });
    const out = p.apply(Create.of(1, 2, 3, 4)).apply("Fails", ParDo.of(new Fails()));
    const result = start(p, out.id);
    const { emitted, done } = view(result, p, out.id, { durationMs: 60_000, n: 100 });
    await expect(done).rejects.toThrow(/three is not allowed/);
    expect(lastText(emitted)).toMatch(/stopped: the run failed: .*three is not allowed/);
    expect(emitted.at(-1)!.bundle[LIVE_MIME]).toEqual({ state: "stopped", reason: "failed" });
  });

  it("a runner whose results have no onLiveSample is refused, naming it, and its run is cancelled", async () => {
    const p = Pipeline.create({ parallelism: 2, inProcess: false });
    const slow = p.apply(Create.of(...Array.from({ length: 2_000 }, (_, i) => i))).apply("Slow", ParDo.of(new Slow()));
    const graph = p.toJSON();
    let started: PipelineResult | undefined;
    // A runner a user wrote over the local one, reporting nothing live (the contract makes onLiveSample optional).
    const service = new SampleService({
      start: (request) => {
        const r = new DirectRunner().run(request);
        started = r;
        return { get state() { return r.state; }, waitUntilFinish: (t) => r.waitUntilFinish(t), cancel: () => r.cancel(), metrics: () => r.metrics(), collected: (id) => r.collected(id) };
      },
    });
    expect(() => service.startLive({ graphJson: JSON.stringify({ ...graph, options: { runner: "MyRunner" } }), pcollectionId: p.currentPCollectionId(slow.id), optionsJson: JSON.stringify({ runner: "MyRunner" }) }))
      .toThrow("Slow.out is unbounded, and the my runner cannot show it live: its runs hand over no live samples (PipelineResult.onLiveSample)");
    expect(await started!.waitUntilFinish()).toBe("CANCELLED");
  });
});
