/**
 * The local runner runs stages in dependency order, not in the order the plan lists them:
 * a side input produced by a transform applied after its consumer's source is complete
 * before the consumer reads it.
 */
import { describe, expect, it } from "vitest";
import { Create, PAssert, ParDo, Pipeline, View, type ProcessContext } from "../../../src/index.js";

describe("stage order", () => {
  for (const inProcess of [false, true]) {
    it(`a side input applied after the main input's source is ready when its consumer runs${inProcess ? " (in process)" : ""}`, async () => {
      const p = Pipeline.create({ parallelism: 2, inProcess });
      const main = p.apply("Main", Create.of(1, 2));
      const side = p.apply("Side", Create.of(10)).apply(View.asSingleton<number>());
      const out = main.apply("Add", ParDo.of((n: number, c: ProcessContext<number, number>) => c.output(n + c.sideInput(side))).withSideInputs(side));
      PAssert.that(out).containsInAnyOrder(11, 12);
      await expect(p.run().waitUntilFinish()).resolves.toBe("DONE");
    });
  }

  it("a chain of side inputs, each applied after its consumer's source", async () => {
    const p = Pipeline.create({ parallelism: 2 });
    const main = p.apply("Main", Create.of(1, 2));
    const a = p.apply("A", Create.of(5));
    const b = p.apply("B", Create.of(100)).apply(View.asSingleton<number>());
    const aPlusB = a.apply("APlusB", ParDo.of((n: number, c: ProcessContext<number, number>) => c.output(n + c.sideInput(b))).withSideInputs(b)).apply(View.asSingleton<number>());
    const out = main.apply("Add", ParDo.of((n: number, c: ProcessContext<number, number>) => c.output(n + c.sideInput(aPlusB))).withSideInputs(aPlusB));
    PAssert.that(out).containsInAnyOrder(106, 107);
    await expect(p.run().waitUntilFinish()).resolves.toBe("DONE");
  });
});
