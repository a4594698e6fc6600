/**
 * Issue 12, point 8: a 100 MB element on Flink. The local runner handles it; on Flink the
 * TaskManager died with a bare OutOfMemoryError. An element a Node worker would send past
 * `flinkMaxElementBytes` (32 MiB by default) is now refused in the worker with an error
 * naming the transform that made it, the limit and the option; with the option raised it
 * passes. (Lines read by TextIO are limited in the bridge: io_agreement.test.ts.)
 */
import { beforeAll, describe, expect, it } from "vitest";
import { Create, MapElements, Pipeline, WindowedValue, type PCollection } from "../../../src/index.js";
import type { FlinkPlan } from "../../../src/runners/flink/flink_plan.js";
import { translate } from "../../../src/runners/flink/translators/translate.js";
import { bundleWorker } from "./fixture.js";
import { driveWorker } from "./worker_driver.js";

const gw = <T>(v: T) => WindowedValue.valueInGlobalWindow(v);

function planOf(options: Record<string, unknown>): FlinkPlan {
  const p = Pipeline.create({ name: "element-limit", ...options });
  const pc: PCollection<string> = p.apply(Create.of(40)).apply("Inflate", MapElements.via((mb: number) => "x".repeat(mb << 20)));
  return translate(p.toJSON(), { parallelism: 1 }, { collect: { [(pc as unknown as { id: string }).id]: 1 } }).plan;
}
const usercode = (plan: FlinkPlan) => plan.operators.find((o) => o.kind === "usercode")!.id;

describe("the Flink worker's element limit", () => {
  beforeAll(() => bundleWorker(), 120_000);

  it("a 40 MiB element: refused naming the transform, the limit and flinkMaxElementBytes", async () => {
    const plan = planOf({});
    const r = await driveWorker(plan, usercode(plan), { bundles: [[gw(40)]] });
    expect(r.exitCode).not.toBe(0);
    expect(r.error).toMatchObject({ transform: "Inflate", causeName: "RangeError" });
    expect(r.error!.causeMessage).toMatch(/an element of 40(\.0)? MiB .* larger than the Flink runner's element limit of 32 MiB/);
    expect(r.error!.causeMessage).toContain("flinkMaxElementBytes");
  }, 60_000);

  it("with flinkMaxElementBytes raised it passes", async () => {
    const plan = planOf({ flinkMaxElementBytes: 64 << 20 });
    const r = await driveWorker(plan, usercode(plan), { bundles: [[gw(40)]] });
    expect(r.error).toBeUndefined();
    expect(r.exitCode).toBe(0);
    // (The driver reads frames until the process exits, which may be before a 40 MiB OUTPUT frame has been read: no check of it here.)
  }, 60_000);
});
