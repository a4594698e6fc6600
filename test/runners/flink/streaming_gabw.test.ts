/**
 * Issue 14 on Flink: unbounded pipelines (TestStream) in STREAMING mode, grouped by the bridge's
 * GroupAlsoByWindowOperator — triggers, allowed lateness, accumulating/discarding panes, pane
 * info seen by `c.pane()` in the Node workers after the grouping, the droppedDueToLateness
 * counter, processing-time triggers on the TestStream's synthetic clock (minutes advanced
 * without waiting). Expected panes are Beam's (TestStreamTest, ReduceFnRunner). Runs on a real
 * cluster this file starts (port 18202, `FLOWBOOK_FLINK_GABW_TEST_PORT`).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AfterPane, AfterProcessingTime, AfterWatermark, Duration, FixedWindows, GroupByKey, KV, PAssert, ParDo, Repeatedly, Sessions,
  TestStream, TimestampedValue, VarLongCoder, Window, WithKeys, StringUtf8Coder, type PCollection, type ProcessContext,
} from "../../../src/index.js";
import { TestPipeline } from "../../../src/index.js";
import type { FlinkPipelineResult } from "../../../src/runners/flink/flink_runner.js";
import "../../../src/runners/flink/flink_runner.js";
import { translate } from "../../../src/runners/flink/translators/translate.js";
import { startTestCluster, type TestCluster } from "./fixture.js";

const PORT = Number(process.env.FLOWBOOK_FLINK_GABW_TEST_PORT ?? 18202);
let cluster: TestCluster;
const MIN = 60_000;

/** Each pane after a GroupByKey as text: sorted values | timing | first/last | index | timestamp. */
function panes<V>(grouped: PCollection<KV<unknown, V[]>>): PCollection<string> {
  return grouped.apply("DescribePane", ParDo.of((kv: KV<unknown, V[]>, c: ProcessContext<KV<unknown, V[]>, string>) => {
    const p = c.pane();
    const vs = [...kv.value].map(String).sort().join(",");
    c.output(`${vs}|${p.timing}|${p.isFirst ? "first" : ""}${p.isLast ? "last" : ""}|${p.index}|${c.timestamp()}`);
  }));
}

