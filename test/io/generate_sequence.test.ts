/**
 * GenerateSequence: the builder's checks, the graph it makes (bounded or not), and the local
 * runner reading a bounded sequence in parallel splits, and an unbounded one to its end. (Flink's half runs in
 * test/runners/flink/io_agreement.test.ts; the unbounded readers in unbounded_sources.test.ts.)
 */
import { describe, expect, it } from "vitest";
import { Count, GenerateSequence, PAssert, Pipeline, Sum } from "../../src/index.js";
import { translate } from "../../src/runners/flink/translators/translate.js";

describe("GenerateSequence", () => {
  it("refuses bad bounds and rates where they are given", () => {
    expect(() => GenerateSequence.from(1.5)).toThrow(/from\(\) needs an integer/);
    expect(() => GenerateSequence.from(10).to(5)).toThrow(/to\(5\) is before from\(10\)/);
    expect(() => GenerateSequence.from(0).withRate(0, 1000)).toThrow(/positive number of elements/);
    expect(() => GenerateSequence.from(0).withRate(10, -1)).toThrow(/positive period/);
  });

  it("is bounded with an end and no rate, as in Beam; unbounded otherwise", () => {
    const p = Pipeline.create();
    const a = p.apply("A", GenerateSequence.from(0).to(10));
    const b = p.apply("B", GenerateSequence.from(0).withRate(5, 1000));
    const c = p.apply("C", GenerateSequence.from(0).to(10).withRate(5, 1000));
    const g = p.toJSON();
    const bounded = (pc: { id: string }) => g.pcollections[pc.id]!.isBounded;
    expect([bounded(a), bounded(b), bounded(c)]).toEqual([true, false, false]);
    expect(g.transforms[g.pcollections[c.id]!.producer]!.payload).toEqual({ from: 0, to: 10, rate: { elements: 5, periodMillis: 1000 } });
  });

  it("reads [from, to) on the local runner's threads, every number once", async () => {
    const p = Pipeline.create({ parallelism: 2 });
    const n = p.apply("Numbers", GenerateSequence.from(-5).to(100_000));
    PAssert.that(n.apply("Sum", Sum.integersGlobally())).containsInAnyOrder(((99_999 * 100_000) / 2) - 15);
    PAssert.that(n.apply("Count", Count.globally())).containsInAnyOrder(100_005);
    PAssert.that(p.apply("Empty", GenerateSequence.from(3).to(3)).apply("CountEmpty", Count.globally())).containsInAnyOrder(0);
    await p.run().waitUntilFinish();
  });

  it("an unbounded sequence runs on the local runner until its maximum read time: the numbers due in it, each once", async () => {
    const p = Pipeline.create({ parallelism: 2 });
    const n = p.apply("Ticks", GenerateSequence.from(0).withRate(40, 1000).withMaxReadTime(500));
    PAssert.that(n.apply("Count", Count.globally())).containsInAnyOrder(20);
    PAssert.that(n.apply("Sum", Sum.integersGlobally())).containsInAnyOrder((19 * 20) / 2);
    await p.run().waitUntilFinish(60_000);
  }, 90_000);

  it("translates to Flink's sequence source; unbounded ones to the bridge's rate-limited source in a STREAMING plan", () => {
    const p = Pipeline.create();
    p.apply("Numbers", GenerateSequence.from(0).to(1_000_000)).apply("Sum", Sum.integersGlobally());
    const { plan } = translate(p.toJSON(), { parallelism: 2 });
    const src = plan.operators.find((o) => o.kind === "source:sequence")!;
    expect(src).toMatchObject({ name: "Numbers", payload: { from: 0, to: 1_000_000 }, parallelism: 2 });
    const q = Pipeline.create();
    q.apply("Ticks", GenerateSequence.from(0).withRate(1, 1000));
    const unbounded = translate(q.toJSON(), { parallelism: 3 }).plan;
    expect(unbounded.runtimeMode).toBe("STREAMING");
    expect(unbounded.operators.find((o) => o.kind === "source:sequence")).toMatchObject({ name: "Ticks", payload: { from: 0, rate: { elements: 1, periodMillis: 1000 } }, parallelism: 3 });
  });
});
