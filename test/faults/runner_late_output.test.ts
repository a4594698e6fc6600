/**
 * Issue 12, point 3: a DoFn that keeps its context and outputs after its bundle ended (from a
 * promise or a timer scheduled in finishBundle). The element has nowhere to go; it used to be
 * dropped silently (or to surface as an internal TypeError blamed on the next transform). Now
 * the call throws a LateOutputError naming the DoFn's transform, and the run fails with it even
 * when user code catches it: on the local runner (in process and in worker threads) and in the
 * Flink runner's Node worker.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { Create, DoFn, GroupByKey, MapElements, ParDo, Pipeline, WindowedValue, WithKeys, type PCollection } from "../../src/index.js";
import type { FlinkPlan } from "../../src/runners/flink/flink_plan.js";
import { translate } from "../../src/runners/flink/translators/translate.js";
import { bundleWorker } from "../runners/flink/fixture.js";
import { driveWorker } from "../runners/flink/worker_driver.js";
import { failure } from "../support/runs.js";

/** Keeps its context; after finishBundle, outputs through it from a microtask or a timer. */
class LateFn extends DoFn<number, number> {
  private kept: { output(x: number): void } | undefined;
  constructor(private readonly via: "promise" | "timer", private readonly catchIt: boolean) {
    super();
  }
  processElement(c: { element(): number; output(x: number): void }) {
    this.kept = c;
    c.output(c.element());
  }
  override finishBundle() {
    const kept = this.kept!;
    const late = () => {
      if (!this.catchIt) return kept.output(999);
      try {
        kept.output(999);
      } catch {
        // swallowed by the user: the run must fail anyway
      }
    };
    if (this.via === "promise") void Promise.resolve().then(late);
    else setTimeout(late, 0);
  }
}

describe.each([
  { mode: "in process", options: { inProcess: true } },
  { mode: "worker threads", options: { parallelism: 1 } },
])("output after finishBundle on the local runner ($mode)", ({ options }) => {
  it("a late output from a promise, caught by the user, fails the run naming the DoFn", async () => {
    const p = Pipeline.create(options);
    p.apply(Create.of(1, 2, 3)).apply("Late", ParDo.of(new LateFn("promise", true))).apply("Next", MapElements.via((n: number) => n + 1));
    const e = await failure(p.run());
    expect(e.message).toContain("Error in transform 'Late'");
    expect(e.message).toMatch(/LateOutputError: output\(\) called after the bundle ended/);
  });
  it("with nothing after the DoFn in its stage (a sink), the run still fails; a later run in the same thread is not blamed", async () => {
    const { mkdtempSync, rmSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const { TextIO } = await import("../../src/index.js");
    const d = mkdtempSync(join(tmpdir(), "flowbook-late-"));
    try {
      const p = Pipeline.create(options);
      p.apply(Create.of(1, 2, 3)).apply("Late", ParDo.of(new LateFn("promise", true))).apply(MapElements.via((n: number) => String(n))).apply(TextIO.write().to(join(d, "a")));
      const e = await failure(p.run());
      expect(e.message).toContain("LateOutputError");
      const q = Pipeline.create(options);
      q.apply(Create.of(1, 2, 3)).apply("Fine", MapElements.via((n: number) => n + 1)).apply(MapElements.via((n: number) => String(n))).apply(TextIO.write().to(join(d, "b")));
      await expect(q.run().waitUntilFinish()).resolves.toBe("DONE");
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });

  // A timer firing after the task ended, in an idle thread: see the report (needs the engine's worker_main/worker_pool to look).
});

const gw = <T>(v: T) => WindowedValue.valueInGlobalWindow(v);
function planOf(build: (p: Pipeline) => PCollection<unknown>): FlinkPlan {
  const p = Pipeline.create({ name: "late-output" });
  const pc = build(p);
  return translate(p.toJSON(), { parallelism: 1 }, { collect: { [(pc as unknown as { id: string }).id]: 100 } }).plan;
}
const usercode = (plan: FlinkPlan) => plan.operators.find((o) => o.kind === "usercode")!.id;

describe("output after finishBundle in the Flink runner's Node worker", () => {
  beforeAll(() => bundleWorker(), 120_000);

  for (const via of ["promise", "timer"] as const) {
    for (const catchIt of [true, false]) {
      it(`from a ${via}${catchIt ? ", caught by the user" : ""}: an ERROR frame naming the DoFn, the worker exits non-zero`, async () => {
        const plan = planOf((p) => p.apply(Create.of(1)).apply("Late", ParDo.of(new LateFn(via, catchIt))).apply("Next", MapElements.via((n: number) => n + 1)));
        const r = await driveWorker(plan, usercode(plan), { bundles: [[gw(1), gw(2)], [gw(3)]] });
        expect(r.exitCode).not.toBe(0);
        expect(r.error).toMatchObject({ transform: "Late", causeName: "LateOutputError" });
        expect(r.error!.causeMessage).toContain("called after the bundle ended");
        // Nothing was delivered after the bundle: no 1000 among the outputs.
        expect(r.outputs.flat().map((w) => w.value)).not.toContain(1000);
      }, 60_000);
    }
  }
});