describe("streaming group-also-by-window on Flink", () => {
  beforeAll(async () => {
    cluster = await startTestCluster(PORT);
  }, 240_000);
  afterAll(async () => {
    await cluster?.stop();
  }, 60_000);

  it("plans a STREAMING job with checkpoints and sends the whole windowing strategy to the grouping", () => {
    const p = TestPipeline.create({ ...cluster.options });
    p.apply(TestStream.create(VarLongCoder.of()).addElements(TimestampedValue.of(1, 0)).advanceWatermarkToInfinity())
      .apply(Window.into<number>(FixedWindows.of(Duration.minutes(5)))
        .triggering(AfterWatermark.pastEndOfWindow().withLateFirings(AfterPane.elementCountAtLeast(1)))
        .withAllowedLateness(Duration.minutes(5)).accumulatingFiredPanes())
      .apply(WithKeys.of<number, number>(1)).apply(GroupByKey.create<number, number>());
    const { plan } = translate(p.toJSON(), { ...cluster.options, flinkCheckpointIntervalMs: 5000 });
    expect(plan.runtimeMode).toBe("STREAMING");
    expect(plan.checkpoint).toEqual({ intervalMs: 5000 });
    expect(translate(p.toJSON(), cluster.options).plan.checkpoint).toEqual({ intervalMs: 10_000 }); // the default
    expect(() => translate(p.toJSON(), { ...cluster.options, flinkCheckpointIntervalMs: 5 })).toThrow(/flinkCheckpointIntervalMs must be 0 .* >= 10, got 5/);
    const src = plan.operators.find((o) => o.kind === "source:test_stream")!;
    expect(src.parallelism).toBe(1);
    const gbk = plan.operators.find((o) => o.kind === "group_by_key")!;
    expect((gbk.payload as { windowing: unknown }).windowing).toEqual({
      windowFn: { type: "fixed", sizeMs: 5 * MIN, offsetMs: 0 },
      trigger: { kind: "afterEndOfWindow", lateFirings: { kind: "elementCount", elementCount: 1 } },
      allowedLatenessMs: 5 * MIN,
      accumulationMode: "ACCUMULATING",
    });
  });

  it("late data within the allowed lateness fires LATE panes (accumulating); later data is dropped and counted (TestStreamTest.testLateDataAccumulating)", async () => {
    const p = TestPipeline.create({ ...cluster.options });
    const source = TestStream.create(VarLongCoder.of())
      .addElements(TimestampedValue.of(1, 0), TimestampedValue.of(2, 0), TimestampedValue.of(3, 0))
      .advanceWatermarkTo(6 * MIN)
      .addElements(TimestampedValue.of(4, 0), TimestampedValue.of(5, 0)) // late, within the lateness
      .advanceWatermarkTo(20 * MIN)
      .addElements(TimestampedValue.of(-1, 0), TimestampedValue.of(-2, 0), TimestampedValue.of(-3, 0)) // droppably late
      .advanceWatermarkToInfinity();
    const grouped = p.apply(source)
      .apply(Window.into<number>(FixedWindows.of(Duration.minutes(5)))
        .triggering(AfterWatermark.pastEndOfWindow()
          .withEarlyFirings(AfterProcessingTime.pastFirstElementInPane().plusDelayOf(Duration.minutes(2)))
          .withLateFirings(AfterPane.elementCountAtLeast(1)))
        .accumulatingFiredPanes().withAllowedLateness(Duration.minutes(5)))
      .apply(WithKeys.of<number, number>(1))
      .apply("Group", GroupByKey.create<number, number>());
    PAssert.that(panes(grouped)).containsInAnyOrder(
      `1,2,3|ON_TIME|first|0|${5 * MIN - 1}`,
      `1,2,3,4,5|LATE||1|${5 * MIN - 1}`,
    );
    const result = p.run();
    await result.waitUntilFinish();
    expect(result.state).toBe("DONE");
    const dropped = result.metrics().queryMetrics({ namespace: "GroupAlsoByWindow", name: "droppedDueToLateness" }).counters;
    expect(dropped.map((c) => [c.step, c.committed])).toEqual([["Group", 3]]);
  }, 120_000);

  it("processing-time early firings run on the TestStream's clock: 18 minutes pass at once (TestStreamTest.testProcessingTimeTrigger)", async () => {
    const p = TestPipeline.create({ ...cluster.options });
    const source = TestStream.create(VarLongCoder.of())
      .addElements(TimestampedValue.of(1, 1000), TimestampedValue.of(2, 2000))
      .advanceProcessingTime(Duration.minutes(12))
      .addElements(TimestampedValue.of(3, 3000))
      .advanceProcessingTime(Duration.minutes(6))
      .advanceWatermarkToInfinity();
    const grouped = p.apply(source)
      .apply(Window.configure<number>()
        .triggering(AfterWatermark.pastEndOfWindow().withEarlyFirings(AfterProcessingTime.pastFirstElementInPane().plusDelayOf(Duration.minutes(5))))
        .accumulatingFiredPanes().withAllowedLateness(0))
      .apply(WithKeys.of<number, number>(1))
      .apply(GroupByKey.create<number, number>());
    const end = 9223372036854775 - 86_400_000;
    PAssert.that(panes(grouped)).containsInAnyOrder(
      `1,2|EARLY|first|0|${end}`,
      `1,2,3|EARLY||1|${end}`,
      `1,2,3|ON_TIME|last|2|${end}`,
    );
    const started = Date.now();
    const result = p.run();
    await result.waitUntilFinish();
    expect(result.state).toBe("DONE");
    expect(Date.now() - started).toBeLessThan(5 * MIN); // not the 18 minutes of the script
    // Each of the 5 events waited for a checkpoint taken after it (the quiescence rule).
    const r = result as FlinkPipelineResult;
    const cps = await r.client.get<{ counts: { completed: number } }>(`/jobs/${r.jobId}/checkpoints`);
    expect(cps.counts.completed).toBeGreaterThanOrEqual(5);
  }, 120_000);

  it("an element-count trigger counts a TestStream event's elements as one bundle; discarding panes (Repeatedly)", async () => {
    const p = TestPipeline.create({ ...cluster.options });
    const source = TestStream.create(StringUtf8Coder.of())
      .addElements(TimestampedValue.of("a", 1), TimestampedValue.of("b", 2), TimestampedValue.of("c", 3))
      .addElements(TimestampedValue.of("d", 4))
      .addElements(TimestampedValue.of("e", 5))
      .advanceWatermarkToInfinity();
    const grouped = p.apply(source)
      .apply(Window.into<string>(FixedWindows.of(Duration.minutes(1))).triggering(Repeatedly.forever(AfterPane.elementCountAtLeast(2))).discardingFiredPanes())
      .apply(WithKeys.of<string, string>("k"))
      .apply(GroupByKey.create<string, string>());
    PAssert.that(panes(grouped)).containsInAnyOrder(
      `a,b,c|EARLY|first|0|${MIN - 1}`,
      `d,e|EARLY||1|${MIN - 1}`,
      // Beam's OnTimeBehavior.FIRE_ALWAYS: the end of the window fires its ON_TIME pane, here empty (the trigger never finishes)
      `|ON_TIME|last|2|${MIN - 1}`,
    );
    const result = p.run();
    await result.waitUntilFinish();
    expect(result.state).toBe("DONE");
  }, 120_000);

  it("sessions merge under early firings; a merged session starts its panes afresh", async () => {
    const p = TestPipeline.create({ ...cluster.options });
    const source = TestStream.create(StringUtf8Coder.of())
      .addElements(TimestampedValue.of("a", 0))
      .addElements(TimestampedValue.of("b", 30_000))
      .addElements(TimestampedValue.of("c", 15_000)) // [15s, 35s) bridges a's [0, 20s) and b's [30s, 50s): one session [0, 50s)
      .advanceWatermarkToInfinity();
    const grouped = p.apply(source)
      .apply(Window.into<string>(Sessions.withGapDuration(Duration.seconds(20)))
        .triggering(AfterWatermark.pastEndOfWindow().withEarlyFirings(AfterPane.elementCountAtLeast(1))).accumulatingFiredPanes())
      .apply(WithKeys.of<string, string>("k"))
      .apply(GroupByKey.create<string, string>());
    PAssert.that(panes(grouped)).containsInAnyOrder(
      `a|EARLY|first|0|19999`,
      `b|EARLY|first|0|49999`,
      `a,b,c|EARLY|first|0|49999`,
      `a,b,c|ON_TIME|last|1|49999`,
    );
    const result = p.run();
    await result.waitUntilFinish();
    expect(result.state).toBe("DONE");
  }, 120_000);
});
