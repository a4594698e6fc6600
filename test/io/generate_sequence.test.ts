/**
 * GenerateSequence: the builder's checks, the graph it makes (bounded or not), and the local
 * runner reading a bounded sequence in parallel splits; an unbounded one is refused with what
 * to do. (Flink's half runs in test/runners/flink/io_agreement.test.ts.)
 */
import { describe, expect, it } from "vitest";
import { Count, GenerateSequence, MapElements, PAssert, Pipeline, Sum } from "../../src/index.js";
import { translate } from "../../src/runners/flink/translators/translate.js";
import { failure } from "../support/runs.js";

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

  it("an unbounded sequence is refused by the local runner, naming the transform and what runs", async () => {
    const p = Pipeline.create({ parallelism: 1 });
    p.apply("Ticks", GenerateSequence.from(0).withRate(10, 1000)).apply(MapElements.via((x: number) => x));
    const e = await failure(p.run());
    expect(e.message).toMatch(/Ticks/);
    expect(e.message).toMatch(/bounded sequences only.*GenerateSequence\.from\(a\)\.to\(b\)/);
  });

  it("translates to Flink's sequence source; unbounded ones are refused", () => {
    const p = Pipeline.create();
    p.apply("Numbers", GenerateSequence.from(0).to(1_000_000)).apply("Sum", Sum.integersGlobally());
    const { plan } = translate(p.toJSON(), { parallelism: 2 });
    const src = plan.operators.find((o) => o.kind === "source:sequence")!;
    expect(src).toMatchObject({ name: "Numbers", payload: { from: 0, to: 1_000_000 }, parallelism: 2 });
    const q = Pipeline.create();
    q.apply("Ticks", GenerateSequence.from(0).withRate(1, 1000));
    expect(() => translate(q.toJSON())).toThrow(/Ticks.*no unbounded sources/);
  });
});
