/**
 * The live-sample case the runners', the session's and the kernel's tests share: a TestStream
 * of 1, 2 (watermark to 1 min), 3 (to 6 min), then 4, late — summed per 5-minute window under
 * early and late firings, accumulating. Its panes are 3 EARLY, 6 EARLY, 6 ON_TIME, 10 LATE.
 * Once built with the API (`livePanesPipeline`), once as a cell's text (`livePanesCell`).
 */
import {
  AfterPane, AfterWatermark, Duration, FixedWindows, GroupByKey, KV, MapElements, TestStream, VarLongCoder, Window, WithKeys, type PCollection, type Pipeline,
} from "../../src/index.js";
import { TimestampedValue } from "../../src/sdk/values/windowed_value.js";

const MIN = 60_000;

/** The case's window sums on `p`. */
export function livePanesPipeline(p: Pipeline): PCollection<KV<string, number>> {
  const source = TestStream.create(VarLongCoder.of())
    .addElements(TimestampedValue.of(1, 0), TimestampedValue.of(2, 1000))
    .advanceWatermarkTo(MIN)
    .addElements(TimestampedValue.of(3, 2000))
    .advanceWatermarkTo(6 * MIN)
    .addElements(TimestampedValue.of(4, 3000))
    .advanceWatermarkToInfinity();
  return p
    .apply(source)
    .apply(Window.into<number>(FixedWindows.of(Duration.minutes(5)))
      .triggering(AfterWatermark.pastEndOfWindow().withEarlyFirings(AfterPane.elementCountAtLeast(1)).withLateFirings(AfterPane.elementCountAtLeast(1)))
      .accumulatingFiredPanes().withAllowedLateness(Duration.minutes(5)))
    .apply(WithKeys.of<string, number>("k"))
    .apply("Group", GroupByKey.create<string, number>())
    .apply("Sum", MapElements.via((kv: KV<string, number[]>) => KV.of(kv.key, kv.value.reduce((a, b) => a + b, 0))));
}

/** The same as a cell defining `MIN`, `p` (`Pipeline.create(createOptions)`) and `sums`. */
export function livePanesCell(createOptions = ""): string {
  return `const MIN = 60_000;
const p = Pipeline.create(${createOptions});
const sums = p
  .apply(TestStream.create(VarLongCoder.of())
    .addElements(TimestampedValue.of(1, 0), TimestampedValue.of(2, 1000))
    .advanceWatermarkTo(MIN)
    .addElements(TimestampedValue.of(3, 2000))
    .advanceWatermarkTo(6 * MIN)
    .addElements(TimestampedValue.of(4, 3000))
    .advanceWatermarkToInfinity())
  .apply(Window.into<number>(FixedWindows.of(Duration.minutes(5)))
    .triggering(AfterWatermark.pastEndOfWindow().withEarlyFirings(AfterPane.elementCountAtLeast(1)).withLateFirings(AfterPane.elementCountAtLeast(1)))
    .accumulatingFiredPanes().withAllowedLateness(Duration.minutes(5)))
  .apply(WithKeys.of<string, number>("k"))
  .apply("Group", GroupByKey.create<string, number>())
  .apply("Sum", MapElements.via((kv: KV<string, number[]>) => KV.of(kv.key, kv.value.reduce((a, b) => a + b, 0))));`;
}
