/**
 * The Node worker driven through the protocol by the test, as the bridge drives it: a real
 * process (the bundled worker), HELLO / SIDE_INPUT / bundles / END on its stdin, frames
 * read back from its stdout.
 */
import { spawn } from "node:child_process";
import { beforeAll, describe, expect, it } from "vitest";
import {
  Combine, CombineFn, Create, DoFn, GroupByKey, KV, MapElements, Metrics, ParDo, Pipeline, TupleTag, View, WindowedValue,
  type PCollection, type ProcessContext,
} from "../../../src/index.js";
import type { FlinkPlan } from "../../../src/runners/flink/flink_plan.js";
import { translate } from "../../../src/runners/flink/translators/translate.js";
import { FrameParser, HELLO, PROTOCOL, jsonFrame } from "../../../src/runners/flink/worker/protocol.js";
import { bundleWorker } from "./fixture.js";
import { FrameTypes, WORKER_BUNDLE, driveWorker } from "./worker_driver.js";

const gw = <T>(v: T) => WindowedValue.valueInGlobalWindow(v);

/** The plan of a pipeline; the PCollections `build` returns are collected (so they leave their stage). */
function planOf(build: (p: Pipeline) => void | PCollection<unknown>[], options = {}): FlinkPlan {
  const p = Pipeline.create({ name: "worker-test", ...options });
  const collect = build(p) ?? [];
  return translate(p.toJSON(), { parallelism: 1 }, { collect: Object.fromEntries(collect.map((pc) => [(pc as unknown as { id: string }).id, 100])) }).plan;
}
const usercode = (plan: FlinkPlan, i = 0) => plan.operators.filter((o) => o.kind === "usercode")[i]!.id;

class CountingFn extends DoFn<string, string> {
  private readonly seen = Metrics.counter("test", "seen");
  private readonly lengths = Metrics.distribution("test", "length");
  override startBundle() {
    Metrics.counter("test", "bundles").inc();
  }
  processElement(c: ProcessContext<string, string>) {
    this.seen.inc();
    this.lengths.update(c.element().length);
    console.log(`user code says ${c.element()}`);
    c.output(c.element().toUpperCase());
  }
}

describe("the Flink runner's Node worker", () => {
  beforeAll(() => bundleWorker(), 60_000);

  it("runs a fused stage over bundles: outputs, metric deltas, BUNDLE_DONE, GOODBYE; console output as CONSOLE frames", async () => {
    const plan = planOf((p) => {
      return [p.apply("In", Create.of("a")).apply("Upper", ParDo.of(new CountingFn())).apply("Exclaim", MapElements.via((s: string) => s + "!"))];
    });
    const r = await driveWorker(plan, usercode(plan), { bundles: [[gw("ab"), gw("c")], [gw("def")]], perFrame: 1 });
    expect(r.exitCode).toBe(0);
    expect(r.error).toBeUndefined();
    expect(r.outputs[0]!.map((w) => w.value)).toEqual(["AB!", "C!", "DEF!"]);
    const types = r.frames.map((f) => f.type);
    expect(types[0]).toBe(FrameTypes.READY);
    expect(types.filter((t) => t === FrameTypes.BUNDLE_DONE)).toHaveLength(2);
    expect(types.at(-1)).toBe(FrameTypes.GOODBYE);
    // Deltas: the counter's updates add up to the total, bundle by bundle.
    const seen = r.metrics.filter((m) => m.kind === "counter" && m.name === "seen").map((m) => (m as { value: number }).value);
    expect(seen).toEqual([2, 1]);
    expect(r.metrics.filter((m) => m.name === "bundles").map((m) => (m as { value: number }).value)).toEqual([1, 1]);
    // Elements per transform, also of the one in the middle of the fused stage.
    expect(r.elements).toEqual({ Upper: { in: 3, out: 3 }, Exclaim: { in: 3, out: 3 } });
    const dist = r.metrics.filter((m) => m.kind === "distribution");
    expect(dist[0]).toMatchObject({ step: "Upper", namespace: "test", name: "length", sum: 3, count: 2, min: 1, max: 2 });
    // Console output: whole lines, attributed to the transform that printed them, each bundle's
    // sent before its BUNDLE_DONE; nothing on stderr (the TaskManager's log).
    expect(r.console).toEqual([
      { stream: "stdout", transform: "Upper", text: "user code says ab\nuser code says c\n" },
      { stream: "stdout", transform: "Upper", text: "user code says def\n" },
    ]);
    const firstConsole = types.indexOf(FrameTypes.CONSOLE);
    expect(firstConsole).toBeGreaterThan(0);
    expect(firstConsole).toBeLessThan(types.indexOf(FrameTypes.BUNDLE_DONE));
    expect(r.stderr).not.toContain("user code says");
  });

  it("sends extra outputs on their own output indices", async () => {
    const plan = planOf((p) => {
      const even = new TupleTag<number>("even");
      const odd = new TupleTag<number>("odd");
      const out = p.apply("In", Create.of(1)).apply("Split", ParDo.of((n: number, c: ProcessContext<number, number>) => (n % 2 ? c.output(odd, n) : c.output(n))).withOutputTags(even, [odd]));
      return [out.get(odd), out.get(even)];
    });
    const op = plan.operators.find((o) => o.kind === "usercode")!;
    expect(op.outputs).toHaveLength(2);
    const r = await driveWorker(plan, op.id, { bundles: [[gw(1), gw(2), gw(3)]] });
    expect(r.exitCode).toBe(0);
    expect(r.outputs.map((o) => o.map((w) => w.value))).toEqual([[1, 3], [2]]);
  });

  it("builds side-input views from SIDE_INPUT frames before the first element", async () => {
    const plan = planOf((p) => {
      const factor = p.apply("Factor", Create.of(10)).apply(View.asSingleton<number>());
      const names = p.apply("Names", Create.of(KV.of("a", "Amy"), KV.of("b", "Bob"))).apply(View.asMap<string, string>());
      return [p.apply("Main", Create.of("a"))
        .apply("Use", ParDo.of((k: string, c: ProcessContext<string, string>) => c.output(`${c.sideInput(names).get(k)}x${c.sideInput(factor)}`)).withSideInputs(factor, names))];
    });
    const op = plan.operators.find((o) => o.kind === "usercode")!;
    const stage = plan.stages[(op.payload as { stage: string }).stage]!;
    expect(stage.sideInputs).toHaveLength(2);
    // Side inputs arrive in the order of stage.sideInputs: factor, then names.
    const r = await driveWorker(plan, op.id, {
      sideInputs: [[gw(10)], [gw(KV.of("a", "Amy")), gw(KV.of("b", "Bob"))]],
      bundles: [[gw("a"), gw("b")]],
    });
    expect(r.error).toBeUndefined();
    expect(r.exitCode).toBe(0);
    expect(r.outputs[0]!.map((w) => w.value)).toEqual(["Amyx10", "Bobx10"]);
  });

  it("a lifted user-code combine: accumulators at bundle end, merged after the shuffle", async () => {
    class MaxLen extends CombineFn<string, number, number> {
      createAccumulator() {
        return 0;
      }
      addInput(a: number, s: string) {
        return Math.max(a, s.length);
      }
      mergeAccumulators(as: Iterable<number>) {
        return Math.max(0, ...as);
      }
      extractOutput(a: number) {
        return a;
      }
    }
    const plan = planOf((p) => {
      return [p.apply("In", Create.of("x")).apply("Key", MapElements.via((s: string) => KV.of(s[0]!, s))).apply("MaxLen", Combine.perKey(new MaxLen()))];
    });
    const pre = await driveWorker(plan, usercode(plan, 0), { bundles: [[gw("apple"), gw("avocado"), gw("banana")]] });
    expect(pre.error).toBeUndefined();
    const accs = pre.outputs[0]!.map((w) => w.value as KV<string, unknown>);
    expect(accs.sort((a, b) => a.key.localeCompare(b.key))).toEqual([KV.of("a", 7), KV.of("b", 6)]);
    // Key's output counted as what the pre-combine received; of the combine only its input (its output is the merge's).
    expect(pre.elements).toEqual({ Key: { in: 3, out: 3 }, MaxLen: { in: 3, out: 0 } });
    // The merge stage reads KV<key, Iterable<accumulator>> as Java's group_by_key writes them.
    const merge = await driveWorker(plan, usercode(plan, 1), { bundles: [[gw(KV.of("a", [7, 3])), gw(KV.of("b", [6]))]] });
    expect(merge.error).toBeUndefined();
    expect(merge.outputs[0]!.map((w) => w.value)).toEqual([KV.of("a", 7), KV.of("b", 6)]);
  });

  it("a user error becomes an ERROR frame with the transform, the element and the user's stack; the worker exits non-zero", async () => {
    const plan = planOf((p) => {
      p.apply("In", Create.of("x")).apply("Explode", MapElements.via((s: string) => {
        if (s === "bad") throw new Error(`cannot handle ${s}`);
        return s;
      }));
    });
    const r = await driveWorker(plan, usercode(plan), { bundles: [[gw("fine"), gw("bad"), gw("never")]] });
    expect(r.exitCode).not.toBe(0);
    expect(r.error).toMatchObject({ transform: "Explode", element: "'bad'", message: "Error: cannot handle bad", causeName: "Error", causeMessage: "cannot handle bad" });
    expect(r.error!.stack).toMatch(/worker\.test\.ts:\d+/);
    expect(r.error!.stack).not.toMatch(/flowbook-worker\.mjs/);
  });

  it("console output: both streams in order, each line attributed to its transform, a partial line completed, all of it before an ERROR", async () => {
    const plan = planOf((p) => {
      p.apply("In", Create.of("x"))
        .apply("Talk", MapElements.via((s: string) => {
          console.log(`log ${s}`);
          console.error(`err ${s}`);
          process.stdout.write(`part-${s}`);
          return s;
        }))
        .apply("Fail", MapElements.via((s: string) => {
          console.warn(`warn ${s}`);
          if (s === "b") throw new Error("b is bad");
          return s;
        }));
    });
    const r = await driveWorker(plan, usercode(plan), { bundles: [[gw("a"), gw("b"), gw("c")]] });
    expect(r.error).toMatchObject({ transform: "Fail" });
    const types = r.frames.map((f) => f.type);
    expect(types.lastIndexOf(FrameTypes.CONSOLE)).toBeLessThan(types.indexOf(FrameTypes.ERROR));
    expect(r.console).toEqual([
      { stream: "stdout", transform: "Talk", text: "log a\n" },
      { stream: "stderr", transform: "Talk", text: "err a\n" },
      { stream: "stderr", transform: "Fail", text: "warn a\n" },
      { stream: "stdout", transform: "Talk", text: "part-alog b\n" },
      { stream: "stderr", transform: "Talk", text: "err b\n" },
      { stream: "stderr", transform: "Fail", text: "warn b\n" },
      // The line still open at the failure, completed.
      { stream: "stdout", transform: "Talk", text: "part-b\n" },
    ]);
  });

  it("an error in setup is reported without an element", async () => {
    class BadSetup extends DoFn<string, string> {
      override setup() {
        throw new TypeError("no connection");
      }
      processElement(c: ProcessContext<string, string>) {
        c.output(c.element());
      }
    }
    const plan = planOf((p) => {
      p.apply("In", Create.of("x")).apply("Connect", ParDo.of(new BadSetup()));
    });
    const r = await driveWorker(plan, usercode(plan), { bundles: [[gw("a")]] });
    expect(r.error).toMatchObject({ transform: "Connect", message: "TypeError: no connection" });
    expect(r.error!.element).toBeUndefined();
  });

  it("checks the KVs a grouping needs when their coder does not promise them", async () => {
    const plan = planOf((p) => {
      p.apply("In", Create.of(1)).apply("NotKv", MapElements.via((n: number) => n)).apply("Group", GroupByKey.create() as never);
    });
    const r = await driveWorker(plan, usercode(plan), { bundles: [[gw(1)]] });
    expect(r.error).toMatchObject({ transform: "Group", element: "1" });
    expect(r.error!.message).toMatch(/needs KV elements/);
  });

  it("does no per-element checks by default; the options that ask for them turn them on", async () => {
    // A DoFn that changes its input: the immutability check fails it, when it runs.
    const mutating = (options: Record<string, unknown>) =>
      planOf((p) => {
        return [p.apply("In", Create.of({ n: 1 }))
          .apply("Bump", ParDo.of((o: { n: number }, c: ProcessContext<{ n: number }, number>) => {
            o.n++;
            c.output(o.n);
          }))
          .apply("Out", MapElements.via((n: number) => n))];
      }, options);
    const bundles = [[gw({ n: 1 }), gw({ n: 5 })]];
    const byDefault = mutating({});
    const plain = await driveWorker(byDefault, usercode(byDefault), { bundles });
    expect(plain.error).toBeUndefined();
    expect(plain.outputs[0]!.map((w) => w.value)).toEqual([2, 6]);
    for (const asked of [{ enforceImmutability: true }, { checks: "sample" }, { checks: "all" }]) {
      const plan = mutating(asked);
      const r = await driveWorker(plan, usercode(plan), { bundles });
      expect(r.error, JSON.stringify(asked)).toMatchObject({ transform: "Bump" });
      expect(r.error!.message).toMatch(/mutated its input/);
    }
    // Asked for the checks but not this one: it stays off.
    const off = mutating({ checks: "all", enforceImmutability: false });
    expect((await driveWorker(off, usercode(off), { bundles })).error).toBeUndefined();
  });

  it("exits promptly when its stdin closes without END", async () => {
    const child = spawn(process.execPath, [WORKER_BUNDLE], { env: { ...process.env, FLOWBOOK_WORKER_PROTOCOL: PROTOCOL }, stdio: ["pipe", "pipe", "pipe"] });
    const parser = new FrameParser();
    const types: number[] = [];
    child.stdout.on("data", (c: Buffer) => types.push(...parser.push(c).map((f) => f.type)));
    const plan = planOf((p) => {
      p.apply("In", Create.of("x")).apply("Id", MapElements.via((s: string) => s));
    });
    const op = plan.operators.find((o) => o.kind === "usercode")!;
    const stageId = (op.payload as { stage: string }).stage;
    child.stdin.write(jsonFrame(HELLO, { protocol: PROTOCOL, jobName: "j", operatorId: op.id, operatorName: op.name, transforms: op.transforms, stageId, stage: plan.stages[stageId], outputs: op.outputs, sideInputs: [], subtask: 0, parallelism: 1, attempt: 0, runtimeMode: "BATCH" }));
    const started = Date.now();
    child.stdin.end();
    const code = await new Promise<number | null>((r) => child.on("exit", r));
    expect(code).toBe(0);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(types).toEqual([FrameTypes.READY]);
  });
});
